import {
  adminsViewSchema,
  hubspotObjectIdSchema,
  putAdminBodySchema,
} from '@partnerbridge/shared/api';
import { z } from 'zod';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { putAdmin } from '../../cards/admins.ts';
import { defineRoute } from '../../http/route.ts';

export const adminPutRoute = defineRoute({
  method: 'put',
  path: '/api/v1/settings/admins/:userId',
  summary:
    'Give a HubSpot user a role: admin (settings) or partner manager (registrations, payouts)',
  tags: ['Settings'],
  auth: 'hubspot',
  paramsSchema: z.strictObject({ userId: hubspotObjectIdSchema }),
  bodySchema: putAdminBodySchema,
  responseSchema: adminsViewSchema,
  errors: ['forbidden', 'unprocessable'],
  handler: async ({ params, body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return putAdmin(deps.db, {
      installation,
      actor: actorOf(hubspot),
      userId: params.userId,
      body,
    });
  },
});
