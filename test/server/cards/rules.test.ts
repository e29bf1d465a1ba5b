import {
  type CommissionRule,
  commissionRuleSchema,
  dealSchema,
  defaultProgram,
} from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { decimalAmount } from '../../../server/src/cards/ledger-export.ts';
import {
  applyRetirements,
  type ProgramVersionRow,
  versionInForce,
} from '../../../server/src/cards/program-store.ts';
import {
  customerKey,
  normalizeDealType,
  normalizeSubtype,
  toCoreDeal,
} from '../../../server/src/cards/projection.ts';
import { criteriaOverlap, findAmbiguities } from '../../../server/src/cards/rule-ambiguity.ts';
import { slugOf } from '../../../server/src/cards/settings-rules.ts';
import { nextTierHistory } from '../../../server/src/cards/tier-evaluation.ts';

const aRule = (overrides: Record<string, unknown>): CommissionRule =>
  commissionRuleSchema.parse({
    id: 'rule-a',
    version: 1,
    name: 'Rule A',
    effectiveFrom: '2026-01-01',
    match: {},
    payout: { kind: 'percent', rate: '0.1' },
    base: 'credited_amount',
    schedule: { kind: 'one_time' },
    holdingDays: 0,
    clawbackDays: 0,
    ...overrides,
  });

describe(findAmbiguities, () => {
  it('finds none in the default program', () => {
    expect(findAmbiguities(defaultProgram.rules)).toEqual([]);
  });

  it('names two equally specific rules on the same criteria, from when both are in force', () => {
    const a = aRule({ match: { partnerSubtype: 'reseller' } });
    const b = aRule({
      id: 'rule-b',
      name: 'Rule B',
      effectiveFrom: '2026-03-01',
      match: { partnerSubtype: 'reseller' },
    });
    const [tie, ...rest] = findAmbiguities([a, b]);
    expect(rest).toEqual([]);
    expect(tie).toMatchObject({ from: '2026-03-01', to: null });
    expect(tie?.rules.map((rule) => rule.id)).toEqual(['rule-a', 'rule-b']);
    expect(tie?.message).toContain('"Rule A" (rule-a v1) and "Rule B" (rule-b v1)');
    expect(findAmbiguities([a, b], 'rule-a')).toHaveLength(1);
    expect(findAmbiguities([a, b], 'other')).toEqual([]);
  });

  it.each([
    ['different values of the same criterion', { partnerSubtype: 'agency' }, {}],
    ['a more specific rule', { partnerSubtype: 'reseller', motion: 'referral' }, {}],
    ['disjoint periods', { partnerSubtype: 'reseller' }, { effectiveFrom: '2026-06-01' }],
  ])('no tie with %s', (_case, match, extra) => {
    const a = aRule({ match: { partnerSubtype: 'reseller' }, effectiveTo: '2026-06-01' });
    const b = aRule({ id: 'rule-b', name: 'Rule B', match, ...extra });
    expect(findAmbiguities([a, b])).toEqual([]);
  });

  it('ends a version where the next one starts', () => {
    const a1 = aRule({ match: { partnerSubtype: 'reseller' } });
    const a2 = aRule({
      version: 2,
      effectiveFrom: '2026-05-01',
      match: { partnerSubtype: 'agency' },
    });
    const b = aRule({ id: 'rule-b', name: 'Rule B', match: { partnerSubtype: 'reseller' } });
    expect(findAmbiguities([a1, a2, b])).toEqual([
      expect.objectContaining({ from: '2026-01-01', to: '2026-05-01' }),
    ]);
  });
});

describe(criteriaOverlap, () => {
  it('treats a tier-rates table as naming its tiers and a motion-rates table its motions', () => {
    const tiers = aRule({
      match: { partnerType: 'channel' },
      payout: { kind: 'tier_rates', rates: [{ tier: 'gold', rate: '0.1' }] },
    });
    const gold = aRule({ id: 'rule-b', match: { partnerType: 'channel', tier: 'gold' } });
    const silver = aRule({ id: 'rule-c', match: { partnerType: 'channel', tier: 'silver' } });
    expect(criteriaOverlap(tiers, gold)).toBe(true);
    expect(criteriaOverlap(tiers, silver)).toBe(false);
    const motions = aRule({
      match: { partnerType: 'content' },
      payout: { kind: 'motion_rates', rates: [{ motion: 'referral', rate: '0.1' }] },
    });
    expect(
      criteriaOverlap(motions, aRule({ match: { partnerType: 'content', motion: 'co_sell' } })),
    ).toBe(false);
  });
});

describe(applyRetirements, () => {
  const v1 = aRule({ effectiveFrom: '2025-01-01' });
  const v2 = aRule({ version: 2, effectiveFrom: '2026-01-01' });

  it('ends the latest version that started before the retirement', () => {
    const applied = applyRetirements([v1, v2], [{ ruleId: 'rule-a', effectiveTo: '2026-06-01' }]);
    expect(applied.map((rule) => rule.effectiveTo)).toEqual([undefined, '2026-06-01']);
  });

  it('leaves a version that starts after the retirement alone (it revives the rule)', () => {
    const v3 = aRule({ version: 3, effectiveFrom: '2026-09-01' });
    const applied = applyRetirements(
      [v1, v2, v3],
      [{ ruleId: 'rule-a', effectiveTo: '2026-06-01' }],
    );
    expect(applied.map((rule) => rule.effectiveTo)).toEqual([undefined, '2026-06-01', undefined]);
  });
});

describe(versionInForce, () => {
  const row = (version: number, effectiveFrom: string) =>
    ({ version, effectiveFrom }) as ProgramVersionRow;

  it('picks the latest effective version, and the first before any takes effect', () => {
    const rows = [row(1, '2000-01-01'), row(2, '2026-03-01'), row(3, '2026-07-01')];
    expect(versionInForce(rows, '2026-03-10')?.version).toBe(2);
    expect(versionInForce(rows, '2026-07-01')?.version).toBe(3);
    expect(versionInForce([row(1, '2030-01-01')], '2026-03-10')?.version).toBe(1);
  });
});

describe(nextTierHistory, () => {
  it('appends a change, replaces a change of the same day, and keeps an unchanged history', () => {
    const history = [{ tier: 'bronze', since: '2025-01-01' }];
    expect(nextTierHistory(history, { tier: 'bronze', since: '2025-01-01' })).toEqual(history);
    expect(nextTierHistory(history, { tier: 'silver', since: '2026-03-10' })).toEqual([
      ...history,
      { tier: 'silver', since: '2026-03-10' },
    ]);
    const sameDay = [...history, { tier: 'silver', since: '2026-03-10' }];
    expect(nextTierHistory(sameDay, { tier: 'gold', since: '2026-03-10' })).toEqual([
      ...history,
      { tier: 'gold', since: '2026-03-10' },
    ]);
    expect(nextTierHistory(sameDay, { tier: 'bronze', since: '2026-03-10' })).toEqual(history);
  });
});

describe('projection conversions', () => {
  it.each([
    ['System integrator', 'system_integrator'],
    ['CRM', 'crm'],
    [' email platform ', 'email_platform'],
  ])('normalizes the subtype label %j to %j', (label, id) => {
    expect(normalizeSubtype(label)).toBe(id);
  });

  it.each([
    ['newbusiness', 'new_business'],
    ['existingbusiness', 'existing_business'],
    ['renewal', 'renewal'],
    ['something else', 'new_business'],
  ])('reads the deal type %j as %j', (raw, type) => {
    expect(normalizeDealType(raw)).toBe(type);
  });

  it('keys registrations by HubSpot company, Salesforce account, or the deal itself', () => {
    const base = { id: 'd1', customerHubspotCompanyId: null, customerSalesforceAccountId: null };
    expect(customerKey({ ...base, customerHubspotCompanyId: '42' })).toBe('hubspot-42');
    expect(customerKey({ ...base, customerSalesforceAccountId: '001x' })).toBe('salesforce-001x');
    expect(customerKey(base)).toBe('deal-d1');
  });

  const row = (overrides: Record<string, unknown> = {}) =>
    ({
      id: '0b34c644-9a78-4248-9699-77b7ca969363',
      name: 'A deal',
      amountMinor: 1_000_000,
      currency: 'EUR',
      projectValueMinor: 250_000,
      stageCategory: 'won',
      stageId: 'closedwon',
      probability: '1.000',
      createdOn: '2026-01-01',
      closeDate: '2026-02-01',
      dealType: 'existingbusiness',
      contractMonths: 12,
      reversalReason: 'refunded',
      reversalOn: '2026-03-01',
      customerHubspotCompanyId: '42',
      customerSalesforceAccountId: null,
      ...overrides,
    }) as Parameters<typeof toCoreDeal>[0];

  it('converts a plain row without zod exactly as the schema would', () => {
    const converted = toCoreDeal(row());
    if (!converted.success) throw new Error('the row is valid');
    expect(converted.data).toEqual(dealSchema.parse(converted.data));
    expect(converted.data).toMatchObject({
      customerId: 'hubspot-42',
      dealType: 'existing_business',
      reversal: { reason: 'refunded', on: '2026-03-01' },
      projectValue: { amountMinor: 250_000, currency: 'EUR' },
    });
  });

  it.each([
    ['an unsupported currency', { currency: 'XYZ' }, 'amount.currency'],
    ['a probability above 1', { probability: '1.5' }, 'probability'],
    ['a reversal before the close', { reversalOn: '2026-01-15' }, 'reversal.on'],
    ['a reversal on an open deal', { stageCategory: 'open' }, 'reversal'],
    ['too many contract months', { contractMonths: 200 }, 'contractMonths'],
    ['a customer id with a space', { customerHubspotCompanyId: '4 2' }, 'customerId'],
    ['a negative project value', { projectValueMinor: -1 }, 'projectValue'],
  ])('falls back to the schema and names the problem: %s', (_case, overrides, path) => {
    const converted = toCoreDeal(row(overrides));
    expect(converted.success).toBe(false);
    if (converted.success) return;
    expect(converted.error.message).toContain(`${path}:`);
  });

  it('explains why a deal row cannot be computed', () => {
    const converted = toCoreDeal({
      id: 'd1',
      name: 'Odd deal',
      amountMinor: 100,
      currency: 'XYZ',
      projectValueMinor: null,
      stageCategory: 'won',
      stageId: null,
      probability: '1',
      createdOn: '2026-01-01',
      closeDate: '2026-01-02',
      dealType: 'newbusiness',
      contractMonths: null,
      reversalReason: null,
      reversalOn: null,
      customerHubspotCompanyId: null,
      customerSalesforceAccountId: null,
    } as Parameters<typeof toCoreDeal>[0]);
    expect(converted).toEqual({
      success: false,
      error: {
        code: 'invalid_deal',
        message: expect.stringContaining('amount.currency'),
      },
    });
  });
});

describe('small formats', () => {
  it.each([
    [1_302_000, 'USD', '13020.00'],
    [-50_000, 'USD', '-500.00'],
    [5, 'USD', '0.05'],
    [4_000, 'JPY', '4000'],
    [1_234, 'KWD', '1.234'],
  ])('%d minor units of %s are %s', (minor, currency, text) => {
    expect(decimalAmount(minor, currency)).toBe(text);
  });

  it.each([
    ['CRM alliance referral', 'crm-alliance-referral'],
    ['  20% bonus!! ', '20-bonus'],
    ['???', 'rule'],
  ])('slugs %j as %j', (name, slug) => {
    expect(slugOf(name)).toBe(slug);
  });
});
