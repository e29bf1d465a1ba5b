import {
  accountObject,
  accountRecordSchema,
  narrowToOrg,
  normalizeChangeEvent,
  opportunityObject,
  opportunityRecordSchema,
  stageCategory,
} from '@partnerbridge/salesforce-connector';
import { InvariantError } from '@partnerbridge/shared';
import {
  salesforceAccountFields,
  salesforceOpportunityFields,
} from '@partnerbridge/shared/crm-fields';
import { describe, expect, it } from 'vitest';
import { fixture, type QueryPage } from './support/fixtures.ts';

// The declarations: raw records parsed, to-domain snapshots, normalised field values and the
// fields a write sends — pure, on recorded query pages.

const opportunities = fixture<QueryPage>('opportunity-query.json').records;
const edgeCases = fixture<QueryPage>('opportunity-edge-cases.json').records;
const accounts = fixture<QueryPage>('account-query.json').records;
const parseOpportunity = (raw: unknown) => opportunityObject.recordSchema.parse(raw);

describe('opportunityObject', () => {
  it('declares standard and custom fields, cursor and external id', () => {
    const names = opportunityObject.fields.map((f) => f.name);
    for (const custom of salesforceOpportunityFields) expect(names).toContain(custom.name);
    expect(names).toEqual(expect.arrayContaining(['Id', 'Amount', 'StageName', 'SystemModstamp']));
    expect(opportunityObject.cursorField).toBe('SystemModstamp');
    expect(opportunityObject.externalIdField).toBe('PB_HubSpot_Deal_Id__c');
    expect(opportunityObject.parentField).toBe('AccountId');
    // The zod schema reads exactly the declared fields.
    expect(Object.keys(opportunityRecordSchema.shape).sort()).toEqual([...names].sort());
  });

  it('maps a recorded record to the domain', () => {
    const snapshot = opportunityObject.toDomain(parseOpportunity(opportunities[0]));
    expect(snapshot).toEqual({
      object: 'Opportunity',
      id: '006A10000000001IAA',
      modstamp: '2025-04-25T00:00:00.000Z',
      deleted: false,
      createdAt: '2025-04-25T00:00:00.000Z',
      lastModifiedAt: '2025-04-25T00:00:00.000Z',
      lastModifiedById: '005A10000000003IAA',
      hubspotDealId: null,
      name: 'Stark Health — Platform expansion',
      accountId: '001A1000000001QIAQ',
      currency: 'USD',
      amount: { amountMinor: 560431, currency: 'USD' },
      stage: { name: 'Closed Won', category: 'won' },
      closeDate: '2025-07-26',
      probability: '100',
      type: 'Existing Customer - Upgrade',
      partner: { accountId: '001A10000000001IAA', role: 'sourced', motion: 'referral' },
      commission: null,
      commissionExplanation: null,
      issues: [],
    });
  });

  it('reads edge cases exactly and lists what it could not read', () => {
    const yen = opportunityObject.toDomain(parseOpportunity(edgeCases[0]));
    expect(yen).toMatchObject({
      id: '006A10000000010IAA',
      amount: { amountMinor: 1234568, currency: 'JPY' },
      commission: { amountMinor: 61728, currency: 'JPY' },
      stage: { name: 'Contract Signed', category: 'won' },
      probability: '12.5',
      createdAt: '2026-01-01T21:34:05.000Z',
      modstamp: '2026-01-02T03:04:05.123Z',
      lastModifiedById: '005A10000000003IAA',
      hubspotDealId: null,
      partner: { accountId: '001A10000000009IAA', role: 'influenced', motion: null },
      issues: [],
    });
    const rupiah = opportunityObject.toDomain(parseOpportunity(edgeCases[1]));
    expect(rupiah).toMatchObject({
      deleted: true,
      amount: null,
      currency: null,
      closeDate: null,
      stage: { name: 'Negotiation/Review', category: 'open' },
      hubspotDealId: 'hs-42',
    });
    expect(rupiah.issues).toEqual(['unsupported currency IDR', 'bad CloseDate 2026-02-30']);
    expect(opportunityObject.recordSchema.safeParse(edgeCases[2]).success).toBe(false);
  });

  it('uses the default currency when the org has no CurrencyIsoCode', () => {
    const { CurrencyIsoCode: _, ...record } = parseOpportunity(opportunities[0]);
    expect(opportunityObject.toDomain(record, { defaultCurrency: 'EUR' }).amount).toEqual({
      amountMinor: 560431,
      currency: 'EUR',
    });
  });

  it('gives equal values the same normalised form from REST and from a change event', () => {
    const rest = opportunityObject.fieldValues({
      Id: '006A10000000010',
      Amount: 1234.5,
      CloseDate: '2026-02-28',
      LastModifiedDate: '2026-01-02T03:04:05.000+0000',
      PB_Partner_Account__c: '001A10000000009',
      Name: '',
      IsWon: true,
    });
    const cdc = opportunityObject.fieldValues({
      Id: '006A10000000010IAA',
      Amount: '1234.50',
      CloseDate: '2026-02-28',
      LastModifiedDate: '2026-01-02T03:04:05Z',
      PB_Partner_Account__c: '001A10000000009IAA',
      Name: null,
      IsWon: true,
    });
    expect(rest).toEqual(cdc);
    expect(rest).toEqual({
      Id: '006A10000000010IAA',
      Amount: '1234.5',
      CloseDate: '2026-02-28',
      LastModifiedDate: '2026-01-02T03:04:05.000Z',
      PB_Partner_Account__c: '001A10000000009IAA',
      Name: null,
      IsWon: true,
    });
  });

  it('writes only the changes it is given', () => {
    expect(opportunityObject.fromDomain({})).toEqual({});
    expect(
      opportunityObject.fromDomain({
        amount: { amountMinor: 123456, currency: 'EUR' },
        stageName: 'Closed Won',
        partner: { accountId: '001A10000000009IAA', role: 'sourced', motion: 'co_sell' },
        commission: { amountMinor: 6173, currency: 'EUR' },
      }),
    ).toEqual({
      Amount: 1234.56,
      CurrencyIsoCode: 'EUR',
      StageName: 'Closed Won',
      PB_Partner_Account__c: '001A10000000009IAA',
      PB_Partner_Role__c: 'sourced',
      PB_Partner_Motion__c: 'co_sell',
      PB_Partner_Commission__c: 61.73,
    });
    expect(
      opportunityObject.fromDomain({ partner: null, amount: null, probability: '75' }),
    ).toEqual({
      PB_Partner_Account__c: null,
      PB_Partner_Role__c: null,
      PB_Partner_Motion__c: null,
      Amount: null,
      Probability: 75,
    });
    expect(() =>
      opportunityObject.fromDomain({
        amount: { amountMinor: 1, currency: 'EUR' },
        commission: { amountMinor: 1, currency: 'USD' },
      }),
    ).toThrow(InvariantError);
  });

  it('narrows to an org without multi-currency and refuses an unprovisioned org', () => {
    const available = opportunityObject.fields
      .map((f) => f.name)
      .filter((n) => n !== 'CurrencyIsoCode');
    const narrowed = narrowToOrg(opportunityObject, available);
    expect(narrowed.fields.map((f) => f.name)).not.toContain('CurrencyIsoCode');
    expect(narrowed.fromDomain({ amount: { amountMinor: 100, currency: 'USD' } })).toEqual({
      Amount: 1,
    });
    expect(
      narrowToOrg(
        opportunityObject,
        opportunityObject.fields.map((f) => f.name),
      ),
    ).toBe(opportunityObject);
    expect(() => narrowToOrg(opportunityObject, ['Id', 'Name', 'SystemModstamp'])).toThrow(
      /provision the org first/,
    );
  });

  it('turns normalised values back into writable ones and refuses read-only fields', () => {
    expect(
      opportunityObject.toWritable({ Amount: '1234.5', CloseDate: '2026-02-28', Custom__c: 'x' }),
    ).toEqual({ Amount: 1234.5, CloseDate: '2026-02-28', Custom__c: 'x' });
    expect(() => opportunityObject.toWritable({ IsWon: true })).toThrow(/read-only/);
  });
});

describe(stageCategory, () => {
  it('uses the default stages, then the record flags', () => {
    expect(stageCategory('Closed Lost')).toBe('lost');
    expect(stageCategory('Prospecting')).toBe('open');
    expect(stageCategory('Signed', { isClosed: true, isWon: true })).toBe('won');
    expect(stageCategory('Gone', { isClosed: true, isWon: false })).toBe('lost');
    expect(stageCategory('Mystery')).toBeUndefined();
  });
});

describe('accountObject', () => {
  it('declares every provisioned field and the company external id', () => {
    const names = accountObject.fields.map((f) => f.name);
    for (const custom of salesforceAccountFields) expect(names).toContain(custom.name);
    expect(accountObject.externalIdField).toBe('PB_HubSpot_Company_Id__c');
    expect(Object.keys(accountRecordSchema.shape).sort()).toEqual([...names].sort());
  });

  it('maps a recorded partner account', () => {
    const snapshot = accountObject.toDomain(accountObject.recordSchema.parse(accounts[0]));
    expect(snapshot).toEqual({
      object: 'Account',
      id: '001A10000000009IAA',
      modstamp: '2023-10-09T00:00:00.000Z',
      deleted: false,
      lastModifiedAt: '2023-10-09T00:00:00.000Z',
      hubspotCompanyId: null,
      name: 'Wonka Robotics Partners',
      website: 'https://wonka-robotics-partners.example',
      domain: 'wonka-robotics-partners.example',
      industry: 'Education',
      billingCountry: 'Japan',
      type: 'Channel Partner / Reseller',
      kind: 'partner',
      partner: {
        type: 'channel',
        subtype: 'reseller',
        tier: 'registered',
        certifiedSalespeople: 0,
        trainingLevel: 'none',
        agreementSigned: false,
        partnerSince: '2023-10-09',
      },
      issues: [],
    });
  });

  it('reads customers and unknown picklist values', () => {
    const customer = accountObject.toDomain(
      accountObject.recordSchema.parse({
        Id: '001A10000000002IAA',
        Name: 'Acme',
        SystemModstamp: '2026-01-01T00:00:00.000+0000',
        PB_Is_Partner__c: false,
      }),
    );
    expect(customer).toMatchObject({
      kind: 'customer',
      partner: null,
      website: null,
      domain: null,
    });
    const odd = accountObject.toDomain(
      accountObject.recordSchema.parse({
        Id: '001A10000000002IAA',
        SystemModstamp: '2026-01-01T00:00:00.000+0000',
        PB_Is_Partner__c: true,
        PB_Partner_Tier__c: 'diamond',
      }),
    );
    expect(odd.partner?.tier).toBeNull();
    expect(odd.issues).toEqual(['unknown PB_Partner_Tier__c value diamond']);
  });

  it('writes account changes', () => {
    expect(
      accountObject.fromDomain({
        name: 'Acme',
        hubspotCompanyId: '123',
        isPartner: true,
        tier: 'gold',
        certifiedSalespeople: 4,
        partnerSince: '2026-01-01',
        website: null,
      }),
    ).toEqual({
      Name: 'Acme',
      PB_HubSpot_Company_Id__c: '123',
      PB_Is_Partner__c: true,
      PB_Partner_Tier__c: 'gold',
      PB_Certified_Salespeople__c: 4,
      PB_Partner_Since__c: '2026-01-01',
      Website: null,
    });
  });
});

describe(normalizeChangeEvent, () => {
  const messages = fixture<unknown[]>('change-events.json');
  const [created, updated, humanEdit, deleted, gap, overflow] = messages;

  it('normalises a CREATE written by us', () => {
    const event = normalizeChangeEvent('/data/OpportunityChangeEvent', created);
    expect(event).toMatchObject({
      object: 'Opportunity',
      changeType: 'CREATE',
      handling: 'apply',
      recordIds: ['006A10000000003IAA'],
      isOwnWrite: true,
      ownWriteSignal: 'call_options',
      commitTimestamp: 1772445600000,
      sequenceNumber: 1,
      outOfOrder: false,
    });
    expect(event?.values).toMatchObject({
      Name: 'CDC fixture',
      Amount: '1234.56',
      CurrencyIsoCode: 'EUR',
      PB_HubSpot_Deal_Id__c: 'hs-9001',
    });
    expect(event?.replayId).toBeGreaterThan(0);
  });

  it('carries changed and nulled fields of an UPDATE', () => {
    const event = normalizeChangeEvent('/data/OpportunityChangeEvent', updated);
    expect(event?.changedFields).toContain('PB_Partner_Account__c');
    expect(event?.nulledFields).toEqual(['Amount']);
    expect(event?.values).toMatchObject({
      Amount: null,
      StageName: 'Closed Won',
      PB_Partner_Account__c: '001A10000000009IAA',
      PB_Partner_Role__c: 'sourced',
      PB_Partner_Motion__c: 'co_sell',
    });
    expect(event?.values).not.toHaveProperty('Name');
  });

  it('does not flag a human edit, unless the commit user is our integration user', () => {
    expect(normalizeChangeEvent('/data/OpportunityChangeEvent', humanEdit)).toMatchObject({
      changeOrigin: '',
      isOwnWrite: false,
      ownWriteSignal: null,
    });
    const commitUser = normalizeChangeEvent('/data/OpportunityChangeEvent', humanEdit)?.commitUser;
    expect(
      normalizeChangeEvent('/data/OpportunityChangeEvent', humanEdit, {
        integrationUserId: String(commitUser).slice(0, 15),
      }),
    ).toMatchObject({ isOwnWrite: true, ownWriteSignal: 'integration_user' });
  });

  it('asks for a re-read on gaps and out-of-order events, a resync on overflow', () => {
    expect(normalizeChangeEvent('/data/OpportunityChangeEvent', deleted)).toMatchObject({
      changeType: 'DELETE',
      handling: 'apply',
      values: {},
    });
    expect(normalizeChangeEvent('/data/AccountChangeEvent', gap)).toMatchObject({
      changeType: 'GAP_CREATE',
      handling: 'reread',
    });
    expect(normalizeChangeEvent('/data/AccountChangeEvent', overflow)).toMatchObject({
      changeType: 'GAP_OVERFLOW',
      handling: 'resync',
      recordIds: [],
    });
    expect(
      normalizeChangeEvent('/data/OpportunityChangeEvent', updated, { outOfOrder: true })?.handling,
    ).toBe('reread');
  });

  it('flattens compound addresses, resyncs wildcard ids and ignores other messages', () => {
    const message = {
      payload: {
        ChangeEventHeader: {
          entityName: 'Account',
          recordIds: ['001*'],
          changeType: 'UPDATE',
          commitTimestamp: 1,
          changedFields: ['BillingAddress.Country'],
        },
        BillingAddress: { Country: 'France' },
      },
      event: { replayId: 7 },
    };
    expect(normalizeChangeEvent('/data/AccountChangeEvent', message)).toMatchObject({
      handling: 'resync',
      values: { BillingCountry: 'France' },
    });
    expect(normalizeChangeEvent('/data/X', { channel: '/meta/connect' })).toBeUndefined();
    expect(
      normalizeChangeEvent('/data/ContactChangeEvent', {
        ...message,
        payload: {
          ...message.payload,
          ChangeEventHeader: { ...message.payload.ChangeEventHeader, entityName: 'Contact' },
        },
      }),
    ).toBeUndefined();
  });
});
