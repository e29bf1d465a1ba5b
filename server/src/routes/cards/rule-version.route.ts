import {
  ruleIdParamSchema,
  ruleSavedSchema,
  ruleVersionBodySchema,
} from '@partnerbridge/shared/api';
import { z } from 'zod';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { idempotentReply } from '../../cards/idempotent-reply.ts';
import { addRuleVersion } from '../../cards/settings-rules.ts';
import { defineRoute } from '../../http/route.ts';

export const ruleVersionRoute = defineRoute({
  method: 'post',
  path: '/api/v1/settings/rules/:ruleId/versions',
  summary: 'Add a version to a rule, effective today or later (never an edit in place)',
  tags: ['Settings'],
  auth: 'hubspot',
  paramsSchema: z.strictObject({ ruleId: ruleIdParamSchema }),
  bodySchema: ruleVersionBodySchema,
  responseSchema: ruleSavedSchema,
  successStatus: 201,
  errors: ['forbidden', 'not_found', 'unprocessable', 'idempotency_conflict'],
  handler: async ({ params, body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return idempotentReply(
      {
        db: deps.db,
        clock: deps.clock,
        installationId: installation.id,
        key: body.idempotencyKey,
        request: { route: 'rule.version', params, body },
      },
      async () => ({
        status: 201,
        body: ruleSavedSchema.parse(
          await addRuleVersion(deps, {
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
