import { programSettingsSchema, putProgramBodySchema } from '@partnerbridge/shared/api';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { idempotentReply } from '../../cards/idempotent-reply.ts';
import { saveProgramVersion } from '../../cards/settings-program.ts';
import { defineRoute } from '../../http/route.ts';

export const programPutRoute = defineRoute({
  method: 'put',
  path: '/api/v1/settings/program',
  summary: 'Save the program terms as a new version (tiers, requirements, attribution…)',
  description:
    'Validated with the core’s program schema together with every rule (unknown tiers or ' +
    'subtypes, currencies, duplicates): 400 for a malformed body, 422 with issues naming each ' +
    'inconsistency. The new version takes effect on `effectiveFrom` (today or later); earlier ' +
    'versions are never changed.',
  tags: ['Settings'],
  auth: 'hubspot',
  bodySchema: putProgramBodySchema,
  responseSchema: programSettingsSchema,
  errors: ['forbidden', 'unprocessable', 'idempotency_conflict'],
  handler: async ({ body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return idempotentReply(
      {
        db: deps.db,
        clock: deps.clock,
        installationId: installation.id,
        key: body.idempotencyKey,
        request: { route: 'program.put', body },
      },
      async () => ({
        status: 200,
        body: programSettingsSchema.parse(
          await saveProgramVersion(deps, {
            installationId: installation.id,
            actor: actorOf(hubspot),
            body,
          }),
        ),
      }),
    );
  },
});
