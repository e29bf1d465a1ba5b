import { z } from 'zod';
import { mappingDocumentSchema } from './vendor/shared/sync-mapping.ts';

// The settings page's client-side schemas for the parts of the API that have none in
// @partnerbridge/shared: the installation view (server/src/routes/api/installation-view.ts) and
// the sync admin API (server/src/routes/sync/*, server/src/sync/admin.ts, docs/sync.md). Kept in
// this one place; when the server publishes them in shared, these give way to the vendored copy.
//
// The sync admin routes exist today for the operator only (`/admin/api/installations/:id/sync`,
// Bearer ADMIN_TOKEN), which a settings page cannot call. The page calls the HubSpot-signed
// versions the sync engineer lists as the next step (docs/sync.md, "Not done yet"), with the same
// bodies and answers under `SYNC_API`, the installation taken from the signed portal.

export const SYNC_API = '/api/v1/sync';

const instant = z.iso.datetime({ offset: true });

/** GET /api/v1/installation */
export const installationViewSchema = z.strictObject({
  installationId: z.uuid(),
  status: z.enum(['active', 'uninstalled']),
  installedAt: instant,
  hubspot: z
    .strictObject({
      portalId: z.string(),
      hubDomain: z.string().nullable(),
      scopes: z.array(z.string()),
    })
    .nullable(),
  salesforce: z
    .strictObject({
      orgId: z.string(),
      instanceUrl: z.string().nullable(),
      authKind: z.enum(['web_server', 'jwt_bearer']),
      linkedAt: instant.nullable(),
    })
    .nullable(),
});
export type InstallationView = z.infer<typeof installationViewSchema>;

/** POST /api/v1/installation/salesforce/connect */
export const salesforceLinkSchema = z.strictObject({ url: z.url(), expiresAt: instant });
export type SalesforceLink = z.infer<typeof salesforceLinkSchema>;

const systemHealthSchema = z.object({
  connected: z.boolean(),
  lastSuccessfulPoll: instant.nullable(),
  lagSeconds: z.number().nullable(),
  failedPolls: z.array(z.object({ object: z.string(), error: z.string().nullable() })),
  apiUsage: z.object({
    day: z.string(),
    calls: z.number(),
    rateLimited: z.number(),
    errors: z.number(),
    dailyLimit: z.number().nullable(),
    state: z.string(),
  }),
});
export type SystemHealth = z.infer<typeof systemHealthSchema>;

/** GET {SYNC_API}/health */
export const syncHealthSchema = z.object({
  hubspot: systemHealthSchema,
  salesforce: systemHealthSchema,
  queue: z.record(z.string(), z.number()),
  pendingReviews: z.number(),
  /** Open dead letters grouped by error type, with a few examples each. */
  errors: z.array(
    z.object({
      type: z.string(),
      count: z.number(),
      lastFailedAt: instant,
      examples: z.array(z.object({ id: z.uuid(), reason: z.string(), record: z.unknown() })),
    }),
  ),
});
export type SyncHealth = z.infer<typeof syncHealthSchema>;

/** GET {SYNC_API}/mappings */
export const mappingsViewSchema = z.object({
  /** 0 = the default mapping, never saved. */
  version: z.int().min(0),
  document: mappingDocumentSchema,
  versions: z.array(z.object({ version: z.int(), createdBy: z.string(), createdAt: instant })),
});
export type MappingsView = z.infer<typeof mappingsViewSchema>;

/** PUT {SYNC_API}/mappings */
export const mappingSavedSchema = z.object({ version: z.int(), backfillQueued: z.int() });
export type MappingSaved = z.infer<typeof mappingSavedSchema>;

/** POST {SYNC_API}/mappings/dry-run: what saving would write, from a live sample. */
export const dryRunSchema = z.object({
  sampled: z.int(),
  records: z.int(),
  writes: z.object({ hubspot: z.int(), salesforce: z.int() }),
  byField: z.array(
    z.object({ field: z.string(), side: z.enum(['hubspot', 'salesforce']), writes: z.int() }),
  ),
  examples: z.array(
    z.object({
      kind: z.enum(['deal', 'partner', 'customer']),
      hubspotId: z.string(),
      salesforceId: z.string(),
      changes: z.array(
        z.object({
          hubspotField: z.string(),
          salesforceField: z.string(),
          action: z.string(),
          explanation: z.string(),
        }),
      ),
    }),
  ),
});
export type DryRun = z.infer<typeof dryRunSchema>;

/**
 * GET {SYNC_API}/fields?kind=deal: the real HubSpot properties and Salesforce fields of an object
 * pair, to pick field pairs from (the server reads them for validation already).
 */
export const objectFieldsSchema = z.object({
  hubspot: z.array(
    z.object({ name: z.string(), label: z.string(), type: z.string(), readOnly: z.boolean() }),
  ),
  salesforce: z.array(
    z.object({ name: z.string(), label: z.string(), type: z.string(), updateable: z.boolean() }),
  ),
});
export type ObjectFields = z.infer<typeof objectFieldsSchema>;

/** GET {SYNC_API}/dead-letters */
export const deadLettersSchema = z.object({
  deadLetters: z.array(
    z.object({
      id: z.uuid(),
      errorType: z.string(),
      reason: z.string(),
      attempts: z.int(),
      status: z.enum(['open', 'replayed', 'discarded']),
      firstFailedAt: instant,
      lastFailedAt: instant,
      payload: z.unknown(),
    }),
  ),
});
export type DeadLetters = z.infer<typeof deadLettersSchema>;

/** POST {SYNC_API}/dead-letters/:id/replay */
export const replayedSchema = z.strictObject({ replayed: z.literal(true) });
