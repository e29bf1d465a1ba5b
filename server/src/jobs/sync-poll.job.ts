import { z } from 'zod';
import { defineJob, type JobModule } from '../queue/job.ts';
import { budgetState } from '../sync/api-usage.ts';
import { batcherFor } from '../sync/batcher.ts';
import { pollHubspot, pollSalesforce } from '../sync/polls.ts';
import { createSyncContext, defaultSyncOptions, type SyncOptions } from '../sync/sync-context.ts';
import { SyncCallError } from '../sync/sync-errors.ts';

// An installation's incremental polls of both CRMs (companies first, so deals find their
// partners linked). One at a time per installation (deduplicated by installation id); the first
// run, without checkpoints, is the initial import.

export const syncPollDataSchema = z.strictObject({
  installationId: z.uuid(),
  systems: z.array(z.enum(['hubspot', 'salesforce'])).default(['hubspot', 'salesforce']),
});

export function pollJobOptions(installationId: string) {
  return { deduplication: { id: `poll.${installationId}` } } as const;
}

export function createSyncPollJob(
  options: SyncOptions = defaultSyncOptions,
): JobModule<z.output<typeof syncPollDataSchema>> {
  return defineJob({
    name: 'sync-poll',
    dataSchema: syncPollDataSchema,
    concurrency: 4,
    jobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: options.backoffMs, jitter: 0.5 },
    },
    installationOf: (data) => data.installationId,
    async process(data, { services, log }) {
      const batcher = batcherFor(services, options, log);
      const ctx = await createSyncContext({
        services,
        installationId: data.installationId,
        gates: batcher.gates,
        options,
        log,
      });
      const queued: Record<string, number> = {};
      // A CRM at the admin's daily cap is not polled until the cap frees (the checkpoints keep
      // what changed meanwhile); at the reserve line polls go on: they find the live changes.
      const systems: typeof data.systems = [];
      for (const system of data.systems) {
        const budget = await budgetState(services.db, data.installationId, system, ctx.now());
        if (budget.state === 'paused') queued[`${system}.capped`] = 0;
        else systems.push(system);
      }
      try {
        for (const family of ['company', 'deal'] as const) {
          if (systems.includes('hubspot'))
            queued[`hubspot.${family}`] = await pollHubspot(ctx, family);
          if (systems.includes('salesforce'))
            queued[`salesforce.${family}`] = await pollSalesforce(ctx, family);
        }
      } catch (error) {
        // Paused or rate limited: the next tick polls again; nothing is lost (checkpoints).
        if (
          error instanceof SyncCallError &&
          (error.kind === 'rate_limited' || error.kind === 'auth')
        ) {
          log.warn({ err: error }, 'poll skipped');
          return { skipped: error.kind };
        }
        throw error;
      } finally {
        await ctx.usage.flush();
      }
      return queued;
    },
  });
}
