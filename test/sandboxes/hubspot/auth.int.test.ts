import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFailure,
  type ContractSandbox,
  type ManualClock,
  manualClock,
  sdkClient,
  startContractSandbox,
} from './contract-harness.ts';

const app = {
  appId: 4_242_001,
  clientId: 'b1f1f0aa-0c33-4d52-9c5e-0a7d3a0a1b2c',
  clientSecret: 'test-client-secret-4242',
  redirectUris: ['https://app.partnerbridge.test/oauth/callback'],
};
const redirectUri = 'https://app.partnerbridge.test/oauth/callback';
const scopes = ['oauth', 'crm.objects.deals.read', 'crm.objects.deals.write'];

describe('HubSpot sandbox: authentication and OAuth', () => {
  let sandbox: ContractSandbox;
  let clock: ManualClock;
  let portalId: number;

  beforeAll(async () => {
    clock = manualClock();
    sandbox = await startContractSandbox({ clock: clock.fn, app });
    portalId = sandbox.control.createPortal({ name: 'OAuth portal' });
  });

  afterEach(() => {
    expect(sandbox.takeViolations()).toEqual([]);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  /** Consent through the authorize URL, as a browser would follow it. */
  async function consent(
    state: string,
    portal = portalId,
  ): Promise<{ code: string; location: URL }> {
    const url = new URL('/oauth/authorize', sandbox.url);
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('scope', scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('portal_id', String(portal));
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    return { code: location.searchParams.get('code') ?? '', location };
  }

  const oauth = () => sdkClient(sandbox.url, '').oauth;

  it('answers 401 INVALID_AUTHENTICATION without a token or with an unknown one', async () => {
    const missing = await fetch(`${sandbox.url}/crm/v3/objects/deals`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
      message: expect.stringContaining('Authentication credentials not found'),
    });
    const unknown = await apiFailure(
      sdkClient(sandbox.url, 'not-a-token').crm.deals.basicApi.getPage(),
    );
    expect(unknown.code).toBe(401);
    expect(unknown.body.category).toBe('INVALID_AUTHENTICATION');
  });

  it('exchanges an authorization code for tokens through the SDK', async () => {
    const { code, location } = await consent('state-123');
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe('state-123');
    const tokens = await oauth().tokensApi.create(
      'authorization_code',
      code,
      redirectUri,
      app.clientId,
      app.clientSecret,
    );
    expect(tokens.tokenType).toBe('bearer');
    expect(tokens.expiresIn).toBe(1800);
    expect(tokens.refreshToken).toMatch(/^na1-/);
    expect(tokens.accessToken.length).toBeLessThanOrEqual(300);
    const page = await sdkClient(sandbox.url, tokens.accessToken).crm.deals.basicApi.getPage(1);
    expect(page.results).toEqual([]);
    const reused = await apiFailure(
      oauth().tokensApi.create(
        'authorization_code',
        code,
        redirectUri,
        app.clientId,
        app.clientSecret,
      ),
    );
    expect(reused.code).toBe(400);
    expect(reused.body).toMatchObject({
      status: 'BAD_AUTH_CODE',
      message: 'missing or unknown auth code',
    });
  });

  it('refuses a wrong client secret, redirect URI or an expired code', async () => {
    const { code } = await consent('s');
    const secret = await apiFailure(
      oauth().tokensApi.create('authorization_code', code, redirectUri, app.clientId, 'wrong'),
    );
    expect(secret.body.status).toBe('BAD_CLIENT_SECRET');
    const redirect = await apiFailure(
      oauth().tokensApi.create(
        'authorization_code',
        code,
        'https://evil.test/cb',
        app.clientId,
        app.clientSecret,
      ),
    );
    expect(redirect.body.status).toBe('BAD_REDIRECT_URI');
    const late = await consent('late');
    clock.advance(11 * 60_000);
    const expired = await apiFailure(
      oauth().tokensApi.create(
        'authorization_code',
        late.code,
        redirectUri,
        app.clientId,
        app.clientSecret,
      ),
    );
    expect(expired.code).toBe(400);
    expect(expired.body.status).toBe('EXPIRED_AUTH_CODE');
  });

  it('refuses an unregistered redirect URI on the consent screen', async () => {
    const url = new URL('/oauth/authorize', sandbox.url);
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('redirect_uri', 'https://elsewhere.test/cb');
    url.searchParams.set('scope', 'oauth');
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
  });

  it('expires access tokens after 30 minutes on the sandbox clock; refresh keeps the refresh token', async () => {
    const { code } = await consent('expiry');
    const first = await oauth().tokensApi.create(
      'authorization_code',
      code,
      redirectUri,
      app.clientId,
      app.clientSecret,
    );
    clock.advance(29 * 60_000);
    await sdkClient(sandbox.url, first.accessToken).crm.deals.basicApi.getPage(1);
    clock.advance(6 * 60_000);
    const expired = await apiFailure(
      sdkClient(sandbox.url, first.accessToken).crm.deals.basicApi.getPage(1),
    );
    expect(expired.code).toBe(401);
    expect(expired.body).toMatchObject({
      category: 'EXPIRED_AUTHENTICATION',
      message: 'The OAuth token used to make this call expired 5 minute(s) ago.',
      context: { 'expire time': [expect.any(String)] },
    });
    const refreshed = await oauth().tokensApi.create(
      'refresh_token',
      undefined,
      undefined,
      app.clientId,
      app.clientSecret,
      first.refreshToken,
    );
    expect(refreshed.refreshToken).toBe(first.refreshToken);
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(refreshed.expiresIn).toBe(1800);
    await sdkClient(sandbox.url, refreshed.accessToken).crm.deals.basicApi.getPage(1);
  });

  it('describes an access token: portal, app, scopes, remaining lifetime', async () => {
    const issued = sandbox.control.issueToken({ portalId, scopes });
    clock.advance(100_000);
    const info = await oauth().accessTokensApi.get(issued.accessToken);
    expect(info).toMatchObject({
      hubId: portalId,
      appId: app.appId,
      scopes,
      expiresIn: 1700,
      tokenType: 'access',
    });
    expect(info.userId).toEqual(expect.any(Number));
  });

  it('revokes a refresh token: refresh fails, its access tokens die, the app is uninstalled', async () => {
    const portal = sandbox.control.createPortal({ name: 'Uninstalled later' });
    const issued = sandbox.control.issueToken({ portalId: portal });
    expect(sandbox.control.portals().find((entry) => entry.portalId === portal)?.installed).toBe(
      true,
    );
    const revoked = await oauth().refreshTokensApi.archiveWithHttpInfo(issued.refreshToken);
    expect(revoked.httpStatusCode).toBe(204);
    const refresh = await apiFailure(
      oauth().tokensApi.create(
        'refresh_token',
        undefined,
        undefined,
        app.clientId,
        app.clientSecret,
        issued.refreshToken,
      ),
    );
    expect(refresh.code).toBe(400);
    expect(refresh.body).toMatchObject({
      status: 'BAD_REFRESH_TOKEN',
      message: 'missing or invalid refresh token',
    });
    const call = await apiFailure(
      sdkClient(sandbox.url, issued.accessToken).crm.deals.basicApi.getPage(1),
    );
    expect(call.code).toBe(401);
    expect(sandbox.control.portals().find((entry) => entry.portalId === portal)?.installed).toBe(
      false,
    );
  });

  it('serves POST /oauth/v3/token with the same semantics, form-encoded', async () => {
    const code = sandbox.control.authorize({ portalId, redirectUri, scopes });
    const response = await fetch(`${sandbox.url}/oauth/v3/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        redirect_uri: redirectUri,
        code,
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: 'bearer',
      expires_in: 1800,
      hub_id: portalId,
      scopes,
    });
  });

  it('answers 403 MISSING_SCOPES naming the scope the call needs', async () => {
    const readOnly = sandbox.control.issueToken({
      portalId,
      scopes: ['oauth', 'crm.objects.deals.read'],
    });
    const write = await apiFailure(
      sdkClient(sandbox.url, readOnly.accessToken).crm.deals.basicApi.create({
        properties: { dealname: 'No scope' },
        associations: [],
      }),
    );
    expect(write.code).toBe(403);
    expect(write.body).toMatchObject({
      status: 'error',
      category: 'MISSING_SCOPES',
      errors: [{ context: { requiredGranularScopes: ['crm.objects.deals.write'] } }],
    });
    const companies = await apiFailure(
      sdkClient(sandbox.url, readOnly.accessToken).crm.companies.basicApi.getPage(),
    );
    expect(companies.code).toBe(403);
  });

  it('keeps tenants apart: a token for one portal never sees or changes another portal', async () => {
    const portalA = sandbox.control.createPortal({ name: 'Tenant A' });
    const portalB = sandbox.control.createPortal({ name: 'Tenant B' });
    const tokenA = sandbox.control.issueToken({ portalId: portalA }).accessToken;
    const ownA = sandbox.control.userCreate(portalA, 'deal', { dealname: 'Only A', amount: '7' });
    const ownB = sandbox.control.userCreate(portalB, 'deal', { dealname: 'Only B', amount: '7' });
    const api = sdkClient(sandbox.url, tokenA).crm.deals;
    expect((await apiFailure(api.basicApi.getById(ownB.id))).code).toBe(404);
    expect(
      (await apiFailure(api.basicApi.update(ownB.id, { properties: { dealname: 'Hijacked' } })))
        .code,
    ).toBe(404);
    expect((await api.basicApi.getPage(100)).results.map((deal) => deal.id)).toEqual([ownA.id]);
    const found = await api.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'amount', operator: 'EQ' as never, value: '7' }] },
      ],
      sorts: [],
      properties: ['dealname'],
      limit: 10,
      after: '0',
    });
    expect(found.results.map((deal) => deal.id)).toEqual([ownA.id]);
    const batch = await api.batchApi.readWithHttpInfo({
      inputs: [{ id: ownA.id }, { id: ownB.id }],
      properties: [],
      propertiesWithHistory: [],
    });
    expect(batch.httpStatusCode).toBe(207);
    expect(batch.data.results.map((deal) => deal.id)).toEqual([ownA.id]);
    expect(sandbox.control.getRecord(portalB, 'deal', ownB.id)?.properties.dealname).toBe('Only B');
  });
});
