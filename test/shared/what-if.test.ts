import {
  defaultProgram,
  type Program,
  reconcileLedger,
  simulateProgramChange,
} from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { aDeal, aPartner, aPartnerAt, aProgram, aRule, aTag, noFx, usd } from './builders.ts';

const partners = [
  aPartnerAt('gold', { id: 'reseller' }),
  aPartner({ id: 'analytics', type: 'technology', subtype: 'analytics' }),
];
const deals = [
  aDeal({ id: 'deal-a', amount: usd(80_000) }),
  aDeal({ id: 'deal-b', amount: usd(10_000) }),
  aDeal({ id: 'deal-open', stage: 'open', probability: '0.5', amount: usd(1_000_000) }),
];
const tags = [
  aTag({ dealId: 'deal-a', partnerId: 'reseller' }),
  aTag({ dealId: 'deal-b', partnerId: 'analytics' }),
  aTag({ dealId: 'deal-open', partnerId: 'reseller' }),
];

/** The default program with the gold rate and technology referral share raised. */
const proposed: Program = aProgram({
  rules: defaultProgram.rules.map((rule) => {
    if (rule.payout.kind === 'tier_rates') {
      return {
        ...rule,
        payout: {
          ...rule.payout,
          rates: rule.payout.rates.map((r) => (r.tier === 'gold' ? { ...r, rate: '0.18' } : r)),
        },
      };
    }
    if (rule.id === 'technology-motion-share' && rule.payout.kind === 'motion_rates') {
      return {
        ...rule,
        payout: {
          ...rule.payout,
          rates: rule.payout.rates.map((r) =>
            r.motion === 'referral' ? { ...r, rate: '0.12' } : r,
          ),
        },
      };
    }
    return rule;
  }),
});

describe('simulateProgramChange', () => {
  const input = {
    deals,
    tags,
    partners,
    fx: noFx,
    currentProgram: defaultProgram,
    proposedProgram: proposed,
    asOf: '2025-06-30',
  };

  it('replays closed deals under both programs and returns per-partner and total deltas', () => {
    expect(simulateProgramChange(input)).toEqual({
      success: true,
      data: {
        rows: [
          { partnerId: 'analytics', current: usd(1_000), proposed: usd(1_200), delta: usd(200) },
          { partnerId: 'reseller', current: usd(12_000), proposed: usd(14_400), delta: usd(2_400) },
        ],
        totals: { current: usd(13_000), proposed: usd(14_400 + 1_200), delta: usd(2_600) },
        issues: { current: [], proposed: [] },
      },
    });
  });

  it('matches what the ledger holds for the current program', () => {
    const ledger = reconcileLedger({ ...input, program: defaultProgram, existing: [] }).lines;
    const result = simulateProgramChange(input);
    expect(result.success && result.data.totals.current.amountMinor).toBe(
      ledger.reduce((sum, line) => sum + line.amount.amountMinor, 0),
    );
  });

  it('surfaces what a proposal cannot pay before it is published', () => {
    const clash = aRule({ id: 'clash', match: { partnerType: 'channel', tier: 'gold' } });
    const result = simulateProgramChange({
      ...input,
      proposedProgram: aProgram({ rules: [...defaultProgram.rules, clash] }),
    });
    expect(result.success && result.data.issues.proposed).toMatchObject([
      { dealId: 'deal-a', partnerId: 'reseller', error: { code: 'ambiguous_rules' } },
    ]);
    expect(
      result.success && result.data.rows.find((row) => row.partnerId === 'reseller')?.delta,
    ).toEqual(usd(-12_000));
  });

  it('refuses to compare programs paying in different currencies', () => {
    const euro = { ...proposed, currency: 'EUR' as const };
    expect(simulateProgramChange({ ...input, proposedProgram: euro })).toMatchObject({
      success: false,
      error: { code: 'currency_mismatch' },
    });
  });
});
