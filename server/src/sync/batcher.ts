import type { Services } from '../services.ts';
import { budgetState } from './api-usage.ts';
import { type RecordOutcome, type RecordRef, syncRecordBatch } from './record-sync.ts';
import { createGates, type Gates } from './redis-gates.ts';
import {
  createSyncContext,
  defaultBackfillOptions,
  defaultBudgetRecheckMs,
  type SyncOptions,
} from './sync-context.ts';

// The batcher: per-record jobs stay active (locked in BullMQ) while they wait here, and every
// `lingerMs` (or as soon as `maxBatch` records are waiting) one batch per (installation, object
// family) runs with all of them — one HubSpot read per 100 records, one Salesforce write per 200.
// Each job then completes, retries or is delayed with its own record's outcome.
// Back-fill jobs (a new or changed mapping, the initial import) wait in a lane of their own:
// batches up to `backfill.maxBatch` (4,000) that run once the flow of records pauses, so a large
// back-fill reaches Salesforce as one Bulk API 2.0 job instead of a call per 200 records.

type Waiting = {
  ref: RecordRef;
  /** Live changes are critical; back-fills and sweeps are not (they pause first). */
  critical: boolean;
  resolve: (outcome: RecordOutcome) => void;
  reject: (error: unknown) => void;
};

type Lane = {
  waiting: Waiting[];
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  /** Back-fill lane: since when its oldest waiting record waits (the linger's cap). */
  since: number | undefined;
};

export type Batcher = {
  /** `backfill`: the record is part of a back-fill or the initial import (its own lane). */
  submit(
    installationId: string,
    ref: RecordRef,
    critical?: boolean,
    backfill?: boolean,
  ): Promise<RecordOutcome>;
  readonly gates: Gates;
};

const batchers = new WeakMap<Services, Map<string, Batcher>>();

/** One batcher per process and options (a worker runs one set of sync jobs). */
export function batcherFor(
  services: Services,
  options: SyncOptions,
  log: Services['log'],
): Batcher {
  let byOptions = batchers.get(services);
  if (byOptions === undefined) {
    byOptions = new Map();
    batchers.set(services, byOptions);
  }
  const key = JSON.stringify({ ...options, onRecordsSynced: undefined });
  const existing = byOptions.get(key);
  if (existing !== undefined) return existing;
  const queue = services.queues.queue('sync-record');
  const gates = createGates(
    async () => (await queue.getBackend().client) as never,
    services.queues.prefix,
  );
  const lanes = new Map<string, Lane>();
  const backfill = options.backfill ?? defaultBackfillOptions;
  const budgetRecheckMs = options.budgetRecheckMs ?? defaultBudgetRecheckMs;
  const limits = (laneKey: string) =>
    laneKey.endsWith('|backfill')
      ? { maxBatch: backfill.maxBatch, lingerMs: backfill.lingerMs, backfill: true }
      : { maxBatch: options.maxBatch, lingerMs: options.lingerMs, backfill: false };

  const run = async (laneKey: string, lane: Lane) => {
    if (lane.running || lane.waiting.length === 0) return;
    lane.running = true;
    lane.since = undefined;
    const limit = limits(laneKey);
    let taken = lane.waiting.splice(0, limit.maxBatch);
    const [installationId, family] = laneKey.split('|') as [string, RecordRef['family']];
    try {
      // The admin's daily caps: at the reserve line only live changes go on, at the cap nothing.
      const now = services.clock.now();
      const budgets = await Promise.all([
        budgetState(services.db, installationId, 'hubspot', now),
        budgetState(services.db, installationId, 'salesforce', now),
      ]);
      const paused = budgets.find((b) => b.state === 'paused');
      const reserve = budgets.find((b) => b.state === 'non_critical_paused');
      const held = taken.filter(
        (w) => paused !== undefined || (reserve !== undefined && !w.critical),
      );
      for (const waiting of held) {
        const budget = paused ?? reserve;
        waiting.resolve({
          status: 'delayed',
          untilMs: Math.min(budget?.resumesAt ?? now + 60_000, now + budgetRecheckMs),
          reason: `daily ${budget?.provider} API budget reached (${budget?.used}/${budget?.dailyLimit})`,
        });
      }
      taken = taken.filter((w) => !held.includes(w));
      if (taken.length === 0) return;
      const ctx = await createSyncContext({ services, installationId, gates, options, log });
      const outcomes = await syncRecordBatch(
        ctx,
        family,
        taken.map((w) => w.ref),
        { backfill: limit.backfill },
      );
      for (const waiting of taken) {
        waiting.resolve(
          outcomes.get(`${waiting.ref.side}:${waiting.ref.id}`) ?? { status: 'done' },
        );
      }
    } catch (error) {
      for (const waiting of taken) waiting.reject(error);
    } finally {
      lane.running = false;
      if (lane.waiting.length > 0)
        schedule(laneKey, lane, lane.waiting.length >= limit.maxBatch ? 0 : limit.lingerMs);
    }
  };

  const schedule = (laneKey: string, lane: Lane, delay: number) => {
    if (limits(laneKey).backfill && delay > 0) {
      // Back-fills: wait until records stop arriving (re-armed per arrival), at most 5 lingers.
      const now = Date.now();
      lane.since ??= now;
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      delay = Math.max(0, Math.min(delay, lane.since + 5 * delay - now));
    } else if (lane.timer !== undefined) return;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      void run(laneKey, lane);
    }, delay);
  };

  const batcher: Batcher = {
    gates,
    submit(installationId, ref, critical = true, isBackfill = false) {
      const laneKey = `${installationId}|${ref.family}${isBackfill ? '|backfill' : ''}`;
      let lane = lanes.get(laneKey);
      if (lane === undefined) {
        lane = { waiting: [], timer: undefined, running: false, since: undefined };
        lanes.set(laneKey, lane);
      }
      const current = lane;
      const limit = limits(laneKey);
      return new Promise<RecordOutcome>((resolve, reject) => {
        current.waiting.push({ ref, critical, resolve, reject });
        if (current.waiting.length >= limit.maxBatch && !current.running) {
          if (current.timer !== undefined) clearTimeout(current.timer);
          current.timer = undefined;
          void run(laneKey, current);
        } else if (!current.running) {
          schedule(laneKey, current, limit.lingerMs);
        }
      });
    },
  };
  byOptions.set(key, batcher);
  return batcher;
}
