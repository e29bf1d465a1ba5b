import {
  type FxTable,
  type IsoDate,
  type LedgerIssue,
  type LedgerLine,
  type Payment,
  type Program,
  reconcileLedger,
} from '@partnerbridge/shared';
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { ledgerLines, ledgerPayments } from '../db/schema/ledger.ts';
import { partners } from '../db/schema/partners.ts';
import { localChanges } from '../db/schema/sync.ts';
import { type DealRow, toCoreDeal, toCorePartner, toCoreTag } from './projection.ts';

// The ledger in the database: the core decides which lines to append (reconcileLedger), this
// stores them. Line ids are deterministic, so a second run over the same inputs appends nothing.

export type LedgerRow = typeof ledgerLines.$inferSelect;

const INSERT_CHUNK = 500;

/** The sequence part of a line id (`deal:partner:period:sequence`): the order lines were added. */
function sequenceOf(id: string): number {
  return Number(id.slice(id.lastIndexOf(':') + 1));
}

/** Lines in the order the core appended them (per slot, by sequence). */
export function byLineOrder(a: Pick<LedgerRow, 'id'>, b: Pick<LedgerRow, 'id'>): number {
  const prefixA = a.id.slice(0, a.id.lastIndexOf(':'));
  const prefixB = b.id.slice(0, b.id.lastIndexOf(':'));
  if (prefixA !== prefixB) return prefixA < prefixB ? -1 : 1;
  return sequenceOf(a.id) - sequenceOf(b.id);
}

/** The core's line for a stored row (rows are written from core lines only). */
export function lineFromRow(row: LedgerRow): LedgerLine {
  return {
    id: row.id,
    dealId: row.dealId ?? '',
    partnerId: row.partnerId,
    ruleId: row.ruleId ?? '',
    ruleVersion: row.ruleVersion ?? 1,
    kind: row.kind,
    period: row.period,
    periods: row.periods,
    effectiveOn: row.effectiveOn,
    payableOn: row.payableOn ?? row.effectiveOn,
    clawbackUntil: row.clawbackUntil ?? row.effectiveOn,
    base: { amountMinor: row.baseMinor ?? 0, currency: row.baseCurrency ?? row.currency },
    rate: row.rate,
    fx: row.fx ?? null,
    amount: { amountMinor: row.amountMinor, currency: row.currency },
    explanation: typeof row.explanation === 'string' ? row.explanation : '',
  } as LedgerLine;
}

function rowFromLine(installationId: string, line: LedgerLine): typeof ledgerLines.$inferInsert {
  return {
    installationId,
    id: line.id,
    partnerId: line.partnerId,
    dealId: line.dealId,
    ruleId: line.ruleId,
    ruleVersion: line.ruleVersion,
    kind: line.kind,
    amountMinor: line.amount.amountMinor,
    currency: line.amount.currency,
    effectiveOn: line.effectiveOn,
    payableOn: line.payableOn,
    explanation: line.explanation,
    period: line.period,
    periods: line.periods,
    clawbackUntil: line.clawbackUntil,
    baseMinor: line.base.amountMinor,
    baseCurrency: line.base.currency,
    rate: line.rate,
    fx: line.fx,
  };
}

/** Appends lines (existing ids are left alone); returns the ids actually inserted. */
export async function appendLines(
  db: Executor,
  installationId: string,
  lines: readonly LedgerLine[],
): Promise<string[]> {
  const inserted: string[] = [];
  for (let start = 0; start < lines.length; start += INSERT_CHUNK) {
    const chunk = lines.slice(start, start + INSERT_CHUNK);
    const rows = await db
      .insert(ledgerLines)
      .values(chunk.map((line) => rowFromLine(installationId, line)))
      .onConflictDoNothing()
      .returning({ id: ledgerLines.id });
    inserted.push(...rows.map((row) => row.id));
  }
  return inserted;
}

/** Stored lines of some deals, in append order. */
export async function linesOfDeals(
  db: Executor,
  installationId: string,
  dealIds: readonly string[],
): Promise<LedgerRow[]> {
  if (dealIds.length === 0) return [];
  const rows = await db
    .select()
    .from(ledgerLines)
    .where(
      and(
        eq(ledgerLines.installationId, installationId),
        inArray(ledgerLines.dealId, [...dealIds]),
      ),
    );
  return rows.sort(byLineOrder);
}

/** Payments of the given lines. */
export async function paymentsOfLines(
  db: Executor,
  installationId: string,
  lineIds: readonly string[],
): Promise<Payment[]> {
  if (lineIds.length === 0) return [];
  const rows = await db
    .select({
      lineId: ledgerPayments.lineId,
      exportId: ledgerPayments.exportId,
      paidOn: ledgerPayments.paidOn,
    })
    .from(ledgerPayments)
    .where(
      and(
        eq(ledgerPayments.installationId, installationId),
        inArray(ledgerPayments.lineId, [...lineIds]),
      ),
    );
  return rows as Payment[];
}

export type ReconcileOutcome = {
  /** Lines appended by this run. */
  readonly appended: readonly LedgerLine[];
  /** Deals whose commission changed (a `local_changes` row was written for each). */
  readonly changedDealIds: readonly string[];
  readonly issues: readonly LedgerIssue[];
  /** Deals the core cannot read at all (e.g. an unsupported currency). */
  readonly invalidDeals: readonly { dealId: string; message: string }[];
};

/**
 * Reconciles the ledger of some deals with the program and rules in force: locks the deals (one
 * reconciliation per deal at a time), computes the lines to append with the core, appends them
 * and, for each deal whose commission changed, writes a `local_changes` row so the sync engine
 * pushes the new commission to the CRMs. Run it inside a transaction.
 */
export async function reconcileDeals(
  tx: Executor,
  input: {
    readonly installationId: string;
    readonly program: Program;
    readonly fx: FxTable;
    readonly asOf: IsoDate;
    readonly dealIds: readonly string[];
  },
): Promise<ReconcileOutcome> {
  const { installationId } = input;
  if (input.dealIds.length === 0) {
    return { appended: [], changedDealIds: [], issues: [], invalidDeals: [] };
  }
  const dealRows: DealRow[] = await tx
    .select()
    .from(deals)
    .where(and(eq(deals.installationId, installationId), inArray(deals.id, [...input.dealIds])))
    .for('update');
  const ids = dealRows.map((row) => row.id);
  const [tagRows, existingRows] = await Promise.all([
    tx
      .select()
      .from(partnerTags)
      .where(
        and(
          eq(partnerTags.installationId, installationId),
          inArray(partnerTags.dealId, ids),
          isNull(partnerTags.removedAt),
          eq(partnerTags.registrationStatus, 'approved'),
        ),
      ),
    linesOfDeals(tx, installationId, ids),
  ]);
  const partnerIds = [...new Set(tagRows.map((row) => row.partnerId))];
  const partnerRows =
    partnerIds.length === 0
      ? []
      : await tx
          .select()
          .from(partners)
          .where(
            and(eq(partners.installationId, installationId), inArray(partners.id, partnerIds)),
          );

  const coreDeals = [];
  const invalidDeals: { dealId: string; message: string }[] = [];
  for (const row of dealRows) {
    const converted = toCoreDeal(row);
    if (converted.success) coreDeals.push(converted.data);
    else invalidDeals.push({ dealId: row.id, message: converted.error.message });
  }
  const { lines, issues } = reconcileLedger({
    program: input.program,
    partners: partnerRows.map(toCorePartner),
    fx: input.fx,
    deals: coreDeals,
    tags: tagRows.map(toCoreTag),
    existing: existingRows.map(lineFromRow),
    asOf: input.asOf,
  });
  const insertedIds = new Set(await appendLines(tx, installationId, lines));
  const appended = lines.filter((line) => insertedIds.has(line.id));
  const changedDealIds = [...new Set(appended.map((line) => line.dealId))];
  if (changedDealIds.length > 0) {
    await tx.insert(localChanges).values(
      changedDealIds.map((dealId) => ({
        installationId,
        objectKind: 'deal' as const,
        localId: dealId,
        reason: 'commission_changed',
      })),
    );
  }
  return { appended, changedDealIds, issues, invalidDeals };
}

/**
 * Deals whose ledger can change: won or reversed ones, and any that already has lines (a deal
 * reopened or lost after it was won).
 */
export async function reconcilableDealIds(db: Executor, installationId: string): Promise<string[]> {
  const rows = await db
    .select({ id: deals.id })
    .from(deals)
    .where(
      and(
        eq(deals.installationId, installationId),
        or(
          eq(deals.stageCategory, 'won'),
          sql`${deals.reversalOn} is not null`,
          sql`exists (select 1 from ${ledgerLines} where ${ledgerLines.installationId} = ${deals.installationId} and ${ledgerLines.dealId} = ${deals.id})`,
        ),
      ),
    )
    .orderBy(deals.id);
  return rows.map((row) => row.id);
}
