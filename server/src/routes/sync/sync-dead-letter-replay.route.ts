import { deadLetterParamsSchema, replayedViewSchema } from '@partnerbridge/shared/api';
import { defineRoute } from '../../http/route.ts';
import { replayDeadLetterOrThrow } from '../../sync/admin.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncDeadLetterReplayRoute = defineRoute({
  method: 'post',
  path: `${SYNC_BASE}/dead-letters/:deadLetterId/replay`,
  summary: 'Replays a dead letter: its record is synced again from the current state of both sides',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams.extend(deadLetterParamsSchema.shape),
  responseSchema: replayedViewSchema,
  errors: ['not_found', 'unprocessable'],
  handler: async ({ params }, { deps }) =>
    replayDeadLetterOrThrow(deps, params.installationId, params.deadLetterId, 'operator'),
});
