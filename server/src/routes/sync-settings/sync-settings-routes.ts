import type { Route } from '../../http/route.ts';
import { settingsSyncBudgetPutRoute } from './settings-sync-budget-put.route.ts';
import { settingsSyncBudgetsGetRoute } from './settings-sync-budgets-get.route.ts';
import { settingsSyncDeadLetterDiscardRoute } from './settings-sync-dead-letter-discard.route.ts';
import { settingsSyncDeadLetterReplayRoute } from './settings-sync-dead-letter-replay.route.ts';
import { settingsSyncDeadLettersRoute } from './settings-sync-dead-letters.route.ts';
import { settingsSyncFieldsRoute } from './settings-sync-fields.route.ts';
import { settingsSyncHealthRoute } from './settings-sync-health.route.ts';
import { settingsSyncMappingsDryRunRoute } from './settings-sync-mappings-dry-run.route.ts';
import { settingsSyncMappingsGetRoute } from './settings-sync-mappings-get.route.ts';
import { settingsSyncMappingsPutRoute } from './settings-sync-mappings-put.route.ts';
import { settingsSyncReviewResolveRoute } from './settings-sync-review-resolve.route.ts';
import { settingsSyncReviewsRoute } from './settings-sync-reviews.route.ts';

/**
 * The settings page's sync API (`/api/v1/sync/...`, signed by HubSpot): reads for partner
 * managers and admins, changes for admins. The operator routes (sync/sync-routes.ts) do the same
 * through the same functions (sync/admin.ts) for any installation.
 */
export const syncSettingsRoutes: readonly Route[] = [
  settingsSyncHealthRoute,
  settingsSyncMappingsGetRoute,
  settingsSyncFieldsRoute,
  settingsSyncMappingsDryRunRoute,
  settingsSyncMappingsPutRoute,
  settingsSyncDeadLettersRoute,
  settingsSyncDeadLetterReplayRoute,
  settingsSyncDeadLetterDiscardRoute,
  settingsSyncReviewsRoute,
  settingsSyncReviewResolveRoute,
  settingsSyncBudgetsGetRoute,
  settingsSyncBudgetPutRoute,
];
