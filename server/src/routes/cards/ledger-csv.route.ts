import { ledgerCsvQuerySchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { todayOf } from '../../cards/dates.ts';
import { ledgerCsv } from '../../cards/ledger-export.ts';
import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';

export const ledgerCsvRoute = defineRoute({
  method: 'get',
  path: '/api/v1/ledger/export.csv',
  summary: 'The commission ledger as CSV (a preview: nothing is marked paid)',
  description:
    '`status=payable` (default) lists exactly the lines `POST /api/v1/ledger/exports` would mark ' +
    'paid now; `status=paid&exportId=…` one export’s lines. Columns: partner, deal, rule and ' +
    'version, base, rate, FX, amount (exact decimals in major units), dates, status, explanation.',
  tags: ['Ledger'],
  auth: 'hubspot',
  querySchema: ledgerCsvQuerySchema,
  successDescription: 'text/csv',
  errors: ['forbidden'],
  handler: async ({ query }, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    const asOf = todayOf(deps.clock);
    const csv = await ledgerCsv(deps.db, installation.id, query, asOf);
    const name = query.exportId === undefined ? `${query.status}-${asOf}` : query.exportId;
    return Reply.text(csv, 'text/csv; charset=utf-8').withHeaders({
      'Content-Disposition': `attachment; filename="partnerbridge-commissions-${name}.csv"`,
    });
  },
});
