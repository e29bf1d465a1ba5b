import { z } from 'zod';
import { dateToMs, instantToMs, msToDays } from './calendar.ts';
import type { Deal, Motion, PartnerRole, PartnerTag } from './deal.ts';
import {
  add,
  compareRational,
  decimalStringSchema,
  ONE,
  parseDecimal,
  type Rational,
  rational,
  subtract,
  toIntegerWeights,
  ZERO,
} from './decimal.ts';
import { assertNever, fail, InvariantError, ok, type Result } from './errors.ts';
import { formatMoney, formatShare } from './format.ts';
import type { DealId, PartnerId } from './ids.ts';
import { allocateByLargestRemainder, type Money, shareOf, zeroMoney } from './money.ts';

export const attributionModelSchema = z.discriminatedUnion('kind', [
  /** The default: the first sourced partner takes all; influence is recorded with no credit. */
  z.strictObject({ kind: z.literal('sourced_takes_all') }),
  /** Each tag's explicit `share`; shares must add up to exactly 1. */
  z.strictObject({ kind: z.literal('explicit_split') }),
  z.strictObject({ kind: z.literal('even_split') }),
  z.strictObject({ kind: z.literal('first_touch') }),
  z.strictObject({ kind: z.literal('last_touch') }),
  /** Weight halves every `halfLifeDays` between the touch and the close date. */
  z.strictObject({ kind: z.literal('time_decay'), halfLifeDays: z.number().positive() }),
  /** U-shaped: first and last touch get fixed weights, middle touches share the rest evenly. */
  z
    .strictObject({
      kind: z.literal('position_based'),
      firstWeight: decimalStringSchema,
      lastWeight: decimalStringSchema,
    })
    .refine((model) => {
      const ends = add(parseDecimal(model.firstWeight), parseDecimal(model.lastWeight));
      return ends.num > 0n && compareRational(ends, ONE) <= 0;
    }, 'first + last weight must be above 0 and at most 1'),
]);
export type AttributionModel = z.infer<typeof attributionModelSchema>;
export type AttributionModelKind = AttributionModel['kind'];

/** What one partner is credited with on one deal, and why. */
export type Credit = {
  readonly partnerId: PartnerId;
  readonly role: PartnerRole;
  readonly motion: Motion;
  readonly touchedAt: string;
  /** In the deal's currency; the credits of a deal always sum to exactly its amount (or 0). */
  readonly credited: Money;
  /** "50 % of $80,000.00 (even split of 2 partners)". */
  readonly explanation: string;
};

export type Attribution = {
  readonly dealId: DealId;
  readonly model: AttributionModelKind;
  readonly amount: Money;
  /** One per tag, in touch order (see `compareTouches`). */
  readonly credits: readonly Credit[];
};

export type AttributionError =
  | {
      readonly code: 'duplicate_partner_tag';
      readonly message: string;
      readonly dealId: DealId;
      readonly partnerId: PartnerId;
    }
  | { readonly code: 'invalid_shares'; readonly message: string; readonly dealId: DealId };

type TouchOrdered = Pick<PartnerTag, 'touchedAt' | 'partnerId'>;

/** Touch order, the core's one tie-break: earliest touch first, then partner id (code-unit order). */
export function compareTouches(a: TouchOrdered, b: TouchOrdered): number {
  return compareTouchKeys(
    instantToMs(a.touchedAt),
    a.partnerId,
    instantToMs(b.touchedAt),
    b.partnerId,
  );
}

function compareTouchKeys(
  aMs: number,
  aPartner: PartnerId,
  bMs: number,
  bPartner: PartnerId,
): number {
  if (aMs !== bMs) return aMs - bMs;
  return aPartner < bPartner ? -1 : aPartner > bPartner ? 1 : 0;
}

/**
 * Turns a deal's partner tags into credited revenue per partner under `model`. Credits always sum
 * to exactly the deal amount (largest remainder, extra minor units to earlier touches), unless
 * nobody earns credit (sourced-takes-all with no sourced tag), when every credit is zero.
 */
export function attributeDeal(
  deal: Pick<Deal, 'id' | 'amount' | 'closeDate'>,
  tags: readonly PartnerTag[],
  model: AttributionModel,
): Result<Attribution, AttributionError> {
  const split = splitCredit(deal, tags, model);
  if (!split.success) return split;
  const { ordered, parts, reasons } = split.data;
  const credits = ordered.map((tag, index): Credit => {
    const credited = parts[index] ?? zeroMoney(deal.amount.currency);
    return {
      partnerId: tag.partnerId,
      role: tag.role,
      motion: tag.motion,
      touchedAt: tag.touchedAt,
      credited,
      explanation: `${formatShare(shareOf(credited, deal.amount))} of ${formatMoney(deal.amount)} (${reasons[index]})`,
    };
  });
  return ok({ dealId: deal.id, model: model.kind, amount: deal.amount, credits });
}

/**
 * The arithmetic of `attributeDeal` without the explanations: tags in touch order and the credit
 * of each. For bulk callers (tier activity, metrics) that never show the text.
 */
export function splitCredit(
  deal: Pick<Deal, 'id' | 'amount' | 'closeDate'>,
  tags: readonly PartnerTag[],
  model: AttributionModel,
): Result<{ ordered: PartnerTag[]; parts: Money[]; reasons: string[] }, AttributionError> {
  // compareTouches, with each instant parsed once instead of in every comparison.
  const ordered = tags
    .map((tag) => ({ tag, at: instantToMs(tag.touchedAt) }))
    .sort((a, b) => compareTouchKeys(a.at, a.tag.partnerId, b.at, b.tag.partnerId))
    .map(({ tag }) => tag);
  const seen = new Set<PartnerId>();
  for (const tag of ordered) {
    if (tag.dealId !== deal.id) {
      throw new InvariantError(`tag of deal ${tag.dealId} passed to attribute deal ${deal.id}`);
    }
    if (seen.has(tag.partnerId)) {
      return fail({
        code: 'duplicate_partner_tag',
        message: `partner ${tag.partnerId} is tagged more than once on deal ${deal.id}`,
        dealId: deal.id,
        partnerId: tag.partnerId,
      });
    }
    seen.add(tag.partnerId);
  }
  const weighting = weigh(deal, ordered, model);
  if (!weighting.success) return weighting;
  const { weights, reasons } = weighting.data;
  const parts = weights.some((weight) => weight > 0n)
    ? allocateByLargestRemainder(deal.amount, weights)
    : ordered.map(() => zeroMoney(deal.amount.currency));
  return ok({ ordered, parts, reasons });
}

type Weighting = { weights: bigint[]; reasons: string[] };

function weigh(
  deal: Pick<Deal, 'id' | 'closeDate'>,
  ordered: readonly PartnerTag[],
  model: AttributionModel,
): Result<Weighting, AttributionError> {
  const count = ordered.length;
  switch (model.kind) {
    case 'sourced_takes_all': {
      const winner = ordered.findIndex((tag) => tag.role === 'sourced');
      return ok({
        weights: ordered.map((_, index) => (index === winner ? 1n : 0n)),
        reasons: ordered.map((tag, index) =>
          index === winner
            ? 'sourced: takes all'
            : tag.role === 'influenced'
              ? 'influenced: recorded, no credit under sourced-takes-all'
              : 'sourced after another partner: the first sourced partner takes all',
        ),
      });
    }
    case 'explicit_split': {
      let total = ZERO;
      const shares: Rational[] = [];
      for (const tag of ordered) {
        if (tag.share === undefined) {
          return fail(invalidShares(deal.id, `partner ${tag.partnerId} has no explicit share`));
        }
        const share = parseDecimal(tag.share);
        shares.push(share);
        total = add(total, share);
      }
      if (count > 0 && compareRational(total, ONE) !== 0) {
        return fail(invalidShares(deal.id, 'explicit shares must add up to exactly 100 %'));
      }
      return ok({
        weights: toIntegerWeights(shares),
        reasons: ordered.map(() => 'explicit split'),
      });
    }
    case 'even_split':
      return ok({
        weights: ordered.map(() => 1n),
        reasons: ordered.map(() => `even split of ${count} partner${count === 1 ? '' : 's'}`),
      });
    case 'first_touch':
      return ok(winnerTakesAll(count, 0, 'first touch'));
    case 'last_touch': {
      // Ties on the latest instant go to the lowest partner id, like every other tie-break.
      const lastAt = instantToMs(ordered[count - 1]?.touchedAt ?? '');
      const winner = ordered.findIndex((tag) => instantToMs(tag.touchedAt) === lastAt);
      return ok(winnerTakesAll(count, winner, 'last touch'));
    }
    case 'time_decay':
      return ok(timeDecay(deal, ordered, model.halfLifeDays));
    case 'position_based':
      return ok(
        positionBased(ordered, parseDecimal(model.firstWeight), parseDecimal(model.lastWeight)),
      );
    default:
      return assertNever(model);
  }
}

function winnerTakesAll(count: number, winner: number, rule: string): Weighting {
  return {
    weights: Array.from({ length: count }, (_, index) => (index === winner ? 1n : 0n)),
    reasons: Array.from({ length: count }, (_, index) =>
      index === winner ? rule : `${rule} went to another partner`,
    ),
  };
}

// Float weights are fine here: they only steer the allocation, whose parts are exact integers.
// Weights are taken relative to the most recent touch so they never underflow to all-zero.
function timeDecay(
  deal: Pick<Deal, 'closeDate'>,
  ordered: readonly PartnerTag[],
  halfLifeDays: number,
): Weighting {
  const closeMs = dateToMs(deal.closeDate);
  const ages = ordered.map((tag) => Math.max(0, msToDays(closeMs - instantToMs(tag.touchedAt))));
  const youngest = Math.min(...ages);
  return {
    weights: ages.map((age) =>
      BigInt(Math.round(2 ** (-(age - youngest) / halfLifeDays) * 2 ** 40)),
    ),
    reasons: ages.map(
      (age) =>
        `time decay, half-life ${halfLifeDays} days: touched ${Math.round(age * 10) / 10} days before close`,
    ),
  };
}

function positionBased(ordered: readonly PartnerTag[], first: Rational, last: Rational): Weighting {
  const count = ordered.length;
  if (count === 1) return { weights: [1n], reasons: ['position-based: only touch'] };
  const middleEach = count > 2 ? rational(1n, BigInt(count - 2)) : ZERO;
  const middle = subtract(subtract(ONE, first), last);
  const shares = ordered.map((_, index) =>
    index === 0
      ? first
      : index === count - 1
        ? last
        : { num: middle.num * middleEach.num, den: middle.den * middleEach.den },
  );
  return {
    weights: toIntegerWeights(shares),
    reasons: ordered.map((_, index) =>
      index === 0
        ? 'position-based: first touch'
        : index === count - 1
          ? 'position-based: last touch'
          : 'position-based: middle touch',
    ),
  };
}

function invalidShares(dealId: DealId, message: string): AttributionError {
  return { code: 'invalid_shares', message: `deal ${dealId}: ${message}`, dealId };
}
