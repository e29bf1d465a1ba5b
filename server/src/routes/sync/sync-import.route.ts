import { importQueuedViewSchema } from '@partnerbridge/shared/api';
import { defineRoute } from '../../http/route.ts';
import { getInstallationOrThrow } from '../../installs/installations.ts';
import { syncJobs } from '../../jobs/sync-jobs.ts';
import { pollJobOptions, syncPollDataSchema } from '../../jobs/sync-poll.job.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncImportRoute = defineRoute({
  method: 'post',
  path: `${SYNC_BASE}/import`,
  summary:
    'Starts (or resumes) the import: a poll of both CRMs from their checkpoints (all records the first time)',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  responseSchema: importQueuedViewSchema,
  successStatus: 202,
  handler: async ({ params }, { deps }) => {
    await getInstallationOrThrow(deps.db, params.installationId);
    const pollJob = syncJobs.find((job) => job.name === 'sync-poll');
    if (pollJob === undefined) throw new Error('sync-poll job is not registered');
    const data = syncPollDataSchema.parse({ installationId: params.installationId });
    const jobId = await deps.queues.enqueue(pollJob, data, pollJobOptions(params.installationId));
    return { queued: true as const, jobId };
  },
});
