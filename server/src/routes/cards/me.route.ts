import { meViewSchema } from '@partnerbridge/shared/api';
import { accessOf } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';

export const meRoute = defineRoute({
  method: 'get',
  path: '/api/v1/me',
  summary: "The calling HubSpot user's Partnerbridge role (admin, partner manager, member)",
  tags: ['Settings'],
  auth: 'hubspot',
  responseSchema: meViewSchema,
  handler: async (_input, { deps, installation, hubspot }) => {
    const access = await accessOf(deps.db, installation, hubspot);
    return {
      portalId: hubspot.portalId,
      userId: hubspot.userId ?? null,
      role: access.role,
      reason: access.reason,
    };
  },
});
