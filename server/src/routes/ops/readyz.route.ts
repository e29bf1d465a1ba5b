import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';

const CHECK_TIMEOUT_MS = 2_000;

async function check(probe: () => Promise<void>): Promise<'ok' | 'unreachable'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness: the database and Redis both answer; 503 names whichever does not. */
export const readyzRoute = defineRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness probe (database and Redis reachable)',
  tags: ['operations'],
  auth: 'public',
  errors: ['unavailable'],
  responseSchema: z.strictObject({
    status: z.literal('ready'),
    checks: z.strictObject({ database: z.literal('ok'), redis: z.literal('ok') }),
  }),
  handler: async (_input, { deps }) => {
    const [database, redis] = await Promise.all([
      check(deps.readiness.database),
      check(deps.readiness.redis),
    ]);
    const failing = Object.entries({ database, redis }).filter(([, state]) => state !== 'ok');
    if (failing.length > 0) {
      throw new AppError(
        'unavailable',
        `not ready: ${failing.map(([name, state]) => `${name} ${state}`).join(', ')}`,
      );
    }
    return { status: 'ready' as const, checks: { database: 'ok' as const, redis: 'ok' as const } };
  },
});
