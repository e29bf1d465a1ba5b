import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { SandboxState } from '../sandbox-state.ts';
import type { Org } from '../store/org.ts';
import {
  allChangeEventsChannel,
  type ChangeEvent,
  channelFor,
  type PublishedEvent,
} from './change-event-log.ts';

// A minimal Bayeux (CometD) long-polling server at `/cometd/XX.X`, speaking what jsforce's
// streaming client (faye, long-polling, no batching) sends: handshake, connect, subscribe with the
// `replay` extension, unsubscribe, disconnect. Change events of the session's org are delivered in
// `/meta/connect` responses. Authentication is `Authorization: OAuth <token>` on every request;
// an invalid session answers `advice: { reconnect: 'none' }` so jsforce's AuthFailure fires.

type Message = Record<string, unknown> & { channel?: unknown; id?: unknown; clientId?: unknown };
type Delivery = { channel: string; data: unknown };

type PendingConnect = {
  res: Response;
  replies: Message[];
  connect: Message;
  timer: NodeJS.Timeout;
};

type Client = {
  id: string;
  orgId: string;
  token: string;
  subscriptions: Set<string>;
  queue: Delivery[];
  pending: PendingConnect | null;
  connected: boolean;
  lastSeen: number;
};

const CLIENT_IDLE_MS = 40_000;
const HOLD_BACK_MS = 500;

const authFailureExt = { sfdc: { failureReason: '401::Authentication invalid' } };

export class BayeuxServer {
  private readonly state: SandboxState;
  private readonly clients = new Map<string, Client>();
  private readonly attached = new Set<string>();
  private readonly held = new Map<string, { events: PublishedEvent[]; timer: NodeJS.Timeout }>();
  private readonly detach: (() => void)[] = [];

  constructor(state: SandboxState) {
    this.state = state;
  }

  router(): Router {
    const router = express.Router();
    router.post(
      '/cometd/:version',
      express.json({ type: () => true, limit: '1mb' }),
      (req: Request, res: Response) => {
        const body: unknown = req.body;
        const messages = (Array.isArray(body) ? body : [body]).filter(
          (m): m is Message => typeof m === 'object' && m !== null,
        );
        this.handle(req, res, messages);
      },
    );
    return router;
  }

  /** Releases held long polls and timers (server shutdown). */
  close(): void {
    for (const client of this.clients.values()) this.release(client);
    for (const entry of this.held.values()) clearTimeout(entry.timer);
    this.held.clear();
    for (const undo of this.detach) undo();
    this.clients.clear();
  }

  private get longPollMs(): number {
    return this.state.config.longPollMs;
  }

  private advice() {
    return { interval: 0, timeout: this.longPollMs, reconnect: 'retry' };
  }

  private tokenOf(req: Request): string | undefined {
    return /^(?:OAuth|Bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  }

  private handle(req: Request, res: Response, messages: Message[]) {
    this.expireIdleClients();
    const token = this.tokenOf(req);
    const session = token === undefined ? undefined : this.state.sessions.authenticate(token);
    const replies: Message[] = [];
    let held = false;
    let unauthorized = false;
    for (const message of messages) {
      const channel = String(message.channel ?? '');
      const id = message.id;
      const clientId = typeof message.clientId === 'string' ? message.clientId : undefined;
      if (channel === '/meta/handshake') {
        if (session === undefined) {
          unauthorized = true;
          replies.push({
            id,
            channel,
            successful: false,
            error: '403::Handshake denied',
            advice: { reconnect: 'none' },
            ext: { ...authFailureExt, replay: true, 'payload.format': true },
          });
          continue;
        }
        const client: Client = {
          id: randomBytes(16).toString('base64url'),
          orgId: session.orgId,
          token: session.accessToken,
          subscriptions: new Set(),
          queue: [],
          pending: null,
          connected: false,
          lastSeen: Date.now(),
        };
        this.clients.set(client.id, client);
        this.attach(session.orgId);
        replies.push({
          id,
          channel,
          version: '1.0',
          minimumVersion: '1.0',
          supportedConnectionTypes: ['long-polling'],
          clientId: client.id,
          successful: true,
          advice: this.advice(),
          ext: { replay: true, 'payload.format': true },
        });
        continue;
      }
      const client = clientId === undefined ? undefined : this.clients.get(clientId);
      if (client === undefined) {
        replies.push({
          id,
          channel,
          clientId,
          successful: false,
          error: '403::Unknown client',
          advice: { reconnect: 'handshake', interval: 0 },
        });
        continue;
      }
      client.lastSeen = Date.now();
      if (session === undefined || session.orgId !== client.orgId) {
        unauthorized = true;
        replies.push({
          id,
          channel,
          clientId,
          successful: false,
          error: '401::Authentication invalid',
          advice: { reconnect: 'none', interval: 0 },
          ext: authFailureExt,
        });
        if (channel === '/meta/connect') this.remove(client);
        continue;
      }
      switch (channel) {
        case '/meta/connect': {
          const reply = { id, channel, clientId, successful: true, advice: this.advice() };
          if (client.queue.length > 0 || !client.connected) {
            client.connected = true;
            replies.push(...this.drain(client), reply);
          } else {
            this.release(client);
            held = true;
            client.pending = {
              res,
              replies: [...replies],
              connect: reply,
              timer: setTimeout(() => this.release(client), this.longPollMs),
            };
            client.pending.timer.unref();
            res.on('close', () => {
              if (client.pending?.res !== res) return;
              clearTimeout(client.pending.timer);
              client.pending = null;
            });
          }
          break;
        }
        case '/meta/subscribe':
          replies.push(this.subscribe(client, message));
          // Replayed events go out on the connect that is already waiting.
          if (client.queue.length > 0) this.release(client);
          break;
        case '/meta/unsubscribe': {
          const subscription = String(message.subscription ?? '');
          client.subscriptions.delete(subscription);
          replies.push({ id, channel, clientId, subscription, successful: true });
          break;
        }
        case '/meta/disconnect':
          this.remove(client);
          replies.push({ id, channel, clientId, successful: true });
          break;
        default:
          replies.push({
            id,
            channel,
            clientId,
            successful: false,
            error: '403::Publish not allowed',
          });
      }
    }
    if (held) return;
    res.status(unauthorized ? 401 : 200).json(replies);
  }

  private subscribe(client: Client, message: Message): Message {
    const subscription = String(message.subscription ?? '');
    const base = { id: message.id, channel: '/meta/subscribe', clientId: client.id, subscription };
    const org = this.state.orgs.get(client.orgId);
    const entity = /^\/data\/(\w+)ChangeEvent$/.exec(subscription)?.[1];
    const valid =
      org !== undefined &&
      (subscription === allChangeEventsChannel || org.object(entity ?? '')?.changeEvents === true);
    if (org === undefined || !valid) {
      return {
        ...base,
        successful: false,
        error: `400::The channel you requested to subscribe to does not exist {${subscription}}`,
      };
    }
    const ext = message.ext as { replay?: Record<string, unknown> } | undefined;
    const requested = ext?.replay?.[subscription];
    const replayId = typeof requested === 'number' ? requested : Number(requested ?? -1);
    const now = this.state.now();
    if (
      !Number.isInteger(replayId) ||
      replayId < -2 ||
      (replayId >= 0 && !org.changeEvents.isReplayable(replayId, now))
    ) {
      return {
        ...base,
        successful: false,
        error: `400::The replayId {${String(requested)}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
      };
    }
    client.subscriptions.add(subscription);
    if (replayId !== -1) {
      const replay = org.changeEvents
        .retained(now)
        .filter((event) => replayId === -2 || event.replayId > replayId)
        .filter((event) => this.matches(subscription, event));
      for (const event of replay) client.queue.push({ channel: subscription, data: event.data });
    }
    return { ...base, successful: true };
  }

  private matches(subscription: string, event: ChangeEvent): boolean {
    return subscription === allChangeEventsChannel || subscription === channelFor(event.entityName);
  }

  private attach(orgId: string) {
    if (this.attached.has(orgId)) return;
    const org = this.state.orgs.get(orgId);
    if (org === undefined) return;
    this.attached.add(orgId);
    this.detach.push(org.changeEvents.onPublish((published) => this.publish(org, published)));
  }

  /** Live delivery with the scripted faults: duplicates, and events held back behind the next. */
  private publish(org: Org, published: PublishedEvent) {
    const held = this.held.get(org.id);
    if (published.delay && held === undefined) {
      const timer = setTimeout(() => this.flushHeld(org), HOLD_BACK_MS);
      timer.unref();
      this.held.set(org.id, { events: [published], timer });
      return;
    }
    if (published.delay && held !== undefined) {
      held.events.push(published);
      return;
    }
    this.deliver(org, published);
    this.flushHeld(org);
  }

  private flushHeld(org: Org) {
    const held = this.held.get(org.id);
    if (held === undefined) return;
    clearTimeout(held.timer);
    this.held.delete(org.id);
    for (const event of held.events) this.deliver(org, event);
  }

  private deliver(org: Org, published: PublishedEvent) {
    for (const client of this.clients.values()) {
      if (client.orgId !== org.id) continue;
      for (const subscription of client.subscriptions) {
        if (!this.matches(subscription, published.event)) continue;
        const copies = published.duplicate ? 2 : 1;
        for (let i = 0; i < copies; i++) {
          client.queue.push({ channel: subscription, data: published.event.data });
        }
      }
      if (client.queue.length > 0) this.release(client);
    }
  }

  private drain(client: Client): Message[] {
    const org = this.state.orgs.get(client.orgId);
    const deliveries = client.queue.splice(0);
    if (org !== undefined) org.deliveredEvents += deliveries.length;
    return deliveries.map((d) => ({ channel: d.channel, data: d.data }));
  }

  /** Answers a held `/meta/connect` with whatever is queued. */
  private release(client: Client) {
    const pending = client.pending;
    if (pending === null) return;
    client.pending = null;
    clearTimeout(pending.timer);
    if (pending.res.writableEnded) return;
    pending.res.status(200).json([...pending.replies, ...this.drain(client), pending.connect]);
  }

  private remove(client: Client) {
    this.release(client);
    this.clients.delete(client.id);
  }

  private expireIdleClients() {
    const cutoff = Date.now() - CLIENT_IDLE_MS - this.longPollMs;
    for (const client of this.clients.values()) {
      if (client.pending === null && client.lastSeen < cutoff) this.clients.delete(client.id);
    }
  }
}
