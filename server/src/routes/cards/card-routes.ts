import type { Route } from '../../http/route.ts';
import { adminDeleteRoute } from './admin-delete.route.ts';
import { adminPutRoute } from './admin-put.route.ts';
import { adminsListRoute } from './admins-list.route.ts';
import { dealViewRoute } from './deal-view.route.ts';
import { fxRatesAddRoute } from './fx-rates-add.route.ts';
import { fxRatesListRoute } from './fx-rates-list.route.ts';
import { ledgerCsvRoute } from './ledger-csv.route.ts';
import { ledgerExportRoute } from './ledger-export.route.ts';
import { meRoute } from './me.route.ts';
import { metricsRoute } from './metrics.route.ts';
import { partnerSearchRoute } from './partner-search.route.ts';
import { programGetRoute } from './program-get.route.ts';
import { programPutRoute } from './program-put.route.ts';
import { ruleCreateRoute } from './rule-create.route.ts';
import { ruleRetireRoute } from './rule-retire.route.ts';
import { ruleVersionRoute } from './rule-version.route.ts';
import { rulesListRoute } from './rules-list.route.ts';
import { tagCreateRoute } from './tag-create.route.ts';
import { tagRegistrationRoute } from './tag-registration.route.ts';
import { tagRemoveRoute } from './tag-remove.route.ts';
import { tagUpdateRoute } from './tag-update.route.ts';
import { tierCardRoute } from './tier-card.route.ts';
import { whatIfRoute } from './what-if.route.ts';

/** The cards' and admins' API (`/api/v1/...`, signed by HubSpot). See docs/api.md. */
export const cardRoutes: readonly Route[] = [
  dealViewRoute,
  tagCreateRoute,
  tagUpdateRoute,
  tagRemoveRoute,
  tagRegistrationRoute,
  partnerSearchRoute,
  tierCardRoute,
  meRoute,
  programGetRoute,
  programPutRoute,
  rulesListRoute,
  ruleCreateRoute,
  ruleVersionRoute,
  ruleRetireRoute,
  whatIfRoute,
  fxRatesListRoute,
  fxRatesAddRoute,
  adminsListRoute,
  adminPutRoute,
  adminDeleteRoute,
  ledgerCsvRoute,
  ledgerExportRoute,
  metricsRoute,
];
