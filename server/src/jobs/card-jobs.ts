import type { JobModule } from '../queue/job.ts';

/** Jobs behind the cards' API (ledger and tier recomputation after local changes). */
export const cardJobs: readonly JobModule[] = [];
