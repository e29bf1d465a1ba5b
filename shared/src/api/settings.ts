import { z } from 'zod';
import {
  attributionModelSchema,
  commissionBases,
  currencyCodeSchema,
  fxRateSchema,
  isoDateSchema,
  motionDefinitionSchema,
  nonNegativeMoneySchema,
  onboardingPlanSchema,
  partnerTypeDefinitionSchema,
  payoutSchema,
  quarterlyTargetSchema,
  registrationPolicySchema,
  ruleMatchSchema,
  scheduleSchema,
  tierDefinitionSchema,
  tierPolicySchema,
} from '../index.ts';
import {
  apiDateSchema,
  apiInstantSchema,
  idempotencyKeySchema,
  localIdSchema,
  moneyViewSchema,
  partnerRefSchema,
  ruleRefViewSchema,
} from './common.ts';

// The settings page: program and rules (versioned, effective-dated, never edited in place),
// what-if simulation, FX rates, and who may administer the installation.

/**
 * The program's terms: everything of the core's `Program` except the commission rules (which are
 * versioned one by one) and the id/version (assigned by the server). Validated by the core's
 * `programSchema` once assembled with the rules, cross-references included.
 */
export const programTermsSchema = z
  .strictObject({
    name: z.string().min(1),
    currency: currencyCodeSchema,
    partnerTypes: z.array(partnerTypeDefinitionSchema),
    motions: z.array(motionDefinitionSchema),
    /** Lowest first; editing a requirement is a new program version. */
    tiers: z.array(tierDefinitionSchema),
    tierPolicy: tierPolicySchema,
    attribution: attributionModelSchema,
    registration: registrationPolicySchema,
    onboarding: onboardingPlanSchema,
    quarterlyTargets: z.array(quarterlyTargetSchema),
  })
  .meta({ id: 'ProgramTerms' });
export type ProgramTerms = z.output<typeof programTermsSchema>;
export type ProgramTermsInput = z.input<typeof programTermsSchema>;

const programVersionFields = {
  version: z.int(),
  effectiveFrom: apiDateSchema,
  createdBy: z.string(),
  createdAt: apiInstantSchema,
  note: z.string().nullable(),
};

export const programVersionViewSchema = z
  .strictObject({ ...programVersionFields, terms: programTermsSchema })
  .meta({ id: 'ProgramVersion' });
export type ProgramVersionView = z.infer<typeof programVersionViewSchema>;

/** GET /api/v1/settings/program */
export const programSettingsSchema = z
  .strictObject({
    asOf: apiDateSchema,
    /** The version in force today. */
    current: programVersionViewSchema,
    /** Versions that take effect later. */
    scheduled: z.array(programVersionViewSchema),
    /** Every version, newest first, without the terms. */
    history: z.array(z.strictObject(programVersionFields)),
  })
  .meta({ id: 'ProgramSettings' });
export type ProgramSettings = z.infer<typeof programSettingsSchema>;

/** PUT /api/v1/settings/program: a new version (the old ones stay as they were). */
export const putProgramBodySchema = z
  .strictObject({
    terms: programTermsSchema,
    /** Today or later; default today. */
    effectiveFrom: apiDateSchema.optional(),
    note: z.string().max(1000).optional(),
    /** Optional: a retried save with the same key replays the first answer. */
    idempotencyKey: idempotencyKeySchema.optional(),
  })
  .meta({ id: 'PutProgramBody' });
export type PutProgramBody = z.input<typeof putProgramBodySchema>;

/** A commission rule version as an admin writes it (id and version are assigned). */
const ruleDraftFields = {
  name: z.string().min(1).max(200),
  /** Deals closing on or after this day are paid by this version. */
  effectiveFrom: isoDateSchema,
  /** Exclusive end (optional). */
  effectiveTo: isoDateSchema.optional(),
  match: ruleMatchSchema,
  payout: payoutSchema,
  base: z.enum(commissionBases),
  schedule: scheduleSchema,
  cap: nonNegativeMoneySchema.optional(),
  holdingDays: z.int().min(0),
  clawbackDays: z.int().min(0),
  note: z.string().max(1000).optional(),
};
export const ruleDraftSchema = z.strictObject(ruleDraftFields).meta({ id: 'RuleDraft' });
export type RuleDraft = z.input<typeof ruleDraftSchema>;

/** A rule id: lowercase letters, digits and dashes ("crm-alliance-referral"). */
export const ruleIdParamSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'expected a rule id such as "crm-alliance-referral"');

/** POST /api/v1/settings/rules: a new rule (version 1); `ruleId` defaults to a slug of the name. */
export const createRuleBodySchema = z
  .strictObject({
    ...ruleDraftFields,
    ruleId: ruleIdParamSchema.optional(),
    /** Optional: a retried save with the same key replays the first answer. */
    idempotencyKey: idempotencyKeySchema.optional(),
  })
  .meta({ id: 'CreateRuleBody' });
export type CreateRuleBody = z.input<typeof createRuleBodySchema>;

/** POST /api/v1/settings/rules/:ruleId/versions: the next version (effective today or later). */
export const ruleVersionBodySchema = z
  .strictObject({ ...ruleDraftFields, idempotencyKey: idempotencyKeySchema.optional() })
  .meta({ id: 'RuleVersionBody' });
export type RuleVersionBody = z.input<typeof ruleVersionBodySchema>;

/** POST /api/v1/settings/rules/:ruleId/retire */
export const retireRuleBodySchema = z
  .strictObject({
    /** First day the rule no longer pays (deals closing from this day on); today or later. */
    effectiveTo: apiDateSchema,
    note: z.string().max(1000).optional(),
    idempotencyKey: idempotencyKeySchema.optional(),
  })
  .meta({ id: 'RetireRuleBody' });
export type RetireRuleBody = z.input<typeof retireRuleBodySchema>;

export const ruleVersionViewSchema = z
  .strictObject({
    ruleId: z.string(),
    version: z.int(),
    name: z.string(),
    effectiveFrom: apiDateSchema,
    /** Exclusive end: from the version itself, or from a retirement. */
    effectiveTo: apiDateSchema.nullable(),
    match: ruleMatchSchema,
    payout: payoutSchema,
    base: z.enum(commissionBases),
    schedule: scheduleSchema,
    cap: moneyViewSchema.nullable(),
    holdingDays: z.int(),
    clawbackDays: z.int(),
    /** Higher wins; equal specificity on overlapping criteria is an ambiguity. */
    specificity: z.int(),
    createdBy: z.string(),
    createdAt: apiInstantSchema,
    note: z.string().nullable(),
  })
  .meta({ id: 'RuleVersion' });
export type RuleVersionView = z.infer<typeof ruleVersionViewSchema>;

/** Two rules that would both apply, equally specific, to the same deals on the same days. */
export const ruleAmbiguityViewSchema = z
  .strictObject({
    rules: z.tuple([ruleRefViewSchema, ruleRefViewSchema]),
    from: apiDateSchema,
    /** Exclusive; null = open-ended. */
    to: apiDateSchema.nullable(),
    message: z.string(),
  })
  .meta({ id: 'RuleAmbiguity' });
export type RuleAmbiguityView = z.infer<typeof ruleAmbiguityViewSchema>;

export const ruleViewSchema = z.strictObject({
  ruleId: z.string(),
  name: z.string(),
  /** `active` (a version is in force today), `scheduled` (only later), `retired` (no longer). */
  status: z.enum(['active', 'scheduled', 'retired']),
  current: ruleVersionViewSchema.nullable(),
  /** Oldest first. */
  versions: z.array(ruleVersionViewSchema),
});
export type RuleView = z.infer<typeof ruleViewSchema>;

/** GET /api/v1/settings/rules */
export const rulesSettingsSchema = z
  .strictObject({
    asOf: apiDateSchema,
    rules: z.array(ruleViewSchema),
    /** Existing ambiguities (saving a change that creates one is refused with 422). */
    ambiguities: z.array(ruleAmbiguityViewSchema),
  })
  .meta({ id: 'RulesSettings' });
export type RulesSettings = z.infer<typeof rulesSettingsSchema>;

/** The answer to a rule save (create, new version, retire). */
export const ruleSavedSchema = z
  .strictObject({ rule: ruleViewSchema, saved: ruleRefViewSchema })
  .meta({ id: 'RuleSaved' });
export type RuleSaved = z.infer<typeof ruleSavedSchema>;

/** POST /api/v1/settings/what-if: a proposed change, replayed over closed deals. */
export const whatIfBodySchema = z
  .strictObject({
    /** Proposed program terms (attribution model, tiers…); default: the current ones. */
    terms: programTermsSchema.optional(),
    /**
     * Proposed rule versions: a `ruleId` of an existing rule adds a version to it, otherwise a
     * new rule. Date `effectiveFrom` back to see the effect on deals that already closed.
     */
    rules: z
      .array(z.strictObject({ ...ruleDraftFields, ruleId: ruleIdParamSchema.optional() }))
      .max(100)
      .optional(),
    retire: z
      .array(z.strictObject({ ruleId: ruleIdParamSchema, effectiveTo: apiDateSchema }))
      .max(100)
      .optional(),
    /** Replay only deals closed in this period (both days included); default: every deal. */
    period: z
      .strictObject({ from: apiDateSchema, to: apiDateSchema })
      .refine((period) => period.from <= period.to, {
        message: 'a period ends on or after its start',
        path: ['to'],
      })
      .optional(),
  })
  .meta({ id: 'WhatIfBody' });
export type WhatIfBody = z.input<typeof whatIfBodySchema>;

export const computationIssueViewSchema = z.strictObject({
  dealId: localIdSchema,
  hubspotDealId: z.string().nullable(),
  dealName: z.string(),
  partnerId: localIdSchema.nullable(),
  partnerName: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});
export type ComputationIssueView = z.infer<typeof computationIssueViewSchema>;

export const whatIfResultSchema = z
  .strictObject({
    asOf: apiDateSchema,
    period: z.strictObject({ from: apiDateSchema, to: apiDateSchema }).nullable(),
    dealsReplayed: z.int(),
    currency: z.string(),
    /** Partners whose commission is non-zero under either program, by partner name. */
    rows: z.array(
      z.strictObject({
        partner: partnerRefSchema,
        current: moneyViewSchema,
        proposed: moneyViewSchema,
        delta: moneyViewSchema,
      }),
    ),
    totals: z.strictObject({
      current: moneyViewSchema,
      proposed: moneyViewSchema,
      delta: moneyViewSchema,
    }),
    /** Deals a program cannot pay (ambiguous rules, missing FX…): fix before publishing. */
    issues: z.strictObject({
      current: z.array(computationIssueViewSchema),
      proposed: z.array(computationIssueViewSchema),
    }),
    /** Ambiguities the proposal would create (publishing it would be refused). */
    ambiguities: z.array(ruleAmbiguityViewSchema),
  })
  .meta({ id: 'WhatIfResult' });
export type WhatIfResult = z.infer<typeof whatIfResultSchema>;

export const fxRateViewSchema = z.strictObject({
  base: z.string(),
  quote: z.string(),
  on: apiDateSchema,
  rate: z.string(),
  createdBy: z.string(),
  createdAt: apiInstantSchema,
});

/** GET /api/v1/settings/fx-rates */
export const fxRatesViewSchema = z
  .strictObject({ rates: z.array(fxRateViewSchema) })
  .meta({ id: 'FxRates' });
export type FxRatesView = z.infer<typeof fxRatesViewSchema>;

/** POST /api/v1/settings/fx-rates: dated quotes to add; a stored quote is never changed. */
export const addFxRatesBodySchema = z
  .strictObject({ rates: z.array(fxRateSchema).min(1).max(1000) })
  .meta({ id: 'AddFxRatesBody' });
export type AddFxRatesBody = z.input<typeof addFxRatesBodySchema>;

export const accessRoleSchema = z.enum(['admin', 'partner_manager']);

/** GET /api/v1/settings/admins */
export const adminsViewSchema = z
  .strictObject({
    /** The HubSpot user who installed the app: always an admin. */
    installer: z.strictObject({ userId: z.string().nullable(), email: z.string().nullable() }),
    users: z.array(
      z.strictObject({
        userId: z.string(),
        role: accessRoleSchema,
        addedBy: z.string(),
        addedAt: apiInstantSchema,
      }),
    ),
  })
  .meta({ id: 'Admins' });
export type AdminsView = z.infer<typeof adminsViewSchema>;

/** PUT /api/v1/settings/admins/:userId */
export const putAdminBodySchema = z
  .strictObject({ role: accessRoleSchema })
  .meta({ id: 'PutAdminBody' });
export type PutAdminBody = z.input<typeof putAdminBodySchema>;

/** GET /api/v1/me: what the calling HubSpot user may do (the settings page hides the rest). */
export const meViewSchema = z
  .strictObject({
    portalId: z.string(),
    userId: z.string().nullable(),
    role: z.enum(['admin', 'partner_manager', 'member']),
    /** Why the user has this role ("installed the app", "added by …"). */
    reason: z.string(),
  })
  .meta({ id: 'Me' });
export type MeView = z.infer<typeof meViewSchema>;
