import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { installations } from '../db/schema/installations.ts';
import { localChanges } from '../db/schema/sync.ts';
import { defineJob, type JobModule } from '../queue/job.ts';
import { notifyLocalChanges } from '../sync/outbox-trigger.ts';

/** The outbox sweep: queues the outbox job of every active installation with pending rows. */
export function createSyncOutboxTickJob(everyMs = 30_000): JobModule<Record<string, never>> {
  return defineJob({
    name: 'sync-outbox-tick',
    dataSchema: z.strictObject({}),
    jobOptions: { attempts: 1 },
    schedule: { id: 'sync-outbox-tick', repeat: { every: everyMs }, data: {} },
    async process(_data, { services }) {
      const rows = await services.db
        .selectDistinct({ id: localChanges.installationId })
        .from(localChanges)
        .innerJoin(installations, eq(installations.id, localChanges.installationId))
        .where(and(isNull(localChanges.processedAt), eq(installations.status, 'active')));
      for (const row of rows) await notifyLocalChanges(services, row.id, 0);
      return { installations: rows.length };
    },
  });
}
