import { syncHealthViewSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { syncHealth } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncHealthRoute = defineRoute({
  method: 'get',
  path: `${SYNC_API}/health`,
  summary:
    'Sync health: connections, lag, API usage vs budget, outbox, open errors grouped by type',
  tags: ['Settings'],
  auth: 'hubspot',
  responseSchema: syncHealthViewSchema,
  errors: ['forbidden'],
  handler: async (_input, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return syncHealth(deps, installation.id);
  },
});
