import { sql } from 'drizzle-orm';
import {
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, currencyCode, id } from '../columns.ts';
import { installations } from './installations.ts';
import { partners } from './partners.ts';

// Versioned documents are append-only (a trigger in the migrations rejects UPDATE and DELETE):
// an edit is a new row with a later `effective_from`, and a deal is always paid by the version in
// force on its close date. Documents are validated by the core's zod schemas before insert.

/** The partner program (tiers, requirements, grace period, attribution model…), versioned. */
export const programVersions = pgTable(
  'program_versions',
  {
    id: id(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    document: jsonb('document').$type<unknown>().notNull(),
    createdBy: text('created_by').notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    // Constraints (not indexes) because composite foreign keys point at them.
    unique('program_versions_installation_version_key').on(t.installationId, t.version),
    index('program_versions_installation_effective_idx').on(t.installationId, t.effectiveFrom),
  ],
);

/** One version of one commission rule (the core's `CommissionRule`: id + version). */
export const commissionRuleVersions = pgTable(
  'commission_rule_versions',
  {
    id: id(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    ruleId: text('rule_id').notNull(),
    version: integer('version').notNull(),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    /** Exclusive end, when the rule was retired. */
    effectiveTo: date('effective_to', { mode: 'string' }),
    document: jsonb('document').$type<unknown>().notNull(),
    createdBy: text('created_by').notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    unique('commission_rule_versions_rule_version_key').on(t.installationId, t.ruleId, t.version),
    index('commission_rule_versions_installation_effective_idx').on(
      t.installationId,
      t.effectiveFrom,
    ),
  ],
);

/** A partner's evaluated tier on a day, with the requirement-by-requirement detail. */
export const tierSnapshots = pgTable(
  'tier_snapshots',
  {
    id: id(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    partnerId: uuid('partner_id').notNull(),
    programVersion: integer('program_version').notNull(),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    tier: text('tier').notNull(),
    previousTier: text('previous_tier'),
    /** Set while a demotion waits out its grace period. */
    graceUntil: date('grace_until', { mode: 'string' }),
    evaluation: jsonb('evaluation').$type<unknown>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: 'tier_snapshots_partner_fk',
      columns: [t.installationId, t.partnerId],
      foreignColumns: [partners.installationId, partners.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'tier_snapshots_program_version_fk',
      columns: [t.installationId, t.programVersion],
      foreignColumns: [programVersions.installationId, programVersions.version],
    }),
    uniqueIndex('tier_snapshots_partner_as_of_key').on(t.installationId, t.partnerId, t.asOf),
  ],
);

/**
 * Retiring a rule: from `effectiveTo` on, the rule's latest version before that day stops paying
 * (append-only; a later version revives the rule from its own effective date).
 */
export const commissionRuleRetirements = pgTable(
  'commission_rule_retirements',
  {
    id: id(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    ruleId: text('rule_id').notNull(),
    effectiveTo: date('effective_to', { mode: 'string' }).notNull(),
    createdBy: text('created_by').notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [index('commission_rule_retirements_rule_idx').on(t.installationId, t.ruleId)],
);

/**
 * Dated exchange rates (append-only): commissions convert at the quote in force on the close date,
 * so a stored quote is never changed.
 */
export const fxRates = pgTable(
  'fx_rates',
  {
    id: id(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    base: text('base').notNull(),
    quote: text('quote').notNull(),
    rateOn: date('rate_on', { mode: 'string' }).notNull(),
    /** Exact decimal string ("1.0850"), as the core reads it. */
    rate: text('rate').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('fx_rates_installation_pair_day_key').on(
      t.installationId,
      t.base,
      t.quote,
      t.rateOn,
    ),
    currencyCode('fx_rates_base_check', t.base),
    currencyCode('fx_rates_quote_check', t.quote),
    check('fx_rates_rate_check', sql`${t.rate} ~ '^(0|[1-9][0-9]*)([.][0-9]+)?$'`),
  ],
);
