import type { JobModule } from '../queue/job.ts';
import { defaultSyncOptions, type SyncOptions } from '../sync/sync-context.ts';
import { createSyncChangeEventsJob } from './sync-change-events.job.ts';
import { createSyncOutboxJob } from './sync-outbox.job.ts';
import { createSyncOutboxTickJob } from './sync-outbox-tick.job.ts';
import { createSyncPollJob } from './sync-poll.job.ts';
import { createSyncPollTickJob } from './sync-poll-tick.job.ts';
import { createSyncRecordJob } from './sync-record.job.ts';

export type SyncSchedule = {
  /** Incremental polls of both CRMs (Salesforce less often while change events flow). */
  readonly pollEveryMs: number;
  /** The outbox sweep (writes are triggered at once; the sweep catches what a trigger missed). */
  readonly outboxEveryMs?: number;
  /** How often a worker looks for orgs whose change events nobody subscribes to. */
  readonly changeEventsEveryMs?: number;
};

/** The sync engine's jobs with the given tunables (tests and benchmarks shorten the waits). */
export function createSyncJobs(
  options: SyncOptions = defaultSyncOptions,
  schedule: SyncSchedule = { pollEveryMs: 60_000 },
): readonly JobModule[] {
  return [
    createSyncRecordJob(options),
    createSyncPollJob(options),
    createSyncPollTickJob({ ...options, pollEveryMs: schedule.pollEveryMs }),
    createSyncOutboxJob(options) as JobModule,
    createSyncOutboxTickJob(schedule.outboxEveryMs ?? 30_000) as JobModule,
    createSyncChangeEventsJob(options, schedule.changeEventsEveryMs ?? 15_000) as JobModule,
  ];
}

/** Jobs of the sync engine (per-record changes, batchers, polls, reconciliation, back-fills). */
export const syncJobs: readonly JobModule[] = createSyncJobs();
