import { z } from 'zod';
import type { Installation } from '../../installs/installations.ts';

/** What an installation may see about itself (never tokens). */
export const installationViewSchema = z
  .strictObject({
    installationId: z.uuid(),
    status: z.enum(['active', 'uninstalled']),
    installedAt: z.iso.datetime(),
    hubspot: z
      .strictObject({
        portalId: z.string(),
        hubDomain: z.string().nullable(),
        scopes: z.array(z.string()),
      })
      .nullable(),
    salesforce: z
      .strictObject({
        orgId: z.string(),
        instanceUrl: z.string().nullable(),
        authKind: z.enum(['web_server', 'jwt_bearer']),
        linkedAt: z.iso.datetime().nullable(),
      })
      .nullable()
      .describe('Null until a Salesforce org is connected.'),
  })
  .meta({ id: 'Installation' });

export type InstallationView = z.input<typeof installationViewSchema>;

export function toInstallationView(installation: Installation): InstallationView {
  return {
    installationId: installation.id,
    status: installation.status,
    installedAt: installation.installedAt.toISOString(),
    hubspot:
      installation.hubspotPortalId === null
        ? null
        : {
            portalId: installation.hubspotPortalId,
            hubDomain: installation.hubspotHubDomain,
            scopes: installation.hubspotScopes ?? [],
          },
    salesforce:
      installation.salesforceOrgId === null || installation.salesforceAuthKind === null
        ? null
        : {
            orgId: installation.salesforceOrgId,
            instanceUrl: installation.salesforceInstanceUrl,
            authKind: installation.salesforceAuthKind,
            linkedAt: installation.salesforceLinkedAt?.toISOString() ?? null,
          },
  };
}
