import { z } from 'zod';
import { type IsoDate, isoDateSchema, isoInstantSchema } from './calendar.ts';
import { fractionSchema } from './decimal.ts';
import { customerIdSchema, dealIdSchema, partnerIdSchema } from './ids.ts';
import { nonNegativeMoneySchema } from './money.ts';

/** The CRM stage reduced to what the core needs; the raw stage is kept for display. */
export const dealStages = ['open', 'won', 'lost'] as const;
export type DealStage = (typeof dealStages)[number];

/** How the partner took part in the sale: a first-class rule dimension. */
export const motions = ['referral', 'co_sell', 'white_label', 'enterprise'] as const;
export type Motion = (typeof motions)[number];

export const dealTypes = ['new_business', 'existing_business', 'renewal'] as const;
export type DealType = (typeof dealTypes)[number];

export const partnerRoles = ['sourced', 'influenced'] as const;
export type PartnerRole = (typeof partnerRoles)[number];

/** Why a won deal stopped paying: clawbacks key off these. */
export const reversalReasons = ['lost', 'refunded', 'churned'] as const;
export type ReversalReason = (typeof reversalReasons)[number];

export const dealSchema = z
  .strictObject({
    id: dealIdSchema,
    name: z.string(),
    customerId: customerIdSchema,
    /** Total contract value; for recurring contracts, the sum over `contractMonths`. */
    amount: nonNegativeMoneySchema,
    /** Value of the implementation project, the base of "% of project value" agreements. */
    projectValue: nonNegativeMoneySchema.optional(),
    stage: z.enum(dealStages),
    rawStage: z.string(),
    /** Chance to win, 0–1, weighting open pipeline in tier forecasts. */
    probability: fractionSchema,
    /** May be later than `closeDate`: deals are often recorded after the fact. */
    createdOn: isoDateSchema,
    /** The day the deal was won (or lost); the expected close day while open. */
    closeDate: isoDateSchema,
    dealType: z.enum(dealTypes),
    /** Monthly billing over this many months; absent for a one-off sale. */
    contractMonths: z.int().min(1).max(120).optional(),
    /** Set when a deal that was won is later lost, refunded or churns. */
    reversal: z.strictObject({ reason: z.enum(reversalReasons), on: isoDateSchema }).optional(),
  })
  .refine((deal) => deal.reversal === undefined || deal.stage !== 'open', {
    message: 'an open deal cannot carry a reversal',
    path: ['reversal'],
  })
  .refine((deal) => deal.reversal === undefined || deal.reversal.on >= deal.closeDate, {
    message: 'a reversal cannot precede the close date',
    path: ['reversal', 'on'],
  });
export type Deal = z.infer<typeof dealSchema>;

/** A partner's claim on a deal, as a rep or partner manager tags it. */
export const partnerTagSchema = z.strictObject({
  dealId: dealIdSchema,
  partnerId: partnerIdSchema,
  role: z.enum(partnerRoles),
  motion: z.enum(motions),
  touchedAt: isoInstantSchema,
  taggedBy: z.string().optional(),
  /** Explicit share (0–1) used by the explicit-split attribution model. */
  share: fractionSchema.optional(),
});
export type PartnerTag = z.infer<typeof partnerTagSchema>;

/** A deal earns commission once won; one reversed later still was won (clawbacks apply). */
export function wasWon(deal: Pick<Deal, 'stage' | 'reversal'>): boolean {
  return deal.stage === 'won' || deal.reversal !== undefined;
}

/** Won on or before `asOf` and not reversed by then: the revenue that counts for tiers and metrics. */
export function isWonRevenueOn(
  deal: Pick<Deal, 'stage' | 'reversal' | 'closeDate'>,
  asOf: IsoDate,
): boolean {
  return (
    wasWon(deal) &&
    deal.closeDate <= asOf &&
    (deal.reversal === undefined || deal.reversal.on > asOf)
  );
}

/** Groups tags by deal, keeping their input order. */
export function groupTagsByDeal<TTag extends Pick<PartnerTag, 'dealId'>>(
  tags: Iterable<TTag>,
): Map<TTag['dealId'], TTag[]> {
  const byDeal = new Map<TTag['dealId'], TTag[]>();
  for (const tag of tags) {
    const list = byDeal.get(tag.dealId);
    if (list === undefined) byDeal.set(tag.dealId, [tag]);
    else list.push(tag);
  }
  return byDeal;
}
