import { z } from 'zod';
import { type IsoDate, isoDateSchema } from './calendar.ts';
import {
  type DealType,
  dealTypes,
  type Motion,
  motions,
  type PartnerRole,
  partnerRoles,
} from './deal.ts';
import {
  add,
  compareRational,
  type DecimalString,
  decimalStringSchema,
  minRational,
  multiply,
  parseDecimal,
  type Rational,
  subtract,
  ZERO,
} from './decimal.ts';
import { assertNever, fail, ok, type Result } from './errors.ts';
import { type PartnerId, partnerIdSchema, type RuleId, ruleIdSchema, tierIdSchema } from './ids.ts';
import { nonNegativeMoneySchema, toRational } from './money.ts';
import { type PartnerType, partnerTypes, type TierRef, tierRefSchema } from './partner.ts';

/** Every criterion is optional; an absent criterion matches anything. */
export const ruleMatchSchema = z.strictObject({
  partnerId: partnerIdSchema.optional(),
  partnerSubtype: z.string().min(1).optional(),
  partnerType: z.enum(partnerTypes).optional(),
  tier: tierRefSchema.optional(),
  motion: z.enum(motions).optional(),
  dealType: z.enum(dealTypes).optional(),
  role: z.enum(partnerRoles).optional(),
  /** The deal amount, converted to the program currency at the close date, must reach this. */
  minAmount: nonNegativeMoneySchema.optional(),
});
export type RuleMatch = z.infer<typeof ruleMatchSchema>;

const bracketSchema = z.strictObject({ from: nonNegativeMoneySchema, rate: decimalStringSchema });

export const payoutSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('percent'), rate: decimalStringSchema }),
  /** The partner's tier at close date picks the rate; tiers not listed do not match the rule. */
  z.strictObject({
    kind: z.literal('tier_rates'),
    rates: z
      .array(z.strictObject({ tier: tierIdSchema, rate: decimalStringSchema }))
      .min(1)
      .refine(
        (rates) => new Set(rates.map((r) => r.tier)).size === rates.length,
        'tier listed twice',
      ),
  }),
  /** The tag's motion picks the rate; motions not listed do not match the rule. */
  z.strictObject({
    kind: z.literal('motion_rates'),
    rates: z
      .array(z.strictObject({ motion: z.enum(motions), rate: decimalStringSchema }))
      .min(1)
      .refine(
        (rates) => new Set(rates.map((r) => r.motion)).size === rates.length,
        'motion listed twice',
      ),
  }),
  /** A fixed amount in the program currency for each credited partner. */
  z.strictObject({ kind: z.literal('flat'), amount: nonNegativeMoneySchema }),
  /**
   * Rates by size of the base (in the program currency). `marginal`: each slice of the base is paid
   * at its own bracket's rate, like income tax. `whole`: the whole base is paid at the rate of the
   * highest bracket it reaches.
   */
  z.strictObject({
    kind: z.literal('brackets'),
    mode: z.enum(['marginal', 'whole']),
    brackets: z
      .array(bracketSchema)
      .min(1)
      .refine((brackets) => brackets[0]?.from.amountMinor === 0, 'the first bracket starts at 0')
      .refine(
        (brackets) =>
          brackets.every(
            (bracket, i) =>
              i === 0 || (brackets[i - 1]?.from.amountMinor ?? 0) < bracket.from.amountMinor,
          ),
        'brackets must be in increasing order',
      ),
  }),
]);
export type Payout = z.infer<typeof payoutSchema>;

export const commissionBases = ['credited_amount', 'project_value'] as const;
export type CommissionBase = (typeof commissionBases)[number];

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('one_time') }),
  /** Paid month by month on the deal's monthly revenue, for at most `months` (default: contract). */
  z.strictObject({ kind: z.literal('recurring'), months: z.int().min(1).max(120).optional() }),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

/**
 * A versioned, effective-dated commission rule. Editing a rule adds a version with a later
 * `effectiveFrom`; a deal is paid by the version in force on its close date, so an edit never
 * changes what deals closed before it earned.
 */
export const commissionRuleSchema = z
  .strictObject({
    id: ruleIdSchema,
    version: z.int().min(1),
    name: z.string().min(1),
    effectiveFrom: isoDateSchema,
    /** Exclusive: the rule no longer applies to deals closing on or after this day. */
    effectiveTo: isoDateSchema.optional(),
    match: ruleMatchSchema,
    payout: payoutSchema,
    base: z.enum(commissionBases),
    schedule: scheduleSchema,
    /** The most one partner earns from one deal under this rule, in the program currency. */
    cap: nonNegativeMoneySchema.optional(),
    /** Days after a line is earned before it becomes payable. */
    holdingDays: z.int().min(0),
    /** Days after a line is earned during which a loss, refund or churn takes it back. */
    clawbackDays: z.int().min(0),
  })
  .refine((rule) => rule.effectiveTo === undefined || rule.effectiveTo > rule.effectiveFrom, {
    message: 'effectiveTo must be after effectiveFrom',
    path: ['effectiveTo'],
  })
  .refine((rule) => rule.payout.kind !== 'flat' || rule.schedule.kind === 'one_time', {
    message: 'a flat payout is paid once',
    path: ['schedule'],
  })
  .refine((rule) => rule.payout.kind !== 'tier_rates' || rule.match.tier === undefined, {
    message: 'a tier-rates payout already selects by tier; drop match.tier',
    path: ['match', 'tier'],
  })
  .refine((rule) => rule.payout.kind !== 'motion_rates' || rule.match.motion === undefined, {
    message: 'a motion-rates payout already selects by motion; drop match.motion',
    path: ['match', 'motion'],
  });
export type CommissionRule = z.infer<typeof commissionRuleSchema>;

/** Names a rule version in ledgers, explanations and errors. */
export type RuleRef = { readonly id: RuleId; readonly version: number; readonly name: string };

export function ruleRef(rule: CommissionRule): RuleRef {
  return { id: rule.id, version: rule.version, name: rule.name };
}

export type AmbiguousRulesError = {
  readonly code: 'ambiguous_rules';
  readonly message: string;
  readonly rules: readonly [RuleRef, RuleRef];
};

/** Everything a rule can match on, for one partner on one deal. */
export type RuleFacts = {
  readonly partnerId: PartnerId;
  readonly partnerType: PartnerType;
  readonly partnerSubtype: string;
  readonly tier: TierRef;
  readonly motion: Motion;
  readonly role: PartnerRole;
  readonly dealType: DealType;
  /** Deal amount in program-currency minor units (exact, converted at close date). */
  readonly dealAmount: Rational;
};

/** Rule versions grouped by id, oldest first: build once, query per deal. */
export type RuleBook = { readonly versionsById: ReadonlyMap<RuleId, readonly CommissionRule[]> };

export function createRuleBook(rules: readonly CommissionRule[]): RuleBook {
  const versionsById = new Map<RuleId, CommissionRule[]>();
  for (const rule of rules) {
    const versions = versionsById.get(rule.id) ?? [];
    versions.push(rule);
    versionsById.set(rule.id, versions);
  }
  for (const versions of versionsById.values()) versions.sort((a, b) => a.version - b.version);
  return { versionsById };
}

/** For each rule id, the version in force on `on` (latest `effectiveFrom` on or before it). */
export function rulesInForce(book: RuleBook, on: IsoDate): CommissionRule[] {
  const inForce: CommissionRule[] = [];
  for (const versions of book.versionsById.values()) {
    let current: CommissionRule | undefined;
    for (const version of versions) if (version.effectiveFrom <= on) current = version;
    if (current !== undefined && (current.effectiveTo === undefined || on < current.effectiveTo)) {
      inForce.push(current);
    }
  }
  return inForce;
}

/**
 * Specificity, compared as a number whose bits are the criteria a rule names, most significant
 * first: partner, subtype, type, tier, motion, deal type, role, minimum amount. So a rule naming
 * the partner beats any rule that does not, whatever else either names; a subtype rule beats a
 * type rule; a rates table by tier or motion counts as naming that criterion. Two matching rules
 * with the same bits are ambiguous.
 */
export function specificity(rule: CommissionRule): number {
  const { match, payout } = rule;
  return (
    (match.partnerId !== undefined ? 128 : 0) +
    (match.partnerSubtype !== undefined ? 64 : 0) +
    (match.partnerType !== undefined ? 32 : 0) +
    (match.tier !== undefined || payout.kind === 'tier_rates' ? 16 : 0) +
    (match.motion !== undefined || payout.kind === 'motion_rates' ? 8 : 0) +
    (match.dealType !== undefined ? 4 : 0) +
    (match.role !== undefined ? 2 : 0) +
    (match.minAmount !== undefined ? 1 : 0)
  );
}

/**
 * Does the rule apply to these facts? Motions in `agreementOnlyMotions` (enterprise by default)
 * are paid by custom agreement only: a rule must name the motion to apply to them.
 */
export function ruleMatches(
  rule: CommissionRule,
  facts: RuleFacts,
  agreementOnlyMotions: ReadonlySet<Motion>,
): boolean {
  const { match, payout } = rule;
  if (match.partnerId !== undefined && match.partnerId !== facts.partnerId) return false;
  if (match.partnerSubtype !== undefined && match.partnerSubtype !== facts.partnerSubtype)
    return false;
  if (match.partnerType !== undefined && match.partnerType !== facts.partnerType) return false;
  if (match.tier !== undefined && match.tier !== facts.tier) return false;
  if (match.dealType !== undefined && match.dealType !== facts.dealType) return false;
  if (match.role !== undefined && match.role !== facts.role) return false;
  if (
    match.minAmount !== undefined &&
    compareRational(facts.dealAmount, toRational(match.minAmount)) < 0
  ) {
    return false;
  }
  if (payout.kind === 'tier_rates' && !payout.rates.some((entry) => entry.tier === facts.tier)) {
    return false;
  }
  if (payout.kind === 'motion_rates') {
    return payout.rates.some((entry) => entry.motion === facts.motion);
  }
  if (match.motion !== undefined) return match.motion === facts.motion;
  return !agreementOnlyMotions.has(facts.motion);
}

/**
 * The rule that pays: the most specific match among the versions in force. `null` when nothing
 * matches; an error naming both rules when the two most specific tie, never a silent pick.
 */
export function resolveRule(
  candidates: readonly CommissionRule[],
  facts: RuleFacts,
  agreementOnlyMotions: ReadonlySet<Motion>,
): Result<CommissionRule | null, AmbiguousRulesError> {
  let best: CommissionRule | null = null;
  let bestScore = -1;
  let tied: CommissionRule | null = null;
  for (const rule of candidates) {
    if (!ruleMatches(rule, facts, agreementOnlyMotions)) continue;
    const score = specificity(rule);
    if (score > bestScore) {
      best = rule;
      bestScore = score;
      tied = null;
    } else if (score === bestScore) {
      tied = rule;
    }
  }
  if (best !== null && tied !== null) {
    const [first, second] = [best, tied].sort((a, b) =>
      a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    ) as [CommissionRule, CommissionRule];
    return fail({
      code: 'ambiguous_rules',
      message: `rules "${first.name}" (${first.id} v${first.version}) and "${second.name}" (${second.id} v${second.version}) match equally specifically; make one more specific`,
      rules: [ruleRef(first), ruleRef(second)],
    });
  }
  return ok(best);
}

/** The rate the payout applies (percent, tier and motion tables); `null` for flat and brackets. */
export function payoutRate(
  payout: Payout,
  facts: Pick<RuleFacts, 'tier' | 'motion'>,
): DecimalString | null {
  switch (payout.kind) {
    case 'percent':
      return payout.rate;
    case 'tier_rates':
      return payout.rates.find((entry) => entry.tier === facts.tier)?.rate ?? null;
    case 'motion_rates':
      return payout.rates.find((entry) => entry.motion === facts.motion)?.rate ?? null;
    case 'flat':
    case 'brackets':
      return null;
    default:
      return assertNever(payout);
  }
}

/** Exact commission (program-currency minor units) on `base` for a bracket payout. */
export function bracketAmount(
  payout: Extract<Payout, { kind: 'brackets' }>,
  base: Rational,
): Rational {
  const { brackets } = payout;
  if (payout.mode === 'whole') {
    let rate = ZERO;
    for (const bracket of brackets) {
      if (compareRational(base, toRational(bracket.from)) >= 0) rate = parseDecimal(bracket.rate);
    }
    return multiply(base, rate);
  }
  let total = ZERO;
  brackets.forEach((bracket, index) => {
    const from = toRational(bracket.from);
    if (compareRational(base, from) <= 0) return;
    const next = brackets[index + 1];
    const upTo = next === undefined ? base : minRational(base, toRational(next.from));
    total = add(total, multiply(subtract(upTo, from), parseDecimal(bracket.rate)));
  });
  return total;
}
