import { syncMappingsViewSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { mappingsView } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncMappingsGetRoute = defineRoute({
  method: 'get',
  path: `${SYNC_API}/mappings`,
  summary: 'The sync mapping in force (version 0 = the default) and the saved versions',
  tags: ['Settings'],
  auth: 'hubspot',
  responseSchema: syncMappingsViewSchema,
  errors: ['forbidden'],
  handler: async (_input, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return mappingsView(deps, installation.id);
  },
});
