import type { Services } from '../services.ts';
import { markUninstalled, unlinkSalesforceOrg } from './installations.ts';

/** Disconnects the Salesforce org: revoke (best effort), forget tokens, unlink. */
export async function disconnectSalesforce(
  services: Pick<Services, 'salesforce' | 'tokens' | 'db' | 'log'>,
  installationId: string,
): Promise<void> {
  if (services.salesforce !== undefined) {
    await services.salesforce.disconnect(installationId);
  } else {
    await services.tokens.remove(installationId, 'salesforce');
  }
  await unlinkSalesforceOrg(services.db, installationId);
}

/**
 * Uninstall: revoke what the providers let us revoke, delete every stored token, and mark the
 * installation uninstalled (signed requests from the portal are then refused). Business data
 * stays until the retention policy removes it.
 */
export async function uninstallInstallation(
  services: Pick<Services, 'hubspot' | 'salesforce' | 'tokens' | 'db' | 'log'>,
  installationId: string,
): Promise<void> {
  const hubspotTokens = await services.tokens.get(installationId, 'hubspot').catch(() => undefined);
  if (hubspotTokens?.refreshToken !== undefined) {
    await services.hubspot
      .revoke(hubspotTokens.refreshToken)
      .catch((error: unknown) =>
        services.log.warn({ err: error, installationId }, 'HubSpot token revocation failed'),
      );
  }
  await disconnectSalesforce(services, installationId);
  await services.tokens.remove(installationId);
  await markUninstalled(services.db, installationId);
  services.log.info({ installationId }, 'installation uninstalled');
}
