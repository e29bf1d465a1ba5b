import { z } from 'zod';

// Building blocks of the cards' and admins' API contract. Plain zod, no core logic: the cards
// parse responses with these schemas and the server answers through them.

/** A calendar day, "2026-03-31". */
export const apiDateSchema = z.iso.date();

/** An instant in UTC, "2026-03-31T14:05:00.000Z". */
export const apiInstantSchema = z.iso.datetime();

/** An exact non-negative decimal as a string ("0.15"): rates, shares, probabilities. */
export const apiDecimalSchema = z
  .string()
  .regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'expected a non-negative decimal such as "0.15"');

/** A share of a whole in [0, 1], written as an exact decimal ("0.25"). */
export const apiFractionSchema = z
  .string()
  .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a fraction between 0 and 1 such as "0.25"');

/** A signed ratio with four decimals ("0.1250" = 12.5 %), as program metrics report it. */
export const apiRatioSchema = z.string().regex(/^-?\d+\.\d{4}$/);

/** ISO 4217 code. */
export const apiCurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code');

/**
 * Money as the API sends it: integer minor units of one currency (never a float) plus the
 * pre-formatted string a card can show as is ("$40,000.00", "-€15.00", "¥4,000").
 */
export const moneyViewSchema = z
  .strictObject({
    amountMinor: z.int(),
    currency: apiCurrencySchema,
    formatted: z.string(),
  })
  .meta({ id: 'Money', description: 'Integer minor units + ISO 4217 currency + display string.' });
export type MoneyView = z.infer<typeof moneyViewSchema>;

/** A HubSpot CRM object id (deal, company): digits only. */
export const hubspotObjectIdSchema = z
  .string()
  .regex(/^\d{1,20}$/, 'expected a HubSpot object id (digits only)');

/** Partnerbridge's own ids (partners, tags): UUIDs. */
export const localIdSchema = z.uuid();

/**
 * Idempotency key of a retried mutation. `hubspot.fetch` can send no custom header, so it
 * travels in the JSON body; generate one per user action (e.g. crypto.randomUUID()).
 */
export const idempotencyKeySchema = z
  .string()
  .min(8, 'idempotencyKey must be at least 8 characters')
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'idempotencyKey may only use letters, digits and . _ : -');

/** Who changed something: a HubSpot user (email when HubSpot sent it, else the user id). */
export const actorSchema = z.string().min(1);

/**
 * Error codes the cards and settings page act on. The server may answer with others (see the
 * API reference); every error has the `ApiError` shape.
 */
export const apiErrorCodes = [
  'validation_failed',
  'invalid_json',
  'bad_request',
  'unauthorized',
  'invalid_signature',
  'forbidden',
  'not_installed',
  'not_found',
  'deal_not_synced',
  'conflict',
  'idempotency_conflict',
  'payload_too_large',
  'unsupported_media_type',
  'unprocessable',
  'rate_limited',
  'internal',
  'upstream_error',
  'unavailable',
] as const;
export type ApiErrorCode = (typeof apiErrorCodes)[number];

export const apiIssueSchema = z.strictObject({
  /** The offending field: `body.share`, `query.limit`, `body.terms.tiers[1].requirements`. */
  path: z.string(),
  message: z.string(),
  code: z.string().optional(),
});
export type ApiIssue = z.infer<typeof apiIssueSchema>;

/** The one error body: `{ error: { code, message, issues? } }`. */
export const apiErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    /** Written for people: a card can show it as is. */
    message: z.string(),
    issues: z.array(apiIssueSchema).optional(),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** A commission rule version, as explanations and ledger lines name it. */
export const ruleRefViewSchema = z.strictObject({
  id: z.string(),
  version: z.int().min(1),
  name: z.string(),
});
export type RuleRefView = z.infer<typeof ruleRefViewSchema>;

export const partnerTypeSchema = z.enum(['technology', 'channel', 'strategic', 'content']);
export const partnerRoleSchema = z.enum(['sourced', 'influenced']);
export const motionSchema = z.enum(['referral', 'co_sell', 'white_label', 'enterprise']);
export const trainingLevelSchema = z.enum(['none', 'basic', 'advanced', 'expert']);

/** A partner as every card shows it: name, type, tier and where it lives in HubSpot. */
export const partnerRefFields = {
  id: localIdSchema,
  name: z.string(),
  type: partnerTypeSchema,
  subtype: z.string(),
  /** "registered" or a program tier id ("gold"). */
  tier: z.string(),
  tierName: z.string(),
  hubspotCompanyId: z.string().nullable(),
};
export const partnerRefSchema = z.strictObject(partnerRefFields).meta({ id: 'PartnerRef' });
export type PartnerRef = z.infer<typeof partnerRefSchema>;
