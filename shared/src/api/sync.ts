import { z } from 'zod';
import {
  conflictPolicies,
  decisionReasons,
  fieldActions,
  mappedObjectKinds,
  mappingDocumentSchema,
  syncDirections,
  syncSides,
} from '../sync-mapping.ts';
import { apiInstantSchema } from './common.ts';

// The sync's admin API, as the settings page calls it (`/api/v1/sync/...`, signed) and as
// operators do (`/admin/api/installations/:installationId/sync/...`): health, mappings (get,
// the portal's and the org's fields, save with validation against them, dry-run), dead letters,
// identity reviews, the daily API budgets (the admin's caps), and for operators a record's audit
// trail and the import.

const providerSchema = z.enum(syncSides);
const objectKindSchema = z.enum(mappedObjectKinds);

/**
 * Where an installation stands against its daily cap for a CRM: `ok`; `non_critical_paused` at the
 * reserve line (back-fills, sweeps and imports wait; live changes go on); `paused` at the cap
 * (everything waits until the next UTC day, or until the cap is raised or cleared).
 */
export const budgetStates = ['ok', 'non_critical_paused', 'paused'] as const;

const apiUsageViewSchema = z.strictObject({
  day: z.iso.date(),
  calls: z.int(),
  rateLimited: z.int(),
  errors: z.int(),
  /** The admin's daily cap; null = none. */
  dailyLimit: z.int().nullable(),
  state: z.enum(budgetStates),
  /** The provider's own last report (rate-limit headers / Sforce-Limit-Info), as received. */
  providerReport: z.unknown(),
});

const systemHealthSchema = z.strictObject({
  connected: z.boolean(),
  lastSuccessfulPoll: apiInstantSchema.nullable(),
  lagSeconds: z.int().nullable(),
  failedPolls: z.array(z.strictObject({ object: z.string(), error: z.string().nullable() })),
  apiUsage: apiUsageViewSchema,
  /** Salesforce only: whether change events flow (polls then only reconcile). */
  changeEvents: z
    .strictObject({
      status: z.enum(['not_started', 'running', 'unavailable']),
      lastEventAt: apiInstantSchema.nullable(),
      error: z.string().nullable(),
    })
    .optional(),
});

export const syncHealthViewSchema = z
  .strictObject({
    hubspot: systemHealthSchema,
    salesforce: systemHealthSchema,
    /** Record jobs by state. */
    queue: z.record(z.string(), z.int()),
    pendingReviews: z.int(),
    /** Partnerbridge changes not yet written to the CRMs. */
    outbox: z.strictObject({ pending: z.int(), oldestAt: apiInstantSchema.nullable() }),
    /** Open dead letters grouped by what is wrong. */
    errors: z.array(
      z.strictObject({
        type: z.string(),
        count: z.int(),
        lastFailedAt: apiInstantSchema,
        examples: z.array(
          z.strictObject({ id: z.uuid(), reason: z.string(), record: z.unknown() }),
        ),
      }),
    ),
  })
  .meta({ id: 'SyncHealth' });
export type SyncHealthView = z.infer<typeof syncHealthViewSchema>;

export const syncMappingsViewSchema = z
  .strictObject({
    /** The version in force; 0 = the default mapping (never saved). */
    version: z.int().min(0),
    document: mappingDocumentSchema,
    versions: z.array(
      z.strictObject({ version: z.int(), createdBy: z.string(), createdAt: apiInstantSchema }),
    ),
  })
  .meta({ id: 'SyncMappings' });
export type SyncMappingsView = z.infer<typeof syncMappingsViewSchema>;

/**
 * PUT mappings: the edited document and the version it was edited from (stale → 409). Who saved
 * it is the signed user (operators name themselves in `createdBy`).
 */
export const saveMappingBodySchema = z
  .strictObject({ document: mappingDocumentSchema, baseVersion: z.int().min(0) })
  .meta({ id: 'SaveSyncMappingBody' });
export type SaveMappingBody = z.input<typeof saveMappingBodySchema>;

export const savedMappingViewSchema = z
  .strictObject({
    version: z.int().min(1),
    /** Linked records queued for a back-fill (low priority) because their mapping changed. */
    backfillQueued: z.int().min(0),
  })
  .meta({ id: 'SavedSyncMapping' });
export type SavedMappingView = z.infer<typeof savedMappingViewSchema>;

export const dryRunBodySchema = z
  .strictObject({
    document: mappingDocumentSchema,
    /** Linked records read live per object kind (the diff is computed on them). */
    sample: z.int().min(1).max(500).default(100),
  })
  .meta({ id: 'SyncDryRunBody' });
export type DryRunBody = z.input<typeof dryRunBodySchema>;

/** One field's sync decision, as the audit log and the dry run show it. */
export const fieldDecisionViewSchema = z.strictObject({
  hubspotField: z.string(),
  salesforceField: z.string(),
  policy: z.enum(conflictPolicies),
  direction: z.enum(syncDirections),
  hubspotValue: z.string().nullable().optional(),
  salesforceValue: z.string().nullable().optional(),
  hubspotChanged: z.boolean(),
  salesforceChanged: z.boolean(),
  winner: providerSchema.optional(),
  action: z.enum(fieldActions),
  reason: z.enum(decisionReasons),
  /** The common value written (write actions only). */
  value: z.string().nullable().optional(),
  /** One sentence for people ("Description: HubSpot … replaces Salesforce …"). */
  explanation: z.string(),
});
export type FieldDecisionView = z.infer<typeof fieldDecisionViewSchema>;

export const dryRunViewSchema = z
  .strictObject({
    sampled: z.int(),
    /** Linked records of the changed kinds (the back-fill's size). */
    records: z.int(),
    writes: z.strictObject({ hubspot: z.int(), salesforce: z.int() }),
    byField: z.array(z.strictObject({ field: z.string(), side: providerSchema, writes: z.int() })),
    examples: z.array(
      z.strictObject({
        kind: objectKindSchema,
        hubspotId: z.string(),
        salesforceId: z.string(),
        /** Per field: both values, the policy and the write it would make. */
        changes: z.array(fieldDecisionViewSchema),
      }),
    ),
  })
  .meta({ id: 'SyncDryRun' });
export type DryRunView = z.infer<typeof dryRunViewSchema>;

/** GET fields: which object pair's fields (deal ↔ Opportunity, partner/customer ↔ Account). */
export const objectFieldsQuerySchema = z.strictObject({ kind: objectKindSchema });

/** The portal's real properties and the org's described fields of an object pair, by label. */
export const objectFieldsViewSchema = z
  .strictObject({
    kind: objectKindSchema,
    hubspot: z.strictObject({
      /** `deals` or `companies`. */
      objectType: z.string(),
      properties: z.array(
        z.strictObject({
          name: z.string(),
          label: z.string(),
          type: z.string(),
          readOnly: z.boolean(),
        }),
      ),
    }),
    salesforce: z.strictObject({
      /** `Opportunity` or `Account`. */
      sobject: z.string(),
      fields: z.array(
        z.strictObject({
          name: z.string(),
          label: z.string(),
          type: z.string(),
          updateable: z.boolean(),
        }),
      ),
    }),
  })
  .meta({ id: 'SyncObjectFields' });
export type ObjectFieldsView = z.infer<typeof objectFieldsViewSchema>;

export const deadLetterStatuses = ['open', 'replayed', 'discarded'] as const;

export const deadLettersQuerySchema = z.strictObject({
  type: z.string().max(100).optional(),
  status: z.enum(deadLetterStatuses).default('open'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const deadLetterViewSchema = z
  .strictObject({
    id: z.uuid(),
    /** What is wrong: validation, picklist, permissions, deleted_entity, duplicate, mapping… */
    errorType: z.string(),
    reason: z.string(),
    status: z.enum(deadLetterStatuses),
    /** Which work failed: a record sync (`sync-record`) or a write-back (`sync-outbox`). */
    queue: z.string(),
    attempts: z.int(),
    firstFailedAt: apiInstantSchema,
    lastFailedAt: apiInstantSchema,
    resolvedAt: apiInstantSchema.nullable(),
    resolvedBy: z.string().nullable(),
    /** The record (kind, side, id) and what we tried to write. */
    record: z.unknown(),
    attempted: z.unknown(),
    system: z.string().nullable(),
    errorCode: z.string().nullable(),
  })
  .meta({ id: 'SyncDeadLetter' });
export type DeadLetterView = z.infer<typeof deadLetterViewSchema>;

export const deadLettersViewSchema = z.strictObject({ deadLetters: z.array(deadLetterViewSchema) });
export type DeadLettersView = z.infer<typeof deadLettersViewSchema>;

/** Dead letter routes' path: `:deadLetterId`. */
export const deadLetterParamsSchema = z.strictObject({ deadLetterId: z.uuid() });

export const replayedViewSchema = z.strictObject({ replayed: z.literal(true) });
export const discardedViewSchema = z.strictObject({ discarded: z.literal(true) });

export const recordAuditParamsSchema = z.strictObject({
  kind: objectKindSchema,
  /** The HubSpot id, the Salesforce id or our id. */
  id: z.string().min(1).max(64),
});

export const auditEntryViewSchema = z
  .strictObject({
    id: z.string(),
    occurredAt: apiInstantSchema,
    origin: z.string(),
    actor: z.string().nullable(),
    action: z.string(),
    objectKind: z.string().nullable(),
    localId: z.string().nullable(),
    hubspotId: z.string().nullable(),
    salesforceId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    policy: z.unknown(),
    decision: z.unknown(),
  })
  .meta({ id: 'SyncAuditEntry' });
export type AuditEntryView = z.infer<typeof auditEntryViewSchema>;
export const recordAuditViewSchema = z.strictObject({ entries: z.array(auditEntryViewSchema) });

/** A record of an identity review, on either CRM, as the review stored it (name, domain). */
const reviewRecordSchema = z.strictObject({
  system: providerSchema,
  id: z.string(),
  name: z.string().nullable(),
  /** The HubSpot domain or the Salesforce website. */
  domain: z.string().nullable(),
});

export const identityReviewViewSchema = z
  .strictObject({
    id: z.uuid(),
    objectKind: z.string(),
    /** The CRM of the record that waits; its candidates are on the other one. */
    side: providerSchema,
    reason: z.string(),
    record: reviewRecordSchema,
    candidates: z.array(
      reviewRecordSchema.extend({
        /** What matched: `domain`, `name`. */
        matchedOn: z.array(z.string()),
      }),
    ),
    hubspotId: z.string().nullable(),
    salesforceId: z.string().nullable(),
    /** The stored review, as written when the record was held (for operators). */
    review: z.unknown(),
    updatedAt: apiInstantSchema,
  })
  .meta({ id: 'SyncIdentityReview' });
export type IdentityReviewView = z.infer<typeof identityReviewViewSchema>;
export const identityReviewsViewSchema = z.strictObject({
  reviews: z.array(identityReviewViewSchema),
});
export type IdentityReviewsView = z.infer<typeof identityReviewsViewSchema>;

/** Resolve routes' path: `:linkId` (the review's id). */
export const reviewParamsSchema = z.strictObject({ linkId: z.uuid() });

export const reviewActions = ['link', 'create', 'keep_apart'] as const;

/**
 * How a review ends. `link`: the record is the same as one of its candidates, named in
 * `salesforceId` (a HubSpot company's review) or `hubspotId` (a Salesforce account's). `create`:
 * none of them, the record gets a new twin (`create_new` is the older name). `keep_apart`: none,
 * and the record stays without a twin (not synced).
 */
export const resolveReviewBodySchema = z
  .discriminatedUnion('action', [
    z
      .strictObject({
        action: z.literal('link'),
        salesforceId: z.string().min(15).max(18).optional(),
        hubspotId: z
          .string()
          .regex(/^\d{1,20}$/, 'a HubSpot record id is digits')
          .optional(),
      })
      .refine((body) => (body.salesforceId === undefined) !== (body.hubspotId === undefined), {
        path: ['salesforceId'],
        message:
          "name the chosen candidate in salesforceId (a HubSpot company's review) or hubspotId (a Salesforce account's), one of them",
      }),
    z.strictObject({ action: z.literal(['create', 'create_new']) }),
    z.strictObject({ action: z.literal('keep_apart') }),
  ])
  .meta({ id: 'ResolveIdentityReviewBody' });
export type ResolveReviewBody = z.input<typeof resolveReviewBodySchema>;
export const resolvedViewSchema = z.strictObject({ resolved: z.literal(true) });

export const importQueuedViewSchema = z.strictObject({
  queued: z.literal(true),
  jobId: z.string(),
});

/** The largest daily cap accepted: above any CRM's own daily allowance for one portal or org. */
export const MAX_DAILY_BUDGET = 10_000_000;

export const budgetParamsSchema = z.strictObject({ provider: providerSchema });

export const budgetBodySchema = z
  .strictObject({
    /** Our calls to this CRM per UTC day at most; null clears the cap (no limit of ours). */
    dailyLimit: z
      .int({ error: 'dailyLimit must be a whole number of API calls per day, or null to clear' })
      .min(1, { error: 'dailyLimit must be at least 1 call per day (null clears the cap)' })
      .max(MAX_DAILY_BUDGET, {
        error: `dailyLimit must be at most ${MAX_DAILY_BUDGET.toLocaleString('en-US')} calls per day`,
      })
      .nullable(),
    /** Share of the cap kept for live changes: back-fills and sweeps pause at the line. */
    reservePercent: z
      .int({ error: 'reservePercent must be a whole percentage' })
      .min(0, { error: 'reservePercent must be between 0 and 100' })
      .max(100, { error: 'reservePercent must be between 0 and 100' })
      .default(25),
  })
  .meta({ id: 'SyncBudgetBody' });
export type BudgetBody = z.input<typeof budgetBodySchema>;

export const budgetViewSchema = z
  .strictObject({
    provider: providerSchema,
    /** The cap (null: none). */
    dailyLimit: z.int().nullable(),
    reservePercent: z.int(),
    /** Calls today at which back-fills pause (null: no cap). */
    reserveLine: z.int().nullable(),
    /** Today, UTC: usage and the cap reset at midnight UTC. */
    day: z.iso.date(),
    /** Our calls to this CRM today. */
    used: z.int(),
    state: z.enum(budgetStates),
    /** When paused work resumes by itself (the next midnight UTC); null when nothing waits. */
    resumesAt: apiInstantSchema.nullable(),
  })
  .meta({ id: 'SyncBudget' });
export type BudgetView = z.infer<typeof budgetViewSchema>;

export const budgetsViewSchema = z
  .strictObject({ budgets: z.array(budgetViewSchema) })
  .meta({ id: 'SyncBudgets' });
export type BudgetsView = z.infer<typeof budgetsViewSchema>;
