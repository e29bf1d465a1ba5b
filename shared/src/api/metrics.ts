import { z } from 'zod';
import { apiDateSchema, apiRatioSchema, moneyViewSchema, partnerRefSchema } from './common.ts';
import { computationIssueViewSchema } from './settings.ts';

// GET /api/v1/metrics — program metrics for a period and progress against quarterly targets.

export const metricsQuerySchema = z
  .strictObject({
    from: apiDateSchema,
    to: apiDateSchema,
    /** What the program cost in the period (program currency, minor units), for ROI. */
    programCostMinor: z.coerce.number().int().min(0).default(0),
  })
  .refine((query) => query.from <= query.to, {
    message: 'a period ends on or after its start',
    path: ['to'],
  });
export type MetricsQuery = z.input<typeof metricsQuerySchema>;

const periodSchema = z.strictObject({ from: apiDateSchema, to: apiDateSchema });

export const programMetricsViewSchema = z
  .strictObject({
    period: periodSchema,
    /** The period of the same length just before, for growth and retention. */
    previousPeriod: periodSchema,
    currency: z.string(),
    partnerRevenue: moneyViewSchema,
    previousPartnerRevenue: moneyViewSchema,
    growth: apiRatioSchema.nullable(),
    totalRevenue: moneyViewSchema,
    contribution: apiRatioSchema.nullable(),
    activePartners: z.int(),
    activePartnersByType: z.record(z.string(), z.int()),
    revenuePerPartner: moneyViewSchema.nullable(),
    commissions: moneyViewSchema,
    programCost: moneyViewSchema,
    roi: apiRatioSchema.nullable(),
    retention: apiRatioSchema.nullable(),
    customersAcquired: z.int(),
    acquiredCustomersLtv: moneyViewSchema,
    averageLtv: moneyViewSchema.nullable(),
    partners: z.array(
      z.strictObject({
        partner: partnerRefSchema,
        revenue: moneyViewSchema,
        previousRevenue: moneyViewSchema.nullable(),
        growth: apiRatioSchema.nullable(),
        contribution: apiRatioSchema.nullable(),
        commissions: moneyViewSchema,
        roi: apiRatioSchema.nullable(),
        active: z.boolean(),
        customersAcquired: z.int(),
        acquiredCustomersLtv: moneyViewSchema,
      }),
    ),
    targets: z.array(
      z.strictObject({
        quarter: z.int(),
        from: apiDateSchema,
        to: apiDateSchema,
        partnerRevenue: z
          .strictObject({
            target: moneyViewSchema,
            actual: moneyViewSchema,
            progress: apiRatioSchema.nullable(),
            met: z.boolean(),
          })
          .nullable(),
        partnersByType: z.array(
          z.strictObject({
            type: z.string(),
            target: z.int(),
            actual: z.int(),
            met: z.boolean(),
          }),
        ),
        newPartners: z
          .strictObject({ target: z.int(), actual: z.int(), met: z.boolean() })
          .nullable(),
      }),
    ),
    issues: z.array(computationIssueViewSchema),
  })
  .meta({ id: 'ProgramMetrics' });
export type ProgramMetricsView = z.infer<typeof programMetricsViewSchema>;
