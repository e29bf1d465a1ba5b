import { type CurrencyCode, currencyCodes, currencyExponent } from '@partnerbridge/shared';
import {
  hubspotDefaultPipeline,
  motionValues,
  partnerRoleValues,
  partnerTypeValues,
  trainingLevelValues,
} from '@partnerbridge/shared/crm-fields';
import { canonicalDecimalText, roundDecimalText } from '@partnerbridge/shared/sync';
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { partners } from '../db/schema/partners.ts';
import type { HubspotApi } from './hubspot/hubspot-api.ts';
import type { AssociationLink, HubspotRecord } from './hubspot/hubspot-objects.ts';
import type { SyncContext } from './sync-context.ts';
import type { LinkedKind } from './sync-store.ts';

// Our database's view of what synced: deals and partners from the converged HubSpot values (the
// mapped fields agree with Salesforce by then), and the primary partner tag a deal carries.
// Tags that came from the card are never touched here.

export type ProjectionInput = {
  readonly kind: LinkedKind;
  readonly hubspot: HubspotRecord | undefined;
  /** What this batch wrote to HubSpot (newer than the read). */
  readonly hubspotWrites: Readonly<Record<string, string>>;
  readonly salesforceId: string | undefined;
  readonly salesforceModifiedMs: number | null;
  readonly newToUs: boolean;
};

function dayOf(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : null;
}

function minorUnits(amount: string | null | undefined, currency: string): number {
  const canonical = canonicalDecimalText(amount ?? '0') ?? '0';
  const digits = (currencyCodes as readonly string[]).includes(currency)
    ? currencyExponent(currency as CurrencyCode)
    : 2;
  const rounded = roundDecimalText(canonical, digits);
  const negative = rounded.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? rounded.slice(1) : rounded).split('.');
  const units = Number(whole + fraction.padEnd(digits, '0'));
  return Math.max(0, negative ? -units : units);
}

const stageCategory = (
  stage: string | null | undefined,
  closed: string | null | undefined,
  won: string | null | undefined,
): 'open' | 'won' | 'lost' => {
  const known = hubspotDefaultPipeline.stages.find((s) => s.id === stage);
  if (known !== undefined) return known.category;
  if (closed === 'true') return won === 'true' ? 'won' : 'lost';
  return 'open';
};

function oneOf<T extends string>(
  values: readonly T[],
  value: string | null | undefined,
  fallback: T,
): T {
  return value !== null && value !== undefined && (values as readonly string[]).includes(value)
    ? (value as T)
    : fallback;
}

export async function projectRecords(
  ctx: SyncContext,
  family: 'deal' | 'company',
  inputs: readonly ProjectionInput[],
  readAssociations: (
    api: HubspotApi,
    dealIds: readonly string[],
  ) => Promise<Map<string, AssociationLink[]>>,
): Promise<{ dealIds: string[]; partnerIds: string[] }> {
  const db = ctx.services.db;
  const installationId = ctx.installationId;
  const now = new Date(ctx.now());
  const dealIds: string[] = [];
  const partnerIds: string[] = [];
  const withValues = inputs.filter((i) => i.hubspot !== undefined);

  if (family === 'company') {
    for (const input of withValues) {
      if (input.kind !== 'partner') continue;
      const record = input.hubspot as HubspotRecord;
      const p = { ...record.properties, ...input.hubspotWrites };
      const values = {
        installationId,
        hubspotCompanyId: record.id,
        salesforceAccountId: input.salesforceId ?? null,
        name: p.name ?? '(unnamed partner)',
        type: oneOf(partnerTypeValues, p.pb_partner_type, 'channel'),
        subtype: p.pb_partner_subtype ?? '',
        joinedOn:
          dayOf(p.pb_partner_since) ?? dayOf(p.createdate) ?? now.toISOString().slice(0, 10),
        certifiedSalespeople: Math.max(0, Math.trunc(Number(p.pb_certified_salespeople ?? 0) || 0)),
        trainingLevel: oneOf(trainingLevelValues, p.pb_training_level, 'none'),
        strategicAgreementSigned: (p.pb_agreement_signed ?? '').toLowerCase() === 'true',
        hubspotModifiedAt: record.properties.hs_lastmodifieddate
          ? new Date(Date.parse(record.properties.hs_lastmodifieddate))
          : null,
        salesforceModifiedAt:
          input.salesforceModifiedMs === null ? null : new Date(input.salesforceModifiedMs),
        updatedAt: now,
      };
      const { installationId: _i, hubspotCompanyId: _h, ...update } = values;
      const [row] = await db
        .insert(partners)
        .values(values)
        .onConflictDoUpdate({
          target: [partners.installationId, partners.hubspotCompanyId],
          set: update,
        })
        .returning({ id: partners.id });
      if (row !== undefined) partnerIds.push(row.id);
    }
    return { dealIds, partnerIds };
  }

  // Deals new to us get their associations read once (customer and labelled partners).
  const fresh = withValues.filter((i) => i.newToUs).map((i) => (i.hubspot as HubspotRecord).id);
  const associations =
    fresh.length > 0
      ? await readAssociations(ctx.hubspot, fresh).catch(() => new Map<string, AssociationLink[]>())
      : new Map<string, AssociationLink[]>();
  for (const input of withValues) {
    const record = input.hubspot as HubspotRecord;
    const p = { ...record.properties, ...input.hubspotWrites };
    const currency = /^[A-Z]{3}$/.test(p.deal_currency_code ?? '')
      ? (p.deal_currency_code as string)
      : 'USD';
    const createdOn = dayOf(p.createdate) ?? now.toISOString().slice(0, 10);
    const probability = canonicalDecimalText(p.hs_deal_stage_probability ?? '0') ?? '0';
    const primaryCompany = associations
      .get(record.id)
      ?.find((a) => a.types.some((t) => t.typeId === 5))?.toId;
    const values = {
      installationId,
      hubspotDealId: record.id,
      salesforceOpportunityId: input.salesforceId ?? null,
      name: p.dealname ?? '(unnamed deal)',
      amountMinor: minorUnits(p.amount, currency),
      currency,
      pipelineId: p.pipeline ?? null,
      stageId: p.dealstage ?? null,
      stageCategory: stageCategory(p.dealstage, p.hs_is_closed, p.hs_is_closed_won),
      createdOn,
      closeDate: dayOf(p.closedate) ?? createdOn,
      probability: Number(probability) >= 0 && Number(probability) <= 1 ? probability : '0',
      dealType: p.dealtype ?? 'newbusiness',
      hubspotModifiedAt: p.hs_lastmodifieddate
        ? new Date(Date.parse(record.properties.hs_lastmodifieddate ?? ''))
        : null,
      salesforceModifiedAt:
        input.salesforceModifiedMs === null ? null : new Date(input.salesforceModifiedMs),
      updatedAt: now,
      ...(primaryCompany === undefined ? {} : { customerHubspotCompanyId: primaryCompany }),
    };
    const { installationId: _i, hubspotDealId: _h, ...update } = values;
    const [row] = await db
      .insert(deals)
      .values(values)
      .onConflictDoUpdate({ target: [deals.installationId, deals.hubspotDealId], set: update })
      .returning({ id: deals.id });
    if (row === undefined) continue;
    dealIds.push(row.id);
    await projectPrimaryTag(ctx, row.id, p, now);
  }
  return { dealIds, partnerIds };
}

async function projectPrimaryTag(
  ctx: SyncContext,
  dealId: string,
  properties: Readonly<Record<string, string | null>>,
  now: Date,
): Promise<void> {
  const db = ctx.services.db;
  const companyId = properties.pb_partner_company_id ?? '';
  const [partner] =
    companyId === ''
      ? []
      : await db
          .select({ id: partners.id })
          .from(partners)
          .where(
            and(
              eq(partners.installationId, ctx.installationId),
              eq(partners.hubspotCompanyId, companyId),
            ),
          );
  // Tags this engine manages (read from the CRMs) follow the CRM; card tags stay as they are.
  await db
    .update(partnerTags)
    .set({ removedAt: now, updatedAt: now })
    .where(
      and(
        eq(partnerTags.installationId, ctx.installationId),
        eq(partnerTags.dealId, dealId),
        isNull(partnerTags.removedAt),
        inArray(partnerTags.source, ['import', 'salesforce']),
        ...(partner === undefined ? [] : [ne(partnerTags.partnerId, partner.id)]),
      ),
    );
  if (partner === undefined) return;
  const role = oneOf(partnerRoleValues, properties.pb_partner_role, 'sourced');
  const motion = oneOf(motionValues, properties.pb_partner_motion, 'referral');
  const [existing] = await db
    .select({ id: partnerTags.id, source: partnerTags.source })
    .from(partnerTags)
    .where(
      and(
        eq(partnerTags.installationId, ctx.installationId),
        eq(partnerTags.dealId, dealId),
        eq(partnerTags.partnerId, partner.id),
        isNull(partnerTags.removedAt),
      ),
    );
  if (existing !== undefined) {
    if (existing.source !== 'hubspot_card') {
      await db
        .update(partnerTags)
        .set({ role, motion, updatedAt: now })
        .where(eq(partnerTags.id, existing.id));
    }
    return;
  }
  await db.insert(partnerTags).values({
    installationId: ctx.installationId,
    dealId,
    partnerId: partner.id,
    role,
    motion,
    touchedAt: now,
    taggedBy: 'sync:crm',
    source: 'import',
  });
}
