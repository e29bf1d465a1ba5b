import { z } from 'zod';
import { type IsoDate, isoDateSchema } from './calendar.ts';
import { partnerIdSchema, tierIdSchema } from './ids.ts';

export const partnerTypes = ['technology', 'channel', 'strategic', 'content'] as const;
export type PartnerType = (typeof partnerTypes)[number];

/** How a partner type is paid by default (product.md), shown to admins; rules do the paying. */
export const payoutBases = ['motion_revenue_share', 'tier_commission', 'custom_agreement'] as const;
export type PayoutBasis = (typeof payoutBases)[number];

/** Completed training, in increasing order. */
export const trainingLevels = ['none', 'basic', 'advanced', 'expert'] as const;
export type TrainingLevel = (typeof trainingLevels)[number];

export function trainingRank(level: TrainingLevel): number {
  return trainingLevels.indexOf(level);
}

/** A partner meeting no tier is "registered": the tier below every program tier. */
export const registered = 'registered';
export const tierRefSchema = z.union([z.literal(registered), tierIdSchema]);
export type TierRef = z.infer<typeof tierRefSchema>;

export const tierHistoryEntrySchema = z.strictObject({ tier: tierRefSchema, since: isoDateSchema });
export type TierHistoryEntry = z.infer<typeof tierHistoryEntrySchema>;

export const partnerSchema = z.strictObject({
  id: partnerIdSchema,
  name: z.string(),
  type: z.enum(partnerTypes),
  /** A subtype id from the program's partner types ("agency", "crm"…). */
  subtype: z.string().min(1),
  joinedOn: isoDateSchema,
  certifiedSalespeople: z.int().min(0),
  trainingLevel: z.enum(trainingLevels),
  strategicAgreementSigned: z.boolean(),
  /** Ids of the onboarding checklist items done so far. */
  onboardingCompleted: z.array(z.string()),
  /** Every tier change, oldest first; a deal is paid at the tier held on its close date. */
  tierHistory: z
    .array(tierHistoryEntrySchema)
    .refine(
      (history) =>
        history.every((entry, i) => i === 0 || (history[i - 1]?.since ?? '') < entry.since),
      'tier history must be in strictly increasing date order',
    ),
  /** When the partner stopped meeting its current tier; demotion waits the grace period from it. */
  belowTierSince: isoDateSchema.nullable(),
});
export type Partner = z.infer<typeof partnerSchema>;

/** The tier a partner held on `date` ("registered" before its first tier). */
export function tierOn(partner: Pick<Partner, 'tierHistory'>, date: IsoDate): TierRef {
  let tier: TierRef = registered;
  for (const entry of partner.tierHistory) {
    if (entry.since > date) break;
    tier = entry.tier;
  }
  return tier;
}
