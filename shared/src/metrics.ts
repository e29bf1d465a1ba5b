import { z } from 'zod';
import type { AttributionError } from './attribution.ts';
import { type IsoDate, isoDateSchema, quarterBounds } from './calendar.ts';
import { creditedRevenue } from './credited-revenue.ts';
import { type Deal, groupTagsByDeal, isWonRevenueOn, type PartnerTag } from './deal.ts';
import { type Ratio, rational, toRatio } from './decimal.ts';
import { fail, ok, type Result } from './errors.ts';
import type { FxRateMissingError, FxTable } from './fx.ts';
import type { CustomerId, DealId, PartnerId } from './ids.ts';
import type { LedgerLine } from './ledger.ts';
import {
  type CurrencyMismatchError,
  currencyMismatch,
  type Money,
  money,
  roundToMoney,
} from './money.ts';
import { type Partner, type PartnerType, partnerTypes } from './partner.ts';
import type { Program, QuarterlyTarget } from './program.ts';

/** A reporting period; both days included. */
export const periodSchema = z
  .strictObject({ from: isoDateSchema, to: isoDateSchema })
  .refine((period) => period.from <= period.to, 'a period ends on or after its start');
export type Period = z.infer<typeof periodSchema>;

export type PartnerMetrics = {
  readonly partnerId: PartnerId;
  readonly type: PartnerType;
  /** Credited closed-won revenue in the period. */
  readonly revenue: Money;
  readonly previousRevenue: Money | null;
  /** (revenue − previous) / previous; null without a previous period or previous revenue. */
  readonly growth: Ratio | null;
  /** Share of all closed-won revenue in the period. */
  readonly contribution: Ratio | null;
  /** Net ledger amounts effective in the period. */
  readonly commissions: Money;
  /** (revenue − commissions) / commissions; null when no commission. */
  readonly roi: Ratio | null;
  readonly active: boolean;
  readonly customersAcquired: number;
  /** Closed-won revenue to date from the customers it acquired in the period. */
  readonly acquiredCustomersLtv: Money;
};

export type ProgramMetrics = {
  readonly period: Period;
  readonly partnerRevenue: Money;
  readonly previousPartnerRevenue: Money | null;
  readonly growth: Ratio | null;
  readonly totalRevenue: Money;
  /** Partner-credited share of all closed-won revenue. */
  readonly contribution: Ratio | null;
  /** Partners with credited revenue in the period. */
  readonly activePartners: number;
  readonly activePartnersByType: Readonly<Record<PartnerType, number>>;
  readonly revenuePerPartner: Money | null;
  readonly commissions: Money;
  readonly programCost: Money;
  /** (partner revenue − commissions − program cost) / (commissions + program cost). */
  readonly roi: Ratio | null;
  /** Share of the previous period's active partners still active. */
  readonly retention: Ratio | null;
  /** Customers whose first won deal fell in the period and was credited to a partner. */
  readonly customersAcquired: number;
  readonly acquiredCustomersLtv: Money;
  readonly averageLtv: Money | null;
  readonly partners: readonly PartnerMetrics[];
  /** The program's quarterly targets for the year the period ends in, measured up to its end. */
  readonly targets: readonly TargetProgress[];
  readonly issues: readonly {
    readonly dealId: DealId;
    readonly error: AttributionError | FxRateMissingError;
  }[];
};

export type TargetProgress = {
  readonly quarter: QuarterlyTarget['quarter'];
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly partnerRevenue: {
    readonly target: Money;
    readonly actual: Money;
    readonly progress: Ratio | null;
    readonly met: boolean;
  } | null;
  readonly partnersByType: readonly {
    readonly type: PartnerType;
    readonly target: number;
    readonly actual: number;
    readonly met: boolean;
  }[];
  readonly newPartners: {
    readonly target: number;
    readonly actual: number;
    readonly met: boolean;
  } | null;
};

type RevenueFact = {
  readonly deal: Deal;
  readonly total: number;
  readonly credits: readonly { readonly partnerId: PartnerId; readonly credited: Money }[];
};

/**
 * Program and per-partner metrics for a period, from deals (credited with the program's model,
 * converted at close dates), the commission ledger and the program's cost for the period.
 * Revenue is closed-won revenue not reversed by the period's end; ratios are exact, rounded
 * half-to-even to four decimals ("0.1250" = 12.5 %).
 */
export function computeProgramMetrics(input: {
  readonly program: Program;
  readonly partners: readonly Partner[];
  readonly deals: readonly Deal[];
  readonly tags: readonly PartnerTag[];
  readonly fx: FxTable;
  readonly ledger: readonly LedgerLine[];
  readonly period: Period;
  readonly previousPeriod?: Period | undefined;
  readonly programCost: Money;
}): Result<ProgramMetrics, CurrencyMismatchError> {
  const { program, period, previousPeriod } = input;
  const currency = program.currency;
  if (input.programCost.currency !== currency) {
    return fail(currencyMismatch(currency, input.programCost.currency));
  }
  const asOf = period.to;
  const { facts, issues } = revenueFacts(input.deals, input.tags, program, input.fx, asOf);
  const within = (range: Period | undefined, date: IsoDate) =>
    range !== undefined && date >= range.from && date <= range.to;

  const revenueBy = (range: Period | undefined) => {
    const perPartner = new Map<PartnerId, number>();
    let partner = 0;
    let total = 0;
    for (const fact of facts) {
      if (!within(range, fact.deal.closeDate)) continue;
      total += fact.total;
      for (const { partnerId, credited } of fact.credits) {
        partner += credited.amountMinor;
        perPartner.set(partnerId, (perPartner.get(partnerId) ?? 0) + credited.amountMinor);
      }
    }
    return { perPartner, partner, total };
  };
  const current = revenueBy(period);
  const previous = previousPeriod === undefined ? null : revenueBy(previousPeriod);

  const commissionsByPartner = new Map<PartnerId, number>();
  for (const line of input.ledger) {
    if (!within(period, line.effectiveOn)) continue;
    commissionsByPartner.set(
      line.partnerId,
      (commissionsByPartner.get(line.partnerId) ?? 0) + line.amount.amountMinor,
    );
  }
  const commissions = [...commissionsByPartner.values()].reduce((sum, amount) => sum + amount, 0);

  // Customer acquisition: a customer's first won deal ever (by close date, then deal id).
  const firstDeal = new Map<CustomerId, RevenueFact>();
  const lifetime = new Map<CustomerId, number>();
  for (const fact of facts) {
    const { customerId, closeDate, id } = fact.deal;
    lifetime.set(customerId, (lifetime.get(customerId) ?? 0) + fact.total);
    const first = firstDeal.get(customerId);
    if (
      first === undefined ||
      closeDate < first.deal.closeDate ||
      (closeDate === first.deal.closeDate && id < first.deal.id)
    ) {
      firstDeal.set(customerId, fact);
    }
  }
  const acquiredBy = new Map<PartnerId, Set<CustomerId>>();
  const acquired = new Set<CustomerId>();
  for (const [customerId, fact] of firstDeal) {
    if (!within(period, fact.deal.closeDate) || fact.credits.length === 0) continue;
    acquired.add(customerId);
    for (const { partnerId } of fact.credits) {
      const customers = acquiredBy.get(partnerId) ?? new Set<CustomerId>();
      customers.add(customerId);
      acquiredBy.set(partnerId, customers);
    }
  }
  const ltvOf = (customers: Iterable<CustomerId>) => {
    let total = 0;
    for (const customerId of customers) total += lifetime.get(customerId) ?? 0;
    return total;
  };

  const activeByType = Object.fromEntries(partnerTypes.map((type) => [type, 0])) as Record<
    PartnerType,
    number
  >;
  let activeCount = 0;
  let previouslyActive = 0;
  let retained = 0;
  const partners = [...input.partners]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((partner): PartnerMetrics => {
      const revenue = current.perPartner.get(partner.id) ?? 0;
      const before = previous?.perPartner.get(partner.id) ?? 0;
      const partnerCommissions = commissionsByPartner.get(partner.id) ?? 0;
      const active = revenue > 0;
      if (active) {
        activeCount += 1;
        activeByType[partner.type] += 1;
      }
      if (before > 0) {
        previouslyActive += 1;
        if (active) retained += 1;
      }
      const customers = acquiredBy.get(partner.id) ?? new Set<CustomerId>();
      return {
        partnerId: partner.id,
        type: partner.type,
        revenue: money(revenue, currency),
        previousRevenue: previous === null ? null : money(before, currency),
        growth: previous === null ? null : growthRatio(revenue, before),
        contribution: toRatio(rational(BigInt(revenue)), rational(BigInt(current.total))),
        commissions: money(partnerCommissions, currency),
        roi: toRatio(
          rational(BigInt(revenue - partnerCommissions)),
          rational(BigInt(partnerCommissions)),
        ),
        active,
        customersAcquired: customers.size,
        acquiredCustomersLtv: money(ltvOf(customers), currency),
      };
    });

  const cost = commissions + input.programCost.amountMinor;
  const acquiredLtv = ltvOf(acquired);
  return ok({
    period,
    partnerRevenue: money(current.partner, currency),
    previousPartnerRevenue: previous === null ? null : money(previous.partner, currency),
    growth: previous === null ? null : growthRatio(current.partner, previous.partner),
    totalRevenue: money(current.total, currency),
    contribution: toRatio(rational(BigInt(current.partner)), rational(BigInt(current.total))),
    activePartners: activeCount,
    activePartnersByType: activeByType,
    revenuePerPartner:
      activeCount === 0
        ? null
        : roundToMoney(rational(BigInt(current.partner), BigInt(activeCount)), currency),
    commissions: money(commissions, currency),
    programCost: input.programCost,
    roi: toRatio(rational(BigInt(current.partner - cost)), rational(BigInt(cost))),
    retention:
      previous === null
        ? null
        : toRatio(rational(BigInt(retained)), rational(BigInt(previouslyActive))),
    customersAcquired: acquired.size,
    acquiredCustomersLtv: money(acquiredLtv, currency),
    averageLtv:
      acquired.size === 0
        ? null
        : roundToMoney(rational(BigInt(acquiredLtv), BigInt(acquired.size)), currency),
    partners,
    targets: targetProgress(program, input.partners, facts, asOf),
    issues,
  });
}

function growthRatio(current: number, previous: number): Ratio | null {
  return toRatio(rational(BigInt(current - previous)), rational(BigInt(previous)));
}

function revenueFacts(
  deals: readonly Deal[],
  tags: readonly PartnerTag[],
  program: Program,
  fx: FxTable,
  asOf: IsoDate,
): { facts: RevenueFact[]; issues: ProgramMetrics['issues'][number][] } {
  const tagsByDeal = groupTagsByDeal(tags);
  const facts: RevenueFact[] = [];
  const issues: ProgramMetrics['issues'][number][] = [];
  for (const deal of deals) {
    if (!isWonRevenueOn(deal, asOf)) continue;
    const revenue = creditedRevenue(
      deal,
      tagsByDeal.get(deal.id) ?? [],
      program.attribution,
      program.currency,
      fx,
    );
    if (!revenue.success) {
      issues.push({ dealId: deal.id, error: revenue.error });
      continue;
    }
    facts.push({ deal, total: revenue.data.total.amountMinor, credits: revenue.data.credits });
  }
  return { facts, issues };
}

/** Progress against each quarterly target of the year `asOf` falls in, counted up to `asOf`. */
function targetProgress(
  program: Program,
  partners: readonly Partner[],
  facts: readonly RevenueFact[],
  asOf: IsoDate,
): TargetProgress[] {
  const year = Number(asOf.slice(0, 4));
  return program.quarterlyTargets.map((target): TargetProgress => {
    const { from, to } = quarterBounds(year, target.quarter);
    const until = to < asOf ? to : asOf;
    let revenue = 0;
    for (const fact of facts) {
      if (fact.deal.closeDate < from || fact.deal.closeDate > until) continue;
      for (const { credited } of fact.credits) revenue += credited.amountMinor;
    }
    const signed = partners.filter((partner) => partner.joinedOn <= until);
    const newPartners = signed.filter((partner) => partner.joinedOn >= from).length;
    const revenueTarget = target.partnerRevenue;
    return {
      quarter: target.quarter,
      from,
      to,
      partnerRevenue:
        revenueTarget === undefined
          ? null
          : {
              target: revenueTarget,
              actual: money(revenue, program.currency),
              progress: toRatio(
                rational(BigInt(revenue)),
                rational(BigInt(revenueTarget.amountMinor)),
              ),
              met: revenue >= revenueTarget.amountMinor,
            },
      partnersByType: partnerTypes.flatMap((type) => {
        const wanted = target.partnersByType?.[type];
        if (wanted === undefined) return [];
        const actual = signed.filter((partner) => partner.type === type).length;
        return [{ type, target: wanted, actual, met: actual >= wanted }];
      }),
      newPartners:
        target.newPartners === undefined
          ? null
          : {
              target: target.newPartners,
              actual: newPartners,
              met: newPartners >= target.newPartners,
            },
    };
  });
}
