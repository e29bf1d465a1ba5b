import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { messagePage } from '../../http/pages.ts';
import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';
import { completeHubspotInstall } from '../../installs/hubspot-install.ts';
import { clearBindingCookie, readBindingCookie } from './binding-cookie.ts';

export const hubspotCallbackRoute = defineRoute({
  method: 'get',
  path: '/oauth/hubspot/callback',
  summary: 'HubSpot OAuth callback: exchanges the code and stores the installation',
  tags: ['installs'],
  auth: 'public',
  querySchema: z.looseObject({
    code: z.string().min(1).max(512).optional(),
    state: z.string().min(1).max(200),
    error: z.string().max(200).optional(),
    error_description: z.string().max(1000).optional(),
  }),
  errors: ['forbidden', 'upstream_error'],
  successDescription: 'An HTML page confirming the installation',
  handler: async ({ query }, { deps, req }) => {
    if (query.error !== undefined || query.code === undefined) {
      throw new AppError(
        'bad_request',
        `HubSpot did not authorize the app: ${query.error_description ?? query.error ?? 'no code'}`,
      );
    }
    const installation = await completeHubspotInstall(deps, {
      code: query.code,
      state: query.state,
      browserBinding: readBindingCookie(req),
    });
    return Reply.html(
      messagePage('Partnerbridge is installed', [
        `HubSpot portal ${installation.hubspotPortalId ?? ''} is connected.`,
        'Open a deal in HubSpot to tag partners, or connect Salesforce from the app settings.',
      ]),
    ).withHeaders({ 'Set-Cookie': clearBindingCookie(deps.config) });
  },
});
