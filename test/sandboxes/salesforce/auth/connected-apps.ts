import { importSPKI, importX509, type JWTPayload, jwtVerify } from 'jose';

// Connected apps (External Client Apps) known to the sandbox: OAuth client credentials, callback
// URLs, the certificates that verify JWT bearer assertions and the users pre-authorised for them.

export type ConnectedAppOptions = {
  clientId: string;
  clientSecret: string;
  /** PEM of the X.509 certificate (or SPKI public key) that verifies JWT bearer assertions. */
  certificatePem?: string;
  /** Allowed callback URLs for the authorization code flow; any when omitted. */
  redirectUris?: string[];
  /** Issue a new refresh token on every refresh and invalidate the old one. */
  rotateRefreshTokens?: boolean;
};

export const defaultConnectedApp = {
  clientId: '3MVG9Partnerbridge.Sandbox.Test.Client',
  clientSecret: 'partnerbridge-sandbox-client-secret',
} as const;

type VerificationKey = Awaited<ReturnType<typeof importSPKI>>;

export type ConnectedApp = {
  clientId: string;
  clientSecret: string;
  redirectUris: string[] | undefined;
  rotateRefreshTokens: boolean;
  jwtKeys: VerificationKey[];
  /** Users (by id) pre-authorised for the JWT bearer flow. */
  jwtUsers: Set<string>;
  /** The run-as user of the client credentials flow. */
  clientCredentialsUser: { orgId: string; userId: string } | undefined;
};

export async function importVerificationKey(pem: string): Promise<VerificationKey> {
  if (pem.includes('BEGIN CERTIFICATE')) return importX509(pem, 'RS256');
  if (pem.includes('BEGIN PUBLIC KEY')) return importSPKI(pem, 'RS256');
  throw new Error('certificatePem must be a PEM certificate or SPKI public key');
}

export async function createConnectedApp(options: ConnectedAppOptions): Promise<ConnectedApp> {
  return {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUris: options.redirectUris,
    rotateRefreshTokens: options.rotateRefreshTokens ?? false,
    jwtKeys:
      options.certificatePem === undefined
        ? []
        : [await importVerificationKey(options.certificatePem)],
    jwtUsers: new Set(),
    clientCredentialsUser: undefined,
  };
}

export type AssertionCheck =
  | { ok: true; payload: JWTPayload & { iss: string; sub: string } }
  | { ok: false; error: string; description: string };

/**
 * Verifies a JWT bearer assertion: RS256 signature by one of the app's registered certificates,
 * `iss` = client id, `aud` = the login URL, `exp` in the future on the sandbox clock.
 */
export async function verifyAssertion(
  assertion: string,
  apps: ReadonlyMap<string, ConnectedApp>,
  audience: string,
  now: number,
): Promise<AssertionCheck> {
  const parts = assertion.split('.');
  const invalid = { ok: false, error: 'invalid_grant', description: 'invalid assertion' } as const;
  if (parts.length !== 3) return invalid;
  let claims: JWTPayload;
  try {
    claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as JWTPayload;
  } catch {
    return invalid;
  }
  const app = typeof claims.iss === 'string' ? apps.get(claims.iss) : undefined;
  if (app === undefined) {
    return { ok: false, error: 'invalid_client_id', description: 'client identifier invalid' };
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const normalized = audience.replace(/\/$/, '');
  if (!audiences.some((aud) => typeof aud === 'string' && aud.replace(/\/$/, '') === normalized)) {
    return { ok: false, error: 'invalid_grant', description: 'audience is invalid' };
  }
  for (const key of app.jwtKeys) {
    try {
      const { payload } = await jwtVerify(assertion, key, {
        algorithms: ['RS256'],
        issuer: app.clientId,
        currentDate: new Date(now),
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.iss !== 'string') return invalid;
      return { ok: true, payload: { ...payload, iss: payload.iss, sub: payload.sub } };
    } catch {
      // Try the app's next certificate; an expired or mis-signed assertion fails them all.
    }
  }
  return invalid;
}
