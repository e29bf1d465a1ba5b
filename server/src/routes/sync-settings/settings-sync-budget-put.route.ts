import { budgetBodySchema, budgetParamsSchema, budgetViewSchema } from '@partnerbridge/shared/api';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { setBudget } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncBudgetPutRoute = defineRoute({
  method: 'put',
  path: `${SYNC_API}/budgets/:provider`,
  summary: 'Set or clear (`dailyLimit: null`) the daily cap of our API calls to a CRM',
  description:
    'At the reserve line (`reservePercent` of the cap kept for live changes) back-fills, sweeps ' +
    'and imports pause; at the cap all sync with the portal and the org pauses until midnight ' +
    'UTC, or until the cap is raised or cleared. 400 naming the field for a cap that is not a ' +
    'whole number from 1 to 10,000,000. Audited with the signed user.',
  tags: ['Settings'],
  auth: 'hubspot',
  paramsSchema: budgetParamsSchema,
  bodySchema: budgetBodySchema,
  responseSchema: budgetViewSchema,
  errors: ['forbidden'],
  handler: async ({ params, body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return setBudget(deps, installation.id, params.provider, body, actorOf(hubspot));
  },
});
