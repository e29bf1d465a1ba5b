import { z } from 'zod';
import { UnprocessableError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { getInstallationOrThrow } from '../../installs/installations.ts';
import { salesforceOrThrow } from '../../installs/salesforce-link.ts';
import { installationViewSchema, toInstallationView } from '../api/installation-view.ts';

export const adminSalesforceJwtLinkRoute = defineRoute({
  method: 'post',
  path: '/admin/api/installations/:installationId/salesforce/jwt',
  summary: 'Link a Salesforce org with the JWT bearer flow (operators)',
  description:
    'Signs an RS256 assertion with SALESFORCE_JWT_PRIVATE_KEY for `username` (default ' +
    'SALESFORCE_JWT_USERNAME). Operator-only: a JWT grant authenticates as any pre-authorised ' +
    'user of any org that approved our app, so a tenant must never choose the username.',
  tags: ['operators'],
  auth: 'operator',
  paramsSchema: z.strictObject({ installationId: z.uuid() }),
  bodySchema: z.strictObject({
    username: z.string().min(3).max(200).optional().describe('Salesforce username to act as.'),
  }),
  errors: ['not_found', 'conflict', 'unprocessable', 'upstream_error'],
  responseSchema: installationViewSchema,
  handler: async ({ params, body }, { deps }) => {
    const salesforce = salesforceOrThrow(deps);
    await getInstallationOrThrow(deps.db, params.installationId);
    const username = body.username ?? deps.config.salesforce?.jwt?.defaultUsername;
    if (deps.config.salesforce?.jwt === undefined) {
      throw new UnprocessableError('JWT bearer is not configured (SALESFORCE_JWT_PRIVATE_KEY)');
    }
    if (username === undefined) {
      throw new UnprocessableError('no username given and SALESFORCE_JWT_USERNAME is not set', {
        issues: [{ path: 'body.username', message: 'required' }],
      });
    }
    return toInstallationView(await salesforce.linkWithJwt(params.installationId, username));
  },
});
