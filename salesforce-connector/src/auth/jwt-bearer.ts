import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { OAuth2 } from 'jsforce';
import type { SalesforceAppConfig } from './app-config.ts';
import { SalesforceAuthError, toSalesforceAuthError } from './errors.ts';
import { parseTokenResponse, type SalesforceTokens } from './token-response.ts';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Salesforce wants `exp` within a few minutes. */
const ASSERTION_LIFETIME_SECONDS = 180;

/**
 * Signs the JWT bearer assertion (RS256): `iss` = consumer key, `sub` = username,
 * `aud` = the login host (https://login.salesforce.com, https://test.salesforce.com, …).
 */
export async function signJwtAssertion(options: {
  clientId: string;
  username: string;
  audience: string;
  privateKeyPem: string;
  now: number;
}): Promise<string> {
  // createPrivateKey accepts PKCS#8 and PKCS#1 ("BEGIN RSA PRIVATE KEY") alike.
  const key = createPrivateKey(options.privateKeyPem);
  const issuedAt = Math.floor(options.now / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(options.clientId)
    .setSubject(options.username)
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
    .sign(key);
}

/** JWT bearer flow: a fresh access token for `username` (no refresh token: mint again later). */
export async function requestJwtBearerToken(
  app: SalesforceAppConfig,
  options: { username: string; now: number },
): Promise<SalesforceTokens> {
  if (app.jwtPrivateKeyPem === undefined) {
    throw new SalesforceAuthError('invalid_client', 'no JWT private key is configured');
  }
  const assertion = await signJwtAssertion({
    clientId: app.clientId,
    username: options.username,
    audience: app.loginUrl,
    privateKeyPem: app.jwtPrivateKeyPem,
    now: options.now,
  });
  try {
    const raw = await new OAuth2({ clientId: app.clientId, loginUrl: app.loginUrl }).requestToken({
      grant_type: JWT_BEARER_GRANT,
      assertion,
    });
    return parseTokenResponse(raw, options.now);
  } catch (error) {
    throw toSalesforceAuthError(error, 'Salesforce JWT bearer grant failed');
  }
}
