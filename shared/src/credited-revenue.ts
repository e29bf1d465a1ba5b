import { type AttributionError, type AttributionModel, splitCredit } from './attribution.ts';
import type { Deal, PartnerTag } from './deal.ts';
import { ok, type Result } from './errors.ts';
import { convertAt, type FxConversion, type FxRateMissingError, type FxTable } from './fx.ts';
import type { PartnerId } from './ids.ts';
import { allocateByLargestRemainder, type CurrencyCode, type Money, zeroMoney } from './money.ts';

/** A deal's revenue and each partner's credit, in the program currency. */
export type CreditedRevenue = {
  readonly total: Money;
  readonly fx: FxConversion | null;
  /** Credits with a positive amount only, in touch order; they sum to `total` or to zero. */
  readonly credits: readonly { readonly partnerId: PartnerId; readonly credited: Money }[];
};

/**
 * Converts a deal's amount once, at its close date, then splits the converted amount in the
 * proportions of the attribution: converted credits sum exactly to the converted deal, which
 * keeps contribution ratios and revenue totals consistent. Used by tiers and metrics; commission
 * amounts are computed exactly from the deal-currency credit instead (see commission.ts).
 */
export function creditedRevenue(
  deal: Deal,
  tags: readonly PartnerTag[],
  model: AttributionModel,
  currency: CurrencyCode,
  fx: FxTable,
): Result<CreditedRevenue, AttributionError | FxRateMissingError> {
  const conversion = convertAt(deal.amount, currency, deal.closeDate, fx);
  if (!conversion.success) return conversion;
  const total = conversion.data.amount;
  if (tags.length === 0) return ok({ total, fx: conversion.data.fx, credits: [] });
  const split = splitCredit(deal, tags, model);
  if (!split.success) return split;
  const weights = split.data.parts.map((part) => BigInt(part.amountMinor));
  const parts = weights.some((weight) => weight > 0n)
    ? allocateByLargestRemainder(total, weights)
    : weights.map(() => zeroMoney(currency));
  const credits = split.data.ordered.flatMap((tag, index) => {
    const credited = parts[index] ?? zeroMoney(currency);
    return credited.amountMinor > 0 ? [{ partnerId: tag.partnerId, credited }] : [];
  });
  return ok({ total, fx: conversion.data.fx, credits });
}
