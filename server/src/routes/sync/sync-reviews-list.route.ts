import { identityReviewsViewSchema } from '@partnerbridge/shared/api';
import { defineRoute } from '../../http/route.ts';
import { identityReviews } from '../../sync/admin.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncReviewsListRoute = defineRoute({
  method: 'get',
  path: `${SYNC_BASE}/reviews`,
  summary: 'Identity review queue: records with several possible twins, waiting for a person',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  responseSchema: identityReviewsViewSchema,
  handler: async ({ params }, { deps }) => identityReviews(deps, params.installationId),
});
