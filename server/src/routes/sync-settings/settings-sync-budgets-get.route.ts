import { budgetsViewSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { budgetsView } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncBudgetsGetRoute = defineRoute({
  method: 'get',
  path: `${SYNC_API}/budgets`,
  summary:
    "Each CRM's daily API cap and reserve line, our calls today and what is paused (resumes at midnight UTC)",
  tags: ['Settings'],
  auth: 'hubspot',
  responseSchema: budgetsViewSchema,
  errors: ['forbidden'],
  handler: async (_input, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return budgetsView(deps, installation.id);
  },
});
