import {
  retireRuleBodySchema,
  ruleIdParamSchema,
  ruleSavedSchema,
} from '@partnerbridge/shared/api';
import { z } from 'zod';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { idempotentReply } from '../../cards/idempotent-reply.ts';
import { retireRule } from '../../cards/settings-rules.ts';
import { defineRoute } from '../../http/route.ts';

export const ruleRetireRoute = defineRoute({
  method: 'post',
  path: '/api/v1/settings/rules/:ruleId/retire',
  summary: 'Retire a rule from a day on (today or later); its versions stay as history',
  tags: ['Settings'],
  auth: 'hubspot',
  paramsSchema: z.strictObject({ ruleId: ruleIdParamSchema }),
  bodySchema: retireRuleBodySchema,
  responseSchema: ruleSavedSchema,
  errors: ['forbidden', 'not_found', 'unprocessable', 'idempotency_conflict'],
  handler: async ({ params, body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return idempotentReply(
      {
        db: deps.db,
        clock: deps.clock,
        installationId: installation.id,
        key: body.idempotencyKey,
        request: { route: 'rule.retire', params, body },
      },
      async () => ({
        status: 200,
        body: ruleSavedSchema.parse(
          await retireRule(deps, {
            installationId: installation.id,
            actor: actorOf(hubspot),
            ruleId: params.ruleId,
            body,
          }),
        ),
      }),
    );
  },
});
