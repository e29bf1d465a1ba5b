import { z } from 'zod';
import {
  apiDateSchema,
  apiRatioSchema,
  moneyViewSchema,
  partnerRefFields,
  partnerRefSchema,
  trainingLevelSchema,
} from './common.ts';

// GET /api/v1/companies/:hubspotCompanyId/tier-card — a partner's tier card, or for a customer
// company the partners credited on its deals, or an empty state.

export const requirementViewSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('certified_salespeople'),
      label: z.string(),
      met: z.boolean(),
      current: z.int(),
      required: z.int(),
      gap: z.int(),
    }),
    z.strictObject({
      kind: z.literal('customers'),
      label: z.string(),
      met: z.boolean(),
      current: z.int(),
      required: z.int(),
      gap: z.int(),
    }),
    z.strictObject({
      kind: z.literal('trailing_revenue'),
      label: z.string(),
      met: z.boolean(),
      current: moneyViewSchema,
      required: moneyViewSchema,
      gap: moneyViewSchema,
    }),
    z.strictObject({
      kind: z.literal('training'),
      label: z.string(),
      met: z.boolean(),
      current: trainingLevelSchema,
      required: trainingLevelSchema,
      /** Training levels still to complete. */
      gap: z.int(),
    }),
    z.strictObject({
      kind: z.literal('strategic_agreement'),
      label: z.string(),
      met: z.boolean(),
      current: z.boolean(),
      required: z.literal(true),
      gap: z.int(),
    }),
  ])
  .meta({ id: 'RequirementProgress' });
export type RequirementView = z.infer<typeof requirementViewSchema>;

/** How the tier changed in this evaluation; `held_in_grace` keeps the tier until `until`. */
export const tierChangeViewSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('unchanged') }),
  z.strictObject({ kind: z.literal('promoted'), from: z.string(), fromName: z.string() }),
  z.strictObject({
    kind: z.literal('held_in_grace'),
    qualifiesFor: z.string(),
    qualifiesForName: z.string(),
    until: apiDateSchema,
  }),
  z.strictObject({ kind: z.literal('demoted'), from: z.string(), fromName: z.string() }),
]);

export const tierForecastViewSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('reachable'),
    tier: z.string(),
    tierName: z.string(),
    /** First expected close date at which every requirement would hold. */
    expectedOn: apiDateSchema,
    projectedRevenue: moneyViewSchema,
    /** Probability-weighted distinct customers, two decimals. */
    projectedCustomers: z.string(),
  }),
  z.strictObject({
    kind: z.literal('unreachable'),
    code: z.enum(['top_tier', 'needs_more_than_pipeline', 'pipeline_insufficient']),
    reason: z.string(),
  }),
]);

export const onboardingViewSchema = z.strictObject({
  /** Week since joining, 1-based. */
  week: z.int(),
  /** The first phase with open checklist items; null once onboarding is complete. */
  currentPhase: z.strictObject({ id: z.string(), label: z.string() }).nullable(),
  pace: z.enum(['ahead', 'on_track', 'behind', 'completed']),
  remaining: z.array(z.strictObject({ id: z.string(), label: z.string() })),
  phases: z.array(
    z.strictObject({ id: z.string(), label: z.string(), done: z.int(), total: z.int() }),
  ),
});

export const partnerTierCardSchema = z.strictObject({
  kind: z.literal('partner'),
  asOf: apiDateSchema,
  programVersion: z.int(),
  partner: z.strictObject({ ...partnerRefFields, joinedOn: apiDateSchema }),
  tier: z.strictObject({
    id: z.string(),
    name: z.string(),
    since: apiDateSchema,
    /** The tier the partner's numbers qualify it for today (below `id` while in grace). */
    qualifiedTier: z.string(),
    qualifiedTierName: z.string(),
    change: tierChangeViewSchema,
  }),
  benefits: z
    .strictObject({
      support: z.array(z.string()),
      businessReview: z.enum(['quarterly', 'monthly', 'weekly', 'daily']),
      perks: z.array(z.string()),
    })
    .nullable(),
  /** Progress to the next tier (`reach`) or, during grace, to keep the held tier (`keep`). */
  progress: z
    .strictObject({
      tier: z.string(),
      tierName: z.string(),
      goal: z.enum(['reach', 'keep']),
      requirements: z.array(requirementViewSchema),
    })
    .nullable(),
  forecast: tierForecastViewSchema,
  revenue: z.strictObject({
    /** Credited closed-won revenue over the trailing window (program currency). */
    trailing: moneyViewSchema,
    /** The same window one period earlier. */
    previousTrailing: moneyViewSchema,
    /** (trailing − previous) / previous; null without previous revenue. */
    growth: apiRatioSchema.nullable(),
    growthFormatted: z.string().nullable(),
    windowMonths: z.int(),
  }),
  /** Distinct customers with a closed-won deal credited to the partner. */
  customers: z.int(),
  commissions: z.strictObject({
    earned: moneyViewSchema,
    pending: moneyViewSchema,
    payable: moneyViewSchema,
    paid: moneyViewSchema,
  }),
  onboarding: onboardingViewSchema,
  /** Deals that could not be counted (missing FX rate, invalid shares), in words. */
  issues: z.array(z.string()),
});
export type PartnerTierCard = z.infer<typeof partnerTierCardSchema>;

export const customerTierCardSchema = z.strictObject({
  kind: z.literal('customer'),
  asOf: apiDateSchema,
  company: z.strictObject({ hubspotCompanyId: z.string(), name: z.string().nullable() }),
  deals: z.strictObject({ won: z.int(), open: z.int(), lost: z.int() }),
  /** Partners credited on the customer's won deals (program currency), largest first. */
  partners: z.array(
    z.strictObject({
      partner: partnerRefSchema,
      wonDeals: z.int(),
      credited: moneyViewSchema,
      openDeals: z.int(),
    }),
  ),
  totalCredited: moneyViewSchema,
  issues: z.array(z.string()),
});
export type CustomerTierCard = z.infer<typeof customerTierCardSchema>;

export const emptyTierCardSchema = z.strictObject({
  kind: z.literal('empty'),
  hubspotCompanyId: z.string(),
  /** What the card shows: neither a partner nor a customer with deals Partnerbridge knows. */
  message: z.string(),
});
export type EmptyTierCard = z.infer<typeof emptyTierCardSchema>;

export const tierCardSchema = z
  .discriminatedUnion('kind', [partnerTierCardSchema, customerTierCardSchema, emptyTierCardSchema])
  .meta({ id: 'TierCard' });
export type TierCard = z.infer<typeof tierCardSchema>;
