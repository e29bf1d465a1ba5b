import { dryRunBodySchema, dryRunViewSchema } from '@partnerbridge/shared/api';
import { defineRoute } from '../../http/route.ts';
import { previewMapping } from '../../sync/admin.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncMappingsDryRunRoute = defineRoute({
  method: 'post',
  path: `${SYNC_BASE}/mappings/dry-run`,
  summary: 'What a mapping change would write: counts per field and examples, from a live sample',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  bodySchema: dryRunBodySchema,
  responseSchema: dryRunViewSchema,
  errors: ['conflict', 'unprocessable', 'rate_limited', 'upstream_error'],
  handler: async ({ params, body }, { deps }) =>
    previewMapping(deps, params.installationId, body.document, body.sample),
});
