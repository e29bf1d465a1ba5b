import { objectFieldsQuerySchema, objectFieldsViewSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { objectFields } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncFieldsRoute = defineRoute({
  method: 'get',
  path: `${SYNC_API}/fields`,
  summary: "An object pair's real HubSpot properties and Salesforce fields (mapping pickers)",
  description:
    'Read live from the portal (`/crm/v3/properties`) and the org (describe), kept a minute per ' +
    'installation. 409 when no Salesforce org is linked; a CRM failure names the CRM.',
  tags: ['Settings'],
  auth: 'hubspot',
  querySchema: objectFieldsQuerySchema,
  responseSchema: objectFieldsViewSchema,
  errors: ['forbidden', 'conflict', 'rate_limited', 'upstream_error'],
  handler: async ({ query }, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return objectFields(deps, installation.id, query.kind);
  },
});
