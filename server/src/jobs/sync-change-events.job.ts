import { z } from 'zod';
import { defineJob, type JobModule } from '../queue/job.ts';
import { changeEventSupervisorFor } from '../sync/change-events.ts';
import { defaultSyncOptions, type SyncOptions } from '../sync/sync-context.ts';

/**
 * Keeps one Salesforce change-event subscription per linked org alive, in whichever worker
 * process runs the tick: orgs nobody holds (new, or whose holder died) are subscribed here.
 */
export function createSyncChangeEventsJob(
  options: SyncOptions = defaultSyncOptions,
  everyMs = 15_000,
): JobModule<Record<string, never>> {
  return defineJob({
    name: 'sync-change-events',
    dataSchema: z.strictObject({}),
    jobOptions: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    schedule: { id: 'sync-change-events', repeat: { every: everyMs }, data: {} },
    async process(_data, { services, log }) {
      return changeEventSupervisorFor(services, options, log).ensure();
    },
  });
}
