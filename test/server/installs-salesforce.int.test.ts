import { generateKeyPairSync } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oauthTokens } from '../../server/src/db/schema/installations.ts';
import {
  getInstallationOrThrow,
  upsertHubspotInstallation,
} from '../../server/src/installs/installations.ts';
import { type SalesforceSandbox, startSalesforceSandbox } from '../sandboxes/salesforce/index.ts';
import { TestBrowser } from '../support/browser.ts';
import {
  manualClock,
  startTestServer,
  TEST_ADMIN_TOKEN,
  TEST_HUBSPOT_APP,
  TEST_PUBLIC_BASE_URL,
  type TestServer,
} from '../support/server.ts';

const connectedApp = {
  clientId: '3MVG9Partnerbridge.Install.Test',
  clientSecret: 'sf-install-test-secret',
};

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

describe('Salesforce connection (against the Salesforce sandbox)', () => {
  const clock = manualClock(Date.UTC(2026, 2, 2, 9));
  let sandbox: SalesforceSandbox;
  let server: TestServer;
  let portalSeq = 7000;

  const tokenCalls = () =>
    sandbox.control.requests().byEndpoint['POST /services/oauth2/token'] ?? 0;

  async function anInstallation(): Promise<{ id: string; portalId: string }> {
    const portalId = String(portalSeq++);
    const installation = await upsertHubspotInstallation(server.services.db, {
      portalId,
      appId: TEST_HUBSPOT_APP.appId,
      hubDomain: undefined,
      scopes: [],
      installedBy: undefined,
    });
    return { id: installation.id, portalId };
  }

  async function connectWithBrowser(portalId: string, loginHint?: string): Promise<Response> {
    const connect = await server.fetchSigned({
      method: 'POST',
      path: '/api/v1/installation/salesforce/connect',
      portalId,
    });
    expect(connect.status).toBe(201);
    const { url } = (await connect.json()) as { url: string; expiresAt: string };
    expect(url.startsWith(`${TEST_PUBLIC_BASE_URL}/oauth/salesforce/install?ticket=`)).toBe(true);
    const browser = new TestBrowser([[TEST_PUBLIC_BASE_URL, server.url]]);
    if (loginHint === undefined) return browser.open(url);
    const toSalesforce = await browser.open(url, 0);
    const authorize = new URL(toSalesforce.headers.get('location') ?? '');
    authorize.searchParams.set('login_hint', loginHint);
    return browser.open(authorize.toString());
  }

  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({
      clock: () => clock.now(),
      demo: false,
      connectedApp: {
        ...connectedApp,
        certificatePem: keys.publicKey,
        redirectUris: [`${TEST_PUBLIC_BASE_URL}/oauth/salesforce/callback`],
        rotateRefreshTokens: true,
      },
    });
    server = await startTestServer({
      clock,
      env: {
        SALESFORCE_CLIENT_ID: connectedApp.clientId,
        SALESFORCE_CLIENT_SECRET: connectedApp.clientSecret,
        SALESFORCE_LOGIN_URL: sandbox.url,
        SALESFORCE_JWT_PRIVATE_KEY: keys.privateKey,
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.stop();
  });

  it('links an org through the web-server flow, started from a signed settings call', async () => {
    const { id, portalId } = await anInstallation();
    const page = await connectWithBrowser(portalId);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Salesforce is connected');

    const installation = await getInstallationOrThrow(server.services.db, id);
    expect(installation).toMatchObject({
      salesforceOrgId: sandbox.control.defaultOrgId,
      salesforceInstanceUrl: sandbox.url,
      salesforceAuthKind: 'web_server',
    });
    const stored = await server.services.tokens.get(id, 'salesforce');
    expect(stored?.refreshToken).toBeDefined();
    const [row] = await server.services.db
      .select()
      .from(oauthTokens)
      .where(eq(oauthTokens.installationId, id));
    expect(JSON.stringify(row)).not.toContain(stored?.refreshToken ?? '-');

    const view = await server.fetchSigned({ path: '/api/v1/installation', portalId });
    expect(await view.json()).toMatchObject({
      salesforce: { orgId: sandbox.control.defaultOrgId, authKind: 'web_server' },
    });
  });

  it('refuses to link an org that belongs to another installation (409)', async () => {
    const { portalId } = await anInstallation();
    const page = await connectWithBrowser(portalId);
    expect(page.status).toBe(409);
    expect(await page.json()).toEqual({
      error: {
        code: 'conflict',
        message: 'this Salesforce org is already linked to another installation',
      },
    });
  });

  describe('with a connected org', () => {
    let installationId: string;
    let portalId: string;
    let orgId: string;

    beforeAll(async () => {
      const org = sandbox.control.createOrg({ name: 'Second org', demo: false });
      orgId = org.orgId;
      const admin = sandbox.control.registerJwtUser({ orgId, username: 'admin@second.example' });
      ({ id: installationId, portalId } = await anInstallation());
      const page = await connectWithBrowser(portalId, admin.username);
      expect(page.status).toBe(200);
    });

    it('queries and writes with Sforce-Call-Options client=partnerbridge', async () => {
      const connection = await server.services.salesforce?.forInstallation(installationId);
      if (connection === undefined) throw new Error('salesforce not configured');
      expect(connection.version).toBe('62.0');
      const created = await connection.sobject('Account').create({ Name: 'Acme Partners' });
      expect(created.success).toBe(true);
      const result = await connection.query<{ Id: string; Name: string }>(
        'SELECT Id, Name FROM Account',
      );
      expect(result.records.map((record) => record.Name)).toContain('Acme Partners');
      const write = sandbox.control.writeLog(orgId).find((entry) => entry.client !== null);
      expect(write?.client).toBe('partnerbridge');
      const metrics =
        await server.services.metrics.registry.getSingleMetricAsString('pb_crm_api_calls_total');
      expect(metrics).toMatch(
        new RegExp(`provider="salesforce",installation="${installationId}",status="20[01]"} [1-9]`),
      );
    });

    it('refreshes on 401 and persists the rotated refresh token', async () => {
      const connection = await server.services.salesforce?.forInstallation(installationId);
      if (connection === undefined) throw new Error('salesforce not configured');
      const before = await server.services.tokens.get(installationId, 'salesforce');
      sandbox.control.expireSessions({ orgId });
      const calls = tokenCalls();
      const result = await connection.query('SELECT Id FROM Account');
      expect(result.totalSize).toBeGreaterThan(0);
      expect(tokenCalls() - calls).toBe(1);
      const after = await server.services.tokens.get(installationId, 'salesforce');
      expect(after?.accessToken).not.toBe(before?.accessToken);
      expect(after?.refreshToken).not.toBe(before?.refreshToken);
      expect(after?.version).toBe((before?.version ?? 0) + 1);

      // The old refresh token was rotated away; a fresh connection uses the new one.
      sandbox.control.expireSessions({ orgId });
      const next = await server.services.salesforce?.forInstallation(installationId);
      expect((await next?.query('SELECT Id FROM Account'))?.totalSize).toBeGreaterThan(0);
    });

    it('shares one refresh between concurrent callers', async () => {
      const calls = tokenCalls();
      await Promise.all(
        Array.from({ length: 4 }, () => server.services.salesforce?.refresh(installationId)),
      );
      expect(tokenCalls() - calls).toBe(1);
    });

    it('disconnects: revokes, deletes tokens, unlinks', async () => {
      const stored = await server.services.tokens.get(installationId, 'salesforce');
      const response = await server.fetchSigned({
        method: 'DELETE',
        path: '/api/v1/installation/salesforce',
        portalId,
      });
      expect(response.status).toBe(204);
      expect(await server.services.tokens.get(installationId, 'salesforce')).toBeUndefined();
      const installation = await getInstallationOrThrow(server.services.db, installationId);
      expect(installation.salesforceOrgId).toBeNull();
      const refresh = await fetch(`${sandbox.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: stored?.refreshToken ?? '',
          client_id: connectedApp.clientId,
          client_secret: connectedApp.clientSecret,
        }),
      });
      expect(refresh.status).toBe(400);
    });
  });

  describe('JWT bearer (operators only)', () => {
    it('links an org for a pre-authorised user and refreshes by signing a new assertion', async () => {
      const org = sandbox.control.createOrg({ name: 'JWT org', demo: false });
      const user = sandbox.control.registerJwtUser({
        orgId: org.orgId,
        username: 'integration@jwt.example',
      });
      const { id } = await anInstallation();
      const path = `/admin/api/installations/${id}/salesforce/jwt`;
      const anonymous = await server.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: user.username }),
      });
      expect(anonymous.status).toBe(401);

      const response = await server.fetch(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        },
        body: JSON.stringify({ username: user.username }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        salesforce: { orgId: org.orgId, authKind: 'jwt_bearer' },
      });
      const stored = await server.services.tokens.get(id, 'salesforce');
      expect(stored?.refreshToken).toBeUndefined();

      sandbox.control.expireSessions({ orgId: org.orgId });
      const calls = tokenCalls();
      const connection = await server.services.salesforce?.forInstallation(id);
      expect((await connection?.query('SELECT Id FROM User'))?.totalSize).toBeGreaterThan(0);
      expect(tokenCalls() - calls).toBe(1);
    });

    it('answers 422 for a user the org has not pre-authorised', async () => {
      const { id } = await anInstallation();
      const response = await server.fetch(`/admin/api/installations/${id}/salesforce/jwt`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        },
        body: JSON.stringify({ username: 'nobody@nowhere.example' }),
      });
      expect(response.status).toBe(422);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
        'invalid_grant',
      );
    });
  });

  it('uses a link ticket once', async () => {
    const { portalId } = await anInstallation();
    const connect = await server.fetchSigned({
      method: 'POST',
      path: '/api/v1/installation/salesforce/connect',
      portalId,
    });
    const { url } = (await connect.json()) as { url: string };
    const browser = new TestBrowser([[TEST_PUBLIC_BASE_URL, server.url]]);
    expect((await browser.open(url, 0)).status).toBe(302);
    const again = await browser.open(url, 0);
    expect(again.status).toBe(400);
  });
});

describe('Salesforce not configured', () => {
  it('answers 422 when asked to connect an org', async () => {
    const server = await startTestServer();
    try {
      await upsertHubspotInstallation(server.services.db, {
        portalId: '8080',
        appId: TEST_HUBSPOT_APP.appId,
        hubDomain: undefined,
        scopes: [],
        installedBy: undefined,
      });
      const response = await server.fetchSigned({
        method: 'POST',
        path: '/api/v1/installation/salesforce/connect',
        portalId: '8080',
      });
      expect(response.status).toBe(422);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
        'SALESFORCE_CLIENT_ID',
      );
    } finally {
      await server.close();
    }
  });
});
