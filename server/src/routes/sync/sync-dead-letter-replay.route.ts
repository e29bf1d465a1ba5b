import { z } from 'zod';
import { NotFoundError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { replayDeadLetter } from '../../sync/admin.ts';
import { SYNC_BASE } from './sync-params.ts';

export const syncDeadLetterReplayRoute = defineRoute({
  method: 'post',
  path: `${SYNC_BASE}/dead-letters/:deadLetterId/replay`,
  summary: 'Replays a dead letter: its record is synced again from the current state of both sides',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: z.strictObject({ installationId: z.uuid(), deadLetterId: z.uuid() }),
  responseSchema: z.strictObject({ replayed: z.literal(true) }),
  errors: ['not_found'],
  handler: async ({ params }, { deps }) => {
    if (!(await replayDeadLetter(deps, params.installationId, params.deadLetterId, 'operator'))) {
      throw new NotFoundError('no open dead letter with this id');
    }
    return { replayed: true as const };
  },
});
