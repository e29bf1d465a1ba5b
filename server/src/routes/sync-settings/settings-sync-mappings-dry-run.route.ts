import { dryRunBodySchema, dryRunViewSchema } from '@partnerbridge/shared/api';
import { requireAdmin } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { previewMapping } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncMappingsDryRunRoute = defineRoute({
  method: 'post',
  path: `${SYNC_API}/mappings/dry-run`,
  summary:
    'What a mapping change would write (validated first), from a live sample; writes nothing',
  tags: ['Settings'],
  auth: 'hubspot',
  bodySchema: dryRunBodySchema,
  responseSchema: dryRunViewSchema,
  errors: ['forbidden', 'conflict', 'unprocessable', 'rate_limited', 'upstream_error'],
  handler: async ({ body }, { deps, installation, hubspot }) => {
    await requireAdmin(deps.db, installation, hubspot);
    return previewMapping(deps, installation.id, body.document, body.sample);
  },
});
