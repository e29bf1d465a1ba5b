import { AssociationTypes } from '@hubspot/api-client';
import {
  demoCurrencies,
  hubspotDefaultPipeline,
  partnerTypeValues,
  tierValues,
} from '@partnerbridge/shared/crm-fields';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProgram } from '../seed/demo-program.ts';
import {
  type ContractSandbox,
  manualClock,
  sdkClient,
  startContractSandbox,
} from './contract-harness.ts';
import type { PublicObject } from './object-views.ts';

const asOf = '2026-11-01T00:00:00.000Z';

describe('HubSpot sandbox: demo seeding', () => {
  let sandbox: ContractSandbox;
  let twin: ContractSandbox;

  beforeAll(async () => {
    const start = Date.parse('2026-11-02T08:00:00.000Z');
    sandbox = await startContractSandbox({
      clock: manualClock(start).fn,
      seed: 7,
      demo: { deals: 3000, asOf },
    });
    twin = await startContractSandbox({
      clock: manualClock(start).fn,
      seed: 7,
      demo: { deals: 3000, asOf },
    });
  });

  afterAll(async () => {
    await Promise.all([sandbox.stop(), twin.stop()]);
  });

  const demo = (target: ContractSandbox) => {
    if (target.demo === undefined) throw new Error('the sandbox was started without a demo portal');
    return target.demo;
  };
  const records = (target: ContractSandbox, type: 'deal' | 'company') =>
    target.control.listRecords(demo(target).portalId, type);

  it('is deterministic: same seed, size and instant, same records and ids', () => {
    expect(records(sandbox, 'company')).toEqual(records(twin, 'company'));
    expect(records(sandbox, 'deal')).toEqual(records(twin, 'deal'));
    expect([...demo(sandbox).deals]).toEqual([...demo(twin).deals]);
  });

  it('holds the HubSpot side of the program: every partner and customer, deals not only in Salesforce', () => {
    const program = generateDemoProgram({ deals: 3000, seed: 7, asOf });
    const { companies, deals } = demo(sandbox);
    expect(companies.size).toBe(program.partners.length + program.customers.length);
    const inHubspot = program.deals.filter((deal) => deal.presence !== 'salesforce');
    expect(deals.size).toBe(inHubspot.length);
    expect(deals.size).toBeGreaterThan(2000);
    expect(records(sandbox, 'deal')).toHaveLength(inHubspot.length);
  });

  it('renders partners as flagged partner companies of every type and every tier profile', () => {
    const program = generateDemoProgram({ deals: 3000, seed: 7, asOf });
    const { companies, portalId } = demo(sandbox);
    const partners = program.partners.map((partner) => {
      const id = companies.get(partner.key) ?? '';
      return {
        partner,
        record: sandbox.control.getRecord(portalId, 'company', id) as PublicObject,
      };
    });
    for (const { partner, record } of partners) {
      expect(record.properties).toMatchObject({
        name: partner.name,
        domain: partner.domain,
        type: 'PARTNER',
        pb_is_partner: 'true',
        pb_partner_type: partner.type,
        pb_partner_subtype: partner.subtype,
        pb_certified_salespeople: String(partner.certifiedSalespeople),
        pb_training_level: partner.trainingLevel,
        pb_agreement_signed: String(partner.agreementSigned),
        pb_partner_since: partner.partnerSince,
      });
      expect(record.properties.pb_partner_tier).toBeUndefined();
      expect(record.properties.pb_salesforce_account_id).toBeUndefined();
    }
    expect(new Set(partners.map(({ record }) => record.properties.pb_partner_type))).toEqual(
      new Set(partnerTypeValues),
    );
    expect(new Set(partners.map(({ partner }) => partner.targetTier))).toEqual(new Set(tierValues));
  });

  it('puts deals in every stage and currency, tagged through properties and labelled associations', () => {
    const { portalId } = demo(sandbox);
    const deals = records(sandbox, 'deal');
    expect(new Set(deals.map((deal) => deal.properties.dealstage))).toEqual(
      new Set(hubspotDefaultPipeline.stages.map((stage) => stage.id)),
    );
    expect(new Set(deals.map((deal) => deal.properties.deal_currency_code))).toEqual(
      new Set(demoCurrencies),
    );
    for (const deal of deals) {
      expect(deal.properties.pb_partner_commission).toBeUndefined();
      expect(deal.properties.pb_commission_explanation).toBeUndefined();
      expect(deal.properties.pb_salesforce_opportunity_id).toBeUndefined();
    }
    const tagged = deals.filter((deal) => deal.properties.pb_partner_company_id !== undefined);
    expect(tagged.length).toBeGreaterThan(deals.length / 2);
    for (const deal of tagged.slice(0, 300)) {
      const associations = sandbox.control.associations(portalId, 'deal', deal.id);
      const partner = associations.find(
        (entry) => entry.toObjectId === deal.properties.pb_partner_company_id,
      );
      const label =
        deal.properties.pb_partner_role === 'sourced' ? 'Sourced partner' : 'Influencing partner';
      expect(partner?.associationTypes.map((type) => type.label)).toContain(label);
      expect(partner?.associationTypes.find((type) => type.label === label)?.category).toBe(
        'USER_DEFINED',
      );
      const primaries = associations.filter((entry) =>
        entry.associationTypes.some(
          (type) => type.typeId === AssociationTypes.primaryDealToCompany,
        ),
      );
      expect(primaries).toHaveLength(1);
    }
  });

  it('is readable through the SDK like any portal with Partnerbridge installed', async () => {
    const { portalId } = demo(sandbox);
    const token = sandbox.control.issueToken({ portalId }).accessToken;
    const client = sdkClient(sandbox.url, token);
    const group = await client.crm.properties.groupsApi.getByName('deals', 'partnerbridge');
    expect(group.label).toBe('Partnerbridge');
    const partners = await client.crm.companies.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'pb_is_partner', operator: 'EQ' as never, value: 'true' }] },
      ],
      sorts: [],
      properties: ['name'],
      limit: 1,
      after: '0',
    });
    expect(partners.total).toBe(
      generateDemoProgram({ deals: 3000, seed: 7, asOf }).partners.length,
    );
    expect(sandbox.takeViolations()).toEqual([]);
  });
});
