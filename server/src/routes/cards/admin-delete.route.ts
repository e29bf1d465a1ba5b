import { hubspotObjectIdSchema } from '@partnerbridge/shared/api';
import { z } from 'zod';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { deleteAdmin } from '../../cards/admins.ts';
import { defineRoute } from '../../http/route.ts';

export const adminDeleteRoute = defineRoute({
  method: 'delete',
  path: '/api/v1/settings/admins/:userId',
  summary: "Remove a user's Partnerbridge role (the installer's cannot be removed)",
  tags: ['Settings'],
  auth: 'hubspot',
  paramsSchema: z.strictObject({ userId: hubspotObjectIdSchema }),
  successStatus: 204,
  errors: ['forbidden', 'not_found', 'unprocessable'],
  handler: async ({ params }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    await deleteAdmin(deps.db, { installation, actor: actorOf(hubspot), userId: params.userId });
    return undefined;
  },
});
