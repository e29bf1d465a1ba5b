import { hubspotObjectIdSchema, tierCardSchema } from '@partnerbridge/shared/api';
import { z } from 'zod';
import { todayOf } from '../../cards/dates.ts';
import { buildTierCard } from '../../cards/tier-card.ts';
import { defineRoute } from '../../http/route.ts';

export const tierCardRoute = defineRoute({
  method: 'get',
  path: '/api/v1/companies/:hubspotCompanyId/tier-card',
  summary: "A company's card: a partner's tier card, a customer's credited partners, or empty",
  tags: ['Company card'],
  auth: 'hubspot',
  paramsSchema: z.strictObject({ hubspotCompanyId: hubspotObjectIdSchema }),
  responseSchema: tierCardSchema,
  handler: async ({ params }, { deps, installation }) =>
    buildTierCard(deps.db, installation.id, params.hubspotCompanyId, todayOf(deps.clock)),
});
