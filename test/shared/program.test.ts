import {
  assertNever,
  commissionRuleSchema,
  defaultProgram,
  programSchema,
} from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { type aProgram, aRule, eur, usd } from './builders.ts';

function problems(overrides: Parameters<typeof aProgram>[0]): string[] {
  const result = programSchema.safeParse({ ...defaultProgram, ...overrides });
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe('the default program holds the strategy document numbers', () => {
  it('has the four tiers with their requirements', () => {
    const table = defaultProgram.tiers.map((tier) => [
      tier.name,
      ...tier.requirements.map((requirement) => {
        switch (requirement.kind) {
          case 'certified_salespeople':
          case 'customers':
            return requirement.min;
          case 'trailing_revenue':
            return requirement.min.amountMinor / 100;
          case 'training':
            return requirement.level;
          case 'strategic_agreement':
            return 'agreement';
          default:
            return assertNever(requirement);
        }
      }),
    ]);
    expect(table).toEqual([
      ['Bronze', 1, 5, 10_000, 'basic'],
      ['Silver', 2, 15, 50_000, 'advanced'],
      ['Gold', 5, 50, 200_000, 'expert'],
      ['Platinum', 10, 100, 500_000, 'agreement'],
    ]);
  });

  it('has the tier commissions, motion shares and named agreements as versioned rules', () => {
    const rates = Object.fromEntries(
      defaultProgram.rules.map((rule) => [
        rule.id,
        rule.payout.kind === 'percent'
          ? rule.payout.rate
          : rule.payout.kind === 'tier_rates'
            ? rule.payout.rates.map((r) => `${r.tier} ${r.rate}`).join(', ')
            : rule.payout.kind === 'motion_rates'
              ? rule.payout.rates.map((r) => `${r.motion} ${r.rate}`).join(', ')
              : rule.payout.kind,
      ]),
    );
    expect(rates).toEqual({
      'channel-tier-commission': 'bronze 0.05, silver 0.10, gold 0.15, platinum 0.20',
      'technology-motion-share': 'referral 0.10, co_sell 0.20, white_label 0.30',
      'content-motion-share': 'referral 0.10, co_sell 0.20, white_label 0.30',
      'crm-alliance-referral': '0.15',
      'crm-alliance-co-sell': '0.20',
      'marketing-agency-recurring': '0.20',
      'system-integrator-project': '0.15',
    });
    expect(defaultProgram.motions.find((m) => m.motion === 'enterprise')?.agreementOnly).toBe(true);
  });

  it('has the onboarding phases and quarterly targets', () => {
    expect(defaultProgram.onboarding.map((p) => [p.id, p.startWeek, p.endWeek])).toEqual([
      ['qualification', 1, 1],
      ['onboarding', 2, 4],
      ['launch', 5, 8],
    ]);
    expect(defaultProgram.quarterlyTargets.map((t) => t.partnerRevenue?.amountMinor)).toEqual([
      undefined,
      10_000_000,
      30_000_000,
      50_000_000,
    ]);
    expect(defaultProgram.tierPolicy.demotionGraceDays).toBe(90);
  });
});

describe('programSchema', () => {
  it('accepts the default program as it is', () => {
    expect(programSchema.safeParse(defaultProgram).success).toBe(true);
  });

  it('refuses amounts outside the program currency', () => {
    const euroCap = aRule({ cap: eur(10) });
    expect(problems({ rules: [euroCap] })).toEqual([
      'rule rule-1 v1 cap is in EUR, not the program currency USD',
    ]);
    expect(problems({ quarterlyTargets: [{ quarter: 2, partnerRevenue: eur(1) }] })).toEqual([
      'Q2 revenue target is in EUR, not the program currency USD',
    ]);
  });

  it('refuses rules pointing at tiers or subtypes that do not exist', () => {
    expect(problems({ rules: [aRule({ match: { tier: 'diamond' } })] })).toEqual([
      'rule rule-1 v1 matches unknown tier diamond',
    ]);
    expect(
      problems({ rules: [aRule({ match: { partnerSubtype: 'crm', partnerType: 'channel' } })] }),
    ).toEqual(['rule rule-1 v1: subtype crm is not a channel subtype']);
    expect(problems({ rules: [aRule({ match: { partnerSubtype: 'wizard' } })] })).toEqual([
      'rule rule-1 v1 matches unknown subtype wizard',
    ]);
  });

  it('requires later versions of a rule to take effect later', () => {
    const v1 = aRule({ effectiveFrom: '2025-01-01' });
    const v2 = aRule({ version: 2, effectiveFrom: '2024-12-31' });
    expect(problems({ rules: [v1, v2] })).toEqual([
      'rule rule-1 v2: a later version must take effect later than v1',
    ]);
    expect(problems({ rules: [v1, v1] })).toEqual(['rule rule-1 v1 is defined twice']);
  });

  it('refuses rule shapes that contradict themselves', () => {
    const base = { ...aRule() };
    expect(commissionRuleSchema.safeParse({ ...base, effectiveTo: '2023-01-01' }).success).toBe(
      false,
    );
    expect(
      commissionRuleSchema.safeParse({
        ...base,
        payout: { kind: 'flat', amount: usd(1) },
        schedule: { kind: 'recurring' },
      }).success,
    ).toBe(false);
    expect(
      commissionRuleSchema.safeParse({
        ...base,
        match: { motion: 'referral' },
        payout: { kind: 'motion_rates', rates: [{ motion: 'referral', rate: '0.1' }] },
      }).success,
    ).toBe(false);
    expect(
      commissionRuleSchema.safeParse({
        ...base,
        payout: { kind: 'brackets', mode: 'marginal', brackets: [{ from: usd(5), rate: '0.1' }] },
      }).success,
    ).toBe(false);
  });

  it('refuses other inconsistencies: subtypes, tier rates, flat amounts, brackets, quarters', () => {
    const [technology, ...others] = defaultProgram.partnerTypes;
    if (technology === undefined) throw new Error('default program changed');
    const doubled = {
      ...technology,
      subtypes: [...technology.subtypes, { id: 'agency', label: 'Agency' }],
    };
    expect(problems({ partnerTypes: [doubled, ...others] })).toEqual([
      'subtype agency is defined twice',
    ]);
    expect(
      problems({
        rules: [
          aRule({ payout: { kind: 'tier_rates', rates: [{ tier: 'diamond', rate: '0.3' }] } }),
        ],
      }),
    ).toEqual(['rule rule-1 v1 pays unknown tier diamond']);
    expect(problems({ rules: [aRule({ payout: { kind: 'flat', amount: eur(5) } })] })).toEqual([
      'rule rule-1 v1 flat amount is in EUR, not the program currency USD',
    ]);
    expect(
      problems({
        rules: [
          aRule({
            payout: { kind: 'brackets', mode: 'whole', brackets: [{ from: eur(0), rate: '0.1' }] },
          }),
        ],
      }),
    ).toEqual(['rule rule-1 v1 bracket is in EUR, not the program currency USD']);
    expect(problems({ quarterlyTargets: [{ quarter: 3 }, { quarter: 3 }] })).toEqual([
      'a quarter has two targets',
    ]);
  });

  it('requires every partner type and motion exactly once, and unique tiers', () => {
    expect(problems({ partnerTypes: defaultProgram.partnerTypes.slice(1) })).toContain(
      'partner type technology must be defined exactly once',
    );
    expect(problems({ motions: defaultProgram.motions.slice(0, 3) })).toContain(
      'motion enterprise must be defined exactly once',
    );
    expect(
      problems({ tiers: [...defaultProgram.tiers, ...defaultProgram.tiers.slice(0, 1)] }),
    ).toContain('tier ids must be unique');
  });
});
