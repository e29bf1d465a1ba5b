import {
  currencyCodes,
  type Deal,
  type DealType,
  dealSchema,
  type Partner,
  type PartnerTag,
  partnerSchema,
  partnerTagSchema,
  partnerTypes,
  reversalReasons,
  trainingLevels,
} from '@partnerbridge/shared';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/database.ts';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { partners } from '../db/schema/partners.ts';
import { stageCategories } from '../db/vocabulary.ts';
import { AppError } from '../errors.ts';

// The projection's repository: how partners, deals and partner tags get into our tables (the sync
// engine's imports and the tests use these) and how rows become the core's types.

export type PartnerRow = typeof partners.$inferSelect;
export type DealRow = typeof deals.$inferSelect;
export type TagRow = typeof partnerTags.$inferSelect;

const dateString = z.iso.date();
const decimalFraction = z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a fraction 0–1');

export const partnerInputSchema = z.strictObject({
  hubspotCompanyId: z.string().min(1).nullable().optional(),
  salesforceAccountId: z.string().min(1).nullable().optional(),
  name: z.string().min(1),
  type: z.enum(partnerTypes),
  /** A program subtype id ("crm", "system_integrator"); see `normalizeSubtype`. */
  subtype: z.string().min(1),
  joinedOn: dateString,
  certifiedSalespeople: z.int().min(0).default(0),
  trainingLevel: z.enum(trainingLevels).default('none'),
  strategicAgreementSigned: z.boolean().default(false),
  onboardingCompleted: z.array(z.string()).default([]),
  status: z.enum(['active', 'inactive']).default('active'),
  hubspotModifiedAt: z.date().nullable().optional(),
  salesforceModifiedAt: z.date().nullable().optional(),
});
export type PartnerInput = z.input<typeof partnerInputSchema>;

/**
 * Creates or updates a partner by its HubSpot company id (else its Salesforce account id). Tier
 * state (tier, history, grace) is Partnerbridge's and is never overwritten from a CRM.
 */
export async function upsertPartner(
  db: Executor,
  installationId: string,
  input: PartnerInput,
): Promise<PartnerRow> {
  const data = partnerInputSchema.parse(input);
  const values = {
    installationId,
    hubspotCompanyId: data.hubspotCompanyId ?? null,
    salesforceAccountId: data.salesforceAccountId ?? null,
    name: data.name,
    type: data.type,
    subtype: data.subtype,
    joinedOn: data.joinedOn,
    certifiedSalespeople: data.certifiedSalespeople,
    trainingLevel: data.trainingLevel,
    strategicAgreementSigned: data.strategicAgreementSigned,
    onboardingCompleted: data.onboardingCompleted,
    status: data.status,
    hubspotModifiedAt: data.hubspotModifiedAt ?? null,
    salesforceModifiedAt: data.salesforceModifiedAt ?? null,
  };
  const { installationId: _tenant, ...update } = values;
  const target =
    values.hubspotCompanyId !== null
      ? [partners.installationId, partners.hubspotCompanyId]
      : values.salesforceAccountId !== null
        ? [partners.installationId, partners.salesforceAccountId]
        : undefined;
  const insert = db.insert(partners).values(values);
  const [row] = await (target === undefined
    ? insert.returning()
    : insert.onConflictDoUpdate({ target, set: { ...update, updatedAt: sql`now()` } }).returning());
  if (row === undefined) throw new Error('partner upsert returned no row');
  return row;
}

export const dealInputSchema = z.strictObject({
  hubspotDealId: z.string().min(1).nullable().optional(),
  salesforceOpportunityId: z.string().min(1).nullable().optional(),
  name: z.string(),
  amountMinor: z.int().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/),
  projectValueMinor: z.int().min(0).nullable().optional(),
  pipelineId: z.string().nullable().optional(),
  stageId: z.string().nullable().optional(),
  stageCategory: z.enum(stageCategories),
  createdOn: dateString,
  closeDate: dateString,
  probability: decimalFraction,
  /** The CRM's deal type; HubSpot's `newbusiness`/`existingbusiness` are understood. */
  dealType: z.string().min(1).default('new_business'),
  contractMonths: z.int().min(1).max(120).nullable().optional(),
  reversal: z
    .strictObject({ reason: z.enum(['lost', 'refunded', 'churned']), on: dateString })
    .nullable()
    .optional(),
  customer: z
    .strictObject({
      hubspotCompanyId: z.string().min(1).nullable().optional(),
      salesforceAccountId: z.string().min(1).nullable().optional(),
      name: z.string().nullable().optional(),
    })
    .optional(),
  hubspotModifiedAt: z.date().nullable().optional(),
  salesforceModifiedAt: z.date().nullable().optional(),
});
export type DealInput = z.input<typeof dealInputSchema>;

/** Creates or updates a deal by its HubSpot deal id (else its Salesforce opportunity id). */
export async function upsertDeal(
  db: Executor,
  installationId: string,
  input: DealInput,
): Promise<DealRow> {
  const data = dealInputSchema.parse(input);
  const values = {
    installationId,
    hubspotDealId: data.hubspotDealId ?? null,
    salesforceOpportunityId: data.salesforceOpportunityId ?? null,
    name: data.name,
    amountMinor: data.amountMinor,
    currency: data.currency,
    projectValueMinor: data.projectValueMinor ?? null,
    pipelineId: data.pipelineId ?? null,
    stageId: data.stageId ?? null,
    stageCategory: data.stageCategory,
    createdOn: data.createdOn,
    closeDate: data.closeDate,
    probability: data.probability,
    dealType: data.dealType,
    contractMonths: data.contractMonths ?? null,
    reversalReason: data.reversal?.reason ?? null,
    reversalOn: data.reversal?.on ?? null,
    customerHubspotCompanyId: data.customer?.hubspotCompanyId ?? null,
    customerSalesforceAccountId: data.customer?.salesforceAccountId ?? null,
    customerName: data.customer?.name ?? null,
    hubspotModifiedAt: data.hubspotModifiedAt ?? null,
    salesforceModifiedAt: data.salesforceModifiedAt ?? null,
  };
  const { installationId: _tenant, ...update } = values;
  const target =
    values.hubspotDealId !== null
      ? [deals.installationId, deals.hubspotDealId]
      : values.salesforceOpportunityId !== null
        ? [deals.installationId, deals.salesforceOpportunityId]
        : undefined;
  const insert = db.insert(deals).values(values);
  const [row] = await (target === undefined
    ? insert.returning()
    : insert.onConflictDoUpdate({ target, set: { ...update, updatedAt: sql`now()` } }).returning());
  if (row === undefined) throw new Error('deal upsert returned no row');
  return row;
}

export const importedTagInputSchema = z.strictObject({
  dealId: z.uuid(),
  partnerId: z.uuid(),
  role: z.enum(['sourced', 'influenced']),
  motion: z.enum(['referral', 'co_sell', 'white_label', 'enterprise']),
  touchedAt: z.date(),
  share: decimalFraction.nullable().optional(),
  taggedBy: z.string().min(1),
  source: z.enum(['salesforce', 'import']),
});
export type ImportedTagInput = z.input<typeof importedTagInputSchema>;

/**
 * Records a partner tag read from a CRM (labelled association, pb_partner_* fields, opportunity
 * lookup): creates the deal's live tag for that partner or updates its role, motion and share.
 * Imported tags are approved registrations; conflicts are decided when a rep tags on the card.
 * Call `recomputeDeal` afterwards so the ledger follows.
 */
export async function upsertImportedTag(
  db: Executor,
  installationId: string,
  input: ImportedTagInput,
): Promise<TagRow> {
  const data = importedTagInputSchema.parse(input);
  const [row] = await db
    .insert(partnerTags)
    .values({
      installationId,
      dealId: data.dealId,
      partnerId: data.partnerId,
      role: data.role,
      motion: data.motion,
      touchedAt: data.touchedAt,
      share: data.share ?? null,
      taggedBy: data.taggedBy,
      source: data.source,
    })
    .onConflictDoUpdate({
      target: [partnerTags.installationId, partnerTags.dealId, partnerTags.partnerId],
      targetWhere: isNull(partnerTags.removedAt),
      set: {
        role: data.role,
        motion: data.motion,
        share: data.share ?? null,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  if (row === undefined) throw new Error('tag upsert returned no row');
  return row;
}

/** Removes a deal's live tag for a partner (kept as history); returns it, or undefined. */
export async function removeImportedTag(
  db: Executor,
  installationId: string,
  dealId: string,
  partnerId: string,
): Promise<TagRow | undefined> {
  const [row] = await db
    .update(partnerTags)
    .set({ removedAt: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        eq(partnerTags.installationId, installationId),
        eq(partnerTags.dealId, dealId),
        eq(partnerTags.partnerId, partnerId),
        isNull(partnerTags.removedAt),
      ),
    )
    .returning();
  return row;
}

/** HubSpot and Salesforce write subtypes as labels ("System integrator"); the program uses ids. */
export function normalizeSubtype(label: string): string {
  return label
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

const dealTypeAliases: Readonly<Record<string, DealType>> = {
  new_business: 'new_business',
  newbusiness: 'new_business',
  'new business': 'new_business',
  existing_business: 'existing_business',
  existingbusiness: 'existing_business',
  'existing business': 'existing_business',
  renewal: 'renewal',
};

/** The core's deal type for a CRM value; anything unknown counts as new business. */
export function normalizeDealType(raw: string): DealType {
  return dealTypeAliases[raw.trim().toLowerCase()] ?? 'new_business';
}

/**
 * The customer the core protects registrations for: the HubSpot company, else the Salesforce
 * account, else the deal itself (a deal without a customer protects only itself).
 */
export function customerKey(
  row: Pick<DealRow, 'id' | 'customerHubspotCompanyId' | 'customerSalesforceAccountId'>,
): string {
  if (row.customerHubspotCompanyId !== null) return `hubspot-${row.customerHubspotCompanyId}`;
  if (row.customerSalesforceAccountId !== null) {
    return `salesforce-${row.customerSalesforceAccountId}`;
  }
  return `deal-${row.id}`;
}

/** Postgres numerics come back as written; the core wants a plain decimal ("0.50" is fine). */
function decimalOf(value: string): string {
  return value.startsWith('.') ? `0${value}` : value;
}

/** The deal fields the core reads (plus the name, for messages). */
export type CoreDealFields = Pick<
  DealRow,
  | 'id'
  | 'name'
  | 'amountMinor'
  | 'currency'
  | 'projectValueMinor'
  | 'stageCategory'
  | 'stageId'
  | 'probability'
  | 'createdOn'
  | 'closeDate'
  | 'dealType'
  | 'contractMonths'
  | 'reversalReason'
  | 'reversalOn'
  | 'customerHubspotCompanyId'
  | 'customerSalesforceAccountId'
>;

/** The tag fields the core reads. */
export type CoreTagFields = Pick<
  TagRow,
  'dealId' | 'partnerId' | 'role' | 'motion' | 'touchedAt' | 'taggedBy' | 'share'
>;

export type DealConversion =
  | { readonly success: true; readonly data: Deal }
  | { readonly success: false; readonly error: { code: 'invalid_deal'; message: string } };

const idPattern = /^[^:\s]+$/;
const fractionPattern = /^(0(\.\d+)?|1(\.0+)?)$/;
const supportedCurrencies = new Set<string>(currencyCodes);
const reversalReasonSet = new Set<string>(reversalReasons);

/**
 * Whether a row certainly passes the core's deal schema, checked without zod: conversions run for
 * every deal of a tier card or a reconciliation, and the schema's generality costs more than the
 * deal's computation. Anything unusual goes through the schema, which explains what is wrong.
 */
function plainlyValid(row: CoreDealFields, probability: string, customerId: string): boolean {
  return (
    idPattern.test(row.id) &&
    idPattern.test(customerId) &&
    supportedCurrencies.has(row.currency) &&
    Number.isSafeInteger(row.amountMinor) &&
    row.amountMinor >= 0 &&
    (row.projectValueMinor === null ||
      (Number.isSafeInteger(row.projectValueMinor) && row.projectValueMinor >= 0)) &&
    fractionPattern.test(probability) &&
    row.createdOn >= '1900-01-01' &&
    row.closeDate >= '1900-01-01' &&
    (row.contractMonths === null || (row.contractMonths >= 1 && row.contractMonths <= 120)) &&
    (row.reversalReason === null ||
      row.reversalOn === null ||
      (reversalReasonSet.has(row.reversalReason) &&
        row.stageCategory !== 'open' &&
        row.reversalOn >= row.closeDate))
  );
}

/** The core's deal for a projection row; a row the core cannot read is an error value. */
export function toCoreDeal(row: CoreDealFields): DealConversion {
  const probability = decimalOf(row.probability);
  const customerId = customerKey(row);
  const candidate = {
    id: row.id,
    name: row.name,
    customerId,
    amount: { amountMinor: row.amountMinor, currency: row.currency },
    ...(row.projectValueMinor === null
      ? {}
      : { projectValue: { amountMinor: row.projectValueMinor, currency: row.currency } }),
    stage: row.stageCategory,
    rawStage: row.stageId ?? row.stageCategory,
    probability,
    createdOn: row.createdOn,
    closeDate: row.closeDate,
    dealType: normalizeDealType(row.dealType),
    ...(row.contractMonths === null ? {} : { contractMonths: row.contractMonths }),
    ...(row.reversalReason === null || row.reversalOn === null
      ? {}
      : { reversal: { reason: row.reversalReason, on: row.reversalOn } }),
  };
  if (plainlyValid(row, probability, customerId)) {
    return { success: true, data: candidate as Deal };
  }
  const parsed = dealSchema.safeParse(candidate);
  if (parsed.success) return { success: true, data: parsed.data };
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || 'deal'}: ${issue.message}`,
  );
  return {
    success: false,
    error: {
      code: 'invalid_deal',
      message: `Partnerbridge cannot compute this deal: ${problems.join('; ')}.`,
    },
  };
}

/** The core's partner for a projection row (rows are validated when written). */
export function toCorePartner(row: PartnerRow): Partner {
  const parsed = partnerSchema.safeParse({
    id: row.id,
    name: row.name,
    type: row.type,
    subtype: row.subtype,
    joinedOn: row.joinedOn,
    certifiedSalespeople: row.certifiedSalespeople,
    trainingLevel: row.trainingLevel,
    strategicAgreementSigned: row.strategicAgreementSigned,
    onboardingCompleted: row.onboardingCompleted,
    tierHistory: row.tierHistory,
    belowTierSince: row.belowTierSince,
  });
  if (!parsed.success) {
    throw new AppError('internal', 'internal error', {
      cause: new Error(`partner ${row.id} does not match the core's schema: ${parsed.error}`),
    });
  }
  return parsed.data;
}

/**
 * The core's tag for a projection row. The columns' constraints (uuids, role and motion lists,
 * share in [0, 1], a timestamp) are the schema's; only an unusual share goes through zod.
 */
export function toCoreTag(row: CoreTagFields): PartnerTag {
  const share = row.share === null ? undefined : decimalOf(row.share);
  const tag = {
    dealId: row.dealId,
    partnerId: row.partnerId,
    role: row.role,
    motion: row.motion,
    touchedAt: row.touchedAt.toISOString(),
    taggedBy: row.taggedBy,
    ...(share === undefined ? {} : { share }),
  };
  return share === undefined || fractionPattern.test(share)
    ? (tag as PartnerTag)
    : partnerTagSchema.parse(tag);
}

/** Tags that take part in attribution: live, with an approved registration. */
export function isCounted(row: Pick<TagRow, 'removedAt' | 'registrationStatus'>): boolean {
  return row.removedAt === null && row.registrationStatus === 'approved';
}
