import { adminsViewSchema } from '@partnerbridge/shared/api';
import { requireAdmin } from '../../cards/access.ts';
import { listAdmins } from '../../cards/admins.ts';
import { defineRoute } from '../../http/route.ts';

export const adminsListRoute = defineRoute({
  method: 'get',
  path: '/api/v1/settings/admins',
  summary: 'The installer and the users given a Partnerbridge role',
  tags: ['Settings'],
  auth: 'hubspot',
  responseSchema: adminsViewSchema,
  errors: ['forbidden'],
  handler: async (_input, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return listAdmins(deps.db, installation);
  },
});
