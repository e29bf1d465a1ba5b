import { adminInstallationDeleteRoute } from '../routes/admin/installation-delete.route.ts';
import { adminInstallationsListRoute } from '../routes/admin/installations-list.route.ts';
import { adminSalesforceJwtLinkRoute } from '../routes/admin/salesforce-jwt-link.route.ts';
import { installationDeleteRoute } from '../routes/api/installation-delete.route.ts';
import { installationGetRoute } from '../routes/api/installation-get.route.ts';
import { salesforceConnectRoute } from '../routes/api/salesforce-connect.route.ts';
import { salesforceDisconnectRoute } from '../routes/api/salesforce-disconnect.route.ts';
import { cardRoutes } from '../routes/cards/card-routes.ts';
import { hubspotCallbackRoute } from '../routes/oauth/hubspot-callback.route.ts';
import { hubspotInstallRoute } from '../routes/oauth/hubspot-install.route.ts';
import { salesforceCallbackRoute } from '../routes/oauth/salesforce-callback.route.ts';
import { salesforceInstallRoute } from '../routes/oauth/salesforce-install.route.ts';
import { apiDocsRoute } from '../routes/ops/api-docs.route.ts';
import { healthzRoute } from '../routes/ops/healthz.route.ts';
import { metricsRoute } from '../routes/ops/metrics.route.ts';
import { openapiJsonRoute } from '../routes/ops/openapi-json.route.ts';
import { readyzRoute } from '../routes/ops/readyz.route.ts';
import { syncRoutes } from '../routes/sync/sync-routes.ts';
import { syncSettingsRoutes } from '../routes/sync-settings/sync-settings-routes.ts';
import type { Route } from './route.ts';

/**
 * Every route the app serves. Add a `<name>.route.ts` under src/routes/ and list it here; the
 * app mounts it with its auth, validation and error handling, and documents it at /openapi.json.
 */
export const appRoutes: readonly Route[] = [
  healthzRoute,
  readyzRoute,
  metricsRoute,
  openapiJsonRoute,
  apiDocsRoute,
  hubspotInstallRoute,
  hubspotCallbackRoute,
  salesforceInstallRoute,
  salesforceCallbackRoute,
  installationGetRoute,
  installationDeleteRoute,
  salesforceConnectRoute,
  salesforceDisconnectRoute,
  adminInstallationsListRoute,
  adminSalesforceJwtLinkRoute,
  adminInstallationDeleteRoute,
  ...cardRoutes,
  ...syncRoutes,
  ...syncSettingsRoutes,
];
