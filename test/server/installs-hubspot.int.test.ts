import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installations, oauthTokens } from '../../server/src/db/schema/installations.ts';
import { REFRESH_MARGIN_MS } from '../../server/src/hubspot/client-factory.ts';
import { findActiveInstallationByPortal } from '../../server/src/installs/installations.ts';
import { type HubspotSandbox, startHubspotSandbox } from '../sandboxes/hubspot/index.ts';
import { TestBrowser } from '../support/browser.ts';
import {
  manualClock,
  startTestServer,
  TEST_HUBSPOT_APP,
  TEST_PUBLIC_BASE_URL,
  type TestServer,
} from '../support/server.ts';

const ACCESS_TOKEN_LIFETIME_MS = 1800 * 1000;

describe('HubSpot install and client factory (against the HubSpot sandbox)', () => {
  const clock = manualClock(Date.UTC(2026, 2, 2, 9));
  let sandbox: HubspotSandbox;
  let server: TestServer;
  let portalId: number;

  const browser = () => new TestBrowser([[TEST_PUBLIC_BASE_URL, server.url]]);
  const tokenCalls = () => {
    const counts = sandbox.control.requests().counts;
    return Object.entries(counts)
      .filter(([endpoint]) => endpoint.startsWith('POST /oauth/v1/token'))
      .reduce((sum, [, count]) => sum + count, 0);
  };

  async function install(): Promise<string> {
    const response = await browser().open(`${TEST_PUBLIC_BASE_URL}/oauth/hubspot/install`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Partnerbridge is installed');
    const installation = await findActiveInstallationByPortal(server.services.db, String(portalId));
    if (installation === undefined) throw new Error('not installed');
    return installation.id;
  }

  beforeAll(async () => {
    sandbox = await startHubspotSandbox({
      clock: () => clock.now(),
      app: {
        appId: Number(TEST_HUBSPOT_APP.appId),
        clientId: TEST_HUBSPOT_APP.clientId,
        clientSecret: TEST_HUBSPOT_APP.clientSecret,
        redirectUris: [`${TEST_PUBLIC_BASE_URL}/oauth/hubspot/callback`],
      },
    });
    portalId = sandbox.control.createPortal({ name: 'Install test portal' });
    server = await startTestServer({
      clock,
      env: {
        HUBSPOT_API_BASE_URL: sandbox.url,
        HUBSPOT_AUTHORIZE_URL: `${sandbox.url}/oauth/authorize`,
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.stop();
  });

  it('installs through HubSpot’s consent screen and stores the tokens encrypted', async () => {
    const installationId = await install();
    const [installation] = await server.services.db
      .select()
      .from(installations)
      .where(eq(installations.id, installationId));
    expect(installation).toMatchObject({
      hubspotPortalId: String(portalId),
      hubspotAppId: TEST_HUBSPOT_APP.appId,
      status: 'active',
    });
    expect(installation?.hubspotScopes).toContain('crm.objects.deals.write');

    const [row] = await server.services.db
      .select()
      .from(oauthTokens)
      .where(eq(oauthTokens.installationId, installationId));
    const stored = await server.services.tokens.get(installationId, 'hubspot');
    expect(stored?.accessToken).toMatch(/^CK/);
    expect(row?.accessTokenEnc).not.toContain(stored?.accessToken ?? '-');
    expect(row?.refreshTokenEnc).not.toContain(stored?.refreshToken ?? '-');
    expect(stored?.expiresAt?.getTime()).toBe(clock.now() + ACCESS_TOKEN_LIFETIME_MS);

    const me = await server.fetchSigned({ path: '/api/v1/installation', portalId });
    expect(me.status).toBe(200);
  });

  it('calls HubSpot with the real SDK and counts calls per installation', async () => {
    const installationId = await install();
    const page = await server.services.hubspot.withClient(installationId, (client) =>
      client.crm.deals.basicApi.getPage(5),
    );
    expect(Array.isArray(page.results)).toBe(true);
    const metrics =
      await server.services.metrics.registry.getSingleMetricAsString('pb_crm_api_calls_total');
    expect(metrics).toContain(`installation="${installationId}",status="200"`);
  });

  it('refreshes before expiry, and once for concurrent callers', async () => {
    const installationId = await install();
    const before = await server.services.tokens.get(installationId, 'hubspot');
    await server.services.hubspot.forInstallation(installationId);
    expect((await server.services.tokens.get(installationId, 'hubspot'))?.version).toBe(
      before?.version,
    );

    clock.advance(ACCESS_TOKEN_LIFETIME_MS - REFRESH_MARGIN_MS + 1_000);
    const calls = tokenCalls();
    await Promise.all(
      Array.from({ length: 5 }, () =>
        server.services.hubspot.withClient(installationId, (client) =>
          client.crm.companies.basicApi.getPage(1),
        ),
      ),
    );
    expect(tokenCalls() - calls).toBe(1);
    const after = await server.services.tokens.get(installationId, 'hubspot');
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).toBe(before?.refreshToken);
    expect(after?.expiresAt?.getTime()).toBe(clock.now() + ACCESS_TOKEN_LIFETIME_MS);
  });

  it('refreshes and retries once when HubSpot answers 401', async () => {
    const installationId = await install();
    const stored = await server.services.tokens.get(installationId, 'hubspot');
    if (stored === undefined) throw new Error('no tokens');
    // A token HubSpot no longer accepts, although our clock says it is still fresh.
    await server.services.tokens.save(installationId, 'hubspot', {
      ...stored,
      accessToken: 'CK-revoked-access-token',
    });
    const calls = tokenCalls();
    const page = await server.services.hubspot.withClient(installationId, (client) =>
      client.crm.deals.basicApi.getPage(1),
    );
    expect(page.results).toBeDefined();
    expect(tokenCalls() - calls).toBe(1);
    const metrics =
      await server.services.metrics.registry.getSingleMetricAsString('pb_crm_api_calls_total');
    expect(metrics).toContain(`installation="${installationId}",status="401"`);
  });

  describe('the OAuth state (CSRF)', () => {
    it('refuses a callback from another browser (no binding cookie)', async () => {
      const starter = browser();
      const start = await fetch(`${server.url}/oauth/hubspot/install`, { redirect: 'manual' });
      const authorize = start.headers.get('location') ?? '';
      const consent = await fetch(authorize, { redirect: 'manual' });
      const callback = consent.headers.get('location') ?? '';
      expect(callback).toContain(`${TEST_PUBLIC_BASE_URL}/oauth/hubspot/callback?code=`);
      const response = await starter.open(callback);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          code: 'bad_request',
          message: 'invalid OAuth state: started in another browser; start the connection again',
        },
      });
    });

    it('refuses a replayed or expired state', async () => {
      const user = browser();
      const start = await user.open(`${TEST_PUBLIC_BASE_URL}/oauth/hubspot/install`, 0);
      const consent = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
      const callback = consent.headers.get('location') ?? '';
      clock.advance(11 * 60 * 1000);
      const expired = await user.open(callback);
      expect(expired.status).toBe(400);
      expect(((await expired.json()) as { error: { message: string } }).error.message).toContain(
        'expired',
      );
      const replay = await user.open(callback);
      expect(((await replay.json()) as { error: { message: string } }).error.message).toContain(
        'unknown or already used',
      );
    });

    it('reports a refused consent without touching anything', async () => {
      const response = await browser().open(
        `${TEST_PUBLIC_BASE_URL}/oauth/hubspot/callback?error=access_denied&state=x`,
      );
      expect(response.status).toBe(400);
    });
  });

  it('uninstalls: revokes at HubSpot, deletes tokens, refuses the portal afterwards', async () => {
    const installationId = await install();
    const stored = await server.services.tokens.get(installationId, 'hubspot');
    const response = await server.fetchSigned({
      method: 'DELETE',
      path: '/api/v1/installation',
      portalId,
    });
    expect(response.status).toBe(204);
    expect(await server.services.tokens.get(installationId, 'hubspot')).toBeUndefined();
    const refresh = await fetch(`${sandbox.url}/oauth/v1/refresh-tokens/${stored?.refreshToken}`);
    expect(refresh.status).toBe(404);
    const after = await server.fetchSigned({ path: '/api/v1/installation', portalId });
    expect(after.status).toBe(403);
    await expect(server.services.hubspot.forInstallation(installationId)).rejects.toMatchObject({
      code: 'forbidden',
    });
    // Reinstalling brings the same installation back.
    expect(await install()).toBe(installationId);
  });
});
