import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { deadLetters } from '../../db/schema/audit.ts';
import { defineRoute } from '../../http/route.ts';
import { anyJson, installationParams, SYNC_BASE } from './sync-params.ts';

export const syncDeadLettersListRoute = defineRoute({
  method: 'get',
  path: `${SYNC_BASE}/dead-letters`,
  summary:
    'Dead letters (records that failed for good), newest first, filterable by type and status',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  querySchema: z.strictObject({
    type: z.string().optional(),
    status: z.enum(['open', 'replayed', 'discarded']).default('open'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  responseSchema: anyJson,
  handler: async ({ params, query }, { deps }) => {
    const rows = await deps.db
      .select()
      .from(deadLetters)
      .where(
        and(
          eq(deadLetters.installationId, params.installationId),
          eq(deadLetters.status, query.status),
          ...(query.type === undefined ? [] : [eq(deadLetters.errorType, query.type)]),
        ),
      )
      .orderBy(desc(deadLetters.lastFailedAt))
      .limit(query.limit);
    return { deadLetters: rows };
  },
});
