import { metricsQuerySchema, programMetricsViewSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { todayOf } from '../../cards/dates.ts';
import { programMetrics } from '../../cards/metrics.ts';
import { defineRoute } from '../../http/route.ts';

export const metricsRoute = defineRoute({
  method: 'get',
  path: '/api/v1/metrics',
  summary: 'Program metrics for a period and progress against the quarterly targets',
  tags: ['Settings'],
  auth: 'hubspot',
  querySchema: metricsQuerySchema,
  responseSchema: programMetricsViewSchema,
  errors: ['forbidden'],
  handler: async ({ query }, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return programMetrics(deps.db, installation.id, query, todayOf(deps.clock));
  },
});
