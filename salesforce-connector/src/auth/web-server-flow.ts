import { OAuth2 } from 'jsforce';
import type { SalesforceAppConfig } from './app-config.ts';
import { SalesforceAuthError, toSalesforceAuthError } from './errors.ts';
import { parseTokenResponse, type SalesforceTokens } from './token-response.ts';

function oauth2(app: SalesforceAppConfig, redirectUri?: string): OAuth2 {
  return new OAuth2({
    clientId: app.clientId,
    ...(app.clientSecret === undefined ? {} : { clientSecret: app.clientSecret }),
    ...(redirectUri === undefined ? {} : { redirectUri }),
    loginUrl: app.loginUrl,
  });
}

/** Where to send the admin's browser to approve our app for their org. */
export function salesforceAuthorizationUrl(
  app: SalesforceAppConfig,
  options: { redirectUri: string; state: string; scope: string },
): string {
  return oauth2(app, options.redirectUri).getAuthorizationUrl({
    scope: options.scope,
    state: options.state,
    // Always show the consent screen: the admin chooses which org to connect.
    prompt: 'login consent',
  });
}

/** Web-server flow: authorization code → tokens (with a refresh token when scoped for one). */
export async function exchangeSalesforceCode(
  app: SalesforceAppConfig,
  options: { code: string; redirectUri: string; now: number },
): Promise<SalesforceTokens> {
  if (app.clientSecret === undefined) {
    throw new SalesforceAuthError('invalid_client', 'the web-server flow needs a client secret');
  }
  try {
    const raw = await oauth2(app, options.redirectUri).requestToken(options.code);
    return parseTokenResponse(raw, options.now);
  } catch (error) {
    throw toSalesforceAuthError(error, 'Salesforce code exchange failed');
  }
}

/**
 * Refresh-token grant. With refresh-token rotation on, the answer carries a new refresh token
 * and the old one stops working: persist `refreshToken` whenever it is present.
 */
export async function refreshSalesforceToken(
  app: SalesforceAppConfig,
  options: { refreshToken: string; now: number },
): Promise<SalesforceTokens> {
  try {
    const raw = await oauth2(app).refreshToken(options.refreshToken);
    return parseTokenResponse(raw, options.now);
  } catch (error) {
    throw toSalesforceAuthError(error, 'Salesforce token refresh failed');
  }
}

/** Revokes a refresh or access token (disconnect / uninstall). */
export async function revokeSalesforceToken(
  app: SalesforceAppConfig,
  token: string,
): Promise<void> {
  try {
    await oauth2(app).revokeToken(token);
  } catch (error) {
    throw toSalesforceAuthError(error, 'Salesforce token revocation failed');
  }
}
