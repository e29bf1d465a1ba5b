import { defineRoute } from '../../http/route.ts';
import { currentMappingOf } from '../../sync/admin.ts';
import { mappingVersions } from '../../sync/sync-store.ts';
import { anyJson, installationParams, SYNC_BASE } from './sync-params.ts';

export const syncMappingsGetRoute = defineRoute({
  method: 'get',
  path: `${SYNC_BASE}/mappings`,
  summary: 'The mapping in force (version 0 = the default mapping) and the saved versions',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  responseSchema: anyJson,
  handler: async ({ params }, { deps }) => {
    const current = await currentMappingOf(deps, params.installationId);
    return {
      version: current.version,
      document: current.document,
      versions: await mappingVersions(deps.db, params.installationId),
    };
  },
});
