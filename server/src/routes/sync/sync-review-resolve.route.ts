import { resolvedViewSchema, resolveReviewBodySchema } from '@partnerbridge/shared/api';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { resolveReview } from '../../sync/admin.ts';
import { SYNC_BASE } from './sync-params.ts';

export const syncReviewResolveRoute = defineRoute({
  method: 'post',
  path: `${SYNC_BASE}/reviews/:linkId/resolve`,
  summary:
    'Resolves an identity review (HubSpot or Salesforce side): link to a candidate, create, or keep apart',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: z.strictObject({ installationId: z.uuid(), linkId: z.uuid() }),
  bodySchema: resolveReviewBodySchema,
  responseSchema: resolvedViewSchema,
  errors: ['not_found', 'conflict', 'unprocessable'],
  handler: async ({ params, body }, { deps }) =>
    resolveReview(deps, params.installationId, params.linkId, body, 'operator'),
});
