import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';
import { classifyWithRefreshCause } from '../api/api-calls.ts';
import { SalesforceError } from '../errors.ts';
import type { SyncedObjectName } from '../objects/declaration.ts';
import { channelFor, normalizeChangeEvent, type SalesforceChangeEvent } from './change-event.ts';

// Change Data Capture over CometD with jsforce's streaming client (faye long polling, Replay and
// AuthFailure extensions), one channel per object. Events are handed over in delivery order, one
// at a time (`onEvent`) or as the runs that piled up while the previous run was processed
// (`onEvents`, at most `maxEventsPerCall`); a replay id is reported only after its event was
// processed, so the stored position never runs ahead of the work. Duplicate deliveries (same replay id) are dropped; an
// event older than one already delivered is flagged out of order (re-read it by id).
//
// Failure handling:
// - the channel does not exist / the org has no CDC, or no answer in time → `unavailable`
//   (the engine polls instead);
// - the stored replay id expired (older than the 72-hour retention; jsforce#1709: the Replay
//   extension cannot recover by itself) → subscribe from `fallbackReplayFrom` and tell the caller
//   to run a reconciliation poll;
// - the session died (AuthFailure) → refresh once through the connection and subscribe again from
//   the last processed replay ids; if that fails, `onAuthFailure` and stop.

/** A replay position: a stored replayId, -1 (new events only) or -2 (all retained events). */
export type ReplayPosition = number;

/**
 * Events of `object` may have been missed: run a reconciliation poll (readChanges) for it.
 * `expired`: the stored replay id was older than the retention; `session_lost`: the stream was
 * re-established after a session loss without a processed replay id to resume from.
 */
export type ReplayReset = {
  readonly object: SyncedObjectName;
  readonly reason: 'expired' | 'session_lost';
  readonly requested: ReplayPosition;
  readonly replayFrom: ReplayPosition;
};

export type ChangeEventSubscription = {
  /** Objects subscribed to. */
  readonly objects: readonly SyncedObjectName[];
  /** Objects whose channel was refused (CDC not enabled for them): poll those. */
  readonly unavailable: readonly SyncedObjectName[];
  /** The last processed replay id per object (what `onReplayId` reported). */
  replayIds(): Readonly<Partial<Record<SyncedObjectName, ReplayPosition>>>;
  /** Disconnects and waits for the event being processed, if any. */
  stop(): Promise<void>;
};

export type SubscribeResult =
  | { readonly status: 'subscribed'; readonly subscription: ChangeEventSubscription }
  | { readonly status: 'unavailable'; readonly reason: string };

export type SubscribeChangeEventsOptions = {
  readonly connection: Connection;
  readonly objects: readonly SyncedObjectName[];
  /** One position for every object, or one per object (missing ones start at -1). */
  readonly replayFrom: ReplayPosition | Readonly<Partial<Record<SyncedObjectName, ReplayPosition>>>;
  /** Where to start when a stored replay id has expired. Default -2 (everything retained). */
  readonly fallbackReplayFrom?: -1 | -2;
  /** Our integration user's id: its commits count as our writes (see `isOwnWrite`). */
  readonly integrationUserId?: string;
  /** How long to wait for the handshake and subscriptions. Default 30 s. */
  readonly connectTimeoutMs?: number;
  /** One event at a time; its replay id is reported after each. Give this or `onEvents`. */
  readonly onEvent?: (event: SalesforceChangeEvent) => Promise<void> | void;
  /**
   * The events waiting, in delivery order (a busy stream hands over hundreds at once instead of
   * one round trip each); the replay ids are reported once the whole call succeeded.
   */
  readonly onEvents?: (events: readonly SalesforceChangeEvent[]) => Promise<void> | void;
  /** The most events one `onEvents` call receives. Default 500. */
  readonly maxEventsPerCall?: number;
  readonly onReplayId?: (
    object: SyncedObjectName,
    replayId: ReplayPosition,
  ) => Promise<void> | void;
  /** A stored replay id had expired: run a reconciliation poll for `object`. */
  readonly onReplayReset?: (reset: ReplayReset) => void;
  /** The session could not be renewed: the subscription has stopped. */
  readonly onAuthFailure?: (error: SalesforceError) => void;
  /** `onEvent` or `onReplayId` threw: the subscription has stopped (re-subscribe from your store). */
  readonly onError?: (error: unknown) => void;
};

type FayeClient = {
  subscribe(channel: string, listener: (message: unknown) => void): PromiseLike<void>;
  disconnect(): void;
};

type ReplayExtension = InstanceType<typeof StreamingExtension.Replay>;

const SEEN_LIMIT = 10_000;
const expiredReplay =
  /replayId \{?-?\d*\}? you provided was invalid|replay ?id.*(invalid|expired)/i;

function describeFailure(failure: unknown): string {
  if (failure instanceof Error) return failure.message;
  if (typeof failure === 'object' && failure !== null) {
    const { code, message } = failure as { code?: unknown; message?: unknown };
    return [code, message].filter((part) => part !== undefined && part !== null).join(': ');
  }
  return String(failure);
}

type Outcome =
  | { kind: 'ok' }
  | { kind: 'failed'; failure: unknown }
  | { kind: 'auth' }
  | { kind: 'timeout' };

/** Subscribes to the objects' change events; see the file comment for failure handling. */
export async function subscribeChangeEvents(
  options: SubscribeChangeEventsOptions,
): Promise<SubscribeResult> {
  const { connection } = options;
  const timeoutMs = options.connectTimeoutMs ?? 30_000;
  const fallback = options.fallbackReplayFrom ?? -2;
  const requested = (object: SyncedObjectName): ReplayPosition =>
    typeof options.replayFrom === 'number'
      ? options.replayFrom
      : (options.replayFrom[object] ?? -1);

  const processed = new Map<SyncedObjectName, ReplayPosition>();
  const delivered = new Map<string, { max: number; seen: Set<number> }>();
  const active = new Set<SyncedObjectName>();
  const unavailable: SyncedObjectName[] = [];
  let client: FayeClient | undefined;
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();
  /** Delivered events not processed yet, in delivery order. */
  const pending: {
    object: SyncedObjectName;
    replayId: number;
    outOfOrder: boolean;
    event: SalesforceChangeEvent;
  }[] = [];
  let draining = false;
  const maxPerCall = Math.max(1, options.maxEventsPerCall ?? 500);
  if (options.onEvent === undefined && options.onEvents === undefined)
    throw new Error('subscribeChangeEvents needs onEvent or onEvents');
  let onAuthLost: (() => void) | undefined;

  const stop = async () => {
    stopped = true;
    client?.disconnect();
    client = undefined;
    await queue;
  };

  const fail = (error: unknown) => {
    if (stopped) return;
    void stop();
    options.onError?.(error);
  };

  const deliver = (object: SyncedObjectName, channel: string, message: unknown) => {
    if (stopped) return;
    const replayId = (message as { event?: { replayId?: unknown } } | undefined)?.event?.replayId;
    if (typeof replayId !== 'number') return;
    let state = delivered.get(channel);
    if (state === undefined) {
      state = { max: Number.NEGATIVE_INFINITY, seen: new Set() };
      delivered.set(channel, state);
    }
    if (state.seen.has(replayId)) return;
    state.seen.add(replayId);
    if (state.seen.size > SEEN_LIMIT) {
      const oldest = state.seen.values().next().value;
      if (oldest !== undefined) state.seen.delete(oldest);
    }
    const outOfOrder = replayId < state.max;
    state.max = Math.max(state.max, replayId);
    const event = normalizeChangeEvent(channel, message, {
      integrationUserId: options.integrationUserId,
      outOfOrder,
    });
    if (event === undefined) return;
    pending.push({ object, replayId, outOfOrder, event });
    if (draining) return;
    draining = true;
    queue = queue.then(drain);
  };

  /** Processes the waiting events, a run at a time, until none waits (or the stream stopped). */
  const drain = async () => {
    try {
      while (!stopped && pending.length > 0) {
        const run = pending.splice(0, options.onEvents === undefined ? 1 : maxPerCall);
        if (options.onEvents !== undefined) await options.onEvents(run.map((p) => p.event));
        else for (const p of run) await options.onEvent?.(p.event);
        // The run is processed: its newest in-order replay id per object is the position.
        const reached = new Map<SyncedObjectName, ReplayPosition>();
        for (const p of run) {
          if (p.outOfOrder) continue;
          if (p.replayId > (processed.get(p.object) ?? Number.NEGATIVE_INFINITY)) {
            processed.set(p.object, p.replayId);
            reached.set(p.object, p.replayId);
          }
        }
        for (const [object, replayId] of reached) await options.onReplayId?.(object, replayId);
      }
    } catch (error) {
      pending.length = 0;
      fail(error);
    } finally {
      draining = false;
    }
  };

  const withTimeout = (work: PromiseLike<void>, authLost: Promise<void>): Promise<Outcome> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
      const done = (outcome: Outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      work.then(
        () => done({ kind: 'ok' }),
        (failure: unknown) => done({ kind: 'failed', failure }),
      );
      void authLost.then(() => done({ kind: 'auth' }));
    });

  /** One client for every channel, each with its Replay extension at the right position. */
  const connect = async (
    positions: Map<SyncedObjectName, ReplayPosition>,
    allowReset = true,
  ): Promise<'ok' | 'auth' | { unavailable: string }> => {
    let authLost!: () => void;
    const authLostPromise = new Promise<void>((resolve) => {
      authLost = resolve;
    });
    onAuthLost = authLost;
    const replays = new Map<SyncedObjectName, ReplayExtension>();
    for (const [object, position] of positions) {
      replays.set(object, new StreamingExtension.Replay(channelFor(object), position));
    }
    const authFailure = new StreamingExtension.AuthFailure(() => onAuthLost?.());
    // jsforce's faye typings omit disconnect(), which the client has.
    const created = connection.streaming.createClient([
      authFailure,
      ...replays.values(),
    ]) as unknown as FayeClient;
    client = created;
    const listener = (object: SyncedObjectName) => (message: unknown) =>
      deliver(object, channelFor(object), message);
    // Every channel at once: faye answers a subscribe sent while a long poll is held only after
    // its own retry timer (seconds), so sequential subscriptions would stall.
    const subscribeAll = (objects: readonly SyncedObjectName[]) =>
      Promise.all(
        objects.map(async (object) => ({
          object,
          outcome: await withTimeout(
            created.subscribe(channelFor(object), listener(object)),
            authLostPromise,
          ),
        })),
      );
    const outcomes = await subscribeAll([...replays.keys()]);
    const expired = outcomes.filter(
      ({ outcome }) =>
        outcome.kind === 'failed' && expiredReplay.test(describeFailure(outcome.failure)),
    );
    if (expired.length > 0 && allowReset) {
      // A fresh client from the fallback position (re-subscribing on this one would stall).
      created.disconnect();
      const next = new Map(positions);
      for (const { object } of expired) {
        next.set(object, fallback);
        options.onReplayReset?.({
          object,
          reason: 'expired',
          requested: positions.get(object) ?? -1,
          replayFrom: fallback,
        });
      }
      return connect(next, false);
    }
    if (outcomes.some(({ outcome }) => outcome.kind === 'auth')) return 'auth';
    if (outcomes.some(({ outcome }) => outcome.kind === 'timeout')) {
      return { unavailable: `no answer from the streaming endpoint within ${timeoutMs} ms` };
    }
    for (const { object, outcome } of outcomes) {
      if (outcome.kind === 'ok') active.add(object);
      else if (!unavailable.includes(object)) unavailable.push(object);
    }
    return 'ok';
  };

  const refreshSession = async (): Promise<SalesforceError | undefined> => {
    const delegate = connection._refreshDelegate;
    if (delegate === undefined || delegate === null) {
      return new SalesforceError('auth_expired', {
        errorCode: 'INVALID_SESSION_ID',
        message: 'the streaming session is invalid and the connection cannot refresh it',
      });
    }
    try {
      await delegate.refresh(Date.now());
      return undefined;
    } catch (error) {
      return classifyWithRefreshCause(connection, error);
    }
  };

  const positionsNow = (objects: readonly SyncedObjectName[]) =>
    new Map(objects.map((object) => [object, processed.get(object) ?? requested(object)]));

  // Start: one refresh is allowed when the session is already dead at handshake.
  let result = await connect(positionsNow(options.objects));
  if (result === 'auth') {
    client?.disconnect();
    const error = await refreshSession();
    if (error !== undefined) throw error;
    active.clear();
    unavailable.length = 0;
    result = await connect(positionsNow(options.objects));
    if (result === 'auth') {
      client?.disconnect();
      throw new SalesforceError('auth_expired', {
        errorCode: 'INVALID_SESSION_ID',
        message: 'the streaming API refused the session even after a refresh',
      });
    }
  }
  if (result !== 'ok' || active.size === 0) {
    client?.disconnect();
    return {
      status: 'unavailable',
      reason:
        result === 'ok'
          ? `no change event channel for ${options.objects.join(', ')}`
          : result.unavailable,
    };
  }

  // Later session losses: refresh, then a new client from the last processed positions.
  let recovering = false;
  onAuthLost = () => {
    if (stopped || recovering) return;
    recovering = true;
    void (async () => {
      client?.disconnect();
      const error = await refreshSession();
      const positions = positionsNow([...active]);
      const outcome = error === undefined && !stopped ? await connect(positions) : 'auth';
      if (outcome === 'ok') {
        // Without a processed replay id, "new events only" skips what happened during the outage.
        for (const [object, position] of positions) {
          if (position === -1) {
            options.onReplayReset?.({
              object,
              reason: 'session_lost',
              requested: -1,
              replayFrom: -1,
            });
          }
        }
      }
      recovering = false;
      if (stopped) return;
      if (outcome !== 'ok') {
        const lost =
          error ??
          new SalesforceError('auth_expired', {
            errorCode: 'INVALID_SESSION_ID',
            message: 'the streaming session could not be re-established',
          });
        await stop();
        options.onAuthFailure?.(lost);
        return;
      }
      onAuthLost = restartOnAuthLoss;
    })();
  };
  const restartOnAuthLoss = onAuthLost;

  return {
    status: 'subscribed',
    subscription: {
      objects: [...active],
      unavailable: [...unavailable],
      replayIds: () => Object.fromEntries(processed),
      stop,
    },
  };
}
