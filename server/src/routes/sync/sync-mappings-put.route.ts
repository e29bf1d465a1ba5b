import { savedMappingViewSchema, saveMappingBodySchema } from '@partnerbridge/shared/api';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { saveMapping } from '../../sync/admin.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncMappingsPutRoute = defineRoute({
  method: 'put',
  path: `${SYNC_BASE}/mappings`,
  summary:
    'Saves a new mapping version (validated against the portal and the org) and back-fills what it changes',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  bodySchema: saveMappingBodySchema.extend({ createdBy: z.string().min(1).max(200) }),
  responseSchema: savedMappingViewSchema,
  errors: ['conflict', 'unprocessable', 'rate_limited', 'upstream_error'],
  successStatus: 201,
  handler: async ({ params, body }, { deps }) => saveMapping(deps, params.installationId, body),
});
