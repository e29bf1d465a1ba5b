import { syncMappingsViewSchema } from '@partnerbridge/shared/api';
import { defineRoute } from '../../http/route.ts';
import { mappingsView } from '../../sync/admin.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncMappingsGetRoute = defineRoute({
  method: 'get',
  path: `${SYNC_BASE}/mappings`,
  summary: 'The mapping in force (version 0 = the default mapping) and the saved versions',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  responseSchema: syncMappingsViewSchema,
  handler: async ({ params }, { deps }) => mappingsView(deps, params.installationId),
});
