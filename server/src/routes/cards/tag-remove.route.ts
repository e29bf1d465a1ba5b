import { tagMutationResponseSchema } from '@partnerbridge/shared/api';
import { removeTag } from '../../cards/tagging.ts';
import { defineRoute } from '../../http/route.ts';
import { tagParamsSchema } from './params.ts';

export const tagRemoveRoute = defineRoute({
  method: 'delete',
  path: '/api/v1/deals/:hubspotDealId/tags/:tagId',
  summary: 'Remove a tag (kept as history); answers with the effect',
  description:
    'Idempotent by nature, so it takes no body and no idempotency key: removing a removed tag ' +
    'answers 200 with the tag and changes nothing.',
  tags: ['Deal card'],
  auth: 'hubspot',
  paramsSchema: tagParamsSchema,
  responseSchema: tagMutationResponseSchema,
  errors: ['deal_not_synced', 'not_found'],
  handler: async ({ params }, { deps, installation, hubspot }) =>
    removeTag(deps, { installation, hubspot }, params.hubspotDealId, params.tagId),
});
