import type { Services } from '../services.ts';
import { budgetState } from './api-usage.ts';
import { type RecordOutcome, type RecordRef, syncRecordBatch } from './record-sync.ts';
import { createGates, type Gates } from './redis-gates.ts';
import { createSyncContext, type SyncOptions } from './sync-context.ts';

// The batcher: per-record jobs stay active (locked in BullMQ) while they wait here, and every
// `lingerMs` (or as soon as `maxBatch` records are waiting) one batch per (installation, object
// family) runs with all of them — one HubSpot read per 100 records, one Salesforce write per 200.
// Each job then completes, retries or is delayed with its own record's outcome.

type Waiting = {
  ref: RecordRef;
  /** Live changes are critical; back-fills and sweeps are not (they pause first). */
  critical: boolean;
  resolve: (outcome: RecordOutcome) => void;
  reject: (error: unknown) => void;
};

type Lane = { waiting: Waiting[]; timer: NodeJS.Timeout | undefined; running: boolean };

export type Batcher = {
  submit(installationId: string, ref: RecordRef, critical?: boolean): Promise<RecordOutcome>;
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

  const run = async (laneKey: string, lane: Lane) => {
    if (lane.running || lane.waiting.length === 0) return;
    lane.running = true;
    let taken = lane.waiting.splice(0, options.maxBatch);
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
          untilMs: Math.min(budget?.resumesAt ?? now + 60_000, now + 15 * 60_000),
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
        schedule(laneKey, lane, lane.waiting.length >= options.maxBatch ? 0 : options.lingerMs);
    }
  };

  const schedule = (laneKey: string, lane: Lane, delay: number) => {
    if (lane.timer !== undefined) return;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      void run(laneKey, lane);
    }, delay);
  };

  const batcher: Batcher = {
    gates,
    submit(installationId, ref, critical = true) {
      const laneKey = `${installationId}|${ref.family}`;
      let lane = lanes.get(laneKey);
      if (lane === undefined) {
        lane = { waiting: [], timer: undefined, running: false };
        lanes.set(laneKey, lane);
      }
      const current = lane;
      return new Promise<RecordOutcome>((resolve, reject) => {
        current.waiting.push({ ref, critical, resolve, reject });
        if (current.waiting.length >= options.maxBatch && !current.running) {
          if (current.timer !== undefined) clearTimeout(current.timer);
          current.timer = undefined;
          void run(laneKey, current);
        } else {
          schedule(laneKey, current, options.lingerMs);
        }
      });
    },
  };
  byOptions.set(key, batcher);
  return batcher;
}
