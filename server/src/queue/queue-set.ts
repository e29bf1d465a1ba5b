import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError, toIssues } from '../errors.ts';
import { defaultJobOptions, type JobModule } from './job.ts';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** The producer side: one BullMQ queue per job module, sharing one fail-fast connection. */
export type QueueSet = {
  readonly prefix: string;
  /** Validates `data` with the module's schema and adds a job; returns the job id. */
  enqueue<TData>(module: JobModule<TData>, data: TData, options?: JobsOptions): Promise<string>;
  queue(name: string): Queue;
  readonly queues: readonly Queue[];
  /** Job counts per queue and state (for /metrics). */
  depths(): Promise<{ queue: string; counts: Record<string, number> }[]>;
  close(): Promise<void>;
};

export function createQueueSet(options: {
  connection: Redis;
  prefix: string;
  modules: readonly JobModule[];
}): QueueSet {
  const queues = new Map<string, Queue>();
  for (const module of options.modules) {
    if (queues.has(module.name)) throw new Error(`two job modules are named "${module.name}"`);
    queues.set(
      module.name,
      new Queue(module.name, {
        connection: options.connection,
        prefix: options.prefix,
        defaultJobOptions: { ...defaultJobOptions, ...module.jobOptions },
      }),
    );
  }

  const queueOrThrow = (name: string): Queue => {
    const queue = queues.get(name);
    if (queue === undefined) throw new Error(`no job module named "${name}" is registered`);
    return queue;
  };

  return {
    prefix: options.prefix,
    queues: [...queues.values()],
    queue: queueOrThrow,

    async enqueue(module, data, jobOptions) {
      const parsed = module.dataSchema.safeParse(data);
      if (!parsed.success) {
        throw new AppError('validation_failed', `invalid data for job ${module.name}`, {
          issues: toIssues('job', parsed.error),
        });
      }
      const job = await queueOrThrow(module.name).add(module.name, parsed.data, jobOptions);
      if (job.id === undefined) throw new Error(`BullMQ returned no id for a ${module.name} job`);
      return job.id;
    },

    async depths() {
      return Promise.all(
        [...queues.values()].map(async (queue) => ({
          queue: queue.name,
          counts: await queue.getJobCounts(...JOB_STATES),
        })),
      );
    },

    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}
