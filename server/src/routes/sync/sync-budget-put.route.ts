import { budgetBodySchema, budgetViewSchema } from '@partnerbridge/shared/api';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { setBudget } from '../../sync/admin.ts';
import { SYNC_BASE } from './sync-params.ts';

export const syncBudgetPutRoute = defineRoute({
  method: 'put',
  path: `${SYNC_BASE}/budgets/:provider`,
  summary:
    'Sets or clears (`dailyLimit: null`) the daily API cap for our calls to a CRM (non-critical sync pauses at the reserve line, all sync at the cap)',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: z.strictObject({
    installationId: z.uuid(),
    provider: z.enum(['hubspot', 'salesforce']),
  }),
  bodySchema: budgetBodySchema,
  responseSchema: budgetViewSchema,
  handler: async ({ params, body }, { deps }) =>
    setBudget(deps, params.installationId, params.provider, body, 'operator'),
});
