import { savedMappingViewSchema, saveMappingBodySchema } from '@partnerbridge/shared/api';
import { actorOf, requireAdmin } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { saveMapping } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncMappingsPutRoute = defineRoute({
  method: 'put',
  path: `${SYNC_API}/mappings`,
  summary: 'Save a new mapping version and back-fill the records it changes',
  description:
    'Validated against the portal’s properties and the org’s described fields: 422 with issues ' +
    'naming each field (`body.document.objects[0].fields[9].salesforce`); 409 when another ' +
    'version was saved since `baseVersion` or no Salesforce org is linked. The signed user is ' +
    'recorded as the version’s author.',
  tags: ['Settings'],
  auth: 'hubspot',
  bodySchema: saveMappingBodySchema,
  responseSchema: savedMappingViewSchema,
  errors: ['forbidden', 'conflict', 'unprocessable', 'rate_limited', 'upstream_error'],
  successStatus: 201,
  handler: async ({ body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return saveMapping(deps, installation.id, { ...body, createdBy: actorOf(hubspot) });
  },
});
