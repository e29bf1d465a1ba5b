import { tagMutationResponseSchema, updateTagBodySchema } from '@partnerbridge/shared/api';
import { idempotentReply } from '../../cards/idempotent-reply.ts';
import { updateTag } from '../../cards/tagging.ts';
import { defineRoute } from '../../http/route.ts';
import { tagParamsSchema } from './params.ts';

export const tagUpdateRoute = defineRoute({
  method: 'patch',
  path: '/api/v1/deals/:hubspotDealId/tags/:tagId',
  summary: "Change a tag's role, motion, share or touch time; answers with the effect",
  tags: ['Deal card'],
  auth: 'hubspot',
  paramsSchema: tagParamsSchema,
  bodySchema: updateTagBodySchema,
  responseSchema: tagMutationResponseSchema,
  errors: ['deal_not_synced', 'not_found', 'idempotency_conflict', 'unprocessable'],
  handler: async ({ params, body }, { deps, installation, hubspot }) =>
    idempotentReply(
      {
        db: deps.db,
        clock: deps.clock,
        installationId: installation.id,
        key: body.idempotencyKey,
        request: { route: 'tag.update', params, body },
      },
      async () => ({
        status: 200,
        body: tagMutationResponseSchema.parse(
          await updateTag(
            deps,
            { installation, hubspot },
            params.hubspotDealId,
            params.tagId,
            body,
          ),
        ),
      }),
    ),
});
