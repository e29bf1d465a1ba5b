import { partnerTypeValues, trainingLevelValues } from '@partnerbridge/shared/crm-fields';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { at, createdAt, id, oneOf, updatedAt } from '../columns.ts';
import { partnerStatuses } from '../vocabulary.ts';
import { installations } from './installations.ts';

/** Partner companies (HubSpot company ↔ Salesforce account), our projection of both sides. */
export const partners = pgTable(
  'partners',
  {
    id: id(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    hubspotCompanyId: text('hubspot_company_id'),
    salesforceAccountId: text('salesforce_account_id'),
    name: text('name').notNull(),
    type: text('type', { enum: partnerTypeValues }).notNull(),
    subtype: text('subtype').notNull(),
    joinedOn: date('joined_on', { mode: 'string' }).notNull(),
    certifiedSalespeople: integer('certified_salespeople').notNull().default(0),
    trainingLevel: text('training_level', { enum: trainingLevelValues }).notNull().default('none'),
    strategicAgreementSigned: boolean('strategic_agreement_signed').notNull().default(false),
    onboardingCompleted: jsonb('onboarding_completed').$type<string[]>().notNull().default([]),
    /** Current tier id ("registered" or one of the program's tiers) as last evaluated. */
    tier: text('tier').notNull().default('registered'),
    /** The core's tier history ([{ tier, since }], oldest first); snapshots keep the detail. */
    tierHistory: jsonb('tier_history')
      .$type<{ tier: string; since: string }[]>()
      .notNull()
      .default([]),
    belowTierSince: date('below_tier_since', { mode: 'string' }),
    status: text('status', { enum: partnerStatuses }).notNull().default('active'),
    hubspotModifiedAt: at('hubspot_modified_at'),
    salesforceModifiedAt: at('salesforce_modified_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: at('archived_at'),
  },
  (t) => [
    // Target of composite foreign keys: rows that point at a partner must share its installation.
    unique('partners_installation_id_key').on(t.installationId, t.id),
    uniqueIndex('partners_installation_hubspot_key').on(t.installationId, t.hubspotCompanyId),
    uniqueIndex('partners_installation_salesforce_key').on(t.installationId, t.salesforceAccountId),
    index('partners_installation_tier_idx').on(t.installationId, t.tier),
    index('partners_installation_type_idx').on(t.installationId, t.type),
    index('partners_installation_name_idx').on(t.installationId, t.name, t.id),
    oneOf('partners_type_check', t.type, partnerTypeValues),
    oneOf('partners_training_level_check', t.trainingLevel, trainingLevelValues),
    oneOf('partners_status_check', t.status, partnerStatuses),
  ],
);
