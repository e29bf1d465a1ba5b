import { createExportBodySchema, ledgerExportViewSchema } from '@partnerbridge/shared/api';
import { actorOf, requirePartnerManager } from '../../cards/access.ts';
import { createExport } from '../../cards/ledger-export.ts';
import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';

export const ledgerExportRoute = defineRoute({
  method: 'post',
  path: '/api/v1/ledger/exports',
  summary: 'Mark every payable commission paid under an export id (idempotent per id)',
  description:
    '201 with the export (per-partner totals and the CSV path) the first time; the same ' +
    '`exportId` again answers 200 with the stored export and pays nothing more. 422 when nothing ' +
    'is payable.',
  tags: ['Ledger'],
  auth: 'hubspot',
  bodySchema: createExportBodySchema,
  responseSchema: ledgerExportViewSchema,
  successStatus: 201,
  errors: ['forbidden', 'unprocessable'],
  handler: async ({ body }, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    const result = await createExport(deps, {
      installationId: installation.id,
      actor: actorOf(hubspot),
      body,
    });
    return Reply.json(ledgerExportViewSchema.parse(result.view), result.created ? 201 : 200);
  },
});
