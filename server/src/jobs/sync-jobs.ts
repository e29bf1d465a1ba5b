import type { JobModule } from '../queue/job.ts';

/** Jobs of the sync engine (per-record changes, batchers, polls, reconciliation, back-fills). */
export const syncJobs: readonly JobModule[] = [];
