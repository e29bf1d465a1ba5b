import {
  type CurrencyCode,
  currencyExponent,
  describeConversion,
  exportPayableCommissions,
  type FxConversion,
  type IsoDate,
  type LedgerLine,
  lineStatus,
  type Payment,
  type Program,
} from '@partnerbridge/shared';
import {
  type CreateExportBody,
  type LedgerCsvQuery,
  type LedgerExportView,
  ledgerCsvColumns,
} from '@partnerbridge/shared/api';
import { stringify } from 'csv-stringify/sync';
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { auditLog } from '../db/schema/audit.ts';
import { deals } from '../db/schema/deals.ts';
import { ledgerExports, ledgerLines, ledgerPayments } from '../db/schema/ledger.ts';
import { partners } from '../db/schema/partners.ts';
import { UnprocessableError } from '../errors.ts';
import type { Services } from '../services.ts';
import { todayOf } from './dates.ts';
import { asExportId } from './ids.ts';
import { byLineOrder, lineFromRow } from './ledger-store.ts';
import { isSupportedCurrency, moneyView } from './money-view.ts';
import { loadProgram } from './program-store.ts';
import { lockInstallation } from './settings-program.ts';
import { partnerRef } from './views.ts';

// Paying partners: the CSV preview of the ledger (changes nothing) and the export that marks every
// payable line paid under an export id (idempotent per id). The core decides what is payable.

type Deps = Pick<Services, 'db' | 'clock'>;

/** Minor units as an exact decimal in major units ("1302000" USD → "13020.00"). */
export function decimalAmount(amountMinor: number, currency: string): string {
  const exponent = isSupportedCurrency(currency) ? currencyExponent(currency as CurrencyCode) : 2;
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(digits.length - exponent)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

async function loadLedger(db: Executor, installationId: string) {
  const [lineRows, paymentRows] = await Promise.all([
    db.select().from(ledgerLines).where(eq(ledgerLines.installationId, installationId)),
    db
      .select({
        lineId: ledgerPayments.lineId,
        exportId: ledgerPayments.exportId,
        paidOn: ledgerPayments.paidOn,
      })
      .from(ledgerPayments)
      .where(eq(ledgerPayments.installationId, installationId)),
  ]);
  return {
    lines: lineRows.sort(byLineOrder).map(lineFromRow),
    payments: paymentRows as Payment[],
  };
}

/** GET /api/v1/ledger/export.csv */
export async function ledgerCsv(
  db: Executor,
  installationId: string,
  query: { status: NonNullable<LedgerCsvQuery['status']>; exportId?: string | undefined },
  asOf: IsoDate,
): Promise<string> {
  const [{ lines, payments }, { program }] = await Promise.all([
    loadLedger(db, installationId),
    loadProgram(db, installationId, asOf),
  ]);
  const paidBy = new Map<string, Payment>(
    payments
      .filter((payment) => payment.paidOn <= asOf)
      .map((payment) => [payment.lineId, payment]),
  );
  const paidIds = new Set([...paidBy.values()].map((payment) => payment.lineId));
  const wouldPay = new Set<string>(
    exportPayableCommissions({
      lines,
      payments,
      exportId: asExportId('preview'),
      asOf,
    }).payments.map((payment) => payment.lineId),
  );
  const isSelected = (line: LedgerLine): boolean => {
    if (line.effectiveOn > asOf) return false;
    if (query.status === 'payable') return wouldPay.has(line.id);
    if (query.status === 'pending') return lineStatus(line, paidIds, asOf) === 'pending';
    if (query.status === 'paid') {
      const payment = paidBy.get(line.id);
      return (
        payment !== undefined &&
        (query.exportId === undefined || payment.exportId === query.exportId)
      );
    }
    return true;
  };
  const selected = lines.filter(isSelected);
  const partnerIds = [...new Set(selected.map((line) => line.partnerId as string))];
  const dealIds = [...new Set(selected.map((line) => line.dealId as string))];
  const [partnerRows, dealRows] = await Promise.all([
    partnerIds.length === 0
      ? []
      : db
          .select()
          .from(partners)
          .where(
            and(eq(partners.installationId, installationId), inArray(partners.id, partnerIds)),
          ),
    dealIds.length === 0
      ? []
      : db
          .select()
          .from(deals)
          .where(and(eq(deals.installationId, installationId), inArray(deals.id, dealIds))),
  ]);
  const partnerById = new Map(partnerRows.map((row) => [row.id, row]));
  const dealById = new Map(dealRows.map((row) => [row.id, row]));
  const ruleNames = new Map(program.rules.map((rule) => [`${rule.id}@${rule.version}`, rule.name]));
  const rows = selected.map((line) =>
    csvRow(line, { partnerById, dealById, ruleNames, paidBy, paidIds, asOf }),
  );
  rows.sort((a, b) =>
    a.partner === b.partner
      ? a.deal === b.deal
        ? a.line_id < b.line_id
          ? -1
          : 1
        : a.deal < b.deal
          ? -1
          : 1
      : a.partner < b.partner
        ? -1
        : 1,
  );
  return stringify(rows, { header: true, columns: [...ledgerCsvColumns] });
}

function csvRow(
  line: LedgerLine,
  context: {
    partnerById: ReadonlyMap<string, typeof partners.$inferSelect>;
    dealById: ReadonlyMap<string, typeof deals.$inferSelect>;
    ruleNames: ReadonlyMap<string, string>;
    paidBy: ReadonlyMap<string, Payment>;
    paidIds: ReadonlySet<string>;
    asOf: IsoDate;
  },
): Record<(typeof ledgerCsvColumns)[number], string | number> {
  const partner = context.partnerById.get(line.partnerId);
  const deal = context.dealById.get(line.dealId);
  const fx = line.fx as FxConversion | null;
  return {
    partner: partner?.name ?? line.partnerId,
    partner_id: line.partnerId,
    partner_hubspot_company_id: partner?.hubspotCompanyId ?? '',
    deal: deal?.name ?? line.dealId,
    hubspot_deal_id: deal?.hubspotDealId ?? '',
    line_id: line.id,
    kind: line.kind,
    rule: context.ruleNames.get(`${line.ruleId}@${line.ruleVersion}`) ?? line.ruleId,
    rule_version: line.ruleVersion,
    period: `${line.period}/${line.periods}`,
    base: decimalAmount(line.base.amountMinor, line.base.currency),
    base_currency: line.base.currency,
    rate: line.rate ?? '',
    fx: fx === null ? '' : describeConversion(fx),
    amount: decimalAmount(line.amount.amountMinor, line.amount.currency),
    currency: line.amount.currency,
    effective_on: line.effectiveOn,
    payable_on: line.payableOn,
    status: lineStatus(line, context.paidIds as ReadonlySet<LedgerLine['id']>, context.asOf),
    export_id: context.paidBy.get(line.id)?.exportId ?? '',
    explanation: line.explanation,
  };
}

async function exportView(
  db: Executor,
  installationId: string,
  exportRow: typeof ledgerExports.$inferSelect,
  program: Program,
): Promise<LedgerExportView> {
  const totals = exportRow.totals as { partnerId: string; amountMinor: number }[];
  const ids = totals.map((total) => total.partnerId);
  const partnerRows =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(partners)
          .where(and(eq(partners.installationId, installationId), inArray(partners.id, ids)));
  const byId = new Map(partnerRows.map((row) => [row.id, row]));
  return {
    exportId: exportRow.exportId,
    paidOn: exportRow.paidOn,
    createdBy: exportRow.createdBy,
    createdAt: exportRow.createdAt.toISOString(),
    note: exportRow.note,
    lineCount: exportRow.lineCount,
    total: moneyView(exportRow.totalMinor, exportRow.currency),
    totals: totals.flatMap((total) => {
      const partner = byId.get(total.partnerId);
      return partner === undefined
        ? []
        : [
            {
              partner: partnerRef(partner, program),
              amount: moneyView(total.amountMinor, exportRow.currency),
            },
          ];
    }),
    csvPath: `/api/v1/ledger/export.csv?status=paid&exportId=${encodeURIComponent(exportRow.exportId)}`,
  };
}

/**
 * POST /api/v1/ledger/exports: marks every payable line paid under `exportId`. The same id again
 * answers with the stored export and pays nothing more (`created: false`).
 */
export async function createExport(
  deps: Deps,
  input: { installationId: string; actor: string; body: CreateExportBody },
): Promise<{ created: boolean; view: LedgerExportView }> {
  const { installationId, actor, body } = input;
  const asOf = todayOf(deps.clock);
  const { program } = await loadProgram(deps.db, installationId, asOf);
  const where = and(
    eq(ledgerExports.installationId, installationId),
    eq(ledgerExports.exportId, body.exportId),
  );
  const result = await deps.db.transaction(async (tx) => {
    // One export at a time per installation: a line is never paid twice.
    await lockInstallation(tx, installationId);
    const [existing] = await tx.select().from(ledgerExports).where(where);
    if (existing !== undefined) return { created: false, row: existing };
    const { lines, payments } = await loadLedger(tx, installationId);
    const exported = exportPayableCommissions({
      lines,
      payments,
      exportId: asExportId(body.exportId),
      asOf,
    });
    if (exported.payments.length === 0) {
      throw new UnprocessableError(
        `nothing is payable on ${asOf}: no line has passed its holding period unpaid (or every partner's payable balance is zero or negative)`,
      );
    }
    const total = exported.totals.reduce((sum, entry) => sum + entry.amount.amountMinor, 0);
    const [row] = await tx
      .insert(ledgerExports)
      .values({
        installationId,
        exportId: body.exportId,
        paidOn: asOf,
        createdBy: actor,
        note: body.note ?? null,
        lineCount: exported.payments.length,
        totalMinor: total,
        currency: exported.totals[0]?.amount.currency ?? program.currency,
        totals: exported.totals.map((entry) => ({
          partnerId: entry.partnerId,
          amountMinor: entry.amount.amountMinor,
        })),
      })
      .returning();
    if (row === undefined) throw new Error('export insert returned no row');
    for (let start = 0; start < exported.payments.length; start += 500) {
      await tx.insert(ledgerPayments).values(
        exported.payments.slice(start, start + 500).map((payment) => ({
          installationId,
          lineId: payment.lineId,
          exportId: payment.exportId,
          paidOn: payment.paidOn,
        })),
      );
    }
    await tx.insert(auditLog).values({
      installationId,
      origin: 'admin',
      actor,
      action: 'ledger.exported',
      objectKind: 'ledger_export',
      after: { exportId: body.exportId, lines: exported.payments.length, totalMinor: total },
    });
    return { created: true, row };
  });
  return {
    created: result.created,
    view: await exportView(deps.db, installationId, result.row, program),
  };
}
