import { z } from 'zod';
import { apiDateSchema, apiInstantSchema, moneyViewSchema, partnerRefSchema } from './common.ts';

// The commission ledger's export: a CSV preview of what is payable, and the explicit act of
// marking it paid under an export id.

/** An export id chosen by the admin ("2026-05-payout"): what the payment run is called. */
export const exportIdParamSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'expected an export id such as "2026-05-payout"');

/**
 * GET /api/v1/ledger/export.csv — a preview, changes nothing. `payable` lists the lines an export
 * would mark paid now; `paid` with `exportId` lists one export's lines; `pending` and `all` for
 * reconciliation.
 */
export const ledgerCsvQuerySchema = z
  .strictObject({
    status: z.enum(['payable', 'pending', 'paid', 'all']).default('payable'),
    exportId: exportIdParamSchema.optional(),
  })
  .refine((query) => query.exportId === undefined || query.status === 'paid', {
    message: 'exportId only goes with status=paid',
    path: ['exportId'],
  });
export type LedgerCsvQuery = z.input<typeof ledgerCsvQuerySchema>;

/** The CSV's columns, in order. */
export const ledgerCsvColumns = [
  'partner',
  'partner_id',
  'partner_hubspot_company_id',
  'deal',
  'hubspot_deal_id',
  'line_id',
  'kind',
  'rule',
  'rule_version',
  'period',
  'base',
  'base_currency',
  'rate',
  'fx',
  'amount',
  'currency',
  'effective_on',
  'payable_on',
  'status',
  'export_id',
  'explanation',
] as const;

/** POST /api/v1/ledger/exports — marks every payable line paid; the same exportId replays. */
export const createExportBodySchema = z
  .strictObject({
    exportId: exportIdParamSchema,
    note: z.string().max(1000).optional(),
  })
  .meta({ id: 'CreateExportBody' });
export type CreateExportBody = z.input<typeof createExportBodySchema>;

export const ledgerExportViewSchema = z
  .strictObject({
    exportId: z.string(),
    paidOn: apiDateSchema,
    createdBy: z.string(),
    createdAt: apiInstantSchema,
    note: z.string().nullable(),
    lineCount: z.int(),
    total: moneyViewSchema,
    /** One row per partner paid (partners with a negative balance are carried to a later export). */
    totals: z.array(z.strictObject({ partner: partnerRefSchema, amount: moneyViewSchema })),
    /** Where to download this export's lines as CSV. */
    csvPath: z.string(),
  })
  .meta({ id: 'LedgerExport' });
export type LedgerExportView = z.infer<typeof ledgerExportViewSchema>;
