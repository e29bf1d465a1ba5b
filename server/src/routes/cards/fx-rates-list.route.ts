import { fxRatesViewSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { listFxRates } from '../../cards/fx-settings.ts';
import { defineRoute } from '../../http/route.ts';

export const fxRatesListRoute = defineRoute({
  method: 'get',
  path: '/api/v1/settings/fx-rates',
  summary: 'Dated exchange rates commissions convert with (locked at each close date)',
  tags: ['Settings'],
  auth: 'hubspot',
  responseSchema: fxRatesViewSchema,
  errors: ['forbidden'],
  handler: async (_input, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return listFxRates(deps.db, installation.id);
  },
});
