import { AppError } from '../errors.ts';
import type { SalesforceConnections } from '../salesforce/connections.ts';
import type { Services } from '../services.ts';
import type { Installation } from './installations.ts';
import { OAUTH_STATE_TTL_MS } from './oauth-states.ts';

export const salesforceInstallPath = '/oauth/salesforce/install';

export function salesforceOrThrow(services: Pick<Services, 'salesforce'>): SalesforceConnections {
  if (services.salesforce === undefined) {
    throw new AppError(
      'unprocessable',
      'Salesforce is not configured on this server (SALESFORCE_CLIENT_ID/SECRET)',
    );
  }
  return services.salesforce;
}

/**
 * For a verified installation (settings page): a single-use link the admin opens in a browser to
 * connect a Salesforce org. The ticket names the installation, so the org can only be linked to
 * the tenant that asked.
 */
export async function createSalesforceLinkTicket(
  services: Pick<Services, 'config' | 'oauthStates' | 'salesforce' | 'clock'>,
  installationId: string,
): Promise<{ url: string; expiresAt: Date }> {
  salesforceOrThrow(services);
  const { state: ticket } = await services.oauthStates.create({
    purpose: 'salesforce_link_ticket',
    installationId,
    bindToBrowser: false,
  });
  const url = new URL(`${services.config.publicBaseUrl}${salesforceInstallPath}`);
  url.searchParams.set('ticket', ticket);
  return { url: url.toString(), expiresAt: new Date(services.clock.now() + OAUTH_STATE_TTL_MS) };
}

/** The browser opened the ticket: bind a new state to it and send it to Salesforce. */
export async function startSalesforceLink(
  services: Pick<Services, 'oauthStates' | 'salesforce'>,
  ticket: string,
): Promise<{ authorizeUrl: string; browserBinding: string }> {
  const salesforce = salesforceOrThrow(services);
  const { installationId } = await services.oauthStates.consume(
    ticket,
    'salesforce_link_ticket',
    undefined,
  );
  if (installationId === undefined)
    throw new AppError('bad_request', 'ticket names no installation');
  const { state, browserBinding } = await services.oauthStates.create({
    purpose: 'salesforce_link',
    installationId,
    bindToBrowser: true,
  });
  if (browserBinding === undefined) throw new Error('link state must be browser-bound');
  return { authorizeUrl: salesforce.authorizationUrl(state), browserBinding };
}

/** Callback: check the state, exchange the code, link the org, store its tokens encrypted. */
export async function completeSalesforceLink(
  services: Pick<Services, 'oauthStates' | 'salesforce'>,
  input: { code: string; state: string; browserBinding: string | undefined },
): Promise<Installation> {
  const salesforce = salesforceOrThrow(services);
  const { installationId } = await services.oauthStates.consume(
    input.state,
    'salesforce_link',
    input.browserBinding,
  );
  if (installationId === undefined)
    throw new AppError('bad_request', 'state names no installation');
  return salesforce.linkWithCode(installationId, input.code);
}
