import { deadLettersQuerySchema, deadLettersViewSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { listDeadLetters } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncDeadLettersRoute = defineRoute({
  method: 'get',
  path: `${SYNC_API}/dead-letters`,
  summary: 'Dead letters (records that failed for good), newest first, by status and type',
  tags: ['Settings'],
  auth: 'hubspot',
  querySchema: deadLettersQuerySchema,
  responseSchema: deadLettersViewSchema,
  errors: ['forbidden'],
  handler: async ({ query }, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return listDeadLetters(deps, installation.id, query);
  },
});
