import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT } from 'jose';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_VERSION,
  baseOpportunity,
  connect,
  errorOf,
  raw,
  testClock,
} from './contract-helpers.ts';
import { defaultConnectedApp, type SalesforceSandbox, startSalesforceSandbox } from './index.ts';

// OAuth and sessions through jsforce: 401 → refresh → replay, the authorization code flow, JWT
// bearer with a registered certificate, client credentials, revocation, rotation, and tenants.

const clock = testClock();
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
let sandbox: SalesforceSandbox;
let orgA: string;
let orgB: string;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({
    clock: clock.now,
    demo: false,
    sessionTtlSeconds: 600,
    connectedApp: {
      ...defaultConnectedApp,
      certificatePem: fixture('jwt-test-cert.pem'),
      redirectUris: ['http://localhost:3000/oauth/salesforce/callback'],
    },
  });
  orgA = sandbox.control.createOrg({ name: 'Tenant A' }).orgId;
  orgB = sandbox.control.createOrg({ name: 'Tenant B' }).orgId;
});

afterAll(async () => {
  await sandbox.stop();
});

async function signAssertion(
  claims: { sub: string; aud?: string; iss?: string; exp?: number },
  keyPem = fixture('jwt-test-key.pem'),
) {
  const key = await importPKCS8(keyPem, 'RS256');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(claims.iss ?? defaultConnectedApp.clientId)
    .setSubject(claims.sub)
    .setAudience(claims.aud ?? sandbox.url)
    .setIssuedAt(Math.floor(clock.now() / 1000))
    .setExpirationTime(claims.exp ?? Math.floor(clock.now() / 1000) + 180)
    .sign(key);
}

const jwtConnection = () =>
  new Connection({
    version: API_VERSION,
    loginUrl: sandbox.url,
    oauth2: { clientId: defaultConnectedApp.clientId, loginUrl: sandbox.url },
  });

describe('sessions', () => {
  it('answers 401 INVALID_SESSION_ID for an unknown token', async () => {
    const response = await raw(sandbox, 'not-a-token', 'GET', '/services/data/v62.0/limits');
    expect(response.status).toBe(401);
    expect(response.body).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
  });

  it('lets jsforce refresh an expired session and replay the request', async () => {
    const { conn } = connect(sandbox, { orgId: orgA });
    const refreshed: string[] = [];
    conn.on('refresh', (token: string) => refreshed.push(token));
    const before = conn.accessToken;
    await conn.query('SELECT Id FROM Account');
    clock.advance(601_000);
    const result = await conn.query('SELECT Id FROM Account');
    expect(result.done).toBe(true);
    expect(refreshed).toHaveLength(1);
    expect(conn.accessToken).not.toBe(before);
    expect(conn.accessToken?.startsWith(orgA.slice(0, 15))).toBe(true);
  });

  it('accepts the OAuth authorization scheme as well as Bearer', async () => {
    const token = sandbox.control.issueToken({ orgId: orgA });
    const response = await fetch(`${sandbox.url}/services/data/v62.0/limits`, {
      headers: { Authorization: `OAuth ${token.accessToken}` },
    });
    expect(response.status).toBe(200);
  });

  it('revokes a refresh token with its sessions; refreshing it then fails with invalid_grant', async () => {
    const { conn, token } = connect(sandbox, { orgId: orgA });
    await conn.logout(true);
    const response = await raw(sandbox, token.accessToken, 'GET', '/services/data/v62.0/limits');
    expect(response.status).toBe(401);
    const oauth = connect(sandbox, { orgId: orgA }).conn.oauth2;
    const error = await errorOf(() => oauth.refreshToken(token.refreshToken));
    expect(error.name).toBe('invalid_grant');
    expect(error.message).toBe('expired access/refresh token');
  });

  it('rotates refresh tokens when the app says so', async () => {
    await sandbox.control.registerConnectedApp({
      clientId: 'rotating-app',
      clientSecret: 'rotating-secret',
      rotateRefreshTokens: true,
    });
    const token = sandbox.control.issueToken({ orgId: orgA, clientId: 'rotating-app' });
    const conn = new Connection({
      instanceUrl: sandbox.url,
      version: API_VERSION,
      oauth2: { clientId: 'rotating-app', clientSecret: 'rotating-secret', loginUrl: sandbox.url },
    });
    const first = await conn.oauth2.refreshToken(token.refreshToken);
    expect(first.refresh_token).toBeDefined();
    expect(first.refresh_token).not.toBe(token.refreshToken);
    expect((await errorOf(() => conn.oauth2.refreshToken(token.refreshToken))).name).toBe(
      'invalid_grant',
    );
  });
});

describe('authorization code flow', () => {
  it('auto-consents, redirects with a code and state, and exchanges it for tokens', async () => {
    const redirectUri = 'http://localhost:3000/oauth/salesforce/callback';
    const conn = new Connection({
      version: API_VERSION,
      oauth2: {
        clientId: defaultConnectedApp.clientId,
        clientSecret: defaultConnectedApp.clientSecret,
        redirectUri,
        loginUrl: sandbox.url,
      },
    });
    const url = `${conn.oauth2.getAuthorizationUrl({ state: 'st-1', scope: 'api refresh_token' })}&login_hint=${encodeURIComponent(
      sandbox.control.listOrgs().find((o) => o.orgId === orgB)?.usernames.integration ?? '',
    )}`;
    const consent = await fetch(url, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const location = new URL(consent.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('st-1');
    const code = location.searchParams.get('code') ?? '';
    const userInfo = await conn.authorize(code);
    expect(userInfo.organizationId).toBe(orgB);
    expect(conn.instanceUrl).toBe(sandbox.url);
    expect(conn.refreshToken).toMatch(/^5Aep/);
    const reuse = await errorOf(() => conn.oauth2.requestToken(code));
    expect(reuse.name).toBe('invalid_grant');
  });

  it('refuses an unregistered redirect URI', async () => {
    const response = await fetch(
      `${sandbox.url}/services/oauth2/authorize?response_type=code&client_id=${defaultConnectedApp.clientId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'redirect_uri_mismatch',
      error_description: 'redirect_uri must match configuration',
    });
  });

  it('issues codes through the control API too', async () => {
    const redirectUri = 'http://localhost:3000/oauth/salesforce/callback';
    const code = sandbox.control.authorize({ orgId: orgA, redirectUri });
    const response = await fetch(`${sandbox.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: defaultConnectedApp.clientId,
        client_secret: defaultConnectedApp.clientSecret,
        redirect_uri: redirectUri,
      }),
    });
    const body = (await response.json()) as Record<string, string>;
    expect(response.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(
      [
        'access_token',
        'id',
        'instance_url',
        'issued_at',
        'refresh_token',
        'scope',
        'signature',
        'token_type',
      ].sort(),
    );
    expect(body.id).toBe(
      `${sandbox.url}/id/${orgA}/${sandbox.control.listOrgs().find((o) => o.orgId === orgA)?.users.integration}`,
    );
    expect(body.token_type).toBe('Bearer');
  });
});

describe('JWT bearer flow', () => {
  it('accepts an assertion signed by the registered certificate, without a refresh token', async () => {
    const { username } = sandbox.control.registerJwtUser({
      orgId: orgA,
      username: 'jwt.integration@tenant-a.sandbox',
    });
    const conn = jwtConnection();
    const userInfo = await conn.authorize({
      grant_type: JWT_BEARER,
      assertion: await signAssertion({ sub: username }),
    });
    expect(userInfo.organizationId).toBe(orgA);
    expect(conn.refreshToken).toBeUndefined();
    expect((await conn.query('SELECT Id FROM Account')).done).toBe(true);
  });

  it('refuses a tampered assertion', async () => {
    const { username } = sandbox.control.registerJwtUser({
      orgId: orgA,
      username: 'jwt.integration@tenant-a.sandbox',
    });
    const assertion = await signAssertion({ sub: username });
    const [header, , signature] = assertion.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        iss: defaultConnectedApp.clientId,
        sub: 'avery.admin@tenant-a.sandbox',
        aud: sandbox.url,
        exp: Math.floor(clock.now() / 1000) + 60,
      }),
    ).toString('base64url');
    const error = await errorOf(() =>
      jwtConnection().authorize({
        grant_type: JWT_BEARER,
        assertion: `${header}.${forged}.${signature}`,
      }),
    );
    expect(error.name).toBe('invalid_grant');
    expect(error.message).toBe('invalid assertion');
  });

  it('refuses a key that is not registered until its public key is', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { username } = sandbox.control.registerJwtUser({
      orgId: orgA,
      username: 'jwt.integration@tenant-a.sandbox',
    });
    const first = await errorOf(async () =>
      jwtConnection().authorize({
        grant_type: JWT_BEARER,
        assertion: await signAssertion({ sub: username }, pem),
      }),
    );
    expect(first.name).toBe('invalid_grant');
    await sandbox.control.registerJwtCertificate({
      certificatePem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const userInfo = await jwtConnection().authorize({
      grant_type: JWT_BEARER,
      assertion: await signAssertion({ sub: username }, pem),
    });
    expect(userInfo.organizationId).toBe(orgA);
  });

  it('checks audience, expiry, issuer and pre-authorised users', async () => {
    const { username } = sandbox.control.registerJwtUser({
      orgId: orgA,
      username: 'jwt.integration@tenant-a.sandbox',
    });
    const fail = async (assertion: string) =>
      errorOf(() => jwtConnection().authorize({ grant_type: JWT_BEARER, assertion }));
    expect(
      (await fail(await signAssertion({ sub: username, aud: 'https://login.salesforce.com' })))
        .message,
    ).toBe('audience is invalid');
    expect(
      (await fail(await signAssertion({ sub: username, exp: Math.floor(clock.now() / 1000) - 10 })))
        .message,
    ).toBe('invalid assertion');
    expect((await fail(await signAssertion({ sub: username, iss: 'someone-else' }))).name).toBe(
      'invalid_client_id',
    );
    const admin = sandbox.control.listOrgs().find((o) => o.orgId === orgA)?.usernames.admin ?? '';
    expect((await fail(await signAssertion({ sub: admin }))).message).toBe(
      "user hasn't approved this consumer",
    );
  });
});

describe('client credentials flow', () => {
  it('runs as the configured user', async () => {
    sandbox.control.setClientCredentialsUser({ orgId: orgB });
    const conn = new Connection({
      version: API_VERSION,
      oauth2: {
        clientId: defaultConnectedApp.clientId,
        clientSecret: defaultConnectedApp.clientSecret,
        loginUrl: sandbox.url,
      },
    });
    const userInfo = await conn.authorize({ grant_type: 'client_credentials' });
    expect(userInfo.organizationId).toBe(orgB);
  });

  it('refuses a wrong client secret', async () => {
    const conn = new Connection({
      version: API_VERSION,
      oauth2: {
        clientId: defaultConnectedApp.clientId,
        clientSecret: 'wrong',
        loginUrl: sandbox.url,
      },
    });
    const error = await errorOf(() => conn.authorize({ grant_type: 'client_credentials' }));
    expect(error.name).toBe('invalid_client');
  });
});

describe('tenants', () => {
  it('never shows one org’s records to another org’s token', async () => {
    const a = connect(sandbox, { orgId: orgA }).conn;
    const b = connect(sandbox, { orgId: orgB }).conn;
    const { id } = (await a
      .sobject('Opportunity')
      .create({ ...baseOpportunity, Name: 'Tenant A secret' })) as { id: string };
    expect((await errorOf(() => b.sobject('Opportunity').retrieve(id))).errorCode).toBe(
      'NOT_FOUND',
    );
    expect(
      (await b.query("SELECT Id FROM Opportunity WHERE Name = 'Tenant A secret'")).totalSize,
    ).toBe(0);
    const update = await errorOf(() => b.sobject('Opportunity').update({ Id: id, Name: 'stolen' }));
    expect(update.errorCode).toBe('NOT_FOUND');
    const { id: idB } = (await b.sobject('Opportunity').create({ ...baseOpportunity })) as {
      id: string;
    };
    expect(idB).not.toBe(id);
    expect((await a.identity()).organization_id).toBe(orgA);
  });
});
