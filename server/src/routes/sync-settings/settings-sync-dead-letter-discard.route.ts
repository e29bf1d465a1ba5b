import { deadLetterParamsSchema, discardedViewSchema } from '@partnerbridge/shared/api';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { discardDeadLetter } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncDeadLetterDiscardRoute = defineRoute({
  method: 'post',
  path: `${SYNC_API}/dead-letters/:deadLetterId/discard`,
  summary: 'Discard a dead letter: kept as history, never replayed',
  tags: ['Settings'],
  auth: 'hubspot',
  paramsSchema: deadLetterParamsSchema,
  responseSchema: discardedViewSchema,
  errors: ['forbidden', 'not_found'],
  handler: async ({ params }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return discardDeadLetter(deps, installation.id, params.deadLetterId, actorOf(hubspot));
  },
});
