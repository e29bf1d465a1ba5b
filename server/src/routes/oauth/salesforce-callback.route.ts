import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { messagePage } from '../../http/pages.ts';
import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';
import { completeSalesforceLink } from '../../installs/salesforce-link.ts';
import { clearBindingCookie, readBindingCookie } from './binding-cookie.ts';

export const salesforceCallbackRoute = defineRoute({
  method: 'get',
  path: '/oauth/salesforce/callback',
  summary: 'Salesforce OAuth callback: exchanges the code and links the org',
  tags: ['installs'],
  auth: 'public',
  querySchema: z.looseObject({
    code: z.string().min(1).max(1024).optional(),
    state: z.string().min(1).max(200),
    error: z.string().max(200).optional(),
    error_description: z.string().max(1000).optional(),
  }),
  errors: ['conflict', 'unprocessable', 'upstream_error'],
  successDescription: 'An HTML page confirming the connection',
  handler: async ({ query }, { deps, req }) => {
    if (query.error !== undefined || query.code === undefined) {
      throw new AppError(
        'bad_request',
        `Salesforce did not authorize the app: ${query.error_description ?? query.error ?? 'no code'}`,
      );
    }
    const installation = await completeSalesforceLink(deps, {
      code: query.code,
      state: query.state,
      browserBinding: readBindingCookie(req),
    });
    return Reply.html(
      messagePage('Salesforce is connected', [
        `Salesforce org ${installation.salesforceOrgId ?? ''} is linked to HubSpot portal ${installation.hubspotPortalId ?? ''}.`,
      ]),
    ).withHeaders({ 'Set-Cookie': clearBindingCookie(deps.config) });
  },
});
