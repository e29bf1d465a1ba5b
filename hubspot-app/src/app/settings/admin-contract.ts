import { z } from 'zod';

// The settings page's client-side schemas for the one part of the API that has none in
// @partnerbridge/shared: the installation view (server/src/routes/api/installation-view.ts).
// The sync admin API's schemas are the shared ones (vendor/shared/api/sync.ts), re-exported here
// with where the page calls them: the signed routes under `SYNC_API` (server/src/routes/
// sync-settings/), the installation taken from the signed portal.

export {
  type BudgetBody,
  type BudgetsView,
  type BudgetView,
  budgetsViewSchema,
  budgetViewSchema,
  type DeadLettersView,
  type DeadLetterView,
  type DryRunView,
  deadLettersViewSchema,
  discardedViewSchema,
  dryRunViewSchema,
  type IdentityReviewsView,
  type IdentityReviewView,
  identityReviewsViewSchema,
  type ObjectFieldsView,
  objectFieldsViewSchema,
  type ResolveReviewBody,
  replayedViewSchema,
  resolvedViewSchema,
  type SavedMappingView,
  type SaveMappingBody,
  type SyncHealthView,
  type SyncMappingsView,
  savedMappingViewSchema,
  syncHealthViewSchema,
  syncMappingsViewSchema,
} from './vendor/shared/api/index.ts';

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
