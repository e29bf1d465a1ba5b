import { type CommissionRule, type IsoDate, specificity } from '@partnerbridge/shared';

// Finds rules that would tie on some deal: equally specific, overlapping criteria, in force on the
// same days. The core reports such a tie as an `ambiguous_rules` error when it meets a deal; this
// finds it when the admin saves, before any deal does.

export type RuleAmbiguity = {
  readonly rules: readonly [CommissionRule, CommissionRule];
  readonly from: IsoDate;
  /** Exclusive; null = open-ended. */
  readonly to: IsoDate | null;
  readonly message: string;
};

/** The earliest of some calendar days (ISO dates order as strings). */
function earliest(days: readonly IsoDate[]): IsoDate | null {
  let found: IsoDate | null = null;
  for (const day of days) if (found === null || day < found) found = day;
  return found;
}

function latest(days: readonly IsoDate[]): IsoDate | null {
  let found: IsoDate | null = null;
  for (const day of days) if (found === null || day > found) found = day;
  return found;
}

type Interval = {
  readonly rule: CommissionRule;
  readonly from: IsoDate;
  readonly to: IsoDate | null;
};

/** When each version is in force: from its date until the next version's or its own end. */
function inForceIntervals(rules: readonly CommissionRule[]): Interval[] {
  const byId = new Map<string, CommissionRule[]>();
  for (const rule of rules) byId.set(rule.id, [...(byId.get(rule.id) ?? []), rule]);
  const intervals: Interval[] = [];
  for (const versions of byId.values()) {
    versions.sort((a, b) => a.version - b.version);
    versions.forEach((rule, index) => {
      const next = versions[index + 1];
      const to = earliest(
        [next?.effectiveFrom, rule.effectiveTo].filter((end): end is string => end !== undefined),
      );
      if (to === null || to > rule.effectiveFrom) {
        intervals.push({ rule, from: rule.effectiveFrom, to });
      }
    });
  }
  return intervals;
}

function overlap(a: Interval, b: Interval): { from: IsoDate; to: IsoDate | null } | null {
  const from = latest([a.from, b.from]) ?? a.from;
  const to = earliest([a.to, b.to].filter((end): end is IsoDate => end !== null));
  return to === null || to > from ? { from, to } : null;
}

function tiersOf(rule: CommissionRule): readonly string[] | null {
  if (rule.payout.kind === 'tier_rates') return rule.payout.rates.map((entry) => entry.tier);
  return rule.match.tier === undefined ? null : [rule.match.tier];
}

function motionsOf(rule: CommissionRule): readonly string[] | null {
  if (rule.payout.kind === 'motion_rates') return rule.payout.rates.map((entry) => entry.motion);
  return rule.match.motion === undefined ? null : [rule.match.motion];
}

function intersects(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return true;
  return a.some((value) => b.includes(value));
}

function same<T>(a: T | undefined, b: T | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** Can some deal and partner match both rules? (Equal specificity: they name the same criteria.) */
export function criteriaOverlap(a: CommissionRule, b: CommissionRule): boolean {
  return (
    same(a.match.partnerId, b.match.partnerId) &&
    same(a.match.partnerSubtype, b.match.partnerSubtype) &&
    same(a.match.partnerType, b.match.partnerType) &&
    same(a.match.dealType, b.match.dealType) &&
    same(a.match.role, b.match.role) &&
    intersects(tiersOf(a), tiersOf(b)) &&
    intersects(motionsOf(a), motionsOf(b))
  );
}

/**
 * Every pair of rules that could tie. With `touching`, only pairs involving that rule id (what a
 * save must refuse); without it, all of them (what the rules page lists).
 */
export function findAmbiguities(
  rules: readonly CommissionRule[],
  touching?: string,
): RuleAmbiguity[] {
  const intervals = inForceIntervals(rules);
  const found: RuleAmbiguity[] = [];
  for (let i = 0; i < intervals.length; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      const a = intervals[i] as Interval;
      const b = intervals[j] as Interval;
      if (a.rule.id === b.rule.id) continue;
      if (touching !== undefined && a.rule.id !== touching && b.rule.id !== touching) continue;
      if (specificity(a.rule) !== specificity(b.rule) || !criteriaOverlap(a.rule, b.rule)) {
        continue;
      }
      const days = overlap(a, b);
      if (days === null) continue;
      const [first, second] = a.rule.id < b.rule.id ? [a.rule, b.rule] : [b.rule, a.rule];
      const window = days.to === null ? `from ${days.from} on` : `from ${days.from} to ${days.to}`;
      found.push({
        rules: [first, second],
        ...days,
        message: `Rules "${first.name}" (${first.id} v${first.version}) and "${second.name}" (${second.id} v${second.version}) are equally specific and both apply to the same deals ${window}; make one more specific (name a partner, subtype, tier, motion, deal type or role) or change its dates.`,
      });
    }
  }
  return found;
}
