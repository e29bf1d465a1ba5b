import { rulesSettingsSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { todayOf } from '../../cards/dates.ts';
import { rulesSettings } from '../../cards/settings-rules.ts';
import { defineRoute } from '../../http/route.ts';

export const rulesListRoute = defineRoute({
  method: 'get',
  path: '/api/v1/settings/rules',
  summary: 'Commission rules with every version, their status today, and any ambiguity',
  tags: ['Settings'],
  auth: 'hubspot',
  responseSchema: rulesSettingsSchema,
  errors: ['forbidden'],
  handler: async (_input, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return rulesSettings(deps.db, installation.id, todayOf(deps.clock));
  },
});
