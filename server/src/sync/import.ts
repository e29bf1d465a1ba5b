import { syncJobs } from '../jobs/sync-jobs.ts';
import { pollJobOptions, syncPollDataSchema } from '../jobs/sync-poll.job.ts';
import type { Services } from '../services.ts';

/**
 * Queues an installation's initial import: the first poll of both CRMs reads every record (no
 * checkpoint yet), links twins (our external ids, then unique name/domain matches; ambiguous ones
 * wait for review) and creates the missing side per the mapping. Idempotent and resumable.
 */
export async function startInitialImport(
  services: Services,
  installationId: string,
): Promise<string> {
  const pollJob = syncJobs.find((job) => job.name === 'sync-poll');
  if (pollJob === undefined) throw new Error('sync-poll job is not registered');
  return services.queues.enqueue(
    pollJob,
    syncPollDataSchema.parse({ installationId }),
    pollJobOptions(installationId),
  );
}
