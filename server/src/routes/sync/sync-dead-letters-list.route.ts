import { deadLettersQuerySchema, deadLettersViewSchema } from '@partnerbridge/shared/api';
import { defineRoute } from '../../http/route.ts';
import { listDeadLetters } from '../../sync/admin.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncDeadLettersListRoute = defineRoute({
  method: 'get',
  path: `${SYNC_BASE}/dead-letters`,
  summary:
    'Dead letters (records that failed for good), newest first, filterable by type and status',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  querySchema: deadLettersQuerySchema,
  responseSchema: deadLettersViewSchema,
  handler: async ({ params, query }, { deps }) =>
    listDeadLetters(deps, params.installationId, query),
});
