import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';

/** Liveness: the process answers. Never touches the database or Redis. */
export const healthzRoute = defineRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness probe',
  tags: ['operations'],
  auth: 'public',
  responseSchema: z.strictObject({ status: z.literal('ok') }),
  handler: async () => ({ status: 'ok' as const }),
});
