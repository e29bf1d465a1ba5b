import { createRuleBodySchema, ruleSavedSchema } from '@partnerbridge/shared/api';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { idempotentReply } from '../../cards/idempotent-reply.ts';
import { createRule } from '../../cards/settings-rules.ts';
import { defineRoute } from '../../http/route.ts';

export const ruleCreateRoute = defineRoute({
  method: 'post',
  path: '/api/v1/settings/rules',
  summary: 'Create a commission rule (version 1, effective today or later)',
  description:
    'A rule that would tie with another (equally specific, overlapping criteria, in force on the ' +
    'same days) is refused with 422 naming both; an existing rule id is a 409.',
  tags: ['Settings'],
  auth: 'hubspot',
  bodySchema: createRuleBodySchema,
  responseSchema: ruleSavedSchema,
  successStatus: 201,
  errors: ['forbidden', 'conflict', 'unprocessable', 'idempotency_conflict'],
  handler: async ({ body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return idempotentReply(
      {
        db: deps.db,
        clock: deps.clock,
        installationId: installation.id,
        key: body.idempotencyKey,
        request: { route: 'rule.create', body },
      },
      async () => ({
        status: 201,
        body: ruleSavedSchema.parse(
          await createRule(deps, {
            installationId: installation.id,
            actor: actorOf(hubspot),
            body,
          }),
        ),
      }),
    );
  },
});
