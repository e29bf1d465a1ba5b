import { z } from 'zod';
import {
  apiDateSchema,
  apiDecimalSchema,
  apiInstantSchema,
  localIdSchema,
  moneyViewSchema,
  motionSchema,
  partnerRefSchema,
  partnerRoleSchema,
  ruleRefViewSchema,
} from './common.ts';

// GET /api/v1/deals/:hubspotDealId — everything the deal card renders, computed by the core from
// the deal as Partnerbridge holds it (the projection synced from HubSpot and Salesforce).

export const dealStageSchema = z.enum(['open', 'won', 'lost']);

export const dealSummarySchema = z.strictObject({
  /** Partnerbridge's id of the deal. */
  id: localIdSchema,
  hubspotDealId: z.string().nullable(),
  salesforceOpportunityId: z.string().nullable(),
  name: z.string(),
  amount: moneyViewSchema,
  /** Implementation project value (base of "% of project value" agreements). */
  projectValue: moneyViewSchema.nullable(),
  stage: dealStageSchema,
  /** The CRM's own stage id ("closedwon", "Negotiation/Review"). */
  rawStage: z.string().nullable(),
  /** Won or lost day; the expected close day while open. */
  closeDate: apiDateSchema,
  createdOn: apiDateSchema,
  dealType: z.string(),
  probability: apiDecimalSchema,
  contractMonths: z.int().nullable(),
  reversal: z
    .strictObject({ reason: z.enum(['lost', 'refunded', 'churned']), on: apiDateSchema })
    .nullable(),
  customer: z.strictObject({
    name: z.string().nullable(),
    hubspotCompanyId: z.string().nullable(),
    salesforceAccountId: z.string().nullable(),
  }),
});
export type DealSummary = z.infer<typeof dealSummarySchema>;

export const registrationStatusSchema = z.enum(['pending', 'approved', 'rejected']);
export const tagSourceSchema = z.enum(['hubspot_card', 'salesforce', 'import']);

/** A tag's deal registration: pending tags wait for a partner manager and earn nothing yet. */
export const registrationViewSchema = z.strictObject({
  status: registrationStatusSchema,
  registeredOn: apiDateSchema,
  /** Last day the registration protects the deal for this partner. */
  protectedUntil: apiDateSchema,
  expired: z.boolean(),
  decidedBy: z.string().nullable(),
  decidedAt: apiInstantSchema.nullable(),
  note: z.string().nullable(),
});
export type RegistrationView = z.infer<typeof registrationViewSchema>;

export const tagViewSchema = z
  .strictObject({
    id: localIdSchema,
    partner: partnerRefSchema,
    role: partnerRoleSchema,
    motion: motionSchema,
    /** Explicit share (0–1) for the explicit-split attribution model; null = the model decides. */
    share: apiDecimalSchema.nullable(),
    touchedAt: apiInstantSchema,
    taggedBy: z.string(),
    source: tagSourceSchema,
    /** Whether the tag takes part in attribution (approved and not removed). */
    counted: z.boolean(),
    registration: registrationViewSchema,
    createdAt: apiInstantSchema,
    updatedAt: apiInstantSchema,
    removedAt: apiInstantSchema.nullable(),
  })
  .meta({ id: 'PartnerTag' });
export type TagView = z.infer<typeof tagViewSchema>;

export const creditViewSchema = z.strictObject({
  partnerId: localIdSchema,
  partnerName: z.string(),
  tagId: localIdSchema,
  role: partnerRoleSchema,
  motion: motionSchema,
  touchedAt: apiInstantSchema,
  /** In the deal's currency; the credits of a deal sum to exactly its amount (or all zero). */
  credited: moneyViewSchema,
  /** The credited share of the deal amount, "50 %". */
  shareFormatted: z.string(),
  /** "50 % of $80,000.00 (even split of 2 partners)". */
  explanation: z.string(),
});
export type CreditView = z.infer<typeof creditViewSchema>;

export const attributionViewSchema = z
  .discriminatedUnion('status', [
    z.strictObject({
      status: z.literal('computed'),
      /** The attribution model kind ("sourced_takes_all", "even_split"…). */
      model: z.string(),
      modelLabel: z.string(),
      amount: moneyViewSchema,
      credits: z.array(creditViewSchema),
    }),
    z.strictObject({
      status: z.literal('error'),
      model: z.string(),
      modelLabel: z.string(),
      /** `invalid_shares`, `duplicate_partner_tag`, `invalid_deal`. */
      code: z.string(),
      message: z.string(),
    }),
  ])
  .meta({ id: 'Attribution' });
export type AttributionView = z.infer<typeof attributionViewSchema>;

export const fxViewSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  /** The quote used, as stored ("1.0850"); `inverted` when the table quotes the pair the other way. */
  rate: apiDecimalSchema,
  rateOn: apiDateSchema,
  inverted: z.boolean(),
  /** "1 EUR = 1.0850 USD (rate of 2025-02-28)". */
  description: z.string(),
});
export type FxView = z.infer<typeof fxViewSchema>;

export const ledgerLineStatusSchema = z.enum(['pending', 'payable', 'paid']);

export const ledgerLineViewSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(['accrual', 'adjustment', 'reversal', 'retained']),
  rule: ruleRefViewSchema.nullable(),
  period: z.int(),
  periods: z.int(),
  effectiveOn: apiDateSchema,
  payableOn: apiDateSchema.nullable(),
  amount: moneyViewSchema,
  status: ledgerLineStatusSchema,
  exportId: z.string().nullable(),
  explanation: z.string(),
});
export type LedgerLineView = z.infer<typeof ledgerLineViewSchema>;

/** What the ledger holds for one partner on one deal (won deals). */
export const dealLedgerViewSchema = z.strictObject({
  net: moneyViewSchema,
  pending: moneyViewSchema,
  payable: moneyViewSchema,
  paid: moneyViewSchema,
  lines: z.array(ledgerLineViewSchema),
});
export type DealLedgerView = z.infer<typeof dealLedgerViewSchema>;

/**
 * Where a partner's commission on this deal stands:
 * - `preview`: the deal is open; this is what the partner would earn if it closed as it is;
 * - `not_accrued`: won, but the ledger holds nothing for this partner: nothing is owed (see
 *   `kind`), or the recomputation that records it is still queued;
 * - `pending` / `payable` / `paid`: from the ledger (holding period, then payable, then exported);
 * - `lost`: the deal is lost; nothing is earned (earlier accruals appear reversed in `ledger`).
 */
export const commissionStatusSchema = z.enum([
  'preview',
  'not_accrued',
  'pending',
  'payable',
  'paid',
  'lost',
]);
export type CommissionStatus = z.infer<typeof commissionStatusSchema>;

const commissionCommon = {
  partnerId: localIdSchema,
  partnerName: z.string(),
  /** The partner's credited revenue on this deal, deal currency. */
  credited: moneyViewSchema,
  status: commissionStatusSchema,
  ledger: dealLedgerViewSchema.nullable(),
};

export const installmentViewSchema = z.strictObject({
  period: z.int(),
  periods: z.int(),
  earnedOn: apiDateSchema,
  payableOn: apiDateSchema,
  amount: moneyViewSchema,
});

export const commissionViewSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('commission'),
      ...commissionCommon,
      rule: ruleRefViewSchema,
      /** The rate applied; null for flat and bracket payouts (see the explanation). */
      rate: apiDecimalSchema.nullable(),
      rateFormatted: z.string().nullable(),
      /** What the rate applied to, in the deal currency (credited amount or project value). */
      base: moneyViewSchema,
      fx: fxViewSchema.nullable(),
      /** In the program currency. */
      total: moneyViewSchema,
      capped: z.boolean(),
      installments: z.array(installmentViewSchema),
      /** "Gold tier 15 % of $40,000.00 credited (50 % of $80,000.00) = $6,000.00". */
      explanation: z.string(),
    }),
    z.strictObject({
      kind: z.literal('no_commission'),
      ...commissionCommon,
      /** `no_credit`, `no_matching_rule`, `no_project_value`. */
      code: z.string(),
      explanation: z.string(),
    }),
    z.strictObject({
      kind: z.literal('error'),
      ...commissionCommon,
      /** `ambiguous_rules` (an admin must resolve it), `fx_rate_missing`, `unknown_partner`. */
      code: z.string(),
      message: z.string(),
      /** For `ambiguous_rules`: the two rules that tie. */
      rules: z.array(ruleRefViewSchema),
    }),
  ])
  .meta({ id: 'Commission' });
export type CommissionView = z.infer<typeof commissionViewSchema>;

/** Why a tag waits for a partner manager: another partner holds the deal or the customer. */
export const conflictViewSchema = z
  .strictObject({
    /** The pending tag. */
    tagId: localIdSchema,
    partnerId: localIdSchema,
    partnerName: z.string(),
    code: z.enum(['deal_registered', 'customer_protected']),
    holder: z.strictObject({
      partnerId: localIdSchema,
      partnerName: z.string(),
      /** The holder's tag (on this deal, or on another deal of the same customer). */
      tagId: localIdSchema,
      hubspotDealId: z.string().nullable(),
    }),
    /** Last day the holder's protection lasts. */
    until: apiDateSchema,
    reason: z.string(),
  })
  .meta({ id: 'RegistrationConflict' });
export type ConflictView = z.infer<typeof conflictViewSchema>;

export const crmSystemSchema = z.enum(['hubspot', 'salesforce']);

/**
 * Per CRM: `synced` (linked, nothing waiting), `pending` (our changes wait to be pushed),
 * `error` (an unresolved sync failure, see `lastError`), `not_linked` (no record there yet),
 * `not_connected` (the system is not connected to this installation).
 */
export const syncStatusViewSchema = z.strictObject({
  system: crmSystemSchema,
  status: z.enum(['synced', 'pending', 'error', 'not_linked', 'not_connected']),
  recordId: z.string().nullable(),
  lastSyncedAt: apiInstantSchema.nullable(),
  pendingChanges: z.int().min(0),
  lastError: z
    .strictObject({ errorType: z.string(), reason: z.string(), at: apiInstantSchema })
    .nullable(),
});
export type SyncStatusView = z.infer<typeof syncStatusViewSchema>;

/** The effect of the deal's tags: what a tag mutation answers with, and part of the deal view. */
export const dealEffectSchema = z
  .strictObject({
    attribution: attributionViewSchema,
    /** One entry per counted tag, in touch order. */
    commissions: z.array(commissionViewSchema),
    /** Conflicts of the deal's pending tags. */
    conflicts: z.array(conflictViewSchema),
  })
  .meta({ id: 'DealEffect' });
export type DealEffect = z.infer<typeof dealEffectSchema>;

export const dealViewSchema = z
  .strictObject({
    /** The day everything was computed for (UTC). */
    asOf: apiDateSchema,
    program: z.strictObject({
      version: z.int(),
      currency: z.string(),
      attributionModel: z.string(),
    }),
    deal: dealSummarySchema,
    /** Live tags (removed ones are not listed), in the order they were created. */
    tags: z.array(tagViewSchema),
    ...dealEffectSchema.shape,
    sync: z.array(syncStatusViewSchema),
  })
  .meta({ id: 'DealView' });
export type DealView = z.infer<typeof dealViewSchema>;
