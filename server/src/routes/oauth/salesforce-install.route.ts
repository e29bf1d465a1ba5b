import { z } from 'zod';
import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';
import { startSalesforceLink } from '../../installs/salesforce-link.ts';
import { bindingCookie } from './binding-cookie.ts';

export const salesforceInstallRoute = defineRoute({
  method: 'get',
  path: '/oauth/salesforce/install',
  summary: 'Connect Salesforce: redirects to Salesforce’s consent screen',
  description:
    'Opened from the link returned by `POST /api/v1/installation/salesforce/connect`; the ' +
    'ticket is single-use and names the installation the org will be linked to.',
  tags: ['installs'],
  auth: 'public',
  querySchema: z.strictObject({ ticket: z.string().min(1).max(200) }),
  errors: ['unprocessable'],
  successDescription: 'Redirect (302) to Salesforce',
  handler: async ({ query }, { deps }) => {
    const { authorizeUrl, browserBinding } = await startSalesforceLink(deps, query.ticket);
    return Reply.redirect(authorizeUrl, 302).withHeaders({
      'Set-Cookie': bindingCookie(deps.config, browserBinding),
    });
  },
});
