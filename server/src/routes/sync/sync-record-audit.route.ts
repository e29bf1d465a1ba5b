import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { recordAudit } from '../../sync/admin.ts';
import { anyJson, SYNC_BASE } from './sync-params.ts';

export const syncRecordAuditRoute = defineRoute({
  method: 'get',
  path: `${SYNC_BASE}/records/:kind/:id/audit`,
  summary:
    "A record's audit trail: every applied change and conflict decision, with both values and the policy",
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: z.strictObject({
    installationId: z.uuid(),
    kind: z.enum(['deal', 'partner', 'customer']),
    id: z.string().min(1).max(64),
  }),
  responseSchema: anyJson,
  handler: async ({ params }, { deps }) => ({
    entries: await recordAudit(deps, params.installationId, params.kind, params.id),
  }),
});
