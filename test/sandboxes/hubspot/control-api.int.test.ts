import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseHubspotCliArgs } from './cli.ts';
import {
  type ContractSandbox,
  sdkClient,
  startContractSandbox,
  startWebhookReceiver,
  type WebhookReceiver,
} from './contract-harness.ts';

// The control API over HTTP (/_control) for the demo and other processes. It never counts as
// API traffic, and user actions through it look like edits in HubSpot's UI.

describe('HubSpot sandbox: control API over HTTP', () => {
  let sandbox: ContractSandbox;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sandbox = await startContractSandbox();
    receiver = await startWebhookReceiver();
  });

  afterEach(() => {
    expect(sandbox.takeViolations()).toEqual([]);
  });

  afterAll(async () => {
    await sandbox.stop();
    await receiver.close();
  });

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${sandbox.url}/_control${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  it('creates a seeded portal, mints a token and acts as a user, without counting as API calls', async () => {
    const created = await call<{ portalId: number }>('POST', '/portals', {
      name: 'Over HTTP',
      demo: { deals: 120, asOf: '2026-11-01' },
    });
    expect(created.status).toBe(201);
    const { portalId } = created.body;
    const token = await call<{ accessToken: string; refreshToken: string; expiresAt: number }>(
      'POST',
      '/tokens',
      {
        portalId,
      },
    );
    expect(token.body.accessToken).toMatch(/^CK/);

    const subscriptions = await call<{ subscriptions: { id: number }[] }>(
      'PUT',
      '/webhooks/target',
      {
        targetUrl: receiver.url,
        subscriptions: [
          {
            subscriptionType: 'object.propertyChange',
            objectType: 'deal',
            propertyName: 'dealstage',
            active: true,
          },
        ],
      },
    );
    expect(subscriptions.body.subscriptions[0]?.id).toEqual(expect.any(Number));

    sandbox.control.resetRequests();
    const deals = await call<{ results: { id: string }[] }>(
      'GET',
      `/portals/${portalId}/objects/deals`,
    );
    const dealId = deals.body.results[0]?.id ?? '';
    const edited = await call<{ properties: Record<string, string> }>(
      'PATCH',
      `/portals/${portalId}/objects/deal/${dealId}`,
      {
        properties: { dealstage: 'closedlost' },
        userId: 555,
      },
    );
    expect(edited.body.properties.dealstage).toBe('closedlost');
    const flushed = await call<{ requestsSucceeded: number }>('POST', '/webhooks/flush');
    expect(flushed.body.requestsSucceeded).toBeGreaterThanOrEqual(1);
    expect(receiver.events()).toEqual([
      expect.objectContaining({
        objectId: Number(dealId),
        changeSource: 'CRM_UI',
        sourceId: 'userId:555',
        propertyValue: 'closedlost',
      }),
    ]);
    expect((await call<{ total: number }>('GET', '/requests')).body.total).toBe(0);

    const read = await sdkClient(sandbox.url, token.body.accessToken).crm.deals.basicApi.getById(
      dealId,
      ['dealstage'],
    );
    expect(read.properties.dealstage).toBe('closedlost');
  });

  it('seeds a demo program into an existing portal and returns the ids by demo key', async () => {
    const { body } = await call<{ portalId: number }>('POST', '/portals', {});
    const seeded = await call<{ companies: Record<string, string>; deals: Record<string, string> }>(
      'POST',
      `/portals/${body.portalId}/seed-demo`,
      { deals: 80, seed: 3, asOf: '2026-11-01' },
    );
    expect(seeded.status).toBe(201);
    expect(seeded.body.companies['partner-0001']).toMatch(/^1\d{13}$/);
    expect(Object.values(seeded.body.deals).every((id) => /^3\d{13}$/.test(id))).toBe(true);
    const dealId = Object.values(seeded.body.deals)[0] ?? '';
    const associations = await call<{ results: { toObjectId: string }[] }>(
      'GET',
      `/portals/${body.portalId}/associations/deal/${dealId}`,
    );
    expect(associations.body.results.length).toBeGreaterThanOrEqual(1);
  });

  it('associates, merges and archives as a user', async () => {
    const { body } = await call<{ portalId: number }>('POST', '/portals', {});
    const portal = body.portalId;
    const company = await call<{ id: string }>('POST', `/portals/${portal}/objects/companies`, {
      properties: { name: 'Keep' },
    });
    const dupe = await call<{ id: string }>('POST', `/portals/${portal}/objects/companies`, {
      properties: { name: 'Dupe' },
    });
    const deal = await call<{ id: string }>('POST', `/portals/${portal}/objects/deals`, {
      properties: { dealname: 'D' },
    });
    const associated = await call('POST', `/portals/${portal}/associations`, {
      fromObjectType: 'deal',
      fromId: deal.body.id,
      toId: dupe.body.id,
      label: 'primary',
    });
    expect(associated.status).toBe(204);
    const merged = await call<{ id: string }>('POST', `/portals/${portal}/objects/company/merge`, {
      primaryObjectId: company.body.id,
      objectIdToMerge: dupe.body.id,
    });
    expect(merged.body.id).toBe(company.body.id);
    const links = await call<{ results: { toObjectId: string }[] }>(
      'GET',
      `/portals/${portal}/associations/deal/${deal.body.id}`,
    );
    expect(links.body.results.map((link) => link.toObjectId)).toEqual([company.body.id]);
    expect((await call('DELETE', `/portals/${portal}/objects/deal/${deal.body.id}`)).status).toBe(
      204,
    );
    expect((await call('GET', `/portals/${portal}/objects/deal/${deal.body.id}`)).status).toBe(404);
    expect(
      (await call('GET', `/portals/${portal}/objects/deal/${deal.body.id}?archived=true`)).status,
    ).toBe(200);
  });

  it('answers bad control input with HubSpot-shaped 400s', async () => {
    const bad = await call<{ category: string }>('POST', '/portals/1/objects/tickets', {
      properties: {},
    });
    expect(bad.status).toBe(400);
    expect(bad.body.category).toBe('VALIDATION_ERROR');
    const invalid = await call<{ message: string }>('PATCH', '/portals/1/objects/deal/1', {
      properties: 'x',
    });
    expect(invalid.status).toBe(400);
  });

  it('parses the standalone runner arguments', () => {
    expect(parseHubspotCliArgs(['--port', '0', '--deals', '50', '--as-of', '2026-11-01'])).toEqual({
      port: 0,
      deals: 50,
      seed: 2026,
      asOf: '2026-11-01T00:00:00.000Z',
      app: undefined,
    });
    expect(() => parseHubspotCliArgs(['--client-id', 'only-half'])).toThrow(/go together/);
  });
});
