import { salesforceOpportunityStages, tierValues } from '@partnerbridge/shared/crm-fields';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProgram } from '../seed/demo-program.ts';
import { connect, raw } from './contract-helpers.ts';
import { type SalesforceSandbox, startSalesforceSandbox } from './index.ts';

// The demo org: Partnerbridge's fields provisioned, the neutral demo program rendered into
// Accounts and Opportunities with HubSpot links, deterministically; and the control API over HTTP.

const asOf = '2026-06-01T00:00:00.000Z';
const program = generateDemoProgram({ deals: 400, seed: 7, asOf });
const hubspotIds = {
  companies: new Map(
    [...program.partners, ...program.customers].map((c, i) => [c.key, `hs-company-${i + 1}`]),
  ),
  deals: new Map(program.deals.map((d, i) => [d.key, `hs-deal-${i + 1}`])),
};
let sandbox: SalesforceSandbox;
let orgId: string;
let seeded: { accounts: Map<string, string>; opportunities: Map<string, string> };

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ demo: false, clock: () => Date.parse(asOf) });
  orgId = sandbox.control.createOrg({ name: 'Demo' }).orgId;
  seeded = sandbox.control.seedDemo(orgId, program, hubspotIds);
});

afterAll(async () => {
  await sandbox.stop();
});

const records = (sobject: string) => sandbox.control.listRecords(orgId, sobject);

describe('demo seeding', () => {
  it('renders partners and present customers as Accounts, absent ones skipped', () => {
    const present = program.customers.filter((c) => c.salesforce !== 'absent');
    expect(seeded.accounts.size).toBe(program.partners.length + present.length);
    const absent = program.customers.find((c) => c.salesforce === 'absent');
    expect(absent === undefined || !seeded.accounts.has(absent.key)).toBe(true);
    const partners = records('Account').filter((a) => a.PB_Is_Partner__c === true);
    expect(partners).toHaveLength(program.partners.length);
    expect(new Set(partners.map((p) => p.PB_Partner_Tier__c))).toEqual(new Set(tierValues));
    expect(new Set(partners.map((p) => p.PB_Partner_Type__c))).toEqual(
      new Set(['technology', 'channel', 'strategic', 'content']),
    );
  });

  it('links linked companies by HubSpot id and leaves unlinked ones matchable by name and website', () => {
    const byId = new Map(records('Account').map((a) => [a.Id, a]));
    for (const customer of program.customers) {
      const id = seeded.accounts.get(customer.key);
      if (id === undefined) continue;
      const account = byId.get(id);
      expect(account?.Name).toBe(customer.name);
      expect(account?.Website).toBe(`https://${customer.domain}`);
      expect(account?.PB_HubSpot_Company_Id__c).toBe(
        customer.salesforce === 'linked' ? hubspotIds.companies.get(customer.key) : null,
      );
    }
  });

  it('renders deals present in Salesforce as Opportunities in every stage and currency', () => {
    const expected = program.deals.filter((d) => d.presence !== 'hubspot');
    expect(seeded.opportunities.size).toBe(expected.length);
    const opportunities = records('Opportunity');
    const stages = new Set(opportunities.map((o) => o.StageName));
    expect(stages).toEqual(new Set(expected.map((d) => d.salesforceStage)));
    expect(stages.has('Closed Won') && stages.has('Closed Lost')).toBe(true);
    const known = new Set<unknown>(salesforceOpportunityStages.map((s) => s.name));
    expect([...stages].every((stage) => known.has(stage))).toBe(true);
    expect(new Set(opportunities.map((o) => o.CurrencyIsoCode))).toEqual(
      new Set(['USD', 'EUR', 'GBP', 'CAD', 'JPY']),
    );
    const byId = new Map(opportunities.map((o) => [o.Id, o]));
    for (const deal of expected) {
      const opp = byId.get(seeded.opportunities.get(deal.key));
      expect(opp).toMatchObject({
        Name: deal.name,
        StageName: deal.salesforceStage,
        CloseDate: deal.closeDate,
        CurrencyIsoCode: deal.currency,
        AccountId: seeded.accounts.get(deal.customerKey),
        Type: deal.dealType === 'newbusiness' ? 'New Customer' : 'Existing Customer - Upgrade',
        PB_HubSpot_Deal_Id__c: deal.presence === 'both' ? hubspotIds.deals.get(deal.key) : null,
      });
      expect(opp?.Amount).toBe(deal.amountMinor / (deal.currency === 'JPY' ? 1 : 100));
      const tag = deal.tags.find((t) => t.role === 'sourced') ?? deal.tags[0];
      expect(opp?.PB_Partner_Account__c).toBe(
        tag === undefined ? null : seeded.accounts.get(tag.partnerKey),
      );
      expect(opp?.PB_Partner_Role__c).toBe(tag?.role ?? null);
      expect(opp?.CreatedDate).toBe(deal.createdAt.replace('Z', '+0000'));
    }
  });

  it('is deterministic: the same program gives the same records in a new sandbox', async () => {
    const other = await startSalesforceSandbox({ demo: false, clock: () => Date.parse(asOf) });
    try {
      const otherOrg = other.control.createOrg({ name: 'Demo' }).orgId;
      other.control.seedDemo(otherOrg, program, hubspotIds);
      expect(other.control.listRecords(otherOrg, 'Opportunity')).toEqual(records('Opportunity'));
      expect(other.control.listRecords(otherOrg, 'Account')).toEqual(records('Account'));
    } finally {
      await other.stop();
    }
  });

  it('seeds the default org with a few thousand deals unless told otherwise', async () => {
    const started = Date.now();
    const standard = await startSalesforceSandbox({ clock: () => Date.parse(asOf) });
    try {
      const [org] = standard.control.listOrgs();
      expect(org?.counts.opportunities).toBeGreaterThan(1_500);
      const { conn } = connect(standard);
      const count = await conn.query(
        'SELECT COUNT() FROM Opportunity WHERE PB_Partner_Account__c != null',
      );
      expect(count.totalSize).toBeGreaterThan(500);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await standard.stop();
    }
  });
});

describe('control API over HTTP', () => {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sandbox.url}/_control${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    };
  };

  it('creates orgs, issues tokens, edits as a user and reads without API calls', async () => {
    const org = (await call('POST', '/orgs', { name: 'Over HTTP', demo: { deals: 20, asOf } }))
      .body as {
      orgId: string;
      counts: { opportunities: number };
    };
    expect(org.counts.opportunities).toBeGreaterThan(0);
    const token = (await call('POST', `/orgs/${org.orgId}/tokens`, {})).body as {
      accessToken: string;
      instanceUrl: string;
    };
    expect(token.instanceUrl).toBe(sandbox.url);
    const created = (
      await call('POST', `/orgs/${org.orgId}/sobjects/Account`, { Name: 'Typed in the UI' })
    ).body as { id: string };
    expect(
      (
        await call('PATCH', `/orgs/${org.orgId}/sobjects/Account/${created.id}`, {
          Industry: 'Retail',
        })
      ).status,
    ).toBe(204);
    const before = ((await call('GET', `/orgs/${org.orgId}/api-usage`)).body as { used: number })
      .used;
    const record = (await call('GET', `/orgs/${org.orgId}/sobjects/Account/${created.id}`))
      .body as Record<string, unknown>;
    expect(record).toMatchObject({ Name: 'Typed in the UI', Industry: 'Retail' });
    expect(
      ((await call('GET', `/orgs/${org.orgId}/api-usage`)).body as { used: number }).used,
    ).toBe(before);
    const rest = await raw(
      sandbox,
      token.accessToken,
      'GET',
      `/services/data/v62.0/sobjects/Account/${created.id}`,
    );
    expect((rest.body as { LastModifiedById: string }).LastModifiedById).toBe(
      sandbox.control.listOrgs().find((o) => o.orgId === org.orgId)?.users.admin,
    );
  });

  it('answers validation errors with their Salesforce code and bad bodies with 400', async () => {
    const failure = await call('POST', `/orgs/${orgId}/sobjects/Opportunity`, { Name: 'No stage' });
    expect(failure.status).toBe(400);
    expect(failure.body).toMatchObject({ error: { code: 'REQUIRED_FIELD_MISSING' } });
    const invalid = await call('PUT', '/faults', { rates: { serverErrorRate: 7 } });
    expect(invalid.status).toBe(400);
  });

  it('sets faults, locks, limits and seeds over HTTP', async () => {
    expect(
      (await call('PUT', '/faults', { script: [{ action: { kind: 'latency', ms: 1 } }] })).status,
    ).toBe(204);
    expect((await call('DELETE', '/faults')).status).toBe(204);
    expect((await call('PUT', `/orgs/${orgId}/api-limit`, { dailyApiRequests: 50 })).status).toBe(
      204,
    );
    expect((await call('GET', `/orgs/${orgId}/api-usage`)).body).toMatchObject({ limit: 50 });
    const fresh = (await call('POST', '/orgs', { name: 'Seeded over HTTP' })).body as {
      orgId: string;
    };
    const result = (
      await call('POST', `/orgs/${fresh.orgId}/seed-demo`, {
        deals: 30,
        asOf,
        hubspotIds: { deals: { 'deal-000001': '9001' } },
      })
    ).body as { accounts: Record<string, string>; opportunities: Record<string, string> };
    expect(Object.keys(result.opportunities).length).toBeGreaterThan(0);
  });
});
