import {
  allocateByLargestRemainder,
  computePartnerActivity,
  customerIdSchema,
  dealIdSchema,
  defaultProgram,
  evaluateTier,
  type Money,
  type Partner,
  type PartnerActivity,
  type TierDefinition,
  type TrainingLevel,
} from '@partnerbridge/shared';
import { describe, expect, it, test } from 'vitest';
import { aDeal, aPartner, aPartnerAt, aTag, cents, eur, fxTable, noFx, usd } from './builders.ts';

const asOf = '2025-06-30';

/** `customers` distinct customers won in the last year, sharing `revenue` evenly. */
function activity(
  revenue: Money,
  customers: number,
  pipeline: PartnerActivity['pipeline'] = [],
): PartnerActivity {
  const parts =
    customers === 0 ? [] : allocateByLargestRemainder(revenue, Array(customers).fill(1n));
  return {
    won: parts.map((credited, index) => ({
      dealId: dealIdSchema.parse(`won-${index}`),
      customerId: customerIdSchema.parse(`customer-${index}`),
      on: '2025-03-01',
      credited,
    })),
    pipeline,
  };
}

type Facts = {
  certified: number;
  customers: number;
  revenue: Money;
  training: TrainingLevel;
  agreement: boolean;
};

function evaluate(
  facts: Facts,
  partner: Partial<Parameters<typeof aPartner>[0]> = {},
  pipeline: PartnerActivity['pipeline'] = [],
) {
  return evaluateTier({
    program: defaultProgram,
    partner: aPartner({
      certifiedSalespeople: facts.certified,
      trainingLevel: facts.training,
      strategicAgreementSigned: facts.agreement,
      ...partner,
    }),
    activity: activity(facts.revenue, facts.customers, pipeline),
    asOf,
  });
}

/** Facts meeting exactly every requirement of a tier (Platinum partners hold expert training too). */
function exactly(tier: TierDefinition): Facts {
  const facts: Facts = {
    certified: 0,
    customers: 0,
    revenue: usd(0),
    training: 'expert',
    agreement: false,
  };
  for (const requirement of tier.requirements) {
    if (requirement.kind === 'certified_salespeople') facts.certified = requirement.min;
    if (requirement.kind === 'customers') facts.customers = requirement.min;
    if (requirement.kind === 'trailing_revenue') facts.revenue = requirement.min;
    if (requirement.kind === 'training') facts.training = requirement.level;
    if (requirement.kind === 'strategic_agreement') facts.agreement = true;
  }
  return facts;
}

const lowerTraining: Record<TrainingLevel, TrainingLevel> = {
  none: 'none',
  basic: 'none',
  advanced: 'basic',
  expert: 'advanced',
};

const boundaries = defaultProgram.tiers.flatMap((tier, index) => {
  const below = defaultProgram.tiers[index - 1]?.id ?? 'registered';
  const at = exactly(tier);
  return [
    { label: `${tier.name}: every requirement exactly met`, facts: at, expected: tier.id },
    ...tier.requirements.map((requirement) => {
      const facts = { ...at };
      switch (requirement.kind) {
        case 'certified_salespeople':
          facts.certified -= 1;
          break;
        case 'customers':
          facts.customers -= 1;
          break;
        case 'trailing_revenue':
          facts.revenue = cents(at.revenue.amountMinor - 1);
          break;
        case 'training':
          facts.training = lowerTraining[at.training];
          break;
        case 'strategic_agreement':
          facts.agreement = false;
          break;
      }
      return {
        label: `${tier.name}: ${requirement.kind} just below → ${below}`,
        facts,
        expected: below,
      };
    }),
  ];
});

describe('tier boundaries of the default program', () => {
  test.each(boundaries)('$label', ({ facts, expected }) => {
    expect(evaluate(facts).qualifiedTier).toBe(expected);
  });
});

describe('evaluateTier', () => {
  const goldFacts = exactly(defaultProgram.tiers[2] as TierDefinition);
  const silverFacts = exactly(defaultProgram.tiers[1] as TierDefinition);

  it('is the highest tier whose every requirement holds, not the best single requirement', () => {
    const lopsided: Facts = {
      certified: 1,
      customers: 500,
      revenue: usd(2_000_000),
      training: 'basic',
      agreement: true,
    };
    expect(evaluate(lopsided).tier).toBe('bronze');
  });

  it('leaves a partner meeting no tier registered, with no benefits', () => {
    const result = evaluate({
      certified: 0,
      customers: 0,
      revenue: usd(0),
      training: 'none',
      agreement: false,
    });
    expect(result).toMatchObject({
      tier: 'registered',
      tierName: 'Registered',
      benefits: null,
      change: { kind: 'unchanged' },
    });
  });

  it('promotes immediately', () => {
    const result = evaluate(goldFacts, { tierHistory: [{ tier: 'bronze', since: '2024-05-01' }] });
    expect(result).toMatchObject({
      tier: 'gold',
      since: asOf,
      change: { kind: 'promoted', from: 'bronze' },
      belowTierSince: null,
      benefits: { businessReview: 'weekly' },
    });
  });

  it('holds a tier through the grace period before demoting', () => {
    const heldGold = { tierHistory: [{ tier: 'gold', since: '2024-05-01' }] };
    expect(evaluate(silverFacts, heldGold)).toMatchObject({
      tier: 'gold',
      since: '2024-05-01',
      qualifiedTier: 'silver',
      belowTierSince: asOf,
      change: { kind: 'held_in_grace', qualifiesFor: 'silver', until: '2025-09-28' },
    });
    expect(evaluate(silverFacts, { ...heldGold, belowTierSince: '2025-04-02' })).toMatchObject({
      tier: 'gold',
      change: { kind: 'held_in_grace', until: '2025-07-01' },
    });
    expect(evaluate(silverFacts, { ...heldGold, belowTierSince: '2025-04-01' })).toMatchObject({
      tier: 'silver',
      since: asOf,
      belowTierSince: null,
      change: { kind: 'demoted', from: 'gold' },
    });
  });

  it('clears the grace clock when the partner qualifies again', () => {
    const result = evaluate(goldFacts, {
      tierHistory: [{ tier: 'gold', since: '2024-05-01' }],
      belowTierSince: '2025-05-01',
    });
    expect(result).toMatchObject({
      tier: 'gold',
      belowTierSince: null,
      change: { kind: 'unchanged' },
    });
  });

  it('shows progress to the next tier: current, required and gap per requirement', () => {
    const result = evaluate({
      certified: 3,
      customers: 20,
      revenue: usd(120_000),
      training: 'advanced',
      agreement: false,
    });
    expect(result.tier).toBe('silver');
    expect(result.progress).toEqual({
      tier: 'gold',
      tierName: 'Gold',
      goal: 'reach',
      requirements: [
        {
          kind: 'certified_salespeople',
          label: 'Certified salespeople',
          met: false,
          current: 3,
          required: 5,
          gap: 2,
        },
        { kind: 'customers', label: 'Customers', met: false, current: 20, required: 50, gap: 30 },
        {
          kind: 'trailing_revenue',
          label: 'Trailing revenue',
          met: false,
          current: usd(120_000),
          required: usd(200_000),
          gap: usd(80_000),
        },
        {
          kind: 'training',
          label: 'Training',
          met: false,
          current: 'advanced',
          required: 'expert',
          gap: 1,
        },
      ],
    });
  });

  it('shows what it takes to keep the tier while in grace', () => {
    const result = evaluate(silverFacts, { tierHistory: [{ tier: 'gold', since: '2024-05-01' }] });
    expect(result.progress).toMatchObject({ tier: 'gold', goal: 'keep' });
  });

  it('has no next tier at the top', () => {
    const result = evaluate(exactly(defaultProgram.tiers[3] as TierDefinition));
    expect(result).toMatchObject({
      tier: 'platinum',
      progress: null,
      forecast: { kind: 'unreachable', code: 'top_tier' },
    });
  });

  describe('forecast from weighted open pipeline', () => {
    const nearlyGold: Facts = { ...goldFacts, revenue: usd(150_000), customers: 48 };
    const open = (
      id: string,
      expectedOn: string,
      weighted: Money,
      probability = '0.5',
      customer = id,
    ) => ({
      dealId: dealIdSchema.parse(id),
      customerId: customerIdSchema.parse(customer),
      expectedOn,
      probability,
      weighted,
    });

    it('names the first expected close date at which every requirement holds', () => {
      const pipeline = [
        open('p3', '2025-09-15', usd(30_000), '0.6'),
        open('p1', '2025-07-15', usd(20_000), '0.5'),
        open('p2', '2025-08-15', usd(10_000), '0.9'),
      ];
      expect(evaluate(nearlyGold, {}, pipeline).forecast).toEqual({
        kind: 'reachable',
        tier: 'gold',
        expectedOn: '2025-09-15',
        projectedRevenue: usd(210_000),
        projectedCustomers: '50.00',
      });
    });

    it('lets old wins age out of the trailing window', () => {
      // the $150k was won on 2025-03-01 and leaves the window on 2026-03-01
      const pipeline = [open('p1', '2026-04-01', usd(60_000), '1')];
      expect(evaluate({ ...nearlyGold, customers: 50 }, {}, pipeline).forecast).toMatchObject({
        kind: 'unreachable',
        code: 'pipeline_insufficient',
        reason:
          'Weighted open pipeline brings trailing revenue to at most $150,000.00 (needs $200,000.00).',
      });
    });

    it('needs revenue and customers at the same checkpoint, and says when they never meet', () => {
      // customers come first (the 50th, nearly certain, in July) while the $150k won in March
      // leaves the window before the revenue arrives in April 2026
      const pipeline = [
        open('p1', '2025-07-15', usd(1_000), '1', 'c-new-1'),
        open('p2', '2025-07-16', usd(1_000), '1', 'c-new-2'),
        open('p3', '2026-04-01', usd(200_000), '1', 'c-new-2'),
      ];
      const early = { ...nearlyGold, customers: 48 };
      expect(evaluate(early, {}, pipeline).forecast).toMatchObject({
        kind: 'reachable',
        expectedOn: '2026-04-01',
      });
      const twoWindows = [
        open('p1', '2025-07-15', usd(60_000), '1'),
        open('p2', '2026-04-01', usd(1_000), '1', 'c-new-1'),
        open('p3', '2026-04-02', usd(1_000), '1', 'c-new-2'),
      ];
      expect(evaluate(early, {}, twoWindows).forecast).toMatchObject({
        kind: 'unreachable',
        code: 'pipeline_insufficient',
        reason: expect.stringContaining('never at the same time'),
      });
    });

    it('counts a new customer once, at its likeliest deal', () => {
      const pipeline = [
        open('p1', '2025-07-15', usd(30_000), '0.5', 'new-customer'),
        open('p2', '2025-07-20', usd(30_000), '0.7', 'new-customer'),
      ];
      expect(evaluate(nearlyGold, {}, pipeline).forecast).toMatchObject({
        kind: 'unreachable',
        reason: expect.stringContaining('customers to 48.70 (needs 50)'),
      });
    });

    it('is unreachable from pipeline alone when certifications are missing', () => {
      const pipeline = [open('p1', '2025-07-15', usd(100_000))];
      expect(evaluate({ ...nearlyGold, certified: 4 }, {}, pipeline).forecast).toEqual({
        kind: 'unreachable',
        code: 'needs_more_than_pipeline',
        reason: 'Gold also needs: certified salespeople; pipeline alone cannot get there.',
      });
    });
  });
});

describe('partner tier history', () => {
  it('must move forward in time', () => {
    expect(() =>
      aPartner({
        tierHistory: [
          { tier: 'gold', since: '2025-01-01' },
          { tier: 'silver', since: '2025-01-01' },
        ],
      }),
    ).toThrow('tier history must be in strictly increasing date order');
  });
});

describe('computePartnerActivity', () => {
  const program = defaultProgram;
  const partner: Partner = aPartnerAt('gold');

  it('collects credited wins in the program currency at their close-date rate, and weighted pipeline', () => {
    const fx = fxTable([{ base: 'EUR', quote: 'USD', on: '2025-01-01', rate: '1.1' }]);
    const deals = [
      aDeal({ id: 'won-eur', amount: eur(10_000), closeDate: '2025-02-01' }),
      aDeal({
        id: 'open',
        stage: 'open',
        probability: '0.25',
        amount: usd(40_000),
        closeDate: '2025-05-01',
      }),
      aDeal({ id: 'lost', stage: 'lost' }),
      aDeal({ id: 'refunded', reversal: { reason: 'refunded', on: '2025-06-01' } }),
      aDeal({ id: 'untagged' }),
    ];
    const tags = ['won-eur', 'open', 'lost', 'refunded'].map((dealId) => aTag({ dealId }));
    const { activity: byPartner, issues } = computePartnerActivity({
      deals,
      tags,
      program,
      fx,
      asOf,
    });
    expect(issues).toEqual([]);
    expect(byPartner.get(partner.id)).toEqual({
      won: [
        { dealId: 'won-eur', customerId: 'customer-1', on: '2025-02-01', credited: usd(11_000) },
      ],
      pipeline: [
        {
          dealId: 'open',
          customerId: 'customer-1',
          expectedOn: asOf,
          probability: '0.25',
          weighted: usd(10_000),
        },
      ],
    });
  });

  it('feeds evaluateTier: trailing twelve months, distinct customers ever', () => {
    const deals = [
      aDeal({
        id: 'old',
        customerId: 'c-old',
        amount: usd(5_000),
        createdOn: '2024-01-01',
        closeDate: '2024-06-30',
      }),
      aDeal({
        id: 'edge',
        customerId: 'c-edge',
        amount: usd(7_000),
        createdOn: '2024-01-01',
        closeDate: '2024-07-01',
      }),
      aDeal({ id: 'new', customerId: 'c-edge', amount: usd(3_000), closeDate: '2025-06-30' }),
    ];
    const tags = deals.map((deal) => aTag({ dealId: deal.id }));
    const { activity: byPartner } = computePartnerActivity({
      deals,
      tags,
      program,
      fx: noFx,
      asOf,
    });
    const result = evaluateTier({
      program,
      partner,
      activity: byPartner.get(partner.id) ?? { won: [], pipeline: [] },
      asOf,
    });
    expect(result.facts).toMatchObject({ trailingRevenue: usd(10_000), customers: 2 });
  });

  it('reports deals it cannot convert or attribute', () => {
    const deals = [aDeal({ id: 'eur', amount: eur(1) }), aDeal({ id: 'twice' })];
    const tags = [aTag({ dealId: 'eur' }), aTag({ dealId: 'twice' }), aTag({ dealId: 'twice' })];
    const { issues } = computePartnerActivity({ deals, tags, program, fx: noFx, asOf });
    expect(issues.map((issue) => [issue.dealId, issue.error.code])).toEqual([
      ['eur', 'fx_rate_missing'],
      ['twice', 'duplicate_partner_tag'],
    ]);
  });
});
