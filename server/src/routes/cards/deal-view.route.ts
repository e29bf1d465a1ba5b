import { dealViewSchema } from '@partnerbridge/shared/api';
import { todayOf } from '../../cards/dates.ts';
import { buildDealView } from '../../cards/deal-view.ts';
import { defineRoute } from '../../http/route.ts';
import { dealParamsSchema } from './params.ts';

export const dealViewRoute = defineRoute({
  method: 'get',
  path: '/api/v1/deals/:hubspotDealId',
  summary:
    'The deal card: tags, attribution, commissions with explanations, conflicts, sync status',
  description:
    'Computed from the deal as Partnerbridge holds it. A deal the sync has not brought in yet ' +
    'answers 404 `deal_not_synced` with a message the card can show.',
  tags: ['Deal card'],
  auth: 'hubspot',
  paramsSchema: dealParamsSchema,
  responseSchema: dealViewSchema,
  errors: ['deal_not_synced'],
  handler: async ({ params }, { deps, installation }) =>
    buildDealView(deps.db, installation, params.hubspotDealId, todayOf(deps.clock)),
});
