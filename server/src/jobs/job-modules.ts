import type { JobModule } from '../queue/job.ts';
import { cardJobs } from './card-jobs.ts';
import { purgeExpiredJob } from './purge-expired.job.ts';
import { syncJobs } from './sync-jobs.ts';

/**
 * Every job module the workers run and the web app may enqueue. Add a `<name>.job.ts` file next
 * to this one and list it here; the composition root does the rest (queue, worker, scheduler).
 */
export const jobModules: readonly JobModule[] = [purgeExpiredJob, ...cardJobs, ...syncJobs];
