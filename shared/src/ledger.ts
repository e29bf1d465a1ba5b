import { z } from 'zod';
import type { AttributionError } from './attribution.ts';
import { type IsoDate, isoDateSchema, maxDate } from './calendar.ts';
import {
  type CommissionError,
  computeDealCommissions,
  createCommissionContext,
  type Installment,
  type PartnerCommission,
} from './commission.ts';
import { type Deal, groupTagsByDeal, type PartnerTag, wasWon } from './deal.ts';
import { decimalStringSchema } from './decimal.ts';
import { formatMoney } from './format.ts';
import { type FxTable, fxConversionSchema } from './fx.ts';
import {
  type DealId,
  dealIdSchema,
  type ExportId,
  exportIdSchema,
  type LedgerLineId,
  ledgerLineIdSchema,
  type PartnerId,
  partnerIdSchema,
  ruleIdSchema,
} from './ids.ts';
import { type CurrencyCode, type Money, money, moneySchema } from './money.ts';
import type { Partner } from './partner.ts';
import type { Program } from './program.ts';

// The commission ledger is append-only. `reconcileLedger` compares what the inputs say each
// (deal, partner, period) slot should hold with what the ledger already holds, and returns only
// the lines to append: an accrual the first time, an adjustment when the amount changes, a
// reversal when a won deal is lost, refunded or churns inside the clawback window, and a zero
// "retained" line recording why a change outside the window takes nothing back. Appending the
// result and reconciling again returns nothing: that is the idempotence the tests pin.

export const ledgerLineKinds = ['accrual', 'adjustment', 'reversal', 'retained'] as const;
export type LedgerLineKind = (typeof ledgerLineKinds)[number];

export const ledgerLineSchema = z.strictObject({
  /** Deterministic: `deal:partner:period:sequence`, the sequence counting the slot's lines. */
  id: ledgerLineIdSchema,
  dealId: dealIdSchema,
  partnerId: partnerIdSchema,
  ruleId: ruleIdSchema,
  ruleVersion: z.int().min(1),
  kind: z.enum(ledgerLineKinds),
  /** Period of the commission schedule (1 of 1 for one-time commissions; month n of a recurring one). */
  period: z.int().min(1),
  periods: z.int().min(1),
  /** The day of the event the line records: earned, changed, reversed. */
  effectiveOn: isoDateSchema,
  payableOn: isoDateSchema,
  clawbackUntil: isoDateSchema,
  /** What the rate applied to, in the deal currency. */
  base: moneySchema,
  rate: decimalStringSchema.nullable(),
  fx: fxConversionSchema.nullable(),
  /** Signed, in the program currency. */
  amount: moneySchema,
  explanation: z.string(),
});
export type LedgerLine = z.infer<typeof ledgerLineSchema>;

/** Marks one line paid in one export; a line is paid at most once. */
export const paymentSchema = z.strictObject({
  lineId: ledgerLineIdSchema,
  exportId: exportIdSchema,
  paidOn: isoDateSchema,
});
export type Payment = z.infer<typeof paymentSchema>;

export type LedgerIssue = {
  readonly dealId: DealId;
  readonly partnerId: PartnerId | null;
  readonly error: AttributionError | CommissionError;
};

export type ReconcileInput = {
  readonly program: Program;
  readonly partners: readonly Partner[];
  readonly fx: FxTable;
  /** Only these deals are reconciled; lines of other deals are left alone. */
  readonly deals: readonly Deal[];
  readonly tags: readonly PartnerTag[];
  readonly existing: readonly LedgerLine[];
  readonly asOf: IsoDate;
};

/**
 * The lines to append so the ledger matches the inputs as of `asOf`. Slots whose deal or partner
 * cannot be computed (ambiguous rules, missing FX rate, invalid tags) are left untouched and
 * reported in `issues`, never reversed by accident.
 */
export function reconcileLedger(input: ReconcileInput): {
  lines: LedgerLine[];
  issues: LedgerIssue[];
} {
  const { asOf } = input;
  const context = createCommissionContext(input.program, input.partners, input.fx);
  const slotsByDeal =
    input.existing.length === 0
      ? new Map<DealId, Map<string, Slot>>()
      : indexSlots(input.existing, new Set(input.deals.map((deal) => deal.id)));
  const tagsByDeal = groupTagsByDeal(input.tags);
  const lines: LedgerLine[] = [];
  const issues: LedgerIssue[] = [];
  for (const deal of input.deals) {
    const slots = slotsByDeal.get(deal.id) ?? new Map<string, Slot>();
    const earning = wasWon(deal) && deal.closeDate <= asOf;
    if (!earning && slots.size === 0) continue;
    const targets = new Map<string, Target>();
    const blocked = new Set<PartnerId>();
    const reasons = new Map<PartnerId, string>();
    if (earning) {
      const computed = computeDealCommissions(deal, tagsByDeal.get(deal.id) ?? [], context);
      if (!computed.success) {
        issues.push({ dealId: deal.id, partnerId: null, error: computed.error });
        continue;
      }
      for (const commission of computed.data.partners) {
        if (commission.kind === 'error') {
          blocked.add(commission.partnerId);
          issues.push({
            dealId: deal.id,
            partnerId: commission.partnerId,
            error: commission.error,
          });
        } else if (commission.kind === 'no_commission') {
          reasons.set(commission.partnerId, commission.explanation);
        } else {
          addTargets(targets, deal, commission, asOf);
        }
      }
    }
    for (const [key, slot] of slots) {
      if (targets.has(key) || blocked.has(slot.last.partnerId)) continue;
      const why = earning
        ? (reasons.get(slot.last.partnerId) ??
          `partner ${slot.last.partnerId} earns nothing for period ${slot.last.period} of deal ${deal.id} any more.`)
        : `deal ${deal.id} is no longer won.`;
      targets.set(key, { amount: 0, cause: { kind: 'dropped', why }, source: null });
    }
    for (const [key, target] of targets) {
      const line = nextLine(target, slots.get(key), asOf);
      if (line !== null) lines.push(line);
    }
  }
  return { lines, issues };
}

type Slot = { net: number; count: number; first: LedgerLine; last: LedgerLine };

type Cause =
  | { readonly kind: 'computed' }
  | {
      readonly kind: 'reversal';
      readonly reversal: NonNullable<Deal['reversal']>;
      /** The period starts on or after the reversal: it was never earned, whatever the window. */
      readonly unearned: boolean;
    }
  | { readonly kind: 'dropped'; readonly why: string };

/** What a slot should hold, why, and the computed installment behind it (if any). */
type Target = {
  readonly amount: number;
  readonly cause: Cause;
  readonly source: {
    readonly dealId: DealId;
    readonly commission: Extract<PartnerCommission, { kind: 'commission' }>;
    readonly installment: Installment;
  } | null;
};

function slotKey(dealId: DealId, partnerId: PartnerId, period: number): string {
  return `${dealId}:${partnerId}:${period}`;
}

function indexSlots(
  existing: readonly LedgerLine[],
  dealIds: ReadonlySet<DealId>,
): Map<DealId, Map<string, Slot>> {
  const byDeal = new Map<DealId, Map<string, Slot>>();
  for (const line of existing) {
    if (!dealIds.has(line.dealId)) continue;
    let slots = byDeal.get(line.dealId);
    if (slots === undefined) {
      slots = new Map();
      byDeal.set(line.dealId, slots);
    }
    const key = slotKey(line.dealId, line.partnerId, line.period);
    const slot = slots.get(key);
    if (slot === undefined) {
      slots.set(key, { net: line.amount.amountMinor, count: 1, first: line, last: line });
    } else {
      slot.net += line.amount.amountMinor;
      slot.count += 1;
      slot.last = line;
    }
  }
  return byDeal;
}

// A recurring month is earned when it starts. After a loss, refund or churn, every period holds
// zero: earlier ones are clawed back if the window is still open, later ones were never earned.
function addTargets(
  targets: Map<string, Target>,
  deal: Deal,
  commission: Extract<PartnerCommission, { kind: 'commission' }>,
  asOf: IsoDate,
): void {
  const reversal = deal.reversal !== undefined && deal.reversal.on <= asOf ? deal.reversal : null;
  for (const installment of commission.installments) {
    if (installment.earnedOn > asOf) continue;
    const source = { dealId: deal.id, commission, installment };
    targets.set(
      slotKey(deal.id, commission.partnerId, installment.period),
      reversal === null
        ? { amount: installment.amount.amountMinor, cause: { kind: 'computed' }, source }
        : {
            amount: 0,
            cause: { kind: 'reversal', reversal, unearned: installment.earnedOn >= reversal.on },
            source,
          },
    );
  }
}

function nextLine(target: Target, slot: Slot | undefined, asOf: IsoDate): LedgerLine | null {
  const net = slot?.net ?? 0;
  if (target.amount === net) return null;
  const { source, cause } = target;
  if (slot === undefined) {
    // Only a computed, positive amount reaches here: zero targets equal an empty slot's net.
    if (source === null) return null;
    return lineFrom(source, 'accrual', 0, {
      effectiveOn: source.installment.earnedOn,
      payableOn: source.installment.payableOn,
      clawbackUntil: source.installment.clawbackUntil,
      amount: target.amount,
      explanation: source.installment.explanation,
    });
  }
  const currency = slot.first.amount.currency;
  const delta = target.amount - net;
  const schedule = (effectiveOn: IsoDate) => ({
    effectiveOn,
    payableOn: maxDate(slot.first.payableOn, effectiveOn),
    clawbackUntil: slot.first.clawbackUntil,
  });
  const adjustment = (explanation: string) =>
    source === null
      ? lineFromSlot(slot, 'adjustment', { ...schedule(asOf), amount: delta, explanation })
      : lineFrom(source, 'adjustment', slot.count, {
          ...schedule(asOf),
          amount: delta,
          explanation,
        });
  const changed = `Adjusted by ${signed(money(delta, currency))} to ${formatMoney(money(target.amount, currency))}`;
  if (delta > 0 && source !== null) {
    return adjustment(`${changed}: ${source.installment.explanation}`);
  }
  const changeOn = cause.kind === 'reversal' ? cause.reversal.on : asOf;
  const unearned = cause.kind === 'reversal' && cause.unearned;
  const insideWindow = unearned || changeOn <= slot.first.clawbackUntil;
  const what =
    cause.kind === 'reversal'
      ? `deal ${cause.reversal.reason} on ${cause.reversal.on}`
      : cause.kind === 'dropped'
        ? cause.why.replace(/\.$/, '')
        : `the amount dropped on ${asOf}`;
  if (insideWindow && cause.kind === 'reversal') {
    return lineFromSlot(slot, 'reversal', {
      ...schedule(changeOn),
      amount: delta,
      explanation: unearned
        ? `Reversed ${formatMoney(money(-delta, currency))}: ${what}, before this period started.`
        : `Reversed ${formatMoney(money(-delta, currency))}: ${what}, inside the clawback window (until ${slot.first.clawbackUntil}).`,
    });
  }
  if (insideWindow) {
    const detail = source === null ? what : source.installment.explanation;
    return adjustment(`${changed}: ${detail}`);
  }
  if (slot.last.kind === 'retained') return null;
  return lineFromSlot(slot, 'retained', {
    ...schedule(changeOn),
    amount: 0,
    explanation: `Kept ${formatMoney(money(net, currency))}: ${what}, after the clawback window closed on ${slot.first.clawbackUntil}.`,
  });
}

type LineFields = Pick<
  LedgerLine,
  'effectiveOn' | 'payableOn' | 'clawbackUntil' | 'explanation'
> & { amount: number };

function lineFrom(
  source: NonNullable<Target['source']>,
  kind: LedgerLineKind,
  sequence: number,
  fields: LineFields,
): LedgerLine {
  const { commission, installment, dealId } = source;
  return {
    id: lineId(dealId, commission.partnerId, installment.period, sequence),
    dealId,
    partnerId: commission.partnerId,
    ruleId: commission.rule.id,
    ruleVersion: commission.rule.version,
    kind,
    period: installment.period,
    periods: installment.periods,
    ...fields,
    base: installment.base,
    rate: commission.rate,
    fx: commission.fx,
    amount: money(fields.amount, commission.total.currency),
  };
}

function lineFromSlot(slot: Slot, kind: LedgerLineKind, fields: LineFields): LedgerLine {
  const { last } = slot;
  return {
    ...last,
    id: lineId(last.dealId, last.partnerId, last.period, slot.count),
    kind,
    ...fields,
    amount: money(fields.amount, last.amount.currency),
  };
}

// Ids contain no ":" (see ids.ts), so the joined parts cannot collide.
function lineId(
  dealId: DealId,
  partnerId: PartnerId,
  period: number,
  sequence: number,
): LedgerLineId {
  return `${dealId}:${partnerId}:${period}:${sequence}` as LedgerLineId;
}

function signed(amount: Money): string {
  return amount.amountMinor > 0 ? `+${formatMoney(amount)}` : formatMoney(amount);
}

export type LineStatus = 'pending' | 'payable' | 'paid';

/** Paid once exported; payable once its holding period is over; pending before. */
export function lineStatus(
  line: Pick<LedgerLine, 'id' | 'payableOn'>,
  paidLineIds: ReadonlySet<LedgerLineId>,
  asOf: IsoDate,
): LineStatus {
  if (paidLineIds.has(line.id)) return 'paid';
  return line.payableOn <= asOf ? 'payable' : 'pending';
}

/** What the tier card shows per partner; `earned = pending + payable + paid`. */
export type CommissionSummary = {
  readonly partnerId: PartnerId;
  readonly earned: Money;
  readonly pending: Money;
  readonly payable: Money;
  readonly paid: Money;
};

/** Totals per partner (sorted by id) of the lines effective on or before `asOf`. */
export function summarizeCommissions(input: {
  readonly lines: readonly LedgerLine[];
  readonly payments: readonly Payment[];
  readonly currency: CurrencyCode;
  readonly asOf: IsoDate;
}): CommissionSummary[] {
  const paid = paidLineIds(input.payments, input.asOf);
  const totals = new Map<PartnerId, Record<LineStatus, number>>();
  for (const line of input.lines) {
    if (line.effectiveOn > input.asOf) continue;
    const entry = totals.get(line.partnerId) ?? { pending: 0, payable: 0, paid: 0 };
    entry[lineStatus(line, paid, input.asOf)] += line.amount.amountMinor;
    totals.set(line.partnerId, entry);
  }
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([partnerId, entry]) => ({
      partnerId,
      earned: money(entry.pending + entry.payable + entry.paid, input.currency),
      pending: money(entry.pending, input.currency),
      payable: money(entry.payable, input.currency),
      paid: money(entry.paid, input.currency),
    }));
}

/**
 * Marks payable lines paid under `exportId` on `asOf`: the payments to append and one total per
 * partner (the rows of the CSV export). A partner whose payable lines net to zero or less is left
 * out, its reversals carried to a later export. Lines already paid are never paid twice.
 */
export function exportPayableCommissions(input: {
  readonly lines: readonly LedgerLine[];
  readonly payments: readonly Payment[];
  readonly exportId: ExportId;
  readonly asOf: IsoDate;
}): { payments: Payment[]; totals: { partnerId: PartnerId; amount: Money }[] } {
  const paid = paidLineIds(input.payments, input.asOf);
  const byPartner = new Map<PartnerId, LedgerLine[]>();
  for (const line of input.lines) {
    if (line.effectiveOn > input.asOf || lineStatus(line, paid, input.asOf) !== 'payable') continue;
    const list = byPartner.get(line.partnerId) ?? [];
    list.push(line);
    byPartner.set(line.partnerId, list);
  }
  const payments: Payment[] = [];
  const totals: { partnerId: PartnerId; amount: Money }[] = [];
  const partnerIds = [...byPartner.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const partnerId of partnerIds) {
    const partnerLines = byPartner.get(partnerId) ?? [];
    const total = partnerLines.reduce((sum, line) => sum + line.amount.amountMinor, 0);
    const first = partnerLines[0];
    if (total <= 0 || first === undefined) continue;
    totals.push({ partnerId, amount: money(total, first.amount.currency) });
    for (const line of partnerLines) {
      payments.push({ lineId: line.id, exportId: input.exportId, paidOn: input.asOf });
    }
  }
  return { payments, totals };
}

function paidLineIds(payments: readonly Payment[], asOf: IsoDate): Set<LedgerLineId> {
  return new Set(
    payments.filter((payment) => payment.paidOn <= asOf).map((payment) => payment.lineId),
  );
}

/** Every line of one deal, e.g. for the deal card's commission history. */
export function linesForDeal(lines: readonly LedgerLine[], dealId: DealId): LedgerLine[] {
  return lines.filter((line) => line.dealId === dealId);
}
