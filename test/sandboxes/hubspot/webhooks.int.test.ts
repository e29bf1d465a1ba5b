import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AssociationTypes } from '@hubspot/api-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ContractSandbox,
  type ReceivedWebhook,
  sdkClient,
  startContractSandbox,
  startWebhookReceiver,
  type WebhookReceiver,
} from './contract-harness.ts';
import type { WebhookSubscriptionInput } from './webhooks.ts';

// An independent reading of HubSpot's "Validate the v3 request signature" steps: reject
// timestamps older than five minutes, decode the listed percent-escapes in the URI, HMAC-SHA256
// the UTF-8 string method + URI + body + timestamp with the client secret, base64, and compare
// in constant time.
const escapesToDecode: [string, string][] = [
  ['%3A', ':'],
  ['%2F', '/'],
  ['%3F', '?'],
  ['%40', '@'],
  ['%21', '!'],
  ['%24', '$'],
  ['%27', "'"],
  ['%28', '('],
  ['%29', ')'],
  ['%2A', '*'],
  ['%2C', ','],
  ['%3B', ';'],
];

function verifyV3(request: ReceivedWebhook, clientSecret: string, now = Date.now()): boolean {
  const signature = String(request.headers['x-hubspot-signature-v3'] ?? '');
  const timestamp = String(request.headers['x-hubspot-request-timestamp'] ?? '');
  if (!/^\d+$/.test(timestamp) || now - Number(timestamp) > 5 * 60_000) return false;
  let uri = request.url;
  for (const [escaped, plain] of escapesToDecode) {
    uri = uri.split(escaped).join(plain).split(escaped.toLowerCase()).join(plain);
  }
  const expected = createHmac('sha256', clientSecret)
    .update(Buffer.from(`${request.method}${uri}${request.rawBody}${timestamp}`, 'utf8'))
    .digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const dealSubscriptions: WebhookSubscriptionInput[] = [
  { subscriptionType: 'object.creation', objectType: 'deal', active: true },
  {
    subscriptionType: 'object.propertyChange',
    objectType: 'deal',
    propertyName: 'dealstage',
    active: true,
  },
  {
    subscriptionType: 'object.propertyChange',
    objectType: 'deal',
    propertyName: 'amount',
    active: true,
  },
  { subscriptionType: 'object.deletion', objectType: 'deal', active: true },
  { subscriptionType: 'object.associationChange', objectType: 'deal', active: true },
  { subscriptionType: 'object.merge', objectType: 'company', active: true },
  {
    subscriptionType: 'object.propertyChange',
    objectType: 'company',
    propertyName: 'name',
    active: false,
  },
];

describe('HubSpot sandbox: webhooks', () => {
  let sandbox: ContractSandbox;
  let receiver: WebhookReceiver;
  let portalId: number;
  let accessToken: string;

  beforeAll(async () => {
    sandbox = await startContractSandbox({
      webhookRetry: {
        initialDelayMs: 20,
        multiplier: 2,
        maxDelayMs: 500,
        timeoutMs: 300,
        maxAttempts: 4,
      },
    });
    portalId = sandbox.control.createPortal();
    accessToken = sandbox.control.issueToken({ portalId }).accessToken;
  });

  beforeEach(async () => {
    receiver = await startWebhookReceiver('/hubspot/webhooks');
    sandbox.control.setWebhookTarget({
      targetUrl: `${receiver.url}?tenant=acme%3Aeu`,
      subscriptions: dealSubscriptions,
    });
  });

  afterEach(async () => {
    await sandbox.control.flushWebhooks();
    sandbox.control.clearWebhookFaults();
    await receiver.close();
    expect(sandbox.takeViolations()).toEqual([]);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const client = () => sdkClient(sandbox.url, accessToken);
  const appId = () => sandbox.control.app.appId;

  it('reports API writes as INTEGRATION events from our app, for subscribed properties only', async () => {
    const deal = await client().crm.deals.basicApi.create({
      properties: { dealname: 'Webhook deal', dealstage: 'qualifiedtobuy', amount: '10' },
      associations: [],
    });
    await sandbox.control.flushWebhooks();
    const events = receiver.events();
    expect(events.map((event) => [event.subscriptionType, event.propertyName]).sort()).toEqual([
      ['object.creation', undefined],
      ['object.propertyChange', 'amount'],
      ['object.propertyChange', 'dealstage'],
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        portalId,
        appId: appId(),
        objectId: Number(deal.id),
        objectTypeId: '0-3',
        changeSource: 'INTEGRATION',
        sourceId: String(appId()),
        attemptNumber: 0,
      });
      expect(event.eventId).toEqual(expect.any(Number));
      expect(event.subscriptionId).toEqual(expect.any(Number));
      expect(event.occurredAt).toEqual(expect.any(Number));
    }
    const stage = events.find((event) => event.propertyName === 'dealstage');
    expect(Object.keys(stage ?? {}).sort()).toEqual(
      [
        'appId',
        'attemptNumber',
        'changeSource',
        'eventId',
        'isSensitive',
        'objectId',
        'objectTypeId',
        'occurredAt',
        'portalId',
        'propertyName',
        'propertyValue',
        'sourceId',
        'subscriptionId',
        'subscriptionType',
      ].sort(),
    );
    expect(stage?.propertyValue).toBe('qualifiedtobuy');
  });

  it('sends a property change only when the value actually changes', async () => {
    const deal = await client().crm.deals.basicApi.create({
      properties: { dealname: 'Stable', amount: '5' },
      associations: [],
    });
    await sandbox.control.flushWebhooks();
    const before = receiver.events().length;
    await client().crm.deals.basicApi.update(deal.id, { properties: { amount: '5.0' } });
    await client().crm.deals.basicApi.update(deal.id, { properties: { dealname: 'Renamed' } });
    await sandbox.control.flushWebhooks();
    expect(receiver.events()).toHaveLength(before);
    await client().crm.deals.basicApi.update(deal.id, { properties: { amount: '6' } });
    await sandbox.control.flushWebhooks();
    expect(
      receiver
        .events()
        .slice(before)
        .map((event) => event.propertyValue),
    ).toEqual(['6']);
  });

  it('reports user edits in the CRM as CRM_UI with the user id', async () => {
    const deal = sandbox.control.userCreate(
      portalId,
      'deal',
      { dealname: 'By a user' },
      { userId: 1234 },
    );
    sandbox.control.userEdit(
      portalId,
      'deal',
      deal.id,
      { dealstage: 'closedwon' },
      { userId: 1234 },
    );
    await sandbox.control.flushWebhooks();
    const change = receiver.events().find((event) => event.propertyName === 'dealstage');
    expect(change).toMatchObject({
      changeSource: 'CRM_UI',
      sourceId: 'userId:1234',
      propertyValue: 'closedwon',
    });
    expect(
      receiver.events().find((event) => event.subscriptionType === 'object.creation'),
    ).toMatchObject({
      changeSource: 'CRM_UI',
    });
  });

  it('reports deletions, merges and association changes with their fields', async () => {
    const api = client().crm;
    const company = await api.companies.basicApi.create({
      properties: { name: 'Target' },
      associations: [],
    });
    const other = await api.companies.basicApi.create({
      properties: { name: 'Dupe', city: 'Rome' },
      associations: [],
    });
    const deal = await api.deals.basicApi.create({
      properties: { dealname: 'Associated' },
      associations: [],
    });
    await sandbox.control.flushWebhooks();
    const start = receiver.events().length;
    await api.associations.v4.basicApi.create('deals', deal.id, 'companies', company.id, [
      {
        associationCategory: 'HUBSPOT_DEFINED' as never,
        associationTypeId: AssociationTypes.primaryDealToCompany,
      },
    ]);
    sandbox.control.userMerge(portalId, 'company', company.id, other.id);
    await api.deals.basicApi.archive(deal.id);
    await sandbox.control.flushWebhooks();
    const events = receiver.events().slice(start);
    const associations = events.filter(
      (event) => event.subscriptionType === 'object.associationChange',
    );
    // Creating a primary association also creates the unlabeled one: two messages.
    expect(
      associations.map((event) => [event.associationType, event.isPrimaryAssociation]).sort(),
    ).toEqual([
      ['DEAL_TO_COMPANY', false],
      ['DEAL_TO_COMPANY', true],
    ]);
    expect(associations[0]).toMatchObject({
      fromObjectId: Number(deal.id),
      toObjectId: Number(company.id),
      associationRemoved: false,
      objectId: Number(deal.id),
      changeSource: 'INTEGRATION',
    });
    expect(events.find((event) => event.subscriptionType === 'object.merge')).toMatchObject({
      objectTypeId: '0-2',
      primaryObjectId: Number(company.id),
      mergedObjectIds: [Number(other.id)],
      newObjectId: Number(company.id),
      numberOfPropertiesMoved: 1,
      changeSource: 'CRM_UI',
    });
    expect(events.find((event) => event.subscriptionType === 'object.deletion')).toMatchObject({
      objectId: Number(deal.id),
      objectTypeId: '0-3',
    });
    expect(
      events.some(
        (event) =>
          event.subscriptionType === 'object.propertyChange' && event.objectTypeId === '0-2',
      ),
    ).toBe(false);
  });

  it('signs every request with v3 (checked independently) and v1', async () => {
    await client().crm.deals.basicApi.create({
      properties: { dealname: 'Signed' },
      associations: [],
    });
    await sandbox.control.flushWebhooks();
    expect(receiver.requests.length).toBeGreaterThan(0);
    const { clientSecret } = sandbox.control.app;
    for (const request of receiver.requests) {
      expect(request.method).toBe('POST');
      expect(request.url).toContain('tenant=acme%3Aeu');
      expect(request.headers['content-type']).toContain('application/json');
      expect(verifyV3(request, clientSecret)).toBe(true);
      expect(verifyV3({ ...request, rawBody: `${request.rawBody} ` }, clientSecret)).toBe(false);
      expect(verifyV3(request, 'another-secret')).toBe(false);
      expect(
        verifyV3(
          request,
          clientSecret,
          Number(request.headers['x-hubspot-request-timestamp']) + 5 * 60_000 + 1,
        ),
      ).toBe(false);
      expect(request.headers['x-hubspot-signature-version']).toBe('v1');
      expect(request.headers['x-hubspot-signature']).toBe(
        createHash('sha256').update(`${clientSecret}${request.rawBody}`).digest('hex'),
      );
    }
  });

  it('batches at most 100 events per request', async () => {
    const inputs = (count: number, prefix: string) =>
      Array.from({ length: count }, (_, i) => ({
        properties: { dealname: `${prefix} ${i}` },
        associations: [],
      }));
    await client().crm.deals.batchApi.create({ inputs: inputs(100, 'First') });
    await client().crm.deals.batchApi.create({ inputs: inputs(60, 'Second') });
    await sandbox.control.flushWebhooks();
    const sizes = receiver.requests.map((request) => request.events.length);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(160);
    expect(Math.max(...sizes)).toBe(100);
  });

  it('delivers after the API answers: a slow subscriber does not slow the API down', async () => {
    receiver.respondWith(() => ({ status: 200, delayMs: 200 }));
    const started = performance.now();
    await client().crm.deals.basicApi.create({
      properties: { dealname: 'Fast answer' },
      associations: [],
    });
    expect(performance.now() - started).toBeLessThan(150);
    await sandbox.control.flushWebhooks();
    expect(receiver.requests).toHaveLength(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('retries with exponential backoff when the subscriber answers with an error', async () => {
    receiver.respondWith((_request, index) => ({ status: index < 2 ? 503 : 204 }));
    await client().crm.deals.basicApi.create({
      properties: { dealname: 'Retried' },
      associations: [],
    });
    await sandbox.control.flushWebhooks();
    expect(receiver.requests.map((request) => request.events[0]?.attemptNumber)).toEqual([0, 1, 2]);
    const ids = receiver.requests.map((request) =>
      request.events.map((event) => event.eventId).join(),
    );
    expect(new Set(ids).size).toBe(1);
    const [first, second, third] = receiver.requests.map((request) => request.receivedAt);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(15);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(35);
    for (const request of receiver.requests)
      expect(verifyV3(request, sandbox.control.app.clientSecret)).toBe(true);
  });

  it('retries when the subscriber is too slow or drops the connection', async () => {
    receiver.respondWith((_request, index) =>
      index === 0 ? { delayMs: 600 } : index === 1 ? { drop: true } : {},
    );
    await client().crm.deals.basicApi.create({
      properties: { dealname: 'Slow then dropped' },
      associations: [],
    });
    await sandbox.control.flushWebhooks();
    expect(receiver.requests.map((request) => request.events[0]?.attemptNumber)).toEqual([0, 1, 2]);
    expect(
      sandbox.control
        .webhookDeliveries()
        .slice(-3)
        .map((delivery) => delivery.outcome),
    ).toEqual(['timeout', 'connection-error', 200]);
  });

  it('gives up after the configured number of attempts', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const before = sandbox.control.webhookStats().batchesExhausted;
    await client().crm.deals.basicApi.create({
      properties: { dealname: 'Never accepted' },
      associations: [],
    });
    await sandbox.control.flushWebhooks();
    expect(receiver.requests).toHaveLength(4);
    expect(sandbox.control.webhookStats().batchesExhausted).toBe(before + 1);
  });

  it('keeps at most maxConcurrentRequests deliveries in flight', async () => {
    sandbox.control.setWebhookTarget({
      targetUrl: receiver.url,
      subscriptions: [{ subscriptionType: 'object.creation', objectType: 'deal', active: true }],
      maxConcurrentRequests: 2,
    });
    receiver.respondWith(() => ({ status: 200, delayMs: 150 }));
    for (let batch = 0; batch < 5; batch++) {
      await client().crm.deals.batchApi.create({
        inputs: Array.from({ length: 100 }, (_, i) => ({
          properties: { dealname: `C${batch}-${i}` },
          associations: [],
        })),
      });
    }
    await sandbox.control.flushWebhooks();
    expect(receiver.requests).toHaveLength(5);
    expect(receiver.concurrency().max).toBe(2);
  });

  it('duplicates events on request: same eventId delivered twice', async () => {
    sandbox.control.setWebhookFaults({ duplicateRate: 1 });
    await client().crm.deals.basicApi.create({
      properties: { dealname: 'Twice' },
      associations: [],
    });
    await sandbox.control.flushWebhooks();
    const counts = new Map<number, number>();
    for (const event of receiver.events())
      counts.set(event.eventId, (counts.get(event.eventId) ?? 0) + 1);
    expect([...counts.values()].every((count) => count === 2)).toBe(true);
    expect(sandbox.control.webhookStats().duplicated).toBeGreaterThanOrEqual(1);
  });

  it('reorders events on request', async () => {
    sandbox.control.setWebhookTarget({
      targetUrl: receiver.url,
      subscriptions: [{ subscriptionType: 'object.creation', objectType: 'deal', active: true }],
    });
    sandbox.control.setWebhookFaults({ reorder: true });
    const created = await client().crm.deals.batchApi.create({
      inputs: Array.from({ length: 40 }, (_, i) => ({
        properties: { dealname: `Order ${i}` },
        associations: [],
      })),
    });
    await sandbox.control.flushWebhooks();
    const delivered = receiver.events().map((event) => event.objectId);
    const inWriteOrder = created.results.map((deal) => Number(deal.id));
    expect([...delivered].sort()).toEqual([...inWriteOrder].sort());
    expect(delivered).not.toEqual(inWriteOrder);
  });

  it('loses events on request, and reports them as dropped', async () => {
    sandbox.control.setWebhookFaults({ dropRate: 1 });
    const before = sandbox.control.webhookStats().dropped;
    await client().crm.deals.basicApi.create({
      properties: { dealname: 'Lost' },
      associations: [],
    });
    await sandbox.control.flushWebhooks();
    expect(receiver.requests).toHaveLength(0);
    expect(sandbox.control.webhookStats().dropped).toBeGreaterThan(before);
  });

  it('sends nothing for portals without the app installed, or for inactive subscriptions', async () => {
    const other = sandbox.control.createPortal();
    sandbox.control.userCreate(other, 'deal', {
      dealname: 'Not installed here',
      dealstage: 'closedwon',
    });
    const company = sandbox.control.userCreate(portalId, 'company', { name: 'Quiet' });
    sandbox.control.userEdit(portalId, 'company', company.id, { name: 'Still quiet' });
    await sandbox.control.flushWebhooks();
    expect(receiver.requests).toHaveLength(0);
  });
});
