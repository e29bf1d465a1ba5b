import {
  resolvedViewSchema,
  resolveReviewBodySchema,
  reviewParamsSchema,
} from '@partnerbridge/shared/api';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { resolveReview } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncReviewResolveRoute = defineRoute({
  method: 'post',
  path: `${SYNC_API}/reviews/:linkId/resolve`,
  summary: 'Resolve an identity review: link to a candidate, create a new twin, or keep apart',
  tags: ['Settings'],
  auth: 'hubspot',
  paramsSchema: reviewParamsSchema,
  bodySchema: resolveReviewBodySchema,
  responseSchema: resolvedViewSchema,
  errors: ['forbidden', 'not_found', 'conflict', 'unprocessable'],
  handler: async ({ params, body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return resolveReview(deps, installation.id, params.linkId, body, actorOf(hubspot));
  },
});
