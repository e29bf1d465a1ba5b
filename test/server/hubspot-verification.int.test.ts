import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SIGNATURE_MAX_AGE_MS } from '../../server/src/http/hubspot-signature.ts';
import { defineRoute } from '../../server/src/http/route.ts';
import { appRoutes } from '../../server/src/http/routes.ts';
import {
  findInstallation,
  markUninstalled,
  upsertHubspotInstallation,
} from '../../server/src/installs/installations.ts';
import { testDatabaseDrivers } from '../support/database.ts';
import { hubspotSignatureV3 } from '../support/hubspot-signing.ts';
import {
  manualClock,
  startTestServer,
  TEST_HUBSPOT_APP,
  TEST_PUBLIC_BASE_URL,
  type TestServer,
} from '../support/server.ts';

// A webhook receiver for this test only: the real one belongs to the sync engine.
const webhookProbe = defineRoute({
  method: 'post',
  path: '/test/webhooks',
  summary: 'webhook probe',
  auth: 'hubspot-webhook',
  bodySchema: z.array(z.unknown()),
  responseSchema: z.strictObject({ portals: z.array(z.string()), kept: z.int(), ignored: z.int() }),
  handler: async (_input, { webhook }) => ({
    portals: [...webhook.installations.keys()].sort(),
    kept: webhook.events.length,
    ignored: webhook.ignoredEvents,
  }),
});

const PORTAL_A = '1001';
const PORTAL_B = '2002';

describe.each(testDatabaseDrivers())('verified HubSpot requests [%s]', (driver) => {
  const clock = manualClock(Date.UTC(2026, 0, 15, 12));
  let server: TestServer;
  let installationA: string;
  let installationB: string;

  const installationOf = async (response: Response) =>
    (await response.json()) as { installationId: string; hubspot: { portalId: string } };

  beforeAll(async () => {
    server = await startTestServer({ clock, driver, routes: [...appRoutes, webhookProbe] });
    const install = (portalId: string) =>
      upsertHubspotInstallation(server.services.db, {
        portalId,
        appId: TEST_HUBSPOT_APP.appId,
        hubDomain: `portal-${portalId}.example.com`,
        scopes: ['oauth'],
        installedBy: undefined,
      });
    installationA = (await install(PORTAL_A)).id;
    installationB = (await install(PORTAL_B)).id;
  });
  afterAll(async () => {
    await server.close();
  });

  it('resolves the installation from the signed portalId', async () => {
    const response = await server.fetchSigned({
      path: '/api/v1/installation',
      portalId: PORTAL_A,
      appId: TEST_HUBSPOT_APP.appId,
      userId: '77',
    });
    expect(response.status).toBe(200);
    const body = await installationOf(response);
    expect(body).toMatchObject({ installationId: installationA, hubspot: { portalId: PORTAL_A } });
  });

  it('signs against PUBLIC_BASE_URL, whatever Host or X-Forwarded-* the request carries', async () => {
    const response = await server.fetchSigned({
      path: '/api/v1/installation',
      portalId: PORTAL_B,
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
    });
    expect(response.status).toBe(200);
    expect((await installationOf(response)).installationId).toBe(installationB);

    // HubSpot signs the public https URL; a signature over the loopback URL is not valid.
    const path = `/api/v1/installation?portalId=${PORTAL_B}`;
    const timestamp = String(clock.now());
    const signature = await hubspotSignatureV3({
      method: 'GET',
      uri: `${server.url}${path}`,
      body: '',
      timestamp,
      clientSecret: TEST_HUBSPOT_APP.clientSecret,
    });
    const local = await server.fetch(path, {
      headers: { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': timestamp },
    });
    expect(local.status).toBe(401);
  });

  describe('refuses with 401 and touches nothing', () => {
    const expect401 = async (response: Response, message: RegExp) => {
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toMatch(/invalid_signature|unauthorized/);
      expect(body.error.message).toMatch(message);
    };

    it('an unsigned request, even one naming a portal', async () => {
      const response = await server.fetch(`/api/v1/installation?portalId=${PORTAL_A}`, {
        method: 'DELETE',
      });
      await expect401(response, /missing X-HubSpot-Signature-v3/);
      const installation = await findInstallation(server.services.db, installationA);
      expect(installation?.status).toBe('active');
    });

    it('a request without a timestamp', async () => {
      const response = await server.fetchSigned({
        path: '/api/v1/installation',
        portalId: PORTAL_A,
        headers: { 'X-HubSpot-Request-Timestamp': '' },
      });
      await expect401(response, /missing X-HubSpot-Request-Timestamp/);
    });

    it.each([
      ['stale', -SIGNATURE_MAX_AGE_MS - 1],
      ['future', SIGNATURE_MAX_AGE_MS + 1],
    ])('a %s timestamp', async (_name, offset) => {
      const response = await server.fetchSigned({
        path: '/api/v1/installation',
        portalId: PORTAL_A,
        timestamp: clock.now() + offset,
      });
      await expect401(response, /5-minute window/);
    });

    it('a signature made with another secret (a foreign app)', async () => {
      const response = await server.fetchSigned({
        path: '/api/v1/installation',
        portalId: PORTAL_A,
        clientSecret: 'another-apps-secret',
      });
      await expect401(response, /signature does not match/);
    });

    it('a tampered URL: the portal swapped after signing', async () => {
      const signed = await server.fetchSigned({ path: '/api/v1/installation', portalId: PORTAL_A });
      expect(signed.status).toBe(200);
      const timestamp = String(clock.now());
      const signature = await hubspotSignatureV3({
        method: 'GET',
        uri: `${TEST_PUBLIC_BASE_URL}/api/v1/installation?portalId=${PORTAL_A}`,
        body: '',
        timestamp,
        clientSecret: TEST_HUBSPOT_APP.clientSecret,
      });
      const response = await server.fetch(`/api/v1/installation?portalId=${PORTAL_B}`, {
        headers: { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': timestamp },
      });
      await expect401(response, /signature does not match/);
    });

    it('a tampered body and a changed method', async () => {
      const timestamp = String(clock.now());
      const path = `/api/v1/installation/salesforce/connect?portalId=${PORTAL_A}`;
      const signature = await hubspotSignatureV3({
        method: 'POST',
        uri: `${TEST_PUBLIC_BASE_URL}${path}`,
        body: '{"a":1}',
        timestamp,
        clientSecret: TEST_HUBSPOT_APP.clientSecret,
      });
      const headers = {
        'X-HubSpot-Signature-v3': signature,
        'X-HubSpot-Request-Timestamp': timestamp,
        'Content-Type': 'application/json',
      };
      await expect401(
        await server.fetch(path, { method: 'POST', headers, body: '{"a":2}' }),
        /does not match/,
      );
      const getPath = `/api/v1/installation?portalId=${PORTAL_A}`;
      const getSignature = await hubspotSignatureV3({
        method: 'GET',
        uri: `${TEST_PUBLIC_BASE_URL}${getPath}`,
        body: '',
        timestamp,
        clientSecret: TEST_HUBSPOT_APP.clientSecret,
      });
      await expect401(
        await server.fetch(getPath, {
          method: 'DELETE',
          headers: {
            'X-HubSpot-Signature-v3': getSignature,
            'X-HubSpot-Request-Timestamp': timestamp,
          },
        }),
        /does not match/,
      );
      expect((await findInstallation(server.services.db, installationA))?.status).toBe('active');
    });

    it('a signed request that names no portal, two portals, or another app', async () => {
      await expect401(
        await server.fetchSigned({ path: '/api/v1/installation' }),
        /names no portalId/,
      );
      const twoPortals = `/api/v1/installation?portalId=${PORTAL_A}&portalId=${PORTAL_B}`;
      const timestamp = String(clock.now());
      const signature = await hubspotSignatureV3({
        method: 'GET',
        uri: `${TEST_PUBLIC_BASE_URL}${twoPortals}`,
        body: '',
        timestamp,
        clientSecret: TEST_HUBSPOT_APP.clientSecret,
      });
      await expect401(
        await server.fetch(twoPortals, {
          headers: {
            'X-HubSpot-Signature-v3': signature,
            'X-HubSpot-Request-Timestamp': timestamp,
          },
        }),
        /names no portalId/,
      );
      await expect401(
        await server.fetchSigned({ path: '/api/v1/installation', portalId: PORTAL_A, appId: 9999 }),
        /another app/,
      );
    });
  });

  describe('tenant isolation', () => {
    it('ignores ids a caller sends outside the signed portal', async () => {
      const response = await server.fetchSigned({
        path: `/api/v1/installation?installationId=${installationB}`,
        portalId: PORTAL_A,
        headers: { 'x-hubspot-portal-id': PORTAL_B },
      });
      expect(response.status).toBe(200);
      expect((await installationOf(response)).installationId).toBe(installationA);
    });

    it('answers 403 for a portal that has not installed, and after uninstall', async () => {
      const foreign = await server.fetchSigned({ path: '/api/v1/installation', portalId: '3003' });
      expect(foreign.status).toBe(403);
      expect(await foreign.json()).toEqual({
        error: { code: 'not_installed', message: 'portal 3003 has not installed Partnerbridge' },
      });

      const uninstalled = await upsertHubspotInstallation(server.services.db, {
        portalId: '4004',
        appId: TEST_HUBSPOT_APP.appId,
        hubDomain: undefined,
        scopes: [],
        installedBy: undefined,
      });
      await markUninstalled(server.services.db, uninstalled.id);
      const after = await server.fetchSigned({ path: '/api/v1/installation', portalId: '4004' });
      expect(after.status).toBe(403);
    });
  });

  describe('webhook batches', () => {
    const event = (portalId: number, appId = Number(TEST_HUBSPOT_APP.appId)) => ({
      eventId: 1,
      subscriptionId: 2,
      portalId,
      appId,
      occurredAt: clock.now(),
      subscriptionType: 'deal.propertyChange',
      attemptNumber: 0,
      objectId: 123,
      propertyName: 'amount',
      propertyValue: '100',
      changeSource: 'CRM_UI',
    });

    const postWebhook = async (body: unknown, secret: string = TEST_HUBSPOT_APP.clientSecret) => {
      const raw = JSON.stringify(body);
      const timestamp = String(clock.now());
      const signature = await hubspotSignatureV3({
        method: 'POST',
        uri: `${TEST_PUBLIC_BASE_URL}/test/webhooks`,
        body: raw,
        timestamp,
        clientSecret: secret,
      });
      return server.fetch('/test/webhooks', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-HubSpot-Signature-v3': signature,
          'X-HubSpot-Request-Timestamp': timestamp,
        },
        body: raw,
      });
    };

    it('takes the tenants from the signed body and drops portals without an installation', async () => {
      const response = await postWebhook([event(1001), event(2002), event(3003)]);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ portals: [PORTAL_A, PORTAL_B], kept: 2, ignored: 1 });
    });

    it('refuses batches of another app, of no installed portal, or with a bad signature', async () => {
      expect((await postWebhook([event(1001, 777)])).status).toBe(401);
      expect((await postWebhook([event(3003)])).status).toBe(403);
      expect((await postWebhook([event(1001)], 'wrong-secret')).status).toBe(401);
      const malformed = await postWebhook([{ portalId: 'x' }]);
      expect(malformed.status).toBe(400);
    });
  });
});

describe('per-installation rate limit', () => {
  it('answers 429 in the error shape for one portal without slowing another', async () => {
    const server = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      for (const portalId of [PORTAL_A, PORTAL_B]) {
        await upsertHubspotInstallation(server.services.db, {
          portalId,
          appId: TEST_HUBSPOT_APP.appId,
          hubDomain: undefined,
          scopes: [],
          installedBy: undefined,
        });
      }
      const call = (portalId: string) =>
        server.fetchSigned({ path: '/api/v1/installation', portalId });
      expect((await call(PORTAL_A)).status).toBe(200);
      expect((await call(PORTAL_A)).status).toBe(200);
      const limited = await call(PORTAL_A);
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe(
        'rate_limited',
      );
      expect((await call(PORTAL_B)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
