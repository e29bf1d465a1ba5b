import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { installations } from '../db/schema/installations.ts';
import { syncCheckpoints } from '../db/schema/sync.ts';
import { defineJob, type JobModule } from '../queue/job.ts';
import { batcherFor } from '../sync/batcher.ts';
import { changeEventsLive } from '../sync/change-events.ts';
import {
  defaultChangeEventOptions,
  defaultSyncOptions,
  type SyncOptions,
} from '../sync/sync-context.ts';
import { createSyncPollJob, pollJobOptions } from './sync-poll.job.ts';

/**
 * The poll schedule: every tick queues one poll per active installation with an org linked.
 * While an org's change events flow, its Salesforce poll only runs every `reconcileEveryMs`.
 */
export function createSyncPollTickJob(
  options: SyncOptions & { readonly pollEveryMs: number } = {
    ...defaultSyncOptions,
    pollEveryMs: 60_000,
  },
): JobModule<Record<string, never>> {
  const pollJob = createSyncPollJob(options);
  const reconcileEveryMs = (options.changeEvents ?? defaultChangeEventOptions).reconcileEveryMs;
  return defineJob({
    name: 'sync-poll-tick',
    dataSchema: z.strictObject({}),
    jobOptions: { attempts: 1 },
    schedule: { id: 'sync-poll-tick', repeat: { every: options.pollEveryMs }, data: {} },
    async process(_data, { services, log }) {
      const rows = await services.db
        .select({ id: installations.id })
        .from(installations)
        .where(and(eq(installations.status, 'active'), isNotNull(installations.salesforceOrgId)));
      const { gates } = batcherFor(services, options, log);
      let salesforceSkipped = 0;
      for (const row of rows) {
        let systems: ('hubspot' | 'salesforce')[] = ['hubspot', 'salesforce'];
        if (await changeEventsLive(gates, row.id)) {
          const polled = await services.db
            .select({ updatedAt: syncCheckpoints.updatedAt })
            .from(syncCheckpoints)
            .where(
              and(
                eq(syncCheckpoints.installationId, row.id),
                eq(syncCheckpoints.system, 'salesforce'),
                eq(syncCheckpoints.channel, 'poll'),
              ),
            );
          const last = Math.min(...polled.map((p) => p.updatedAt.getTime()));
          if (polled.length > 0 && services.clock.now() - last < reconcileEveryMs) {
            systems = ['hubspot'];
            salesforceSkipped++;
          }
        }
        await services.queues.enqueue(
          pollJob,
          { installationId: row.id, systems },
          pollJobOptions(row.id),
        );
      }
      return { installations: rows.length, salesforceSkipped };
    },
  });
}
