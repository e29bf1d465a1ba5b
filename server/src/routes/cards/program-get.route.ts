import { programSettingsSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { todayOf } from '../../cards/dates.ts';
import { programSettings } from '../../cards/settings-program.ts';
import { defineRoute } from '../../http/route.ts';

export const programGetRoute = defineRoute({
  method: 'get',
  path: '/api/v1/settings/program',
  summary: 'The program version in force, scheduled versions and the history',
  tags: ['Settings'],
  auth: 'hubspot',
  responseSchema: programSettingsSchema,
  errors: ['forbidden'],
  handler: async (_input, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return programSettings(deps.db, installation.id, todayOf(deps.clock));
  },
});
