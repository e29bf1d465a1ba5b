import { bigint, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at, id, oneOf } from '../columns.ts';
import { auditOrigins, deadLetterStatuses } from '../vocabulary.ts';
import { installations } from './installations.ts';

/** Every applied change and every conflict decision (append-only: a trigger rejects edits). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    occurredAt: at('occurred_at').notNull().defaultNow(),
    origin: text('origin', { enum: auditOrigins }).notNull(),
    actor: text('actor'),
    action: text('action').notNull(),
    objectKind: text('object_kind'),
    localId: uuid('local_id'),
    hubspotId: text('hubspot_id'),
    salesforceId: text('salesforce_id'),
    before: jsonb('before').$type<unknown>(),
    after: jsonb('after').$type<unknown>(),
    policy: jsonb('policy').$type<unknown>(),
    decision: jsonb('decision').$type<unknown>(),
    correlationId: text('correlation_id'),
  },
  (t) => [
    index('audit_log_installation_time_idx').on(t.installationId, t.occurredAt),
    index('audit_log_object_idx').on(t.installationId, t.objectKind, t.localId),
    oneOf('audit_log_origin_check', t.origin, auditOrigins),
  ],
);

/** Jobs that failed for good, grouped by error type, visible and replayable. */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: id(),
    /** Null for jobs that belong to no installation (housekeeping). */
    installationId: uuid('installation_id').references(() => installations.id, {
      onDelete: 'cascade',
    }),
    queue: text('queue').notNull(),
    jobName: text('job_name').notNull(),
    jobId: text('job_id'),
    errorType: text('error_type').notNull(),
    reason: text('reason').notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    attempts: integer('attempts').notNull(),
    status: text('status', { enum: deadLetterStatuses }).notNull().default('open'),
    firstFailedAt: at('first_failed_at').notNull().defaultNow(),
    lastFailedAt: at('last_failed_at').notNull().defaultNow(),
    resolvedAt: at('resolved_at'),
    resolvedBy: text('resolved_by'),
  },
  (t) => [
    index('dead_letters_type_status_idx').on(t.installationId, t.status, t.errorType),
    index('dead_letters_recent_idx').on(t.installationId, t.lastFailedAt),
    oneOf('dead_letters_status_check', t.status, deadLetterStatuses),
  ],
);
