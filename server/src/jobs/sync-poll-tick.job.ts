import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { installations } from '../db/schema/installations.ts';
import { defineJob, type JobModule } from '../queue/job.ts';
import { defaultSyncOptions, type SyncOptions } from '../sync/sync-context.ts';
import { createSyncPollJob, pollJobOptions } from './sync-poll.job.ts';

/** The poll schedule: every tick queues one poll per active installation with an org linked. */
export function createSyncPollTickJob(
  options: SyncOptions & { readonly pollEveryMs: number } = {
    ...defaultSyncOptions,
    pollEveryMs: 60_000,
  },
): JobModule<Record<string, never>> {
  const pollJob = createSyncPollJob(options);
  return defineJob({
    name: 'sync-poll-tick',
    dataSchema: z.strictObject({}),
    jobOptions: { attempts: 1 },
    schedule: { id: 'sync-poll-tick', repeat: { every: options.pollEveryMs }, data: {} },
    async process(_data, { services }) {
      const rows = await services.db
        .select({ id: installations.id })
        .from(installations)
        .where(and(eq(installations.status, 'active'), isNotNull(installations.salesforceOrgId)));
      for (const row of rows) {
        await services.queues.enqueue(
          pollJob,
          { installationId: row.id, systems: ['hubspot', 'salesforce'] },
          pollJobOptions(row.id),
        );
      }
      return { installations: rows.length };
    },
  });
}
