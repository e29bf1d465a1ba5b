import { z } from 'zod';
import { createRng, type Rng } from '../common/rng.ts';
import type { CrmChange } from './crm-store.ts';
import { objectTypes } from './object-types.ts';
import { signV1, signV3 } from './webhook-signature.ts';

// Webhook delivery: CRM changes become events for the app's active subscriptions in portals where
// it is installed; events are queued (never sent inside the API request), batched up to 100 per
// POST, signed (v1 and v3), and retried with exponential backoff when the subscriber errors, is
// slower than the timeout or drops the connection. Faults can duplicate, reorder or lose events.

export const webhookSubscriptionTypes = [
  'object.creation',
  'object.propertyChange',
  'object.deletion',
  'object.merge',
  'object.associationChange',
] as const;
export type WebhookSubscriptionType = (typeof webhookSubscriptionTypes)[number];

/** One `crmObjects` entry of the app's webhooks-hsmeta.json. */
export const webhookSubscriptionSchema = z
  .object({
    subscriptionType: z.enum(webhookSubscriptionTypes),
    objectType: z.enum(['deal', 'company']),
    propertyName: z.string().min(1).optional(),
    active: z.boolean(),
  })
  .refine(
    (sub) => sub.subscriptionType !== 'object.propertyChange' || sub.propertyName !== undefined,
    {
      message: 'object.propertyChange subscriptions need a propertyName',
      path: ['propertyName'],
    },
  );

export const webhookTargetSchema = z.object({
  targetUrl: z.url(),
  subscriptions: z.array(webhookSubscriptionSchema).max(1000),
  maxConcurrentRequests: z.number().int().min(1).max(100).default(10),
});
export type WebhookTargetInput = z.input<typeof webhookTargetSchema>;
export type WebhookSubscriptionInput = z.input<typeof webhookSubscriptionSchema>;

export const webhookFaultsSchema = z.object({
  /** Probability that an event is delivered a second time (same eventId, later batch). */
  duplicateRate: z.number().min(0).max(1).default(0),
  /** Shuffle events: `true` within each batch of 100, a number N across windows of N events. */
  reorder: z.union([z.boolean(), z.number().int().min(2).max(10_000)]).default(false),
  /** Probability that an event is lost for good (never delivered): for reconciliation tests. */
  dropRate: z.number().min(0).max(1).default(0),
});
export type WebhookFaultsInput = z.input<typeof webhookFaultsSchema>;

export type WebhookRetryOptions = {
  /** Total attempts per batch (first delivery included). Default 10. */
  maxAttempts?: number;
  /** Delay before the first retry; doubles (`multiplier`) per attempt. Default 1,000 ms. */
  initialDelayMs?: number;
  multiplier?: number;
  maxDelayMs?: number;
  /** A subscriber slower than this counts as failed. HubSpot: 5 s. */
  timeoutMs?: number;
  /** How long events gather before a batch is cut. Default 0 (the next tick). */
  batchWindowMs?: number;
};

type RetryConfig = Required<WebhookRetryOptions>;

const defaultRetry: RetryConfig = {
  maxAttempts: 10,
  initialDelayMs: 1_000,
  multiplier: 2,
  maxDelayMs: 60_000,
  timeoutMs: 5_000,
  batchWindowMs: 0,
};

export const MAX_EVENTS_PER_REQUEST = 100;

export type WebhookEvent = {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: WebhookSubscriptionType;
  attemptNumber: number;
  objectId: number;
  objectTypeId: string;
  changeSource: string;
  sourceId?: string;
  propertyName?: string;
  propertyValue?: string;
  isSensitive?: boolean;
  primaryObjectId?: number;
  mergedObjectIds?: number[];
  newObjectId?: number;
  numberOfPropertiesMoved?: number;
  associationType?: string;
  fromObjectId?: number;
  toObjectId?: number;
  associationRemoved?: boolean;
  isPrimaryAssociation?: boolean;
};

export type DeliveryRecord = {
  at: number;
  attemptNumber: number;
  eventIds: number[];
  outcome: number | 'timeout' | 'connection-error' | 'aborted';
  durationMs: number;
};

export type WebhookStats = {
  queued: number;
  inFlight: number;
  pendingRetries: number;
  eventsDelivered: number;
  requestsSucceeded: number;
  requestsFailed: number;
  batchesExhausted: number;
  duplicated: number;
  dropped: number;
};

type Subscription = z.infer<typeof webhookSubscriptionSchema> & { id: number };
type Batch = { events: WebhookEvent[]; attempt: number };

export class WebhookDispatcher {
  private readonly app: { appId: number; clientSecret: string };
  private readonly clock: () => number;
  private readonly isSubscribedPortal: (portalId: number, readScope: string) => boolean;
  private readonly retry: RetryConfig;
  private readonly rng: Rng;
  private target:
    | { url: string; subscriptions: Subscription[]; maxConcurrentRequests: number }
    | undefined;
  private faults = webhookFaultsSchema.parse({});
  private nextSubscriptionId = 1_000_001;
  private nextEventId = 1_000_000_001;
  private readonly queue: WebhookEvent[] = [];
  private readonly retryReady: Batch[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private pumpTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<AbortController>();
  private readonly waiters: (() => void)[] = [];
  private readonly log: DeliveryRecord[] = [];
  private stopped = false;
  private readonly counters = {
    eventsDelivered: 0,
    requestsSucceeded: 0,
    requestsFailed: 0,
    batchesExhausted: 0,
    duplicated: 0,
    dropped: 0,
  };

  constructor(options: {
    app: { appId: number; clientSecret: string };
    clock: () => number;
    /** Whether the app is installed in the portal with the given read scope. */
    isSubscribedPortal: (portalId: number, readScope: string) => boolean;
    retry?: WebhookRetryOptions | undefined;
    seed: number;
  }) {
    this.app = options.app;
    this.clock = options.clock;
    this.isSubscribedPortal = options.isSubscribedPortal;
    this.retry = { ...defaultRetry, ...options.retry };
    this.rng = createRng(options.seed ^ 0x5eed);
  }

  /** Registers the subscriber; returns the subscriptions with their ids. */
  setTarget(input: WebhookTargetInput): Subscription[] {
    const parsed = webhookTargetSchema.parse(input);
    const subscriptions = parsed.subscriptions.map((subscription) => ({
      ...subscription,
      id: this.nextSubscriptionId++,
    }));
    this.target = {
      url: parsed.targetUrl,
      subscriptions,
      maxConcurrentRequests: parsed.maxConcurrentRequests,
    };
    return subscriptions;
  }

  clearTarget(): void {
    this.target = undefined;
  }

  setFaults(input: WebhookFaultsInput): void {
    this.faults = webhookFaultsSchema.parse(input);
  }

  clearFaults(): void {
    this.faults = webhookFaultsSchema.parse({});
  }

  /** Turns a CRM change into queued events (called synchronously by the store). */
  handle(change: CrmChange): void {
    const target = this.target;
    if (target === undefined || this.stopped) return;
    const readScope = `crm.objects.${objectTypes[change.objectType].plural}.read`;
    if (!this.isSubscribedPortal(change.portalId, readScope)) return;
    const subscriptionType = `object.${change.kind}` as WebhookSubscriptionType;
    for (const subscription of target.subscriptions) {
      if (!subscription.active || subscription.subscriptionType !== subscriptionType) continue;
      if (subscription.objectType !== change.objectType) continue;
      if (change.kind === 'propertyChange' && subscription.propertyName !== change.propertyName) {
        continue;
      }
      this.enqueue(this.toEvent(change, subscription));
    }
  }

  private toEvent(change: CrmChange, subscription: Subscription): WebhookEvent {
    const event: WebhookEvent = {
      eventId: this.nextEventId++,
      subscriptionId: subscription.id,
      portalId: change.portalId,
      appId: this.app.appId,
      occurredAt: change.occurredAt,
      subscriptionType: subscription.subscriptionType,
      attemptNumber: 0,
      objectId: Number(change.objectId),
      objectTypeId: objectTypes[change.objectType].typeId,
      changeSource: change.source.changeSource,
    };
    if (change.source.sourceId !== undefined) event.sourceId = change.source.sourceId;
    switch (change.kind) {
      case 'propertyChange':
        event.propertyName = change.propertyName;
        event.propertyValue = change.propertyValue;
        event.isSensitive = false;
        break;
      case 'merge':
        event.primaryObjectId = Number(change.primaryObjectId);
        event.mergedObjectIds = change.mergedObjectIds.map(Number);
        event.newObjectId = Number(change.newObjectId);
        event.numberOfPropertiesMoved = change.numberOfPropertiesMoved;
        break;
      case 'associationChange':
        event.associationType = `${objectTypes[change.objectType].upper}_TO_${objectTypes[change.toObjectType].upper}`;
        event.fromObjectId = Number(change.objectId);
        event.toObjectId = Number(change.toObjectId);
        event.associationRemoved = change.removed;
        event.isPrimaryAssociation = change.isPrimary;
        break;
      case 'creation':
      case 'deletion':
        break;
    }
    return event;
  }

  private enqueue(event: WebhookEvent): void {
    if (this.rng.chance(this.faults.dropRate)) {
      this.counters.dropped += 1;
      return;
    }
    this.queue.push(event);
    if (this.rng.chance(this.faults.duplicateRate)) {
      this.counters.duplicated += 1;
      this.queue.push({ ...event });
    }
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpTimer !== undefined || this.stopped) return;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, this.retry.batchWindowMs);
  }

  private pump(): void {
    const target = this.target;
    if (target === undefined || this.stopped) {
      this.queue.length = 0;
      this.retryReady.length = 0;
      this.settle();
      return;
    }
    while (this.inFlight.size < target.maxConcurrentRequests) {
      const batch = this.retryReady.shift() ?? this.nextBatch();
      if (batch === undefined) break;
      this.send(target.url, batch);
    }
    this.settle();
  }

  private nextBatch(): Batch | undefined {
    if (this.queue.length === 0) return undefined;
    const window =
      this.faults.reorder === false ? 0 : this.faults.reorder === true ? 100 : this.faults.reorder;
    if (window > 0) {
      // Shuffle the next stretch of the queue in place, window by window.
      const stretch = Math.min(this.queue.length, Math.max(MAX_EVENTS_PER_REQUEST, window));
      for (let start = 0; start < stretch; start += window) {
        const end = Math.min(stretch, start + window);
        for (let i = end - 1; i > start; i--) {
          const j = start + Math.floor(this.rng.next() * (i - start + 1));
          const a = this.queue[i];
          const b = this.queue[j];
          if (a !== undefined && b !== undefined) {
            this.queue[i] = b;
            this.queue[j] = a;
          }
        }
      }
    }
    return { events: this.queue.splice(0, MAX_EVENTS_PER_REQUEST), attempt: 0 };
  }

  private send(url: string, batch: Batch): void {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const events = batch.events.map((event) => ({ ...event, attemptNumber: batch.attempt }));
    const body = JSON.stringify(events);
    const timestamp = this.clock();
    const started = Date.now();
    const timeout = setTimeout(() => controller.abort(new Error('timeout')), this.retry.timeoutMs);
    const finish = (outcome: DeliveryRecord['outcome']) => {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
      this.log.push({
        at: timestamp,
        attemptNumber: batch.attempt,
        eventIds: events.map((event) => event.eventId),
        outcome,
        durationMs: Date.now() - started,
      });
      if (this.log.length > 2_000) this.log.splice(0, this.log.length - 2_000);
      const succeeded = typeof outcome === 'number' && outcome >= 200 && outcome < 300;
      if (succeeded) {
        this.counters.requestsSucceeded += 1;
        this.counters.eventsDelivered += events.length;
      } else if (outcome !== 'aborted') {
        this.counters.requestsFailed += 1;
        this.scheduleRetry(batch);
      }
      this.pump();
    };
    fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'HubSpot Webhooks',
        'X-HubSpot-Signature': signV1(this.app.clientSecret, body),
        'X-HubSpot-Signature-Version': 'v1',
        'X-HubSpot-Signature-v3': signV3({
          clientSecret: this.app.clientSecret,
          method: 'POST',
          uri: url,
          body,
          timestamp,
        }),
        'X-HubSpot-Request-Timestamp': String(timestamp),
      },
      body,
      signal: controller.signal,
    }).then(
      async (response) => {
        // Drain the body so the connection can be reused; its content does not matter.
        await response.arrayBuffer().catch(() => undefined);
        finish(response.status);
      },
      () => {
        const reason: unknown = controller.signal.reason;
        finish(
          this.stopped
            ? 'aborted'
            : reason instanceof Error && reason.message === 'timeout'
              ? 'timeout'
              : 'connection-error',
        );
      },
    );
  }

  private scheduleRetry(batch: Batch): void {
    const next = batch.attempt + 1;
    if (next >= this.retry.maxAttempts || this.stopped) {
      this.counters.batchesExhausted += 1;
      return;
    }
    const delay = Math.min(
      this.retry.maxDelayMs,
      this.retry.initialDelayMs * this.retry.multiplier ** batch.attempt,
    );
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.retryReady.push({ events: batch.events, attempt: next });
      this.pump();
    }, delay);
    this.retryTimers.add(timer);
  }

  private isIdle(): boolean {
    return (
      this.queue.length === 0 &&
      this.retryReady.length === 0 &&
      this.retryTimers.size === 0 &&
      this.inFlight.size === 0 &&
      this.pumpTimer === undefined
    );
  }

  private settle(): void {
    if (!this.isIdle() && !this.stopped) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves once every queued event has been delivered or has exhausted its retries. */
  flush(): Promise<void> {
    if (this.isIdle() || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stats(): WebhookStats {
    return {
      queued: this.queue.length,
      inFlight: this.inFlight.size,
      pendingRetries: this.retryTimers.size + this.retryReady.length,
      ...this.counters,
    };
  }

  deliveries(): DeliveryRecord[] {
    return [...this.log];
  }

  subscriptions(): Subscription[] {
    return this.target?.subscriptions ?? [];
  }

  /** Cancels timers and in-flight requests; pending flushes resolve. */
  stop(): void {
    this.stopped = true;
    if (this.pumpTimer !== undefined) clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const controller of this.inFlight) controller.abort(new Error('stopped'));
    this.queue.length = 0;
    this.retryReady.length = 0;
    this.settle();
  }
}
