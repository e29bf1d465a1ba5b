import type { Route } from '../../http/route.ts';
import { hubspotWebhooksRoute } from './hubspot-webhooks.route.ts';
import { syncBudgetPutRoute } from './sync-budget-put.route.ts';
import { syncDeadLetterDiscardRoute } from './sync-dead-letter-discard.route.ts';
import { syncDeadLetterReplayRoute } from './sync-dead-letter-replay.route.ts';
import { syncDeadLettersListRoute } from './sync-dead-letters-list.route.ts';
import { syncHealthRoute } from './sync-health.route.ts';
import { syncImportRoute } from './sync-import.route.ts';
import { syncMappingsDryRunRoute } from './sync-mappings-dry-run.route.ts';
import { syncMappingsGetRoute } from './sync-mappings-get.route.ts';
import { syncMappingsPutRoute } from './sync-mappings-put.route.ts';
import { syncRecordAuditRoute } from './sync-record-audit.route.ts';
import { syncReviewResolveRoute } from './sync-review-resolve.route.ts';
import { syncReviewsListRoute } from './sync-reviews-list.route.ts';

/** Webhook intake, sync mappings, sync health and dead-letter replay. */
export const syncRoutes: readonly Route[] = [
  hubspotWebhooksRoute,
  syncHealthRoute,
  syncMappingsGetRoute,
  syncMappingsPutRoute,
  syncMappingsDryRunRoute,
  syncDeadLettersListRoute,
  syncDeadLetterReplayRoute,
  syncDeadLetterDiscardRoute,
  syncRecordAuditRoute,
  syncReviewsListRoute,
  syncReviewResolveRoute,
  syncImportRoute,
  syncBudgetPutRoute,
];
