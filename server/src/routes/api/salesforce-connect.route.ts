import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { createSalesforceLinkTicket } from '../../installs/salesforce-link.ts';

export const salesforceConnectRoute = defineRoute({
  method: 'post',
  path: '/api/v1/installation/salesforce/connect',
  summary: 'Start connecting a Salesforce org to the calling installation',
  description:
    'Returns a single-use link (valid 10 minutes) to open in the browser; it leads through ' +
    "Salesforce's consent screen and links the chosen org to this installation.",
  tags: ['installation'],
  auth: 'hubspot',
  successStatus: 201,
  errors: ['unprocessable'],
  responseSchema: z.strictObject({ url: z.url(), expiresAt: z.iso.datetime() }),
  handler: async (_input, { deps, installation }) => {
    const ticket = await createSalesforceLinkTicket(deps, installation.id);
    return { url: ticket.url, expiresAt: ticket.expiresAt.toISOString() };
  },
});
