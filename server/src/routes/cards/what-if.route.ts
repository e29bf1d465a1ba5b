import { whatIfBodySchema, whatIfResultSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { todayOf } from '../../cards/dates.ts';
import { simulateWhatIf } from '../../cards/what-if.ts';
import { defineRoute } from '../../http/route.ts';

export const whatIfRoute = defineRoute({
  method: 'post',
  path: '/api/v1/settings/what-if',
  summary: 'Simulate proposed program terms and rules over closed deals (nothing is saved)',
  description:
    'Replays closed deals under the current and the proposed program from an empty ledger each ' +
    'and answers the per-partner and total deltas, the deals either cannot pay, and the rule ' +
    'ambiguities the proposal would create. Date a proposed rule back to see its effect on deals ' +
    'that already closed.',
  tags: ['Settings'],
  auth: 'hubspot',
  bodySchema: whatIfBodySchema,
  responseSchema: whatIfResultSchema,
  errors: ['forbidden', 'unprocessable'],
  handler: async ({ body }, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return simulateWhatIf(deps.db, installation.id, body, todayOf(deps.clock));
  },
});
