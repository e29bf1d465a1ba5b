import { mappingDocumentSchema } from '@partnerbridge/shared/sync';
import { z } from 'zod';
import { UnprocessableError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { adminContext, dryRun, validateAgainstCrms } from '../../sync/admin.ts';
import { anyJson, installationParams, SYNC_BASE } from './sync-params.ts';

export const syncMappingsDryRunRoute = defineRoute({
  method: 'post',
  path: `${SYNC_BASE}/mappings/dry-run`,
  summary: 'What a mapping change would write: counts per field and examples, from a live sample',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  bodySchema: z.strictObject({
    document: mappingDocumentSchema,
    sample: z.int().min(1).max(500).default(100),
  }),
  responseSchema: anyJson,
  errors: ['unprocessable'],
  handler: async ({ params, body }, { deps }) => {
    const ctx = await adminContext(deps, params.installationId);
    const problems = await validateAgainstCrms(ctx, body.document);
    if (problems.length > 0) {
      throw new UnprocessableError(problems.map((p) => p.message).join('; '), {
        issues: problems.map((p) => ({ path: `body.document.${p.path}`, message: p.message })),
      });
    }
    return dryRun(ctx, body.document, body.sample);
  },
});
