import { recordAuditParamsSchema, recordAuditViewSchema } from '@partnerbridge/shared/api';
import { defineRoute } from '../../http/route.ts';
import { recordAudit } from '../../sync/admin.ts';
import { installationParams, SYNC_BASE } from './sync-params.ts';

export const syncRecordAuditRoute = defineRoute({
  method: 'get',
  path: `${SYNC_BASE}/records/:kind/:id/audit`,
  summary:
    "A record's audit trail: every applied change and conflict decision, with both values and the policy",
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams.extend(recordAuditParamsSchema.shape),
  responseSchema: recordAuditViewSchema,
  handler: async ({ params }, { deps }) => ({
    entries: await recordAudit(deps, params.installationId, params.kind, params.id),
  }),
});
