import { z } from 'zod';
import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';
import { startHubspotInstall } from '../../installs/hubspot-install.ts';
import { bindingCookie } from './binding-cookie.ts';

export const hubspotInstallRoute = defineRoute({
  method: 'get',
  path: '/oauth/hubspot/install',
  summary: 'Install in HubSpot: redirects to HubSpot’s consent screen',
  description:
    'The marketplace “Install” button points here. Sets a short-lived cookie binding the flow to ' +
    'this browser and redirects with a single-use `state`.',
  tags: ['installs'],
  auth: 'public',
  querySchema: z.strictObject({
    portal_id: z
      .string()
      .regex(/^\d+$/)
      .optional()
      .describe('Preselects a portal on HubSpot’s consent screen.'),
  }),
  successDescription: 'Redirect (303) to HubSpot',
  handler: async ({ query }, { deps }) => {
    const { authorizeUrl, browserBinding } = await startHubspotInstall(
      deps,
      query.portal_id === undefined ? {} : { portalId: query.portal_id },
    );
    return Reply.redirect(authorizeUrl, 302).withHeaders({
      'Set-Cookie': bindingCookie(deps.config, browserBinding),
    });
  },
});
