import { defineRoute } from '../../http/route.ts';
import { pendingReviews } from '../../sync/sync-store.ts';
import { anyJson, installationParams, SYNC_BASE } from './sync-params.ts';

export const syncReviewsListRoute = defineRoute({
  method: 'get',
  path: `${SYNC_BASE}/reviews`,
  summary: 'Identity review queue: records with several possible twins, waiting for a person',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  responseSchema: anyJson,
  handler: async ({ params }, { deps }) => ({
    reviews: await pendingReviews(deps.db, params.installationId),
  }),
});
