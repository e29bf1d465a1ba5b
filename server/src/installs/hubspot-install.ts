import { AppError } from '../errors.ts';
import type { Services } from '../services.ts';
import { type Installation, upsertHubspotInstallation } from './installations.ts';

export const hubspotRedirectPath = '/oauth/hubspot/callback';

export function hubspotRedirectUri(services: Pick<Services, 'config'>): string {
  return `${services.config.publicBaseUrl}${hubspotRedirectPath}`;
}

/** Step 1: a single-use state bound to this browser, and HubSpot's authorize URL. */
export async function startHubspotInstall(
  services: Pick<Services, 'config' | 'oauthStates'>,
  options: { portalId?: string } = {},
): Promise<{ authorizeUrl: string; browserBinding: string }> {
  const { state, browserBinding } = await services.oauthStates.create({
    purpose: 'hubspot_install',
    bindToBrowser: true,
  });
  if (browserBinding === undefined) throw new Error('install state must be browser-bound');
  const hubspot = services.config.hubspot;
  const url = new URL(hubspot.authorizeUrl);
  url.searchParams.set('client_id', hubspot.clientId);
  url.searchParams.set('redirect_uri', hubspotRedirectUri(services));
  url.searchParams.set('scope', hubspot.scopes.join(' '));
  if (hubspot.optionalScopes.length > 0) {
    url.searchParams.set('optional_scope', hubspot.optionalScopes.join(' '));
  }
  url.searchParams.set('state', state);
  // Lets an admin with several portals preselect one (HubSpot's own install links do this).
  if (options.portalId !== undefined) url.searchParams.set('portal_id', options.portalId);
  return { authorizeUrl: url.toString(), browserBinding };
}

/**
 * Step 2 (callback): checks the state, exchanges the code at HubSpot, reads which portal the
 * tokens belong to, and stores the installation with its tokens encrypted.
 */
export async function completeHubspotInstall(
  services: Pick<Services, 'config' | 'oauthStates' | 'hubspot' | 'db' | 'tokens' | 'log'>,
  input: { code: string; state: string; browserBinding: string | undefined },
): Promise<Installation> {
  await services.oauthStates.consume(input.state, 'hubspot_install', input.browserBinding);
  const { tokens, info } = await services.hubspot.exchangeCode(
    input.code,
    hubspotRedirectUri(services),
  );
  if (info.appId !== services.config.hubspot.appId) {
    throw new AppError('forbidden', 'the authorization belongs to another HubSpot app');
  }
  const installation = await upsertHubspotInstallation(services.db, {
    portalId: info.portalId,
    appId: info.appId,
    hubDomain: info.hubDomain,
    scopes: info.scopes,
    installedBy: info.user ?? info.userId,
    installerUserId: info.userId,
  });
  await services.tokens.save(installation.id, 'hubspot', tokens);
  services.log.info(
    { installationId: installation.id, portalId: info.portalId },
    'HubSpot portal installed',
  );
  return installation;
}
