import { defineJob, type JobModule } from '../queue/job.ts';
import { batcherFor } from '../sync/batcher.ts';
import { processOutbox } from '../sync/outbox.ts';
import {
  notifyLocalChanges,
  type SyncOutboxData,
  syncOutboxDataSchema,
} from '../sync/outbox-trigger.ts';
import { createSyncContext, defaultSyncOptions, type SyncOptions } from '../sync/sync-context.ts';

// One installation's outbox: Partnerbridge's changes (tags, commissions, tiers) written to both
// CRMs in batches. Runs until the outbox is empty (or a bounded number of batches); records that
// were locked or failed transiently stay pending and the job comes back for them.

const ROWS_PER_BATCH = 500;
const BATCHES_PER_RUN = 20;

export function createSyncOutboxJob(
  options: SyncOptions = defaultSyncOptions,
): JobModule<SyncOutboxData> {
  return defineJob({
    name: 'sync-outbox',
    dataSchema: syncOutboxDataSchema,
    concurrency: 4,
    jobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: options.backoffMs, jitter: 0.5 },
      removeOnComplete: { age: 3600, count: 1_000 },
    },
    installationOf: (data) => data.installationId,
    async process(data, { services, log }) {
      const batcher = batcherFor(services, options, log);
      const totals = { picked: 0, processed: 0, deferred: 0, deadLettered: 0 };
      let retryAfterMs: number | null = null;
      for (let round = 0; round < BATCHES_PER_RUN; round++) {
        const ctx = await createSyncContext({
          services,
          installationId: data.installationId,
          gates: batcher.gates,
          options,
          log,
        });
        const result = await processOutbox(ctx, { limit: ROWS_PER_BATCH });
        totals.picked += result.picked;
        totals.processed += result.processed;
        totals.deferred += result.deferred;
        totals.deadLettered += result.deadLettered;
        retryAfterMs = result.retryAfterMs;
        // Deferred rows are still pending: taking the next batch would pick them again.
        if (!result.more || result.deferred > 0) break;
        if (round === BATCHES_PER_RUN - 1) retryAfterMs = 0;
      }
      if (retryAfterMs !== null)
        await notifyLocalChanges(services, data.installationId, retryAfterMs);
      return { ...totals, retryAfterMs };
    },
  });
}
