import {
  registrationDecisionBodySchema,
  tagMutationResponseSchema,
} from '@partnerbridge/shared/api';
import { idempotentReply } from '../../cards/idempotent-reply.ts';
import { decideRegistration } from '../../cards/tagging.ts';
import { defineRoute } from '../../http/route.ts';
import { tagParamsSchema } from './params.ts';

export const tagRegistrationRoute = defineRoute({
  method: 'post',
  path: '/api/v1/deals/:hubspotDealId/tags/:tagId/registration',
  summary: "Approve or reject a tag's registration (partner managers and admins)",
  tags: ['Deal card'],
  auth: 'hubspot',
  paramsSchema: tagParamsSchema,
  bodySchema: registrationDecisionBodySchema,
  responseSchema: tagMutationResponseSchema,
  errors: ['forbidden', 'deal_not_synced', 'not_found', 'idempotency_conflict'],
  handler: async ({ params, body }, { deps, installation, hubspot }) =>
    idempotentReply(
      {
        db: deps.db,
        clock: deps.clock,
        installationId: installation.id,
        key: body.idempotencyKey,
        request: { route: 'tag.registration', params, body },
      },
      async () => ({
        status: 200,
        body: tagMutationResponseSchema.parse(
          await decideRegistration(
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
