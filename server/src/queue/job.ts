import type { Job, JobsOptions, RepeatOptions } from 'bullmq';
import type { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';

/** What a job's `process` receives besides its (validated) data. */
export type JobContext = {
  readonly job: Job;
  /** Logger bound to the queue and job id. */
  readonly log: Logger;
  readonly services: Services;
};

export type JobSchedule = {
  /** Stable scheduler id; `upsertJobScheduler` with it is idempotent on every boot. */
  readonly id: string;
  readonly repeat: Omit<RepeatOptions, 'key'>;
};

/**
 * A job module (`src/jobs/<name>.job.ts`). One queue per module, named after it. Data is
 * validated when enqueued and again when processed (it crossed Redis); an invalid payload fails
 * for good instead of retrying. `process` must be idempotent: a stalled job runs again.
 */
export type JobModule<TData = unknown> = {
  /** Queue and job name: lowercase, digits and `-` (no `:`, which BullMQ reserves). */
  readonly name: string;
  readonly dataSchema: z.ZodType<TData>;
  process(data: TData, context: JobContext): Promise<unknown>;
  /** Defaults for jobs of this queue (attempts, backoff, removal…). */
  readonly jobOptions?: JobsOptions;
  /** Parallel jobs per worker process (default: WORKER_CONCURRENCY). */
  readonly concurrency?: number;
  /** Recurring runs, registered with a BullMQ job scheduler when workers start. */
  readonly schedule?: JobSchedule & { readonly data: TData };
  /** For dead letters and metrics: which installation a job's data belongs to. */
  installationOf?(data: TData): string | undefined;
};

/** Declares a job module with its data type inferred from the schema. */
export function defineJob<S extends z.ZodType>(module: JobModule<z.output<S>> & { dataSchema: S }) {
  if (!/^[a-z][a-z0-9-]*$/.test(module.name)) {
    throw new Error(`job name "${module.name}" must be lowercase letters, digits and "-"`);
  }
  return module as JobModule<z.output<S>>;
}

// Bounded history: completed jobs are cheap to forget, failed ones are kept for inspection
// (the dead-letter table keeps the ones that matter for good).
export const defaultJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};
