import { budgetBodySchema, budgetViewSchema } from '@partnerbridge/shared/api';
import { z } from 'zod';
import { apiBudgets } from '../../db/schema/api.ts';
import { defineRoute } from '../../http/route.ts';
import { getInstallationOrThrow } from '../../installs/installations.ts';
import { SYNC_BASE } from './sync-params.ts';

export const syncBudgetPutRoute = defineRoute({
  method: 'put',
  path: `${SYNC_BASE}/budgets/:provider`,
  summary:
    'Sets the daily API cap for our calls to a CRM (non-critical sync pauses at the reserve line, all sync at the cap)',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: z.strictObject({
    installationId: z.uuid(),
    provider: z.enum(['hubspot', 'salesforce']),
  }),
  bodySchema: budgetBodySchema,
  responseSchema: budgetViewSchema,
  handler: async ({ params, body }, { deps }) => {
    await getInstallationOrThrow(deps.db, params.installationId);
    const values = {
      dailyLimit: body.dailyLimit,
      reservePercent: body.reservePercent,
      updatedAt: new Date(deps.clock.now()),
    };
    await deps.db
      .insert(apiBudgets)
      .values({ installationId: params.installationId, provider: params.provider, ...values })
      .onConflictDoUpdate({
        target: [apiBudgets.installationId, apiBudgets.provider],
        set: values,
      });
    return {
      provider: params.provider,
      dailyLimit: body.dailyLimit,
      reservePercent: body.reservePercent,
    };
  },
});
