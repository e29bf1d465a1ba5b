import { z } from 'zod';
import type { AttributionError } from './attribution.ts';
import { addDays, addMonths, type IsoDate, maxDate } from './calendar.ts';
import { creditedRevenue } from './credited-revenue.ts';
import { type Deal, groupTagsByDeal, isWonRevenueOn, type PartnerTag } from './deal.ts';
import {
  add,
  compareRational,
  type DecimalString,
  multiply,
  parseDecimal,
  type Rational,
  subtract,
  toFixedDecimal,
  ZERO,
} from './decimal.ts';
import { assertNever } from './errors.ts';
import { formatMoney } from './format.ts';
import type { FxRateMissingError, FxTable } from './fx.ts';
import { type CustomerId, type DealId, type PartnerId, type TierId, tierIdSchema } from './ids.ts';
import { type Money, money, nonNegativeMoneySchema, roundToMoney, toRational } from './money.ts';
import {
  type Partner,
  registered,
  type TierRef,
  type TrainingLevel,
  tierOn,
  trainingRank,
} from './partner.ts';
import type { Program } from './program.ts';

export const tierRequirementSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('certified_salespeople'), min: z.int().min(0) }),
  /** Distinct customer companies with a won deal credited to the partner, ever. */
  z.strictObject({ kind: z.literal('customers'), min: z.int().min(0) }),
  /** Credited won revenue over the trailing window, in the program currency. */
  z.strictObject({ kind: z.literal('trailing_revenue'), min: nonNegativeMoneySchema }),
  z.strictObject({ kind: z.literal('training'), level: z.enum(['basic', 'advanced', 'expert']) }),
  z.strictObject({ kind: z.literal('strategic_agreement') }),
]);
export type TierRequirement = z.infer<typeof tierRequirementSchema>;
export type RequirementKind = TierRequirement['kind'];

export const businessReviewCadences = ['quarterly', 'monthly', 'weekly', 'daily'] as const;

export const tierBenefitsSchema = z.strictObject({
  support: z.array(z.string()),
  businessReview: z.enum(businessReviewCadences),
  perks: z.array(z.string()),
});
export type TierBenefits = z.infer<typeof tierBenefitsSchema>;

/** A tier: reached when every requirement holds. Program tiers are listed lowest first. */
export const tierDefinitionSchema = z.strictObject({
  id: tierIdSchema.refine((id) => id !== registered, `"${registered}" is reserved for no tier`),
  name: z.string().min(1),
  requirements: z
    .array(tierRequirementSchema)
    .refine(
      (requirements) => new Set(requirements.map((r) => r.kind)).size === requirements.length,
      'a requirement kind appears twice',
    ),
  benefits: tierBenefitsSchema,
});
export type TierDefinition = z.infer<typeof tierDefinitionSchema>;

export const tierPolicySchema = z.strictObject({
  /** Days a partner keeps its tier after it stops qualifying, before it is demoted. */
  demotionGraceDays: z.int().min(0),
  /** Length of the trailing revenue window, in months (12: trailing twelve months). */
  revenueWindowMonths: z.int().min(1),
});
export type TierPolicy = z.infer<typeof tierPolicySchema>;

/** A won deal's credit to one partner, converted to the program currency at its close date. */
export type CreditedWin = {
  readonly dealId: DealId;
  readonly customerId: CustomerId;
  readonly on: IsoDate;
  readonly credited: Money;
};

/** An open deal's credit to one partner weighted by its probability, expected at its close date. */
export type WeightedOpenDeal = {
  readonly dealId: DealId;
  readonly customerId: CustomerId;
  readonly expectedOn: IsoDate;
  readonly probability: DecimalString;
  readonly weighted: Money;
};

/** A partner's credited wins and weighted pipeline: the input of tier evaluation. */
export type PartnerActivity = {
  readonly won: readonly CreditedWin[];
  readonly pipeline: readonly WeightedOpenDeal[];
};

export type ActivityIssue = {
  readonly dealId: DealId;
  readonly error: AttributionError | FxRateMissingError;
};

/**
 * One pass over deals and tags: each partner's credited wins (won by `asOf`, not reversed by then)
 * and probability-weighted open pipeline, in the program currency at each deal's close date (an
 * open deal's future close date uses the latest rate known).
 */
export function computePartnerActivity(input: {
  readonly deals: readonly Deal[];
  readonly tags: readonly PartnerTag[];
  readonly program: Program;
  readonly fx: FxTable;
  readonly asOf: IsoDate;
}): { activity: Map<PartnerId, PartnerActivity>; issues: ActivityIssue[] } {
  const { program, fx, asOf } = input;
  const tagsByDeal = groupTagsByDeal(input.tags);
  const activity = new Map<PartnerId, { won: CreditedWin[]; pipeline: WeightedOpenDeal[] }>();
  const issues: ActivityIssue[] = [];
  for (const deal of input.deals) {
    const tags = tagsByDeal.get(deal.id);
    const won = isWonRevenueOn(deal, asOf);
    if (tags === undefined || (!won && deal.stage !== 'open')) continue;
    const revenue = creditedRevenue(deal, tags, program.attribution, program.currency, fx);
    if (!revenue.success) {
      issues.push({ dealId: deal.id, error: revenue.error });
      continue;
    }
    const probability = parseDecimal(deal.probability);
    for (const { partnerId, credited } of revenue.data.credits) {
      let entry = activity.get(partnerId);
      if (entry === undefined) {
        entry = { won: [], pipeline: [] };
        activity.set(partnerId, entry);
      }
      if (won) {
        entry.won.push({
          dealId: deal.id,
          customerId: deal.customerId,
          on: deal.closeDate,
          credited,
        });
      } else if (probability.num > 0n) {
        entry.pipeline.push({
          dealId: deal.id,
          customerId: deal.customerId,
          expectedOn: maxDate(deal.closeDate, asOf),
          probability: deal.probability,
          weighted: roundToMoney(multiply(toRational(credited), probability), program.currency),
        });
      }
    }
  }
  return { activity, issues };
}

/** The partner facts tier requirements are checked against. */
export type TierFacts = {
  readonly trailingRevenue: Money;
  readonly customers: number;
  readonly certifiedSalespeople: number;
  readonly trainingLevel: TrainingLevel;
  readonly strategicAgreementSigned: boolean;
};

export type RequirementProgress =
  | {
      readonly kind: 'certified_salespeople' | 'customers';
      readonly label: string;
      readonly met: boolean;
      readonly current: number;
      readonly required: number;
      readonly gap: number;
    }
  | {
      readonly kind: 'trailing_revenue';
      readonly label: string;
      readonly met: boolean;
      readonly current: Money;
      readonly required: Money;
      readonly gap: Money;
    }
  | {
      readonly kind: 'training';
      readonly label: string;
      readonly met: boolean;
      readonly current: TrainingLevel;
      readonly required: TrainingLevel;
      /** Training levels still to complete. */
      readonly gap: number;
    }
  | {
      readonly kind: 'strategic_agreement';
      readonly label: string;
      readonly met: boolean;
      readonly current: boolean;
      readonly required: true;
      readonly gap: 0 | 1;
    };

export type TierChange =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'promoted'; readonly from: TierRef }
  | { readonly kind: 'held_in_grace'; readonly qualifiesFor: TierRef; readonly until: IsoDate }
  | { readonly kind: 'demoted'; readonly from: TierRef };

export type TierForecast =
  | {
      readonly kind: 'reachable';
      readonly tier: TierId;
      /** First expected close date at which every requirement would hold. */
      readonly expectedOn: IsoDate;
      readonly projectedRevenue: Money;
      /** Expected distinct customers (probability-weighted), two decimals. */
      readonly projectedCustomers: string;
    }
  | {
      readonly kind: 'unreachable';
      readonly code: 'top_tier' | 'needs_more_than_pipeline' | 'pipeline_insufficient';
      readonly reason: string;
    };

/** What the tier card shows, and the state to store for the next evaluation. */
export type TierEvaluation = {
  readonly partnerId: PartnerId;
  readonly asOf: IsoDate;
  /** The tier the partner holds after this evaluation (grace may keep it above `qualifiedTier`). */
  readonly tier: TierRef;
  readonly tierName: string;
  readonly since: IsoDate;
  /** Store on the partner: when it stopped qualifying for `tier`, or null. */
  readonly belowTierSince: IsoDate | null;
  readonly qualifiedTier: TierRef;
  readonly change: TierChange;
  readonly benefits: TierBenefits | null;
  readonly facts: TierFacts;
  /**
   * Progress to the tier above the one the partner qualifies for: the next tier (`reach`), or,
   * while in grace, the tier it holds (`keep`). `null` when it qualifies for the top tier.
   */
  readonly progress: {
    readonly tier: TierId;
    readonly tierName: string;
    readonly goal: 'reach' | 'keep';
    readonly requirements: readonly RequirementProgress[];
  } | null;
  readonly forecast: TierForecast;
};

/** Credited revenue over the trailing window ending on `asOf` (inclusive), program currency. */
export function trailingRevenue(
  activity: PartnerActivity,
  program: Pick<Program, 'currency' | 'tierPolicy'>,
  asOf: IsoDate,
): Money {
  const windowStart = addMonths(asOf, -program.tierPolicy.revenueWindowMonths);
  let total = 0;
  for (const win of activity.won) {
    if (win.on > windowStart && win.on <= asOf) total += win.credited.amountMinor;
  }
  return money(total, program.currency);
}

/** Distinct customers with a credited win on or before `asOf`. */
export function creditedCustomers(activity: PartnerActivity, asOf: IsoDate): Set<CustomerId> {
  const customers = new Set<CustomerId>();
  for (const win of activity.won) if (win.on <= asOf) customers.add(win.customerId);
  return customers;
}

const requirementLabels: Record<RequirementKind, string> = {
  certified_salespeople: 'Certified salespeople',
  customers: 'Customers',
  trailing_revenue: 'Trailing revenue',
  training: 'Training',
  strategic_agreement: 'Strategic partnership agreement',
};

export function requirementProgress(
  requirement: TierRequirement,
  facts: TierFacts,
): RequirementProgress {
  const label = requirementLabels[requirement.kind];
  switch (requirement.kind) {
    case 'certified_salespeople':
    case 'customers': {
      const current =
        requirement.kind === 'customers' ? facts.customers : facts.certifiedSalespeople;
      const gap = Math.max(0, requirement.min - current);
      return {
        kind: requirement.kind,
        label,
        met: gap === 0,
        current,
        required: requirement.min,
        gap,
      };
    }
    case 'trailing_revenue': {
      const gap = Math.max(0, requirement.min.amountMinor - facts.trailingRevenue.amountMinor);
      return {
        kind: 'trailing_revenue',
        label,
        met: gap === 0,
        current: facts.trailingRevenue,
        required: requirement.min,
        gap: money(gap, requirement.min.currency),
      };
    }
    case 'training': {
      const gap = Math.max(0, trainingRank(requirement.level) - trainingRank(facts.trainingLevel));
      return {
        kind: 'training',
        label,
        met: gap === 0,
        current: facts.trainingLevel,
        required: requirement.level,
        gap,
      };
    }
    case 'strategic_agreement':
      return {
        kind: 'strategic_agreement',
        label,
        met: facts.strategicAgreementSigned,
        current: facts.strategicAgreementSigned,
        required: true,
        gap: facts.strategicAgreementSigned ? 0 : 1,
      };
    default:
      return assertNever(requirement);
  }
}

/** The highest tier whose every requirement holds, or "registered". */
export function qualifyingTier(tiers: readonly TierDefinition[], facts: TierFacts): TierRef {
  for (let index = tiers.length - 1; index >= 0; index--) {
    const tier = tiers[index] as TierDefinition;
    if (tier.requirements.every((requirement) => requirementProgress(requirement, facts).met)) {
      return tier.id;
    }
  }
  return registered;
}

/**
 * Evaluates a partner's tier on `asOf`. Promotion is immediate. When the partner stops qualifying
 * for its tier, it keeps it for the program's grace period (counted from `belowTierSince`), then
 * drops to the tier it qualifies for on that day; qualifying again during grace clears the clock.
 */
export function evaluateTier(input: {
  readonly program: Program;
  readonly partner: Partner;
  readonly activity: PartnerActivity;
  readonly asOf: IsoDate;
}): TierEvaluation {
  const { program, partner, activity, asOf } = input;
  const tiers = program.tiers;
  const customers = creditedCustomers(activity, asOf);
  const facts: TierFacts = {
    trailingRevenue: trailingRevenue(activity, program, asOf),
    customers: customers.size,
    certifiedSalespeople: partner.certifiedSalespeople,
    trainingLevel: partner.trainingLevel,
    strategicAgreementSigned: partner.strategicAgreementSigned,
  };
  const rankOf = (tier: TierRef) => tiers.findIndex((definition) => definition.id === tier) + 1;
  const held = tierOn(partner, asOf);
  const heldSince =
    partner.tierHistory.findLast((entry) => entry.since <= asOf)?.since ?? partner.joinedOn;
  const qualified = qualifyingTier(tiers, facts);

  let tier: TierRef = held;
  let since = heldSince;
  let belowTierSince: IsoDate | null = null;
  let change: TierChange = { kind: 'unchanged' };
  if (rankOf(qualified) > rankOf(held)) {
    tier = qualified;
    since = asOf;
    change = { kind: 'promoted', from: held };
  } else if (rankOf(qualified) < rankOf(held)) {
    const lapsedOn = partner.belowTierSince ?? asOf;
    const until = addDays(lapsedOn, program.tierPolicy.demotionGraceDays);
    if (asOf >= until) {
      tier = qualified;
      since = asOf;
      change = { kind: 'demoted', from: held };
    } else {
      belowTierSince = lapsedOn;
      change = { kind: 'held_in_grace', qualifiesFor: qualified, until };
    }
  }

  const definition = tiers[rankOf(tier) - 1];
  const target = tiers[rankOf(qualified)];
  const progress =
    target === undefined
      ? null
      : {
          tier: target.id,
          tierName: target.name,
          goal: rankOf(target.id) <= rankOf(tier) ? ('keep' as const) : ('reach' as const),
          requirements: target.requirements.map((requirement) =>
            requirementProgress(requirement, facts),
          ),
        };
  return {
    partnerId: partner.id,
    asOf,
    tier,
    tierName: definition?.name ?? 'Registered',
    since,
    belowTierSince,
    qualifiedTier: qualified,
    change,
    benefits: definition?.benefits ?? null,
    facts,
    progress,
    forecast:
      target === undefined || progress === null
        ? { kind: 'unreachable', code: 'top_tier', reason: 'Already qualifies for the top tier.' }
        : forecastTier(target, progress.requirements, {
            facts,
            customers,
            activity,
            program,
            asOf,
          }),
  };
}

/**
 * When would `target` be reached if open deals close at their expected dates, each counting for
 * its probability-weighted amount? Checked at each expected close date, letting old wins age out
 * of the trailing window. Requirements pipeline cannot change (people, training, agreement) must
 * already hold.
 */
function forecastTier(
  target: TierDefinition,
  progress: readonly RequirementProgress[],
  context: {
    readonly facts: TierFacts;
    readonly customers: ReadonlySet<CustomerId>;
    readonly activity: PartnerActivity;
    readonly program: Program;
    readonly asOf: IsoDate;
  },
): TierForecast {
  const { facts, customers: knownCustomers, activity, program, asOf } = context;
  const blockers = progress.filter(
    (entry) => !entry.met && entry.kind !== 'trailing_revenue' && entry.kind !== 'customers',
  );
  if (blockers.length > 0) {
    return {
      kind: 'unreachable',
      code: 'needs_more_than_pipeline',
      reason: `${target.name} also needs: ${blockers.map((entry) => entry.label.toLowerCase()).join(', ')}; pipeline alone cannot get there.`,
    };
  }
  const revenueNeeded =
    target.requirements.find((r) => r.kind === 'trailing_revenue')?.min.amountMinor ?? 0;
  const customersNeeded = target.requirements.find((r) => r.kind === 'customers')?.min ?? 0;

  // Revenue events (wins and weighted pipeline) in date order, for a sliding window sum.
  const events = [
    ...activity.won
      .filter((win) => win.on <= asOf)
      .map((win) => ({ on: win.on, amount: win.credited.amountMinor })),
    ...activity.pipeline.map((deal) => ({
      on: deal.expectedOn,
      amount: deal.weighted.amountMinor,
    })),
  ].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  const pipeline = [...activity.pipeline].sort((a, b) =>
    a.expectedOn < b.expectedOn
      ? -1
      : a.expectedOn > b.expectedOn
        ? 1
        : a.dealId < b.dealId
          ? -1
          : 1,
  );
  const newCustomerOdds = new Map<CustomerId, Rational>();
  let expectedNewCustomers = ZERO;
  let windowSum = 0;
  let added = 0;
  let dropped = 0;
  let bestRevenue = facts.trailingRevenue.amountMinor;
  let bestCustomers: Rational = { num: BigInt(knownCustomers.size), den: 1n };

  for (let index = 0; index < pipeline.length; ) {
    const checkpoint = (pipeline[index] as WeightedOpenDeal).expectedOn;
    for (
      ;
      index < pipeline.length && (pipeline[index] as WeightedOpenDeal).expectedOn === checkpoint;
      index++
    ) {
      const deal = pipeline[index] as WeightedOpenDeal;
      if (knownCustomers.has(deal.customerId)) continue;
      // A new customer counts once, at the odds of its likeliest deal so far.
      const odds = parseDecimal(deal.probability);
      const previous = newCustomerOdds.get(deal.customerId) ?? ZERO;
      if (compareRational(odds, previous) > 0) {
        expectedNewCustomers = add(expectedNewCustomers, subtract(odds, previous));
        newCustomerOdds.set(deal.customerId, odds);
      }
    }
    const windowStart = addMonths(checkpoint, -program.tierPolicy.revenueWindowMonths);
    for (; added < events.length && (events[added]?.on ?? '') <= checkpoint; added++) {
      windowSum += events[added]?.amount ?? 0;
    }
    for (; dropped < added && (events[dropped]?.on ?? '') <= windowStart; dropped++) {
      windowSum -= events[dropped]?.amount ?? 0;
    }
    const customers = add({ num: BigInt(knownCustomers.size), den: 1n }, expectedNewCustomers);
    bestRevenue = Math.max(bestRevenue, windowSum);
    if (compareRational(customers, bestCustomers) > 0) bestCustomers = customers;
    if (
      windowSum >= revenueNeeded &&
      compareRational(customers, { num: BigInt(customersNeeded), den: 1n }) >= 0
    ) {
      return {
        kind: 'reachable',
        tier: target.id,
        expectedOn: checkpoint,
        projectedRevenue: money(windowSum, program.currency),
        projectedCustomers: toFixedDecimal(customers, 2),
      };
    }
  }
  const shortfalls = [
    ...(bestRevenue < revenueNeeded
      ? [
          `trailing revenue to at most ${formatMoney(money(bestRevenue, program.currency))} (needs ${formatMoney(money(revenueNeeded, program.currency))})`,
        ]
      : []),
    ...(compareRational(bestCustomers, { num: BigInt(customersNeeded), den: 1n }) < 0
      ? [`customers to ${toFixedDecimal(bestCustomers, 2)} (needs ${customersNeeded})`]
      : []),
  ];
  return {
    kind: 'unreachable',
    code: 'pipeline_insufficient',
    reason:
      shortfalls.length > 0
        ? `Weighted open pipeline brings ${shortfalls.join(' and ')}.`
        : 'Weighted open pipeline meets the revenue and customer requirements, but never at the same time: older wins leave the trailing window first.',
  };
}
