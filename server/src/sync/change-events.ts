import {
  type ChangeEventSubscription,
  type SalesforceChangeEvent,
  type SyncedObjectName,
  subscribeChangeEvents,
} from '@partnerbridge/salesforce-connector';
import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { installations } from '../db/schema/installations.ts';
import { syncCheckpoints } from '../db/schema/sync.ts';
import { syncPollDataSchema } from '../jobs/sync-poll.job.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import { batcherFor } from './batcher.ts';
import { type Candidate, notify } from './polls.ts';
import type { RecordFamily } from './record-sync.ts';
import type { Gates } from './redis-gates.ts';
import { createSyncContext, defaultChangeEventOptions, type SyncOptions } from './sync-context.ts';
import { saveCheckpoint } from './sync-store.ts';

// Salesforce change events (CDC over CometD): one long-lived subscription per linked org, held by
// one worker process at a time through a Redis lock it renews (a process that dies stops renewing;
// another takes over after the lock's TTL, from the stored replay ids). Events become the same
// per-record jobs as webhooks and polls:
// - our own writes (client=partnerbridge in changeOrigin, or our integration user) are dropped,
//   and an update whose changed mapped fields equal the write shadows is dropped as an echo;
// - gap events and events delivered out of order re-read their records by id; GAP_OVERFLOW and
//   expired replay ids run a Salesforce poll of the installation (the reconciliation);
// - a replay id is stored (sync_checkpoints, channel change_events) only after the jobs of its
//   event are queued, so a restart never skips an event.
// While an org's events flow, its Salesforce poll runs every `reconcileEveryMs` instead of every
// tick; when the org offers no change events, polling continues at the normal cadence.

const objects: readonly SyncedObjectName[] = ['Opportunity', 'Account'];
const familyOf: Record<SyncedObjectName, RecordFamily> = {
  Opportunity: 'deal',
  Account: 'company',
};
const checkpointKind = { Opportunity: 'deal', Account: 'partner' } as const;
const positionSchema = z.strictObject({ replayId: z.number().int() });

const lockKey = (installationId: string) => `cdc:${installationId}`;
const unavailableKey = (installationId: string) => `cdc-unavailable:${installationId}`;

/** Whether a subscriber holds the org's change events now (the poll slows down then). */
export async function changeEventsLive(gates: Gates, installationId: string): Promise<boolean> {
  return (await gates.holder(lockKey(installationId))) !== null;
}

type Subscriber = {
  readonly installationId: string;
  readonly owner: string;
  subscription: ChangeEventSubscription | undefined;
  renewal: NodeJS.Timeout | undefined;
  stopped: boolean;
};

export type ChangeEventSupervisor = {
  /** Subscribes to every linked org nobody holds (and drops subscriptions of unlinked orgs). */
  ensure(): Promise<{ started: number; running: number }>;
  /** Installations this supervisor subscribes to. */
  running(): readonly string[];
  /** Stops every subscription; `release: false` keeps the locks (as a killed process would). */
  stop(options?: { release?: boolean }): Promise<void>;
};

/**
 * The change-event subscriptions of one process. `ensure` is what the `sync-change-events` job
 * runs on its schedule; the runtime stops the process's supervisor on shutdown.
 */
export function createChangeEventSupervisor(
  services: Services,
  options: SyncOptions,
  log: Logger,
): ChangeEventSupervisor {
  const settings = options.changeEvents ?? defaultChangeEventOptions;
  const { gates } = batcherFor(services, options, log);
  const subscribers = new Map<string, Subscriber>();

  const saveStreamCheckpoint = async (
    installationId: string,
    object: SyncedObjectName,
    values: { cursor?: unknown; stage: 'idle' | 'running' | 'failed'; lastError?: string | null },
  ) => {
    await saveCheckpoint(
      services.db,
      {
        installationId,
        system: 'salesforce',
        objectKind: checkpointKind[object],
        channel: 'change_events',
      },
      {
        cursor: values.cursor,
        stage: values.stage,
        lastError: values.lastError ?? null,
        updatedAt: new Date(services.clock.now()),
      },
      { replayId: -1 },
    );
  };

  const storedPositions = async (installationId: string) => {
    const rows = await services.db
      .select()
      .from(syncCheckpoints)
      .where(
        and(
          eq(syncCheckpoints.installationId, installationId),
          eq(syncCheckpoints.system, 'salesforce'),
          eq(syncCheckpoints.channel, 'change_events'),
        ),
      );
    const out: Partial<Record<SyncedObjectName, number>> = {};
    for (const object of objects) {
      const row = rows.find((r) => r.objectKind === checkpointKind[object]);
      const parsed = positionSchema.safeParse(row?.cursor);
      if (parsed.success && parsed.data.replayId >= 0) out[object] = parsed.data.replayId;
    }
    return out;
  };

  const reconcile = async (installationId: string, why: string) => {
    log.info({ installationId, why }, 'change events may be missing: polling Salesforce');
    await services.queues.queue('sync-poll').add(
      'sync-poll',
      syncPollDataSchema.parse({ installationId, systems: ['salesforce'] }),
      // Its own id: a waiting regular poll must not swallow the reconciliation.
      { deduplication: { id: `poll.${installationId}.reconcile` } },
    );
  };

  /**
   * The events that piled up while the previous ones were handled, in delivery order: one
   * context, one link and shadow read, one queue round per object family instead of per event.
   */
  const onEvents = async (installationId: string, events: readonly SalesforceChangeEvent[]) => {
    const byFamily = new Map<RecordFamily, Candidate[]>();
    for (const event of events) {
      // Our own updates are echoes. Our own creates are not quite: the org filled in defaults
      // (currency, probability) that must flow back, so they go through the shadow comparison.
      if (event.isOwnWrite && event.changeType !== 'CREATE') continue;
      if (event.handling === 'resync') {
        await reconcile(installationId, `${event.object} ${event.changeType}`);
        continue;
      }
      const family = familyOf[event.object];
      const structural = event.changeType !== 'UPDATE' && !event.isOwnWrite;
      const values = { ...event.fields, ...event.values };
      const candidates = byFamily.get(family) ?? [];
      byFamily.set(family, candidates);
      for (const id of event.recordIds) {
        candidates.push({
          id,
          modifiedMs: event.commitTimestamp,
          values,
          ...(structural || event.handling === 'reread'
            ? { reread: true }
            : event.changeType === 'UPDATE'
              ? { fields: [...event.changedFields, ...event.nulledFields] }
              : {}),
        });
      }
    }
    if (byFamily.size === 0) return;
    const ctx = await createSyncContext({ services, installationId, gates, options, log });
    for (const [family, candidates] of byFamily) {
      await notify(ctx, 'salesforce', family, candidates);
    }
  };

  const stopSubscriber = async (subscriber: Subscriber, release: boolean) => {
    if (subscriber.stopped) return;
    subscriber.stopped = true;
    clearInterval(subscriber.renewal);
    subscribers.delete(subscriber.installationId);
    await subscriber.subscription?.stop().catch((error: unknown) => {
      log.warn({ err: error, installationId: subscriber.installationId }, 'stop failed');
    });
    if (release) await gates.release([lockKey(subscriber.installationId)], subscriber.owner);
  };

  const markUnavailable = async (installationId: string, reason: string) => {
    await gates.pause(
      unavailableKey(installationId),
      services.clock.now() + settings.unavailableRetryMs,
      services.clock.now(),
    );
    for (const object of objects) {
      await saveStreamCheckpoint(installationId, object, { stage: 'failed', lastError: reason });
    }
  };

  const start = async (installationId: string, integrationUserId: string | null) => {
    const owner = `cdc-${process.pid}-${Math.random().toString(36).slice(2)}`;
    if (!(await gates.claim([lockKey(installationId)], owner, settings.lockTtlMs))) return false;
    const subscriber: Subscriber = {
      installationId,
      owner,
      subscription: undefined,
      renewal: undefined,
      stopped: false,
    };
    subscribers.set(installationId, subscriber);
    // Renewal: a lock lost to another process (this one stalled past the TTL) stops this one.
    subscriber.renewal = setInterval(
      () => {
        gates.claim([lockKey(installationId)], owner, settings.lockTtlMs).then(
          (held) => {
            if (!held) void stopSubscriber(subscriber, false);
          },
          (error: unknown) => log.warn({ err: error, installationId }, 'could not renew CDC lock'),
        );
      },
      Math.max(100, Math.floor(settings.lockTtlMs / 3)),
    );
    subscriber.renewal.unref();
    try {
      if (services.salesforce === undefined) throw new Error('no Salesforce connected app');
      const connection = await services.salesforce.forInstallation(installationId);
      const replayFrom = await storedPositions(installationId);
      const result = await subscribeChangeEvents({
        connection,
        objects,
        replayFrom,
        ...(integrationUserId === null ? {} : { integrationUserId }),
        connectTimeoutMs: settings.connectTimeoutMs,
        onEvents: (events) => onEvents(installationId, events),
        onReplayId: (object, replayId) =>
          saveStreamCheckpoint(installationId, object, { cursor: { replayId }, stage: 'running' }),
        onReplayReset: (reset) => {
          void reconcile(installationId, `replay ${reset.reason} for ${reset.object}`).catch(
            (error: unknown) => log.warn({ err: error, installationId }, 'reconcile failed'),
          );
        },
        onAuthFailure: (error) => {
          log.warn({ err: error, installationId }, 'change events lost their session');
          void markUnavailable(installationId, `authorization: ${error.message}`).finally(() =>
            stopSubscriber(subscriber, true),
          );
        },
        onError: (error) => {
          // The event could not be queued: resubscribe from the stored replay ids next tick.
          log.warn({ err: error, installationId }, 'change event handling failed');
          void stopSubscriber(subscriber, true);
        },
      });
      if (result.status === 'unavailable') {
        log.info({ installationId, reason: result.reason }, 'no change events: polling instead');
        await markUnavailable(installationId, result.reason);
        await stopSubscriber(subscriber, true);
        return false;
      }
      if (subscriber.stopped) {
        await result.subscription.stop();
        return false;
      }
      subscriber.subscription = result.subscription;
      // Without a stored replay id an object starts at "new events only": what changed before
      // (our own create of a deal made right after start, whose org defaults must flow back)
      // would wait for the reconcile cadence. A poll covers the time before the subscription.
      if (result.subscription.objects.some((object) => replayFrom[object] === undefined))
        await reconcile(installationId, 'first subscription');
      for (const object of result.subscription.objects) {
        await saveStreamCheckpoint(installationId, object, { stage: 'running' });
      }
      log.info(
        { installationId, objects: result.subscription.objects },
        'change events subscribed',
      );
      return true;
    } catch (error) {
      log.warn({ err: error, installationId }, 'could not subscribe to change events');
      await markUnavailable(installationId, error instanceof Error ? error.message : String(error));
      await stopSubscriber(subscriber, true);
      return false;
    }
  };

  return {
    running: () => [...subscribers.keys()],
    async ensure() {
      if (services.salesforce === undefined) return { started: 0, running: 0 };
      const linked = await services.db
        .select({ id: installations.id, userId: installations.salesforceUserId })
        .from(installations)
        .where(and(eq(installations.status, 'active'), isNotNull(installations.salesforceOrgId)));
      for (const subscriber of [...subscribers.values()]) {
        if (!linked.some((i) => i.id === subscriber.installationId))
          await stopSubscriber(subscriber, true);
      }
      let started = 0;
      for (const installation of linked) {
        if (subscribers.has(installation.id)) continue;
        if ((await gates.pausedUntil(unavailableKey(installation.id), services.clock.now())) > 0)
          continue;
        if (await start(installation.id, installation.userId)) started++;
      }
      return { started, running: subscribers.size };
    },
    async stop(stopOptions = {}) {
      await Promise.all(
        [...subscribers.values()].map((s) => stopSubscriber(s, stopOptions.release !== false)),
      );
    },
  };
}

const supervisors = new WeakMap<Services, ChangeEventSupervisor>();
const shutDown = new WeakSet<Services>();

/** The process's supervisor (one per runtime). */
export function changeEventSupervisorFor(
  services: Services,
  options: SyncOptions,
  log: Logger,
): ChangeEventSupervisor {
  let supervisor = supervisors.get(services);
  if (shutDown.has(services)) {
    // A tick that raced the shutdown: nothing may subscribe any more.
    return {
      ensure: async () => ({ started: 0, running: 0 }),
      running: () => [],
      stop: async () => {},
    };
  }
  if (supervisor === undefined) {
    supervisor = createChangeEventSupervisor(services, options, log);
    supervisors.set(services, supervisor);
  }
  return supervisor;
}

/** Stops this process's change-event subscriptions and frees their locks (runtime shutdown). */
export async function stopChangeEvents(services: Services): Promise<void> {
  shutDown.add(services);
  await supervisors.get(services)?.stop();
  supervisors.delete(services);
}
