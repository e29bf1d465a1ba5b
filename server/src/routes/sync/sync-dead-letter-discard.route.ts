import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { deadLetters } from '../../db/schema/audit.ts';
import { NotFoundError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { SYNC_BASE } from './sync-params.ts';

export const syncDeadLetterDiscardRoute = defineRoute({
  method: 'post',
  path: `${SYNC_BASE}/dead-letters/:deadLetterId/discard`,
  summary: 'Discards a dead letter (kept as history)',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: z.strictObject({ installationId: z.uuid(), deadLetterId: z.uuid() }),
  responseSchema: z.strictObject({ discarded: z.literal(true) }),
  errors: ['not_found'],
  handler: async ({ params }, { deps }) => {
    const rows = await deps.db
      .update(deadLetters)
      .set({ status: 'discarded', resolvedAt: new Date(deps.clock.now()), resolvedBy: 'operator' })
      .where(
        and(
          eq(deadLetters.id, params.deadLetterId),
          eq(deadLetters.installationId, params.installationId),
          eq(deadLetters.status, 'open'),
        ),
      )
      .returning({ id: deadLetters.id });
    if (rows.length === 0) throw new NotFoundError('no open dead letter with this id');
    return { discarded: true as const };
  },
});
