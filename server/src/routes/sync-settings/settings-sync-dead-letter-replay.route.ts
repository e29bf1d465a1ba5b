import { deadLetterParamsSchema, replayedViewSchema } from '@partnerbridge/shared/api';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { replayDeadLetterOrThrow } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncDeadLetterReplayRoute = defineRoute({
  method: 'post',
  path: `${SYNC_API}/dead-letters/:deadLetterId/replay`,
  summary: 'Replay a dead letter: its record syncs again from the current state of both sides',
  tags: ['Settings'],
  auth: 'hubspot',
  paramsSchema: deadLetterParamsSchema,
  responseSchema: replayedViewSchema,
  errors: ['forbidden', 'not_found', 'unprocessable'],
  handler: async ({ params }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return replayDeadLetterOrThrow(deps, installation.id, params.deadLetterId, actorOf(hubspot));
  },
});
