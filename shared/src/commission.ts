import {
  type Attribution,
  type AttributionError,
  attributeDeal,
  type Credit,
} from './attribution.ts';
import { addDays, addMonths, type IsoDate } from './calendar.ts';
import {
  type AmbiguousRulesError,
  bracketAmount,
  type CommissionRule,
  createRuleBook,
  type Payout,
  payoutRate,
  type RuleBook,
  type RuleFacts,
  type RuleRef,
  resolveRule,
  ruleRef,
  rulesInForce,
} from './commission-rule.ts';
import type { Deal, Motion, PartnerTag } from './deal.ts';
import { type DecimalString, multiply, parseDecimal, type Rational } from './decimal.ts';
import { assertNever, InvariantError, ok, type Result } from './errors.ts';
import { formatMoney, formatRate, formatShare } from './format.ts';
import {
  conversionFor,
  describeConversion,
  type FxConversion,
  type FxRateMissingError,
  type FxTable,
  fxFactor,
} from './fx.ts';
import type { DealId, PartnerId } from './ids.ts';
import {
  allocateByLargestRemainder,
  type Money,
  money,
  roundToMoney,
  shareOf,
  toRational,
  zeroMoney,
} from './money.ts';
import { type Partner, tierOn } from './partner.ts';
import { agreementOnlyMotions, motionLabel, type Program, tierName } from './program.ts';

/** Everything commission computation reads besides the deal: build once, reuse for many deals. */
export type CommissionContext = {
  readonly program: Program;
  readonly partners: ReadonlyMap<PartnerId, Partner>;
  readonly fx: FxTable;
  readonly ruleBook: RuleBook;
  readonly agreementOnly: ReadonlySet<Motion>;
};

export function createCommissionContext(
  program: Program,
  partners: Iterable<Partner>,
  fx: FxTable,
): CommissionContext {
  return {
    program,
    partners: new Map([...partners].map((partner) => [partner.id, partner])),
    fx,
    ruleBook: createRuleBook(program.rules),
    agreementOnly: agreementOnlyMotions(program),
  };
}

/** One payable slice of a commission: the whole of a one-time one, or one month of a recurring one. */
export type Installment = {
  /** 1-based; one-time commissions have a single period 1 of 1. */
  readonly period: number;
  readonly periods: number;
  /** The day it is earned: the close date, or the first day of its contract month. */
  readonly earnedOn: IsoDate;
  /** Earned day (one-time) or end of its month (recurring), plus the rule's holding period. */
  readonly payableOn: IsoDate;
  /** Last day a loss, refund or churn takes it back: the rule's window from the close date. */
  readonly clawbackUntil: IsoDate;
  /** What the rate applied to for this period, in the deal currency. */
  readonly base: Money;
  /** In the program currency. */
  readonly amount: Money;
  readonly explanation: string;
};

export type UnknownPartnerError = {
  readonly code: 'unknown_partner';
  readonly message: string;
  readonly partnerId: PartnerId;
};

export type CommissionError = AmbiguousRulesError | FxRateMissingError | UnknownPartnerError;

export const noCommissionCodes = ['no_credit', 'no_matching_rule', 'no_project_value'] as const;
export type NoCommissionCode = (typeof noCommissionCodes)[number];

/** What one credited partner earns on one deal, or why it earns nothing. */
export type PartnerCommission =
  | {
      readonly kind: 'commission';
      readonly partnerId: PartnerId;
      readonly credited: Money;
      readonly rule: RuleRef;
      /** The rate applied; `null` for flat and bracket payouts (see the explanation). */
      readonly rate: DecimalString | null;
      readonly fx: FxConversion | null;
      readonly total: Money;
      readonly capped: boolean;
      readonly installments: readonly Installment[];
      readonly explanation: string;
    }
  | {
      readonly kind: 'no_commission';
      readonly partnerId: PartnerId;
      readonly credited: Money;
      readonly code: NoCommissionCode;
      readonly explanation: string;
    }
  | {
      readonly kind: 'error';
      readonly partnerId: PartnerId;
      readonly credited: Money;
      readonly error: CommissionError;
    };

export type DealCommissions = {
  readonly dealId: DealId;
  readonly attribution: Attribution;
  /** One entry per tag, in touch order. */
  readonly partners: readonly PartnerCommission[];
};

/**
 * What each tagged partner earns on a deal, with its explanation: attribution by the program's
 * model, the rule in force on the close date (most specific wins), the partner's tier on that
 * date, FX locked at that date, one rounding (half-to-even), the cap, and the payment schedule.
 * The deal's stage is not consulted, so this also previews open deals; the ledger decides what
 * is actually earned.
 */
export function computeDealCommissions(
  deal: Deal,
  tags: readonly PartnerTag[],
  context: CommissionContext,
): Result<DealCommissions, AttributionError> {
  const attribution = attributeDeal(deal, tags, context.program.attribution);
  if (!attribution.success) return attribution;
  const { credits } = attribution.data;
  const conversion = conversionFor(
    context.fx,
    deal.amount.currency,
    context.program.currency,
    deal.closeDate,
  );
  const candidates = rulesInForce(context.ruleBook, deal.closeDate);
  // Project value is split with the same proportions as the credit, so its parts sum exactly too.
  const anyCredit = credits.some((credit) => credit.credited.amountMinor > 0);
  const projectParts =
    deal.projectValue !== undefined && anyCredit
      ? allocateByLargestRemainder(
          deal.projectValue,
          credits.map((credit) => BigInt(credit.credited.amountMinor)),
        )
      : null;
  const partners = credits.map((credit, index): PartnerCommission => {
    const noCommission = (code: NoCommissionCode, explanation: string): PartnerCommission => ({
      kind: 'no_commission',
      partnerId: credit.partnerId,
      credited: credit.credited,
      code,
      explanation,
    });
    const failure = (error: CommissionError): PartnerCommission => ({
      kind: 'error',
      partnerId: credit.partnerId,
      credited: credit.credited,
      error,
    });
    if (credit.credited.amountMinor === 0) {
      return noCommission('no_credit', `No credit, no commission: ${credit.explanation}.`);
    }
    const partner = context.partners.get(credit.partnerId);
    if (partner === undefined) {
      return failure({
        code: 'unknown_partner',
        message: `partner ${credit.partnerId} is tagged on deal ${deal.id} but unknown`,
        partnerId: credit.partnerId,
      });
    }
    if (!conversion.success) return failure(conversion.error);
    const facts: RuleFacts = {
      partnerId: partner.id,
      partnerType: partner.type,
      partnerSubtype: partner.subtype,
      tier: tierOn(partner, deal.closeDate),
      motion: credit.motion,
      role: credit.role,
      dealType: deal.dealType,
      dealAmount: multiply(toRational(deal.amount), fxFactor(conversion.data)),
    };
    const resolved = resolveRule(candidates, facts, context.agreementOnly);
    if (!resolved.success) return failure(resolved.error);
    const rule = resolved.data;
    if (rule === null) {
      return noCommission('no_matching_rule', describeNoRule(deal, partner, facts, context));
    }
    const base = rule.base === 'project_value' ? projectParts?.[index] : credit.credited;
    if (base === undefined) {
      return noCommission(
        'no_project_value',
        `Rule "${rule.name}" pays on project value, but deal ${deal.id} has no project value.`,
      );
    }
    return commissionUnder(rule, { deal, credit, base, facts, fx: conversion.data, context });
  });
  return ok({ dealId: deal.id, attribution: attribution.data, partners });
}

type Computation = {
  readonly deal: Deal;
  readonly credit: Credit;
  /** What the rule's rate applies to, in the deal currency (credit or credited project value). */
  readonly base: Money;
  readonly facts: RuleFacts;
  readonly fx: FxConversion | null;
  readonly context: CommissionContext;
};

function commissionUnder(rule: CommissionRule, computation: Computation): PartnerCommission {
  const { deal, credit, base, facts, fx, context } = computation;
  const currency = context.program.currency;
  const contractMonths = deal.contractMonths ?? 1;
  const paidMonths =
    rule.schedule.kind === 'recurring'
      ? Math.min(contractMonths, rule.schedule.months ?? contractMonths)
      : 1;
  // Recurring: the base is the credited revenue of each paid contract month (largest remainder).
  const monthlyBase =
    rule.schedule.kind === 'recurring'
      ? allocateByLargestRemainder(
          base,
          Array.from({ length: contractMonths }, () => 1n),
        ).slice(0, paidMonths)
      : [base];
  const paidBase = money(
    monthlyBase.reduce((sum, part) => sum + part.amountMinor, 0),
    base.currency,
  );
  const basePc = multiply(toRational(paidBase), fxFactor(fx));
  const rate = payoutRate(rule.payout, facts);
  const exact = payoutAmount(rule.payout, basePc, rate);
  const uncapped = roundToMoney(exact, currency);
  const { cap } = rule;
  const capped = cap !== undefined && uncapped.amountMinor > cap.amountMinor;
  const total = capped ? cap : uncapped;

  const baseText = describeBase(rule, computation, paidBase, paidMonths, contractMonths);
  const fxText = fx === null ? '' : ` at ${describeConversion(fx)}`;
  const capText = capped ? `, capped at ${formatMoney(total)}` : '';
  const payoutText = describePayout(rule, facts, rate, context.program);
  const explanation =
    rule.payout.kind === 'flat'
      ? `${payoutText} for ${baseText}${capText}`
      : `${payoutText} of ${baseText}${fxText} = ${formatMoney(uncapped)}${capText}`;

  const amounts =
    total.amountMinor === 0 || paidMonths === 1
      ? monthlyBase.map((_, index) => (index === 0 ? total : zeroMoney(currency)))
      : allocateByLargestRemainder(
          total,
          monthlyBase.map((part) => BigInt(part.amountMinor)),
        );
  const installments = monthlyBase.map((periodBase, index): Installment => {
    const period = index + 1;
    const recurring = rule.schedule.kind === 'recurring';
    const earnedOn = recurring ? addMonths(deal.closeDate, index) : deal.closeDate;
    const periodEnd = recurring ? addMonths(deal.closeDate, period) : deal.closeDate;
    const amount = amounts[index] ?? zeroMoney(currency);
    return {
      period,
      periods: paidMonths,
      earnedOn,
      payableOn: addDays(periodEnd, rule.holdingDays),
      clawbackUntil: addDays(deal.closeDate, rule.clawbackDays),
      base: periodBase,
      amount,
      explanation: recurring
        ? `Month ${period} of ${paidMonths}: ${formatMoney(amount)} of ${explanation}`
        : explanation,
    };
  });
  return {
    kind: 'commission',
    partnerId: credit.partnerId,
    credited: credit.credited,
    rule: ruleRef(rule),
    rate,
    fx,
    total,
    capped,
    installments,
    explanation,
  };
}

function payoutAmount(payout: Payout, base: Rational, rate: DecimalString | null): Rational {
  switch (payout.kind) {
    case 'percent':
    case 'tier_rates':
    case 'motion_rates':
      return multiply(base, parseDecimal(requireRate(rate)));
    case 'flat':
      return base.num > 0n
        ? toRational(payout.amount)
        : toRational(zeroMoney(payout.amount.currency));
    case 'brackets':
      return bracketAmount(payout, base);
    default:
      return assertNever(payout);
  }
}

// Rules with a rate table only match facts their table covers (see ruleMatches).
function requireRate(rate: DecimalString | null): DecimalString {
  if (rate === null) throw new InvariantError('a rate-based payout matched facts without a rate');
  return rate;
}

function describePayout(
  rule: CommissionRule,
  facts: RuleFacts,
  rate: DecimalString | null,
  program: Program,
): string {
  const { payout } = rule;
  switch (payout.kind) {
    case 'percent':
      return `${rule.name} ${formatRate(payout.rate)}`;
    case 'tier_rates':
      return `${tierName(program, facts.tier)} tier ${formatRate(requireRate(rate))}`;
    case 'motion_rates':
      return `${motionLabel(program, facts.motion)} revenue share ${formatRate(requireRate(rate))}`;
    case 'brackets': {
      const steps = payout.brackets.map(
        (bracket) => `${formatRate(bracket.rate)} from ${formatMoney(bracket.from)}`,
      );
      return `${rule.name} (${payout.mode} brackets: ${steps.join(', ')})`;
    }
    case 'flat':
      return `${rule.name}: flat ${formatMoney(payout.amount)}`;
    default:
      return assertNever(payout);
  }
}

function describeBase(
  rule: CommissionRule,
  computation: Computation,
  paidBase: Money,
  paidMonths: number,
  contractMonths: number,
): string {
  const { deal, base } = computation;
  const whole = rule.base === 'project_value' ? (deal.projectValue ?? base) : deal.amount;
  const noun = rule.base === 'project_value' ? 'project value credited' : 'credited';
  const share = `(${formatShare(shareOf(base, whole))} of ${formatMoney(whole)})`;
  if (rule.schedule.kind === 'one_time') return `${formatMoney(base)} ${noun} ${share}`;
  const months =
    paidMonths === contractMonths
      ? `over ${paidMonths} month${paidMonths === 1 ? '' : 's'}`
      : `for months 1–${paidMonths} of ${contractMonths}`;
  return `${formatMoney(paidBase)} ${noun} ${months} ${share}`;
}

function describeNoRule(
  deal: Deal,
  partner: Partner,
  facts: RuleFacts,
  context: CommissionContext,
): string {
  const motion = motionLabel(context.program, facts.motion);
  const agreementOnly = context.agreementOnly.has(facts.motion)
    ? ` ${motion} deals are paid by custom agreement only, and no agreement rule names this partner.`
    : '';
  return `No commission rule in force on ${deal.closeDate} applies to a ${partner.type} partner (${partner.subtype}, ${tierName(context.program, facts.tier)}) with a ${facts.role} ${motion.toLowerCase()} tag on a ${deal.dealType.replace('_', ' ')} deal.${agreementOnly}`;
}
