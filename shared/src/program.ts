import { z } from 'zod';
import { attributionModelSchema } from './attribution.ts';
import { commissionRuleSchema } from './commission-rule.ts';
import { type Motion, motions } from './deal.ts';
import { currencyCodeSchema, type Money, nonNegativeMoneySchema } from './money.ts';
import { onboardingPlanSchema } from './onboarding.ts';
import { partnerTypes, payoutBases, registered, type TierRef } from './partner.ts';
import { registrationPolicySchema } from './registration.ts';
import { tierDefinitionSchema, tierPolicySchema } from './tier.ts';

export const partnerTypeDefinitionSchema = z.strictObject({
  type: z.enum(partnerTypes),
  label: z.string().min(1),
  payoutBasis: z.enum(payoutBases),
  subtypes: z.array(z.strictObject({ id: z.string().min(1), label: z.string().min(1) })),
});
export type PartnerTypeDefinition = z.infer<typeof partnerTypeDefinitionSchema>;

export const motionDefinitionSchema = z.strictObject({
  motion: z.enum(motions),
  label: z.string().min(1),
  /** Paid by custom agreement only: rules apply to it only when they name it. */
  agreementOnly: z.boolean(),
});
export type MotionDefinition = z.infer<typeof motionDefinitionSchema>;

/** A quarter's goals; revenue is credited partner revenue closed inside that quarter. */
export const quarterlyTargetSchema = z.strictObject({
  quarter: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  partnerRevenue: nonNegativeMoneySchema.optional(),
  /** Partners of each type signed by the quarter's end. */
  partnersByType: z.partialRecord(z.enum(partnerTypes), z.int().min(0)).optional(),
  /** Partners joining during the quarter. */
  newPartners: z.int().min(0).optional(),
});
export type QuarterlyTarget = z.infer<typeof quarterlyTargetSchema>;

const programFields = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  version: z.int().min(1),
  /** Commissions, tier thresholds, targets and metrics are in this currency. */
  currency: currencyCodeSchema,
  partnerTypes: z.array(partnerTypeDefinitionSchema),
  motions: z.array(motionDefinitionSchema),
  /** Lowest first. */
  tiers: z.array(tierDefinitionSchema),
  tierPolicy: tierPolicySchema,
  rules: z.array(commissionRuleSchema),
  attribution: attributionModelSchema,
  registration: registrationPolicySchema,
  onboarding: onboardingPlanSchema,
  quarterlyTargets: z.array(quarterlyTargetSchema),
});

/** A whole partner program as data: every number is editable and validated here. */
export const programSchema = programFields.superRefine((program, context) => {
  for (const message of programInconsistencies(program))
    context.addIssue({ code: 'custom', message });
});
export type Program = z.infer<typeof programSchema>;

// Cross-field checks zod cannot express field by field: every reference resolves, every amount is
// in the program currency, and rule versions move forward in time.
function programInconsistencies(program: z.infer<typeof programFields>): string[] {
  const problems: string[] = [];
  const requireCurrency = (amount: Money | undefined, where: string) => {
    if (amount !== undefined && amount.currency !== program.currency) {
      problems.push(
        `${where} is in ${amount.currency}, not the program currency ${program.currency}`,
      );
    }
  };
  const listedTypes = program.partnerTypes.map((definition) => definition.type);
  for (const type of partnerTypes) {
    if (listedTypes.filter((listed) => listed === type).length !== 1) {
      problems.push(`partner type ${type} must be defined exactly once`);
    }
  }
  const subtypeOwner = new Map<string, string>();
  for (const definition of program.partnerTypes) {
    for (const subtype of definition.subtypes) {
      if (subtypeOwner.has(subtype.id)) problems.push(`subtype ${subtype.id} is defined twice`);
      subtypeOwner.set(subtype.id, definition.type);
    }
  }
  const listedMotions = program.motions.map((definition) => definition.motion);
  for (const motion of motions) {
    if (listedMotions.filter((listed) => listed === motion).length !== 1) {
      problems.push(`motion ${motion} must be defined exactly once`);
    }
  }
  const tierIds = new Set<string>(program.tiers.map((tier) => tier.id));
  if (tierIds.size !== program.tiers.length) problems.push('tier ids must be unique');
  for (const tier of program.tiers) {
    for (const requirement of tier.requirements) {
      if (requirement.kind === 'trailing_revenue') {
        requireCurrency(requirement.min, `tier ${tier.id} revenue requirement`);
      }
    }
  }
  const seenVersions = new Map<string, { version: number; effectiveFrom: string }[]>();
  for (const rule of program.rules) {
    const where = `rule ${rule.id} v${rule.version}`;
    const versions = seenVersions.get(rule.id) ?? [];
    for (const other of versions) {
      if (other.version === rule.version) problems.push(`${where} is defined twice`);
      else if (other.version < rule.version !== other.effectiveFrom < rule.effectiveFrom) {
        problems.push(`${where}: a later version must take effect later than v${other.version}`);
      }
    }
    versions.push({ version: rule.version, effectiveFrom: rule.effectiveFrom });
    seenVersions.set(rule.id, versions);
    const { match, payout } = rule;
    if (match.tier !== undefined && match.tier !== registered && !tierIds.has(match.tier)) {
      problems.push(`${where} matches unknown tier ${match.tier}`);
    }
    if (match.partnerSubtype !== undefined) {
      const owner = subtypeOwner.get(match.partnerSubtype);
      if (owner === undefined)
        problems.push(`${where} matches unknown subtype ${match.partnerSubtype}`);
      else if (match.partnerType !== undefined && match.partnerType !== owner) {
        problems.push(
          `${where}: subtype ${match.partnerSubtype} is not a ${match.partnerType} subtype`,
        );
      }
    }
    requireCurrency(match.minAmount, `${where} minimum amount`);
    requireCurrency(rule.cap, `${where} cap`);
    if (payout.kind === 'tier_rates') {
      for (const entry of payout.rates) {
        if (!tierIds.has(entry.tier)) problems.push(`${where} pays unknown tier ${entry.tier}`);
      }
    }
    if (payout.kind === 'flat') requireCurrency(payout.amount, `${where} flat amount`);
    if (payout.kind === 'brackets') {
      for (const bracket of payout.brackets) requireCurrency(bracket.from, `${where} bracket`);
    }
  }
  const quarters = program.quarterlyTargets.map((target) => target.quarter);
  if (new Set(quarters).size !== quarters.length) problems.push('a quarter has two targets');
  for (const target of program.quarterlyTargets) {
    requireCurrency(target.partnerRevenue, `Q${target.quarter} revenue target`);
  }
  return problems;
}

/** Motions paid only under a rule that names them (enterprise in the default program). */
export function agreementOnlyMotions(program: Pick<Program, 'motions'>): Set<Motion> {
  return new Set(program.motions.filter((m) => m.agreementOnly).map((m) => m.motion));
}

export function motionLabel(program: Pick<Program, 'motions'>, motion: Motion): string {
  return program.motions.find((definition) => definition.motion === motion)?.label ?? motion;
}

export function tierName(program: Pick<Program, 'tiers'>, tier: TierRef): string {
  return program.tiers.find((definition) => definition.id === tier)?.name ?? 'Registered';
}
