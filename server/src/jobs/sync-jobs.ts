import type { JobModule } from '../queue/job.ts';
import { defaultSyncOptions, type SyncOptions } from '../sync/sync-context.ts';
import { createSyncPollJob } from './sync-poll.job.ts';
import { createSyncPollTickJob } from './sync-poll-tick.job.ts';
import { createSyncRecordJob } from './sync-record.job.ts';

/** The sync engine's jobs with the given tunables (tests and benchmarks shorten the waits). */
export function createSyncJobs(
  options: SyncOptions = defaultSyncOptions,
  schedule: { readonly pollEveryMs: number } = { pollEveryMs: 60_000 },
): readonly JobModule[] {
  return [
    createSyncRecordJob(options),
    createSyncPollJob(options),
    createSyncPollTickJob({ ...options, pollEveryMs: schedule.pollEveryMs }),
  ];
}

/** Jobs of the sync engine (per-record changes, batchers, polls, reconciliation, back-fills). */
export const syncJobs: readonly JobModule[] = createSyncJobs();
