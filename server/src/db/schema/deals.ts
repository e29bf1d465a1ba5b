import { motionValues, partnerRoleValues } from '@partnerbridge/shared/crm-fields';
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  foreignKey,
  index,
  integer,
  numeric,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { at, createdAt, currencyCode, fraction, id, oneOf, updatedAt } from '../columns.ts';
import { registrationStatuses, stageCategories, tagSources } from '../vocabulary.ts';
import { installations } from './installations.ts';
import { partners } from './partners.ts';

/** Our projection of a deal (HubSpot deal ↔ Salesforce opportunity). Money in minor units. */
export const deals = pgTable(
  'deals',
  {
    id: id(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    hubspotDealId: text('hubspot_deal_id'),
    salesforceOpportunityId: text('salesforce_opportunity_id'),
    name: text('name').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** Implementation project value (base of "% of project value" agreements). */
    projectValueMinor: bigint('project_value_minor', { mode: 'number' }),
    pipelineId: text('pipeline_id'),
    stageId: text('stage_id'),
    stageCategory: text('stage_category', { enum: stageCategories }).notNull(),
    createdOn: date('created_on', { mode: 'string' }).notNull(),
    /** Won/lost day, or the expected close day while open. */
    closeDate: date('close_date', { mode: 'string' }).notNull(),
    /** Exact decimal in [0, 1]; never a float. */
    probability: numeric('probability').notNull().default('0'),
    dealType: text('deal_type').notNull(),
    contractMonths: integer('contract_months'),
    reversalReason: text('reversal_reason'),
    reversalOn: date('reversal_on', { mode: 'string' }),
    customerHubspotCompanyId: text('customer_hubspot_company_id'),
    customerSalesforceAccountId: text('customer_salesforce_account_id'),
    customerName: text('customer_name'),
    hubspotModifiedAt: at('hubspot_modified_at'),
    salesforceModifiedAt: at('salesforce_modified_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: at('archived_at'),
  },
  (t) => [
    unique('deals_installation_id_key').on(t.installationId, t.id),
    uniqueIndex('deals_installation_hubspot_key').on(t.installationId, t.hubspotDealId),
    uniqueIndex('deals_installation_salesforce_key').on(
      t.installationId,
      t.salesforceOpportunityId,
    ),
    index('deals_installation_stage_close_idx').on(t.installationId, t.stageCategory, t.closeDate),
    index('deals_installation_customer_hubspot_idx').on(
      t.installationId,
      t.customerHubspotCompanyId,
    ),
    oneOf('deals_stage_category_check', t.stageCategory, stageCategories),
    currencyCode('deals_currency_check', t.currency),
    fraction('deals_probability_check', t.probability),
    check('deals_amount_check', sql`${t.amountMinor} >= 0`),
    check(
      'deals_contract_months_check',
      sql`${t.contractMonths} is null or ${t.contractMonths} > 0`,
    ),
  ],
);

/** A partner's claim on a deal (sourced or influenced), with its deal-registration state. */
export const partnerTags = pgTable(
  'partner_tags',
  {
    id: id(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    dealId: uuid('deal_id').notNull(),
    partnerId: uuid('partner_id').notNull(),
    role: text('role', { enum: partnerRoleValues }).notNull(),
    motion: text('motion', { enum: motionValues }).notNull(),
    touchedAt: at('touched_at').notNull(),
    /** Explicit share, exact decimal in [0, 1]; null = let the attribution model decide. */
    share: numeric('share'),
    taggedBy: text('tagged_by').notNull(),
    source: text('source', { enum: tagSources }).notNull(),
    registrationStatus: text('registration_status', { enum: registrationStatuses })
      .notNull()
      .default('approved'),
    registrationExpiresAt: at('registration_expires_at'),
    decidedBy: text('decided_by'),
    decidedAt: at('decided_at'),
    decisionNote: text('decision_note'),
    idempotencyKey: text('idempotency_key'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    removedAt: at('removed_at'),
  },
  (t) => [
    // Composite keys: a tag can only point at a deal and a partner of its own installation.
    foreignKey({
      name: 'partner_tags_deal_fk',
      columns: [t.installationId, t.dealId],
      foreignColumns: [deals.installationId, deals.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'partner_tags_partner_fk',
      columns: [t.installationId, t.partnerId],
      foreignColumns: [partners.installationId, partners.id],
    }).onDelete('restrict'),
    // One live tag per partner per deal; removed tags stay as history.
    uniqueIndex('partner_tags_live_deal_partner_key')
      .on(t.installationId, t.dealId, t.partnerId)
      .where(sql`${t.removedAt} is null`),
    uniqueIndex('partner_tags_installation_idempotency_key').on(t.installationId, t.idempotencyKey),
    index('partner_tags_installation_partner_idx').on(t.installationId, t.partnerId),
    index('partner_tags_installation_registration_idx').on(
      t.installationId,
      t.registrationStatus,
      t.registrationExpiresAt,
    ),
    oneOf('partner_tags_role_check', t.role, partnerRoleValues),
    oneOf('partner_tags_motion_check', t.motion, motionValues),
    oneOf('partner_tags_source_check', t.source, tagSources),
    oneOf('partner_tags_registration_status_check', t.registrationStatus, registrationStatuses),
    fraction('partner_tags_share_check', t.share),
  ],
);
