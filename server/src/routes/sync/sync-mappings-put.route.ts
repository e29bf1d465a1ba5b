import { mappingDocumentSchema } from '@partnerbridge/shared/sync';
import { z } from 'zod';
import { ConflictError, UnprocessableError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { adminContext, backfill, validateAgainstCrms } from '../../sync/admin.ts';
import { saveMappingVersion } from '../../sync/sync-store.ts';
import { anyJson, installationParams, SYNC_BASE } from './sync-params.ts';

export const syncMappingsPutRoute = defineRoute({
  method: 'put',
  path: `${SYNC_BASE}/mappings`,
  summary:
    'Saves a new mapping version (validated against the portal and the org) and back-fills what it changes',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: installationParams,
  bodySchema: z.strictObject({
    document: mappingDocumentSchema,
    /** The version the admin edited; a newer one saved meanwhile is a 409. */
    baseVersion: z.int().min(0),
    createdBy: z.string().min(1).max(200),
  }),
  responseSchema: anyJson,
  errors: ['conflict', 'unprocessable'],
  successStatus: 201,
  handler: async ({ params, body }, { deps }) => {
    const ctx = await adminContext(deps, params.installationId);
    const problems = await validateAgainstCrms(ctx, body.document);
    await ctx.usage.flush();
    if (problems.length > 0) {
      throw new UnprocessableError(
        `the mapping names fields that do not exist or cannot be written: ${problems.map((p) => p.message).join('; ')}`,
        {
          issues: problems.map((p) => ({ path: `body.document.${p.path}`, message: p.message })),
        },
      );
    }
    const saved = await saveMappingVersion(
      deps.db,
      params.installationId,
      body.document,
      body.createdBy,
      body.baseVersion,
    );
    if (saved === 'conflict')
      throw new ConflictError(
        'the mapping changed since you loaded it; reload and apply your edit again',
      );
    const queued = await backfill(deps, params.installationId, ctx.mapping, body.document);
    return { version: saved.version, backfillQueued: queued };
  },
});
