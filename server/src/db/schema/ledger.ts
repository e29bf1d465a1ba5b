import {
  bigint,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, currencyCode } from '../columns.ts';
import { deals } from './deals.ts';
import { installations } from './installations.ts';
import { partners } from './partners.ts';
import { commissionRuleVersions } from './program.ts';

/**
 * The commission ledger, append-only (a trigger rejects UPDATE and DELETE). The id is the core's
 * deterministic ledger line id, so recomputing inserts nothing new: write with
 * `onConflictDoNothing()`. Corrections are new lines (adjustments, reversals), never edits.
 */
export const ledgerLines = pgTable(
  'ledger_lines',
  {
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    partnerId: uuid('partner_id').notNull(),
    dealId: uuid('deal_id'),
    ruleId: text('rule_id'),
    ruleVersion: integer('rule_version'),
    /** The core's line kind (accrual, reversal, adjustment, payment…). */
    kind: text('kind').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** The business day the line belongs to (won, lost, paid); drives reporting periods. */
    effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
    payableOn: date('payable_on', { mode: 'string' }),
    /** Set on lines that reverse or adjust another line. */
    reversesLineId: text('reverses_line_id'),
    exportId: text('export_id'),
    explanation: jsonb('explanation').$type<unknown>().notNull(),
    /** The core's schedule period (1 of 1 for one-time commissions). */
    period: integer('period').notNull().default(1),
    periods: integer('periods').notNull().default(1),
    clawbackUntil: date('clawback_until', { mode: 'string' }),
    /** What the rate applied to, in the deal currency. */
    baseMinor: bigint('base_minor', { mode: 'number' }),
    baseCurrency: text('base_currency'),
    /** Exact decimal string; null for flat and bracket payouts. */
    rate: text('rate'),
    /** The FX conversion used (the core's `FxConversion`), null when none was needed. */
    fx: jsonb('fx').$type<unknown>(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'ledger_lines_pkey', columns: [t.installationId, t.id] }),
    foreignKey({
      name: 'ledger_lines_partner_fk',
      columns: [t.installationId, t.partnerId],
      foreignColumns: [partners.installationId, partners.id],
    }),
    foreignKey({
      name: 'ledger_lines_deal_fk',
      columns: [t.installationId, t.dealId],
      foreignColumns: [deals.installationId, deals.id],
    }),
    foreignKey({
      name: 'ledger_lines_rule_version_fk',
      columns: [t.installationId, t.ruleId, t.ruleVersion],
      foreignColumns: [
        commissionRuleVersions.installationId,
        commissionRuleVersions.ruleId,
        commissionRuleVersions.version,
      ],
    }),
    index('ledger_lines_partner_effective_idx').on(t.installationId, t.partnerId, t.effectiveOn),
    index('ledger_lines_deal_idx').on(t.installationId, t.dealId),
    index('ledger_lines_payable_idx').on(t.installationId, t.payableOn),
    currencyCode('ledger_lines_currency_check', t.currency),
  ],
);

/** A payment run: every payable line at the time, marked paid under the admin's export id. */
export const ledgerExports = pgTable(
  'ledger_exports',
  {
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    exportId: text('export_id').notNull(),
    paidOn: date('paid_on', { mode: 'string' }).notNull(),
    createdBy: text('created_by').notNull(),
    note: text('note'),
    lineCount: integer('line_count').notNull(),
    totalMinor: bigint('total_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** One total per partner paid: [{ partnerId, amountMinor }]. */
    totals: jsonb('totals').$type<unknown>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'ledger_exports_pkey', columns: [t.installationId, t.exportId] }),
    currencyCode('ledger_exports_currency_check', t.currency),
  ],
);

/** The core's `Payment`: a ledger line paid in an export. A line is paid at most once. */
export const ledgerPayments = pgTable(
  'ledger_payments',
  {
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    lineId: text('line_id').notNull(),
    exportId: text('export_id').notNull(),
    paidOn: date('paid_on', { mode: 'string' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'ledger_payments_pkey', columns: [t.installationId, t.lineId] }),
    foreignKey({
      name: 'ledger_payments_line_fk',
      columns: [t.installationId, t.lineId],
      foreignColumns: [ledgerLines.installationId, ledgerLines.id],
    }),
    foreignKey({
      name: 'ledger_payments_export_fk',
      columns: [t.installationId, t.exportId],
      foreignColumns: [ledgerExports.installationId, ledgerExports.exportId],
    }),
    index('ledger_payments_export_idx').on(t.installationId, t.exportId),
  ],
);
