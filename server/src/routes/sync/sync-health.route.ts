import { syncHealthViewSchema } from '@partnerbridge/shared/api';
import { defineRoute } from '../../http/route.ts';
import { syncHealth } from '../../sync/admin.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncHealthRoute = defineRoute({
  method: 'get',
  path: `${SYNC_BASE}/health`,
  summary:
    'Sync health: connections, lag, last successful poll, API usage vs budget, outbox, errors grouped by type',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  responseSchema: syncHealthViewSchema,
  handler: async ({ params }, { deps }) => syncHealth(deps, params.installationId),
});
