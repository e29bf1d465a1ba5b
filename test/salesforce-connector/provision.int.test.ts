import {
  accountObject,
  createApiCallCounter,
  narrowToOrg,
  opportunityObject,
  provisionPartnerbridgeFields,
  retrieveByIds,
  upsertByExternalId,
} from '@partnerbridge/salesforce-connector';
import {
  salesforceAccountFields,
  salesforceOpportunityFields,
} from '@partnerbridge/shared/crm-fields';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseOpportunity,
  connectTo,
  type SalesforceSandbox,
  startSandbox,
} from './support/sandbox.ts';

// Provisioning on a bare org through the Tooling API: exactly the missing fields, idempotent,
// visible in describe and writable; an existing field defined differently is reported.

let sandbox: SalesforceSandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});

afterAll(async () => {
  await sandbox.stop();
});

const allFields = [
  ...salesforceAccountFields.map((f) => `Account.${f.name}`),
  ...salesforceOpportunityFields.map((f) => `Opportunity.${f.name}`),
];

describe(provisionPartnerbridgeFields, () => {
  it('creates exactly the missing fields once, then they are described and writable', async () => {
    const { orgId } = sandbox.control.createOrg({ name: 'Bare', demo: false });
    const { connection } = connectTo(sandbox, orgId);
    const before = await connection.describe('Opportunity');
    expect(before.fields.some((f) => f.name.startsWith('PB_'))).toBe(false);

    const meter = createApiCallCounter();
    const report = await provisionPartnerbridgeFields({ connection, meter });
    expect(report.created).toEqual(allFields);
    expect(report).toMatchObject({ existing: [], incompatible: [], failed: [] });
    expect(meter.byOperation()).toEqual({ describe: 2, tooling: allFields.length });

    meter.reset();
    const again = await provisionPartnerbridgeFields({ connection, meter });
    expect(again).toMatchObject({ created: [], existing: allFields, failed: [] });
    expect(meter.byOperation()).toEqual({ describe: 2 });

    const described = await connection.describe('Opportunity');
    const byName = new Map(described.fields.map((f) => [f.name, f]));
    expect(byName.get('PB_HubSpot_Deal_Id__c')).toMatchObject({
      type: 'string',
      externalId: true,
      unique: true,
      length: 64,
    });
    expect(byName.get('PB_Partner_Account__c')).toMatchObject({
      type: 'reference',
      referenceTo: ['Account'],
    });
    expect(byName.get('PB_Partner_Motion__c')?.picklistValues?.map((v) => v.value)).toEqual([
      'referral',
      'co_sell',
      'white_label',
      'enterprise',
    ]);

    // The fields take our writes, and the reads of a narrowed declaration see them.
    const opportunity = narrowToOrg(opportunityObject, again.availableFields.Opportunity);
    const [partner] = await upsertByExternalId({
      connection,
      object: accountObject,
      records: [
        {
          externalId: 'hs-company-1',
          fields: accountObject.fromDomain({ name: 'Partner Co', isPartner: true, tier: 'gold' }),
        },
      ],
    });
    const partnerId = partner?.ok ? partner.id : '';
    const [deal] = await upsertByExternalId({
      connection,
      object: opportunity,
      records: [
        {
          externalId: 'hs-deal-1',
          fields: {
            ...baseOpportunity,
            ...opportunity.fromDomain({
              partner: { accountId: partnerId, role: 'sourced', motion: 'co_sell' },
              commission: { amountMinor: 12_345, currency: 'USD' },
              commissionExplanation: '10 % of 1,234.50',
            }),
          },
        },
      ],
    });
    expect(deal?.ok && deal.created).toBe(true);
    const [read] = await retrieveByIds({
      connection,
      object: opportunity,
      ids: [deal?.ok ? deal.id : ''],
    });
    expect(read?.snapshot).toMatchObject({
      hubspotDealId: 'hs-deal-1',
      partner: { accountId: partnerId, role: 'sourced', motion: 'co_sell' },
      commission: { amountMinor: 12_345, currency: 'USD' },
      commissionExplanation: '10 % of 1,234.50',
    });
  });

  it('reports an existing field with another definition instead of touching it', async () => {
    const { orgId } = sandbox.control.createOrg({ name: 'Customised', demo: false });
    const { connection } = connectTo(sandbox, orgId);
    await connection.request({
      method: 'POST',
      url: '/tooling/sobjects/CustomField',
      body: JSON.stringify({
        FullName: 'Account.PB_Partner_Tier__c',
        Metadata: { label: 'Tier (theirs)', type: 'Text', length: 20 },
      }),
      headers: { 'content-type': 'application/json' },
    });
    const report = await provisionPartnerbridgeFields({ connection });
    expect(report.incompatible).toEqual([
      { field: 'Account.PB_Partner_Tier__c', reason: 'is string, expected Picklist' },
    ]);
    expect(report.created).toHaveLength(allFields.length - 1);
    expect(report.failed).toEqual([]);
  });
});
