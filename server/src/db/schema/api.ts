import { date, index, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, oneOf, updatedAt } from '../columns.ts';
import { crmSystems } from '../vocabulary.ts';
import { installations } from './installations.ts';

/**
 * Idempotency keys for mutating API calls (tagging): same key + same request hash replays the
 * stored response; same key + another request is a 409. `completedAt` null = still running.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body').$type<unknown>(),
    createdAt: createdAt(),
    completedAt: at('completed_at'),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'idempotency_keys_pkey', columns: [t.installationId, t.key] }),
    index('idempotency_keys_expires_at_idx').on(t.expiresAt),
  ],
);

/** The daily CRM API allowance we may spend per installation and provider. */
export const apiBudgets = pgTable(
  'api_budgets',
  {
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: crmSystems }).notNull(),
    dailyLimit: integer('daily_limit').notNull(),
    /** Share of the provider's daily limit kept free for the customer's other integrations. */
    reservePercent: integer('reserve_percent').notNull().default(25),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ name: 'api_budgets_pkey', columns: [t.installationId, t.provider] }),
    oneOf('api_budgets_provider_check', t.provider, crmSystems),
  ],
);

/** API calls spent per installation, provider and UTC day (incremented by the clients). */
export const apiUsage = pgTable(
  'api_usage',
  {
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: crmSystems }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    calls: integer('calls').notNull().default(0),
    rateLimited: integer('rate_limited').notNull().default(0),
    errors: integer('errors').notNull().default(0),
    /** The provider's own view when it tells us (Sforce-Limit-Info, X-HubSpot-RateLimit-*). */
    lastLimitInfo: jsonb('last_limit_info').$type<unknown>(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ name: 'api_usage_pkey', columns: [t.installationId, t.provider, t.day] }),
    oneOf('api_usage_provider_check', t.provider, crmSystems),
  ],
);
