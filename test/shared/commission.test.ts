import {
  computeDealCommissions,
  createCommissionContext,
  type Deal,
  dealSchema,
  defaultProgram,
  type Partner,
  type PartnerCommission,
  type PartnerTag,
  type Program,
} from '@partnerbridge/shared';
import { describe, expect, it, test } from 'vitest';
import {
  aDeal,
  aPartner,
  aPartnerAt,
  aProgram,
  aRule,
  aTag,
  eur,
  fxTable,
  noFx,
  usd,
} from './builders.ts';

function commissionsOf(
  deal: Deal,
  tags: PartnerTag[],
  partners: Partner[],
  program: Program = defaultProgram,
  fx = noFx,
): PartnerCommission[] {
  const result = computeDealCommissions(deal, tags, createCommissionContext(program, partners, fx));
  if (!result.success) throw new Error(result.error.message);
  return [...result.data.partners];
}

function only(
  deal: Deal,
  tag: PartnerTag,
  partner: Partner,
  program?: Program,
  fx = noFx,
): PartnerCommission {
  const [commission] = commissionsOf(deal, [tag], [partner], program, fx);
  if (commission === undefined) throw new Error('no commission entry');
  return commission;
}

const deal = aDeal({ amount: usd(80_000) });
const referral = aTag({ motion: 'referral' });

describe('the strategy document scenarios (default program, $80,000 deal, sourced by one partner)', () => {
  test.each([
    {
      label: 'Bronze channel partner: 5 %',
      partner: aPartnerAt('bronze'),
      motion: 'referral',
      total: 400_000,
      rule: 'channel-tier-commission',
      explanation: 'Bronze tier 5 % of $80,000.00 credited (100 % of $80,000.00) = $4,000.00',
    },
    {
      label: 'Silver channel partner: 10 %',
      partner: aPartnerAt('silver'),
      motion: 'co_sell',
      total: 800_000,
      rule: 'channel-tier-commission',
      explanation: 'Silver tier 10 % of $80,000.00 credited (100 % of $80,000.00) = $8,000.00',
    },
    {
      label: 'Gold channel partner: 15 %',
      partner: aPartnerAt('gold'),
      motion: 'white_label',
      total: 1_200_000,
      rule: 'channel-tier-commission',
      explanation: 'Gold tier 15 % of $80,000.00 credited (100 % of $80,000.00) = $12,000.00',
    },
    {
      label: 'Platinum channel partner: 20 %',
      partner: aPartnerAt('platinum'),
      motion: 'referral',
      total: 1_600_000,
      rule: 'channel-tier-commission',
      explanation: 'Platinum tier 20 % of $80,000.00 credited (100 % of $80,000.00) = $16,000.00',
    },
    {
      label: 'technology referral: 10 %',
      partner: aPartner({ type: 'technology', subtype: 'analytics' }),
      motion: 'referral',
      total: 800_000,
      rule: 'technology-motion-share',
      explanation:
        'Referral revenue share 10 % of $80,000.00 credited (100 % of $80,000.00) = $8,000.00',
    },
    {
      label: 'technology co-sell: 20 %',
      partner: aPartner({ type: 'technology', subtype: 'analytics' }),
      motion: 'co_sell',
      total: 1_600_000,
      rule: 'technology-motion-share',
      explanation:
        'Co-sell revenue share 20 % of $80,000.00 credited (100 % of $80,000.00) = $16,000.00',
    },
    {
      label: 'technology white-label: 30 %',
      partner: aPartner({ type: 'technology', subtype: 'email_platform' }),
      motion: 'white_label',
      total: 2_400_000,
      rule: 'technology-motion-share',
      explanation:
        'White-label revenue share 30 % of $80,000.00 credited (100 % of $80,000.00) = $24,000.00',
    },
    {
      label: 'content partner referral: 10 %',
      partner: aPartner({ type: 'content', subtype: 'podcast' }),
      motion: 'referral',
      total: 800_000,
      rule: 'content-motion-share',
      explanation:
        'Referral revenue share 10 % of $80,000.00 credited (100 % of $80,000.00) = $8,000.00',
    },
    {
      label: 'CRM alliance referral: 15 % (agreement beats the 10 % default)',
      partner: aPartner({ type: 'technology', subtype: 'crm' }),
      motion: 'referral',
      total: 1_200_000,
      rule: 'crm-alliance-referral',
      explanation:
        'CRM alliance referral 15 % of $80,000.00 credited (100 % of $80,000.00) = $12,000.00',
    },
    {
      label: 'CRM alliance co-sell: 20 %',
      partner: aPartner({ type: 'technology', subtype: 'crm' }),
      motion: 'co_sell',
      total: 1_600_000,
      rule: 'crm-alliance-co-sell',
      explanation:
        'CRM alliance co-sell 20 % of $80,000.00 credited (100 % of $80,000.00) = $16,000.00',
    },
    {
      label: 'CRM partner white-label falls back to the motion default: 30 %',
      partner: aPartner({ type: 'technology', subtype: 'crm' }),
      motion: 'white_label',
      total: 2_400_000,
      rule: 'technology-motion-share',
      explanation:
        'White-label revenue share 30 % of $80,000.00 credited (100 % of $80,000.00) = $24,000.00',
    },
    {
      label: 'system integrator: 15 % of project value',
      partner: aPartnerAt('gold', { subtype: 'system_integrator' }),
      motion: 'co_sell',
      total: 300_000,
      rule: 'system-integrator-project',
      explanation:
        'System integrator project 15 % of $20,000.00 project value credited (100 % of $20,000.00) = $3,000.00',
    },
  ] as const)('$label', ({ partner, motion, total, rule, explanation }) => {
    const commission = only(
      aDeal({ ...deal, projectValue: usd(20_000) }),
      aTag({ motion }),
      partner,
    );
    expect(commission).toMatchObject({
      kind: 'commission',
      total: usd(total / 100),
      explanation,
      rule: { id: rule },
    });
  });

  test.each([
    {
      label: 'a registered channel partner earns no tier commission',
      partner: aPartner(),
      motion: 'referral',
    },
    {
      label: 'enterprise deals are custom per agreement, for technology partners',
      partner: aPartner({ type: 'technology', subtype: 'analytics' }),
      motion: 'enterprise',
    },
    {
      label: 'enterprise deals are custom per agreement, for channel partners too',
      partner: aPartnerAt('gold'),
      motion: 'enterprise',
    },
    {
      label: 'strategic partners are paid by custom agreement only',
      partner: aPartner({ type: 'strategic', subtype: 'cloud_alliance' }),
      motion: 'co_sell',
    },
  ] as const)('$label: an explicit "no rule" outcome, not a silent 0', ({ partner, motion }) => {
    expect(only(deal, aTag({ motion }), partner)).toMatchObject({
      kind: 'no_commission',
      code: 'no_matching_rule',
    });
  });

  it('explains a missing enterprise agreement', () => {
    const commission = only(deal, aTag({ motion: 'enterprise' }), aPartnerAt('gold'));
    expect(commission.kind === 'no_commission' && commission.explanation).toBe(
      'No commission rule in force on 2025-03-01 applies to a channel partner (reseller, Gold) with a sourced enterprise tag on a new business deal. Enterprise deals are paid by custom agreement only, and no agreement rule names this partner.',
    );
  });

  it('pays an enterprise deal under a rule that names the motion', () => {
    const agreement = aRule({
      id: 'acme-enterprise',
      name: 'Acme enterprise agreement',
      match: { partnerId: 'partner-1', motion: 'enterprise' },
      payout: { kind: 'percent', rate: '0.25' },
    });
    const program = aProgram({ rules: [...defaultProgram.rules, agreement] });
    expect(only(deal, aTag({ motion: 'enterprise' }), aPartnerAt('gold'), program)).toMatchObject({
      kind: 'commission',
      total: usd(20_000),
      rule: { id: 'acme-enterprise', version: 1 },
    });
  });

  it('pays marketing agencies 20 % recurring, month by month over the contract', () => {
    const contract = aDeal({ amount: usd(12_000), contractMonths: 12, closeDate: '2025-01-31' });
    const commission = only(contract, referral, aPartnerAt('silver', { subtype: 'agency' }));
    if (commission.kind !== 'commission') throw new Error(commission.kind);
    expect(commission.total).toEqual(usd(2_400));
    expect(commission.installments).toHaveLength(12);
    expect(commission.installments.map((i) => i.amount.amountMinor)).toEqual(
      Array(12).fill(20_000),
    );
    expect(commission.installments.slice(0, 3).map((i) => [i.earnedOn, i.payableOn])).toEqual([
      ['2025-01-31', '2025-03-30'],
      ['2025-02-28', '2025-04-30'],
      ['2025-03-31', '2025-05-30'],
    ]);
    expect(commission.installments[2]?.explanation).toBe(
      'Month 3 of 12: $200.00 of Marketing agency recurring 20 % of $12,000.00 credited over 12 months (100 % of $12,000.00) = $2,400.00',
    );
  });

  it('recurring months always sum exactly to the total', () => {
    const odd = aDeal({ amount: { amountMinor: 1_000_001, currency: 'USD' }, contractMonths: 7 });
    const commission = only(odd, referral, aPartner({ subtype: 'agency' }));
    if (commission.kind !== 'commission') throw new Error(commission.kind);
    const months = commission.installments.map((i) => i.amount.amountMinor);
    expect(months.reduce((a, b) => a + b, 0)).toBe(commission.total.amountMinor);
    expect(commission.total.amountMinor).toBe(200_000); // 20 % of $10,000.01 = $2,000.002
  });

  it('stops a recurring rule after its months even when the contract runs longer', () => {
    const longContract = aDeal({ amount: usd(24_000), contractMonths: 24 });
    const commission = only(longContract, referral, aPartner({ subtype: 'agency' }));
    expect(commission).toMatchObject({ kind: 'commission', total: usd(2_400) });
    expect(commission.kind === 'commission' && commission.explanation).toBe(
      'Marketing agency recurring 20 % of $12,000.00 credited for months 1–12 of 24 (100 % of $24,000.00) = $2,400.00',
    );
  });
});

describe('computeDealCommissions', () => {
  it('explains a split credit: "Gold tier 15 % of $40,000.00 credited (50 % of $80,000.00) = $6,000.00"', () => {
    const program = aProgram({ attribution: { kind: 'even_split' } });
    const gold = aPartnerAt('gold', { id: 'partner-g' });
    const other = aPartnerAt('bronze', { id: 'partner-h' });
    const tags = [
      aTag({ partnerId: 'partner-g' }),
      aTag({ partnerId: 'partner-h', touchedAt: '2025-02-01T00:00:00Z' }),
    ];
    const [first] = commissionsOf(deal, tags, [gold, other], program);
    expect(first).toMatchObject({
      kind: 'commission',
      credited: usd(40_000),
      rate: '0.15',
      total: usd(6_000),
      explanation: 'Gold tier 15 % of $40,000.00 credited (50 % of $80,000.00) = $6,000.00',
    });
  });

  it('pays at the tier held on the close date, not the tier held today', () => {
    const promotedLater = aPartner({
      tierHistory: [
        { tier: 'silver', since: '2024-06-01' },
        { tier: 'gold', since: '2025-03-02' },
      ],
    });
    expect(only(deal, referral, promotedLater)).toMatchObject({ total: usd(8_000) });
  });

  it('locks FX at the close date and says which rate it used', () => {
    const fx = fxTable([
      { base: 'EUR', quote: 'USD', on: '2025-02-28', rate: '1.085' },
      { base: 'EUR', quote: 'USD', on: '2025-06-30', rate: '1.20' },
    ]);
    const euroDeal = aDeal({ amount: eur(80_000) });
    const commission = only(euroDeal, referral, aPartnerAt('gold'), defaultProgram, fx);
    expect(commission).toMatchObject({
      kind: 'commission',
      credited: eur(80_000),
      total: usd(13_020),
      fx: { from: 'EUR', to: 'USD', quote: { on: '2025-02-28', rate: '1.085' } },
      explanation:
        'Gold tier 15 % of €80,000.00 credited (100 % of €80,000.00) at 1 EUR = 1.085 USD (rate of 2025-02-28) = $13,020.00',
    });
  });

  it('rounds once, after the rate and the FX rate are both applied', () => {
    // €0.03 × 15 % × 1.5 = $0.00675 → $0.01; rounding the euro commission first would give €0.00.
    const fx = fxTable([{ base: 'EUR', quote: 'USD', on: '2025-01-01', rate: '1.5' }]);
    const tiny = aDeal({ amount: { amountMinor: 3, currency: 'EUR' } });
    expect(only(tiny, referral, aPartnerAt('gold'), defaultProgram, fx)).toMatchObject({
      total: { amountMinor: 1 },
    });
  });

  it('reports a missing FX rate for the close date as an error', () => {
    const commission = only(aDeal({ amount: eur(1_000) }), referral, aPartnerAt('gold'));
    expect(commission).toMatchObject({
      kind: 'error',
      error: { code: 'fx_rate_missing', on: '2025-03-01' },
    });
  });

  it('caps a commission and says the cap bit', () => {
    const capped = aRule({
      id: 'capped',
      name: 'Capped referral',
      match: { partnerId: 'partner-1' },
      cap: usd(5_000),
    });
    const program = aProgram({ rules: [...defaultProgram.rules, capped] });
    expect(only(deal, referral, aPartnerAt('gold'), program)).toMatchObject({
      kind: 'commission',
      total: usd(5_000),
      capped: true,
      explanation:
        'Capped referral 10 % of $80,000.00 credited (100 % of $80,000.00) = $8,000.00, capped at $5,000.00',
    });
  });

  it('credits no commission to an influencer under sourced-takes-all, and says why', () => {
    const tags = [aTag(), aTag({ partnerId: 'partner-2', role: 'influenced' })];
    const [, influencer] = commissionsOf(deal, tags, [
      aPartnerAt('gold'),
      aPartnerAt('gold', { id: 'partner-2' }),
    ]);
    expect(influencer).toEqual({
      kind: 'no_commission',
      partnerId: 'partner-2',
      credited: usd(0),
      code: 'no_credit',
      explanation:
        'No credit, no commission: 0 % of $80,000.00 (influenced: recorded, no credit under sourced-takes-all).',
    });
  });

  it('needs a project value for a project-value rule', () => {
    expect(only(deal, referral, aPartner({ subtype: 'system_integrator' }))).toMatchObject({
      kind: 'no_commission',
      code: 'no_project_value',
    });
  });

  it('splits the project value in the credit proportions, exactly', () => {
    const program = aProgram({ attribution: { kind: 'even_split' } });
    const si = (id: string) => aPartner({ id, subtype: 'system_integrator' });
    const tags = [
      aTag({ partnerId: 'si-1' }),
      aTag({ partnerId: 'si-2' }),
      aTag({ partnerId: 'si-3' }),
    ];
    const project = aDeal({ projectValue: { amountMinor: 100, currency: 'USD' } });
    const totals = commissionsOf(project, tags, [si('si-1'), si('si-2'), si('si-3')], program).map(
      (c) => (c.kind === 'commission' ? c.installments[0]?.base.amountMinor : null),
    );
    expect(totals).toEqual([34, 33, 33]);
  });

  it('names an unknown partner instead of guessing', () => {
    expect(only(deal, aTag({ partnerId: 'ghost' }), aPartner())).toMatchObject({
      kind: 'error',
      error: { code: 'unknown_partner', partnerId: 'ghost' },
    });
  });

  it('passes attribution errors through', () => {
    const context = createCommissionContext(defaultProgram, [aPartner()], noFx);
    expect(computeDealCommissions(deal, [aTag(), aTag()], context)).toMatchObject({
      success: false,
      error: { code: 'duplicate_partner_tag' },
    });
  });
});

describe('rule precedence and versions', () => {
  it('a partner-specific rule beats the subtype, type and tier rules', () => {
    const special = aRule({
      id: 'acme',
      name: 'Acme special',
      match: { partnerId: 'partner-1' },
      payout: { kind: 'percent', rate: '0.18' },
    });
    const program = aProgram({ rules: [...defaultProgram.rules, special] });
    expect(only(deal, referral, aPartnerAt('gold', { subtype: 'agency' }), program)).toMatchObject({
      rule: { id: 'acme' },
      total: usd(14_400),
    });
  });

  it('two equally specific matches are an error naming both rules, never a silent pick', () => {
    const a = aRule({
      id: 'resellers-a',
      name: 'Resellers A',
      match: { partnerSubtype: 'reseller' },
    });
    const b = aRule({
      id: 'resellers-b',
      name: 'Resellers B',
      match: { partnerSubtype: 'reseller' },
      version: 3,
      effectiveFrom: '2024-06-01',
    });
    const program = aProgram({ rules: [...defaultProgram.rules, b, a] });
    expect(only(deal, referral, aPartnerAt('gold'), program)).toEqual({
      kind: 'error',
      partnerId: 'partner-1',
      credited: usd(80_000),
      error: {
        code: 'ambiguous_rules',
        message:
          'rules "Resellers A" (resellers-a v1) and "Resellers B" (resellers-b v3) match equally specifically; make one more specific',
        rules: [
          { id: 'resellers-a', version: 1, name: 'Resellers A' },
          { id: 'resellers-b', version: 3, name: 'Resellers B' },
        ],
      },
    });
  });

  it('pays a deal by the rule version in force on its close date', () => {
    const v1 = aRule({
      id: 'acme',
      match: { partnerId: 'partner-1' },
      payout: { kind: 'percent', rate: '0.10' },
    });
    const v2 = aRule({
      ...v1,
      version: 2,
      effectiveFrom: '2025-03-02',
      payout: { kind: 'percent', rate: '0.12' },
    });
    const program = aProgram({ rules: [v1, v2] });
    expect(only(deal, referral, aPartner(), program)).toMatchObject({
      rule: { version: 1 },
      total: usd(8_000),
    });
    const later = aDeal({ closeDate: '2025-03-02' });
    expect(only(later, referral, aPartner(), program)).toMatchObject({
      rule: { version: 2 },
      total: usd(9_600),
    });
  });

  it('stops applying a retired rule on its end date', () => {
    const retired = aRule({ match: { partnerId: 'partner-1' }, effectiveTo: '2025-03-01' });
    expect(only(deal, referral, aPartner(), aProgram({ rules: [retired] }))).toMatchObject({
      kind: 'no_commission',
    });
  });

  test.each([
    { label: 'deal type', match: { dealType: 'renewal' }, dealType: 'renewal', hit: true },
    {
      label: 'deal type (other)',
      match: { dealType: 'renewal' },
      dealType: 'new_business',
      hit: false,
    },
    { label: 'role', match: { role: 'influenced' }, dealType: 'new_business', hit: false },
    {
      label: 'minimum amount reached',
      match: { minAmount: usd(80_000) },
      dealType: 'new_business',
      hit: true,
    },
    {
      label: 'minimum amount missed',
      match: { minAmount: usd(80_001) },
      dealType: 'new_business',
      hit: false,
    },
    { label: 'tier', match: { tier: 'gold' }, dealType: 'new_business', hit: true },
    { label: 'another tier', match: { tier: 'silver' }, dealType: 'new_business', hit: false },
    {
      label: 'partner type',
      match: { partnerType: 'technology' },
      dealType: 'new_business',
      hit: false,
    },
    {
      label: 'another partner',
      match: { partnerId: 'partner-9' },
      dealType: 'new_business',
      hit: false,
    },
    { label: 'another motion', match: { motion: 'co_sell' }, dealType: 'new_business', hit: false },
  ] as const)('matches on $label: $hit', ({ match, dealType, hit }) => {
    const rule = aRule({ match });
    const commission = only(
      aDeal({ dealType }),
      referral,
      aPartnerAt('gold'),
      aProgram({ rules: [rule] }),
    );
    expect(commission.kind).toBe(hit ? 'commission' : 'no_commission');
  });

  it('pays a flat amount to each credited partner', () => {
    const bounty = aRule({ name: 'Referral bounty', payout: { kind: 'flat', amount: usd(500) } });
    expect(only(deal, referral, aPartner(), aProgram({ rules: [bounty] }))).toMatchObject({
      total: usd(500),
      rate: null,
      explanation: 'Referral bounty: flat $500.00 for $80,000.00 credited (100 % of $80,000.00)',
    });
  });

  test.each([
    {
      mode: 'marginal',
      expected: 500 + 3_000 + 6_000,
      shown: '$9,500.00',
      label: '5 % of the first $10k, 10 % of the next $30k, 15 % of the $40k above',
    },
    {
      mode: 'whole',
      expected: 12_000,
      shown: '$12,000.00',
      label: 'the whole $80k at the 15 % of the highest bracket reached',
    },
  ] as const)('pays $mode brackets: $label', ({ mode, expected, shown }) => {
    const brackets = aRule({
      name: 'Volume',
      payout: {
        kind: 'brackets',
        mode,
        brackets: [
          { from: usd(0), rate: '0.05' },
          { from: usd(10_000), rate: '0.10' },
          { from: usd(40_000), rate: '0.15' },
        ],
      },
    });
    expect(only(deal, referral, aPartner(), aProgram({ rules: [brackets] }))).toMatchObject({
      total: usd(expected),
      explanation: `Volume (${mode} brackets: 5 % from $0.00, 10 % from $10,000.00, 15 % from $40,000.00) of $80,000.00 credited (100 % of $80,000.00) = ${shown}`,
    });
  });
});

describe('dealSchema', () => {
  it('accepts a deal recorded after it closed, refuses a reversal before the close', () => {
    expect(dealSchema.safeParse({ ...aDeal(), createdOn: '2025-06-01' }).success).toBe(true);
    expect(
      dealSchema.safeParse({ ...aDeal(), reversal: { reason: 'refunded', on: '2025-02-28' } })
        .success,
    ).toBe(false);
    expect(
      dealSchema.safeParse({
        ...aDeal(),
        stage: 'open',
        reversal: { reason: 'lost', on: '2025-03-02' },
      }).success,
    ).toBe(false);
  });
});
