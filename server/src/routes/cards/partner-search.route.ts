import { partnerSearchQuerySchema, partnerSearchResultSchema } from '@partnerbridge/shared/api';
import { todayOf } from '../../cards/dates.ts';
import { searchPartners } from '../../cards/partner-search.ts';
import { loadProgram } from '../../cards/program-store.ts';
import { defineRoute } from '../../http/route.ts';

export const partnerSearchRoute = defineRoute({
  method: 'get',
  path: '/api/v1/partners',
  summary: 'Partner search for the tag picker (name, type, tier), paged',
  tags: ['Deal card'],
  auth: 'hubspot',
  querySchema: partnerSearchQuerySchema,
  responseSchema: partnerSearchResultSchema,
  handler: async ({ query }, { deps, installation }) => {
    const { program } = await loadProgram(deps.db, installation.id, todayOf(deps.clock));
    return searchPartners(deps.db, installation.id, query, program);
  },
});
