import { deadLetterParamsSchema, discardedViewSchema } from '@partnerbridge/shared/api';
import { defineRoute } from '../../http/route.ts';
import { discardDeadLetter } from '../../sync/admin.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncDeadLetterDiscardRoute = defineRoute({
  method: 'post',
  path: `${SYNC_BASE}/dead-letters/:deadLetterId/discard`,
  summary: 'Discards a dead letter (kept as history)',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams.extend(deadLetterParamsSchema.shape),
  responseSchema: discardedViewSchema,
  errors: ['not_found'],
  handler: async ({ params }, { deps }) =>
    discardDeadLetter(deps, params.installationId, params.deadLetterId, 'operator'),
});
