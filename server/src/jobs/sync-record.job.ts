import { DelayedError } from 'bullmq';
import { z } from 'zod';
import { defineJob, type JobModule } from '../queue/job.ts';
import { batcherFor } from '../sync/batcher.ts';
import { recordFamilies } from '../sync/record-sync.ts';
import {
  defaultBackfillOptions,
  defaultSyncOptions,
  type SyncOptions,
} from '../sync/sync-context.ts';
import { recordSyncDeadLetter } from '../sync/sync-store.ts';

// One job per changed record, deduplicated per record (see `recordJobOptions`): bursts collapse to
// one run that reads the latest state, and a record is never processed twice at once. The job
// waits in the batcher with its neighbours and finishes with its own record's outcome.

export const syncRecordDataSchema = z.strictObject({
  installationId: z.uuid(),
  kind: z.enum(recordFamilies),
  side: z.enum(['hubspot', 'salesforce']),
  id: z.string().min(1).max(64),
  /** Part of a back-fill or the initial import: batched in the back-fill lane (Bulk API 2.0). */
  backfill: z.boolean().optional(),
});
export type SyncRecordData = z.infer<typeof syncRecordDataSchema>;

/** BullMQ options of a record job: debounce window, per-record deduplication, retries. */
export function recordJobOptions(
  data: SyncRecordData,
  options: Pick<SyncOptions, 'debounceMs'> = defaultSyncOptions,
) {
  return {
    delay: options.debounceMs,
    deduplication: {
      id: `${data.installationId}.${data.kind}.${data.side}.${data.id}`,
      keepLastIfActive: true,
    },
  } as const;
}

export function createSyncRecordJob(
  options: SyncOptions = defaultSyncOptions,
): JobModule<SyncRecordData> {
  return defineJob({
    name: 'sync-record',
    dataSchema: syncRecordDataSchema,
    // Jobs wait in the batcher while a batch fills: concurrency is how many can wait at once
    // (two live batches, and one back-fill batch beside them).
    concurrency: options.maxBatch * 2 + (options.backfill ?? defaultBackfillOptions).maxBatch,
    jobOptions: {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs, jitter: 0.5 },
      removeOnComplete: { age: 3600, count: 5_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    },
    installationOf: (data) => data.installationId,
    async process(data, { services, log, job }) {
      const batcher = batcherFor(services, options, log);
      // Back-fills and sweeps are queued at a low priority: they yield to the budget first.
      const critical = (job.opts.priority ?? 0) < 100;
      const outcome = await batcher.submit(
        data.installationId,
        { family: data.kind, side: data.side, id: data.id },
        critical,
        data.backfill === true,
      );
      switch (outcome.status) {
        case 'done':
          return { status: 'done' };
        case 'delayed': {
          // This installation is paused (429, budget) or the record is locked: come back later
          // without spending an attempt, and without holding up anyone else. `untilMs` is on the
          // sync's clock (a budget resumes at midnight UTC of it); the queue schedules in real time.
          const waitMs = Math.max(0, outcome.untilMs - services.clock.now());
          await job.moveToDelayed(Date.now() + waitMs, job.token);
          throw new DelayedError(outcome.reason);
        }
        case 'retry': {
          const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          if (last) {
            await recordSyncDeadLetter(services.db, data.installationId, {
              group: outcome.error.group,
              reason: `${outcome.error.system}: ${outcome.error.message}`,
              jobData: data,
              attempted: null,
              errorCode: outcome.error.errorCode,
              system: outcome.error.system,
              attempts: job.attemptsMade + 1,
              at: new Date(services.clock.now()),
            });
            return { status: 'dead_lettered', group: outcome.error.group };
          }
          throw outcome.error;
        }
        case 'dead': {
          await recordSyncDeadLetter(services.db, data.installationId, {
            group: outcome.error.group,
            reason: `${outcome.error.system}: ${outcome.error.message}`,
            jobData: data,
            attempted: outcome.attempted,
            errorCode: outcome.error.errorCode,
            system: outcome.error.system,
            attempts: job.attemptsMade + 1,
            at: new Date(services.clock.now()),
          });
          return { status: 'dead_lettered', group: outcome.error.group };
        }
      }
    },
  });
}

export const syncRecordJob = createSyncRecordJob();
