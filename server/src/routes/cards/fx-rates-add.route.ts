import { addFxRatesBodySchema, fxRatesViewSchema } from '@partnerbridge/shared/api';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { addFxRates } from '../../cards/fx-settings.ts';
import { defineRoute } from '../../http/route.ts';

export const fxRatesAddRoute = defineRoute({
  method: 'post',
  path: '/api/v1/settings/fx-rates',
  summary: 'Add dated exchange rates (a stored quote is never changed: 409)',
  description:
    'Idempotent: sending a quote that is already stored with the same rate changes nothing.',
  tags: ['Settings'],
  auth: 'hubspot',
  bodySchema: addFxRatesBodySchema,
  responseSchema: fxRatesViewSchema,
  errors: ['forbidden', 'conflict'],
  handler: async ({ body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return addFxRates(deps, { installationId: installation.id, actor: actorOf(hubspot), body });
  },
});
