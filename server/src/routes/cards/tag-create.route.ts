import { createTagBodySchema, tagMutationResponseSchema } from '@partnerbridge/shared/api';
import { idempotentReply } from '../../cards/idempotent-reply.ts';
import { createTag } from '../../cards/tagging.ts';
import { defineRoute } from '../../http/route.ts';
import { dealParamsSchema } from './params.ts';

export const tagCreateRoute = defineRoute({
  method: 'post',
  path: '/api/v1/deals/:hubspotDealId/tags',
  summary: 'Tag a partner on a deal; answers with the tag and its effect',
  description:
    'Another partner holding the deal or the customer (registration protection window) does not ' +
    'refuse the tag: it is created `pending` for a partner manager and the answer names the ' +
    'conflicts. The same partner tagged twice is a 409 `conflict`. Retries with the same ' +
    '`idempotencyKey` replay the stored answer; the same key with another body is a 409 ' +
    '`idempotency_conflict`.',
  tags: ['Deal card'],
  auth: 'hubspot',
  paramsSchema: dealParamsSchema,
  bodySchema: createTagBodySchema,
  responseSchema: tagMutationResponseSchema,
  successStatus: 201,
  errors: ['deal_not_synced', 'not_found', 'conflict', 'idempotency_conflict', 'unprocessable'],
  handler: async ({ params, body }, { deps, installation, hubspot }) =>
    idempotentReply(
      {
        db: deps.db,
        clock: deps.clock,
        installationId: installation.id,
        key: body.idempotencyKey,
        request: { route: 'tag.create', params, body },
      },
      async () => ({
        status: 201,
        body: tagMutationResponseSchema.parse(
          await createTag(deps, { installation, hubspot }, params.hubspotDealId, body),
        ),
      }),
    ),
});
