import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Executor } from '../db/database.ts';
import { deadLetters } from '../db/schema/audit.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Services } from '../services.ts';
import type { JobModule } from './job.ts';
import type { QueueSet } from './queue-set.ts';

export type WorkerSet = {
  readonly workers: readonly Worker[];
  /**
   * Stops fetching new jobs and waits for active ones; after `timeoutMs` the rest are abandoned
   * (BullMQ marks them stalled and another worker retries them later).
   */
  close(timeoutMs: number): Promise<void>;
};

function errorType(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? `${error.name}:${code}` : error.name;
}

/** Stores a job that failed for good so an operator can see, group and replay it. */
export async function recordDeadLetter(
  db: Executor,
  module: JobModule,
  job: Job,
  error: Error,
): Promise<void> {
  const parsed = module.dataSchema.safeParse(job.data);
  const installationId = parsed.success ? module.installationOf?.(parsed.data) : undefined;
  await db.insert(deadLetters).values({
    installationId: installationId ?? null,
    queue: job.queueName,
    jobName: job.name,
    jobId: job.id ?? null,
    errorType: errorType(error),
    reason: error.message.slice(0, 2_000),
    payload: job.data ?? null,
    attempts: job.attemptsMade,
  });
}

export type StalledJobOptions = {
  /** A job's lock lives this long without renewal (the worker renews it every half). */
  readonly lockDurationMs: number;
  /** How often a worker looks for jobs whose lock expired (their process died). */
  readonly stalledIntervalMs: number;
};

export async function startWorkers(options: {
  /** A `worker`-role connection (maxRetriesPerRequest: null); BullMQ duplicates it as needed. */
  connection: Redis;
  prefix: string;
  modules: readonly JobModule[];
  services: Services;
  queues: QueueSet;
  log: Logger;
  metrics: Metrics;
  concurrency: number;
  /** Default: BullMQ's (30 s lock, checked every 30 s). */
  stalledJobs?: StalledJobOptions;
}): Promise<WorkerSet> {
  const workers: Worker[] = [];

  for (const module of options.modules) {
    const log = options.log.child({ queue: module.name });

    const processor = async (job: Job) => {
      const parsed = module.dataSchema.safeParse(job.data);
      if (!parsed.success) {
        // Retrying cannot fix a payload that does not match its schema.
        throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
      }
      const started = Date.now();
      const result = await module.process(parsed.data, {
        job,
        log: log.child({ jobId: job.id }),
        services: options.services,
      });
      options.metrics.jobDuration.observe({ queue: module.name }, (Date.now() - started) / 1000);
      return result;
    };

    const worker = new Worker(module.name, processor, {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: module.concurrency ?? options.concurrency,
      autorun: false,
      ...(options.stalledJobs === undefined
        ? {}
        : {
            lockDuration: options.stalledJobs.lockDurationMs,
            stalledInterval: options.stalledJobs.stalledIntervalMs,
          }),
    });

    worker.on('completed', () => options.metrics.recordJob(module.name, 'completed'));
    worker.on('failed', (job, error) => {
      if (job === undefined) return;
      // `finishedOn` is only set when BullMQ gave up (no attempts left, or UnrecoverableError).
      if (job.finishedOn === undefined) {
        options.metrics.recordJob(module.name, 'retried');
        log.warn(
          { jobId: job.id, err: error, attempt: job.attemptsMade },
          'job failed, will retry',
        );
        return;
      }
      options.metrics.recordJob(module.name, 'failed');
      log.error({ jobId: job.id, err: error }, 'job failed for good');
      recordDeadLetter(options.services.db, module, job, error).then(
        () => options.metrics.recordJob(module.name, 'dead_lettered'),
        (cause: unknown) =>
          log.error({ err: cause, jobId: job.id }, 'could not record dead letter'),
      );
    });
    worker.on('error', (error) => log.error({ err: error }, 'worker error'));

    if (module.schedule !== undefined) {
      await options.queues
        .queue(module.name)
        .upsertJobScheduler(module.schedule.id, module.schedule.repeat, {
          name: module.name,
          data: module.schedule.data,
        });
    }
    workers.push(worker);
  }

  for (const worker of workers) {
    worker.run().catch((error: unknown) => options.log.error({ err: error }, 'worker stopped'));
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  return {
    workers,
    async close(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all(workers.map((worker) => worker.close())).then(() => 'closed');
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([graceful, deadline]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        options.log.warn({ timeoutMs }, 'workers did not finish in time; forcing close');
        await Promise.all(workers.map((worker) => worker.close(true)));
      }
    },
  };
}
