import { resolvedViewSchema, resolveReviewBodySchema } from '@partnerbridge/shared/api';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { idLinks } from '../../db/schema/sync.ts';
import { NotFoundError } from '../../errors.ts';
import { defineRoute } from '../../http/route.ts';
import { recordJobOptions, syncRecordJob } from '../../jobs/sync-record.job.ts';
import { writeAudit } from '../../sync/sync-store.ts';
import { SYNC_BASE } from './sync-params.ts';

export const syncReviewResolveRoute = defineRoute({
  method: 'post',
  path: `${SYNC_BASE}/reviews/:linkId/resolve`,
  summary: 'Resolves an identity review: link to the chosen Salesforce record, or create a new one',
  tags: ['sync'],
  auth: 'operator',
  paramsSchema: z.strictObject({ installationId: z.uuid(), linkId: z.uuid() }),
  bodySchema: resolveReviewBodySchema,
  responseSchema: resolvedViewSchema,
  errors: ['not_found'],
  handler: async ({ params, body }, { deps }) => {
    const [link] = await deps.db
      .select()
      .from(idLinks)
      .where(
        and(
          eq(idLinks.id, params.linkId),
          eq(idLinks.installationId, params.installationId),
          eq(idLinks.status, 'pending_review'),
        ),
      );
    if (link === undefined || link.hubspotId === null)
      throw new NotFoundError('no pending review with this id');
    await deps.db
      .update(idLinks)
      .set({
        status: 'linked',
        salesforceId: body.action === 'link' ? body.salesforceId : null,
        review: null,
        updatedAt: new Date(deps.clock.now()),
      })
      .where(eq(idLinks.id, link.id));
    await writeAudit(
      deps.db,
      params.installationId,
      [
        {
          origin: 'admin',
          actor: 'operator',
          action: 'sync.identity_resolved',
          objectKind: link.objectKind === 'partner_tag' ? 'deal' : link.objectKind,
          hubspotId: link.hubspotId,
          salesforceId: body.action === 'link' ? body.salesforceId : null,
          before: link.review,
          after: body,
        },
      ],
      new Date(deps.clock.now()),
    );
    const data = {
      installationId: params.installationId,
      kind: link.objectKind === 'deal' ? 'deal' : 'company',
      side: 'hubspot',
      id: link.hubspotId,
    } as const;
    await deps.queues.enqueue(syncRecordJob, data, recordJobOptions(data));
    return { resolved: true as const };
  },
});
