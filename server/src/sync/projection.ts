import { type CurrencyCode, currencyCodes, currencyExponent } from '@partnerbridge/shared';
import {
  hubspotDefaultPipeline,
  hubspotPartnerAssociationLabels,
  motionValues,
  partnerRoleValues,
  partnerTypeValues,
  trainingLevelValues,
} from '@partnerbridge/shared/crm-fields';
import { canonicalDecimalText, roundDecimalText } from '@partnerbridge/shared/sync';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { normalizeSubtype, removeImportedTag, upsertImportedTag } from '../cards/projection.ts';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { partners } from '../db/schema/partners.ts';
import { localChanges } from '../db/schema/sync.ts';
import type { HubspotApi } from './hubspot/hubspot-api.ts';
import type { AssociationLink, HubspotRecord } from './hubspot/hubspot-objects.ts';
import { notifyLocalChanges } from './outbox-trigger.ts';
import type { SyncContext } from './sync-context.ts';
import type { LinkedKind } from './sync-store.ts';

// Our database's view of what synced: deals and partners from the converged HubSpot values (the
// mapped fields agree with Salesforce by then), and the partner tags the CRMs assert (primary
// partner fields, partner association labels). Tags that came from the card are never touched
// here. What the CRMs must learn in return (a new twin's commission or tier, labels and fields of
// changed tags) is queued in the outbox.

export type ProjectionInput = {
  readonly kind: LinkedKind;
  readonly hubspot: HubspotRecord | undefined;
  /** What this batch wrote to HubSpot (newer than the read). */
  readonly hubspotWrites: Readonly<Record<string, string>>;
  readonly salesforceId: string | undefined;
  readonly salesforceModifiedMs: number | null;
  /** The link between the two sides was completed by this batch (the record is new to a side). */
  readonly linkedNow: boolean;
  /** A tombstoned link revived (the deleted record was restored): the row is live again. */
  readonly restored?: boolean;
  /** Deals: the primary partner fields changed on a side since the last sync. */
  readonly partnerFieldsChanged?: boolean;
  /** Deals: the side the primary partner fields came from, when they changed. */
  readonly partnerSource?: 'salesforce' | 'import';
};

/** A partner whose CRM records name no subtype. */
const UNSPECIFIED_SUBTYPE = 'unspecified';

/** What the projection changed that Partnerbridge must push back (outbox reasons). */
const LINKED_REASON = 'linked_in_crm';
const TAGS_REASON = 'crm_tags_changed';

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
  const outbox: OutboxRow[] = [];
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
        // The core needs a subtype id; CRMs hold labels, or nothing.
        subtype: normalizeSubtype(p.pb_partner_subtype ?? '') || UNSPECIFIED_SUBTYPE,
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
      if (row === undefined) continue;
      partnerIds.push(row.id);
      // A partner that just got its twin: its tier goes to the new side.
      if (input.linkedNow)
        outbox.push({ objectKind: 'partner', localId: row.id, reason: LINKED_REASON });
    }
    await restoreArchived(ctx, 'company', inputs);
    await queueOutbox(ctx, outbox);
    return { dealIds, partnerIds };
  }

  // Associations are read (one call per 1,000 deals) only where tags may have changed: deals new
  // to a side, deals whose partner fields changed, and deals a webhook said were re-associated.
  const marked = await ctx.gates.takeMarked(
    `assoc:${installationId}`,
    withValues.map((i) => (i.hubspot as HubspotRecord).id),
  );
  const reread = withValues
    .filter(
      (i) =>
        i.linkedNow ||
        i.partnerFieldsChanged === true ||
        marked.has((i.hubspot as HubspotRecord).id),
    )
    .map((i) => (i.hubspot as HubspotRecord).id);
  let associations: Map<string, AssociationLink[]> | undefined;
  if (reread.length > 0) {
    try {
      associations = await readAssociations(ctx.hubspot, reread);
    } catch (error) {
      // Without them, only the partner fields are projected and no tag is removed.
      ctx.log.warn(
        { err: error },
        'could not read deal associations; partner labels not projected',
      );
      if (marked.size > 0) await ctx.gates.mark(`assoc:${installationId}`, [...marked]);
    }
  }
  const labelRoles = labelRolesOf(associations);
  // Every deal of the batch in one statement (per 500), not one per deal.
  const rows = new Map<string, typeof deals.$inferInsert>();
  for (const input of withValues) {
    const record = input.hubspot as HubspotRecord;
    const p = { ...record.properties, ...input.hubspotWrites };
    const currency = /^[A-Z]{3}$/.test(p.deal_currency_code ?? '')
      ? (p.deal_currency_code as string)
      : 'USD';
    const createdOn = dayOf(p.createdate) ?? now.toISOString().slice(0, 10);
    const probability = canonicalDecimalText(p.hs_deal_stage_probability ?? '0') ?? '0';
    const primaryCompany = associations
      ?.get(record.id)
      ?.find((a) => a.types.some((t) => t.typeId === 5))?.toId;
    rows.set(record.id, {
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
      customerHubspotCompanyId: primaryCompany ?? null,
    });
  }
  const excluded = (column: string) => sql.raw(`excluded.${column}`);
  const stored = new Map<string, string>();
  const all = [...rows.values()];
  for (let start = 0; start < all.length; start += 500) {
    const written = await db
      .insert(deals)
      .values(all.slice(start, start + 500))
      .onConflictDoUpdate({
        target: [deals.installationId, deals.hubspotDealId],
        set: {
          salesforceOpportunityId: excluded('salesforce_opportunity_id'),
          name: excluded('name'),
          amountMinor: excluded('amount_minor'),
          currency: excluded('currency'),
          pipelineId: excluded('pipeline_id'),
          stageId: excluded('stage_id'),
          stageCategory: excluded('stage_category'),
          createdOn: excluded('created_on'),
          closeDate: excluded('close_date'),
          probability: excluded('probability'),
          dealType: excluded('deal_type'),
          hubspotModifiedAt: excluded('hubspot_modified_at'),
          salesforceModifiedAt: excluded('salesforce_modified_at'),
          updatedAt: excluded('updated_at'),
          // Known only when the associations were read: otherwise the stored one stays.
          customerHubspotCompanyId: sql`coalesce(excluded.customer_hubspot_company_id, ${deals.customerHubspotCompanyId})`,
        },
      })
      .returning({ id: deals.id, hubspotDealId: deals.hubspotDealId });
    for (const row of written)
      if (row.hubspotDealId !== null) stored.set(row.hubspotDealId, row.id);
  }
  await restoreArchived(ctx, 'deal', inputs);
  const tagged: { dealId: string; asserted: Map<string, Claim> }[] = [];
  for (const input of withValues) {
    const record = input.hubspot as HubspotRecord;
    const p = { ...record.properties, ...input.hubspotWrites };
    const dealId = stored.get(record.id);
    if (dealId === undefined) continue;
    dealIds.push(dealId);
    const reads = reread.includes(record.id);
    if (input.linkedNow)
      outbox.push({ objectKind: 'deal', localId: dealId, reason: LINKED_REASON });
    if (!reads) continue;
    const labels =
      associations === undefined
        ? undefined
        : (associations.get(record.id) ?? []).flatMap((a) =>
            a.types.flatMap((t) => {
              const role = labelRoles.get(t.typeId);
              return role === undefined ? [] : [{ companyId: a.toId, role }];
            }),
          );
    tagged.push({ dealId, asserted: crmClaims(p, labels, input.partnerSource ?? 'import') });
  }
  // The partners and live tags of every re-read deal in one statement each, not two per deal.
  const known = await crmTagState(
    ctx,
    tagged.map((t) => t.dealId),
    [...new Set(tagged.flatMap((t) => [...t.asserted.keys()]))],
  );
  for (const { dealId, asserted } of tagged) {
    const changed = await projectCrmTags(
      ctx,
      dealId,
      asserted,
      known,
      associations !== undefined,
      now,
    );
    if (changed) outbox.push({ objectKind: 'deal', localId: dealId, reason: TAGS_REASON });
  }
  await queueOutbox(ctx, outbox);
  return { dealIds, partnerIds };
}

type OutboxRow = { objectKind: 'deal' | 'partner'; localId: string; reason: string };

async function queueOutbox(ctx: SyncContext, rows: readonly OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await ctx.services.db
    .insert(localChanges)
    .values(rows.map((row) => ({ installationId: ctx.installationId, ...row })));
  await notifyLocalChanges(ctx.services, ctx.installationId);
}

/** Association type id → partner role, for our two labels (read once per batch that needs it). */
function labelRolesOf(
  associations: Map<string, AssociationLink[]> | undefined,
): Map<number, 'sourced' | 'influenced'> {
  const roles = new Map<number, 'sourced' | 'influenced'>();
  if (associations === undefined) return roles;
  // Labels come with their text in association reads: no extra call.
  for (const links of associations.values()) {
    for (const link of links) {
      for (const type of link.types) {
        const known = hubspotPartnerAssociationLabels.find((l) => l.label === type.label);
        if (known !== undefined) roles.set(type.typeId, known.role);
      }
    }
  }
  return roles;
}

type Claim = {
  role: 'sourced' | 'influenced';
  /** Labels carry no motion: a tag only a label asserts keeps its own. */
  motion: string | undefined;
  source: 'salesforce' | 'import';
};

/**
 * The tags a deal carries in the CRMs, by HubSpot company id: the primary partner fields
 * (HubSpot's pb_partner_*, which by now agree with Salesforce's PB_Partner_* fields) and, when the
 * associations were read, every "Sourced partner" / "Influencing partner" label.
 */
function crmClaims(
  properties: Readonly<Record<string, string | null>>,
  labels: readonly { companyId: string; role: 'sourced' | 'influenced' }[] | undefined,
  source: 'salesforce' | 'import',
): Map<string, Claim> {
  const fieldCompany = properties.pb_partner_company_id ?? '';
  const asserted = new Map<string, Claim>();
  for (const label of labels ?? []) {
    if (!asserted.has(label.companyId))
      asserted.set(label.companyId, { role: label.role, motion: undefined, source: 'import' });
  }
  if (fieldCompany !== '') {
    const label = asserted.get(fieldCompany);
    asserted.set(fieldCompany, {
      role: oneOf(partnerRoleValues, properties.pb_partner_role, label?.role ?? 'sourced'),
      motion: oneOf(motionValues, properties.pb_partner_motion, 'referral'),
      source,
    });
  }
  return asserted;
}

type CrmTagState = {
  readonly partners: readonly { id: string; hubspotCompanyId: string | null }[];
  readonly liveTags: ReadonlyMap<string, (typeof partnerTags.$inferSelect)[]>;
};

/** The partners of these HubSpot companies and the live tags of these deals. */
async function crmTagState(
  ctx: SyncContext,
  dealIds: readonly string[],
  companyIds: readonly string[],
): Promise<CrmTagState> {
  const db = ctx.services.db;
  const partnerRows =
    companyIds.length === 0
      ? []
      : await db
          .select({ id: partners.id, hubspotCompanyId: partners.hubspotCompanyId })
          .from(partners)
          .where(
            and(
              eq(partners.installationId, ctx.installationId),
              inArray(partners.hubspotCompanyId, [...companyIds]),
            ),
          );
  const liveTags = new Map<string, (typeof partnerTags.$inferSelect)[]>();
  if (dealIds.length === 0) return { partners: partnerRows, liveTags };
  const tags = await db
    .select()
    .from(partnerTags)
    .where(
      and(
        eq(partnerTags.installationId, ctx.installationId),
        inArray(partnerTags.dealId, [...dealIds]),
        isNull(partnerTags.removedAt),
      ),
    );
  for (const tag of tags) liveTags.set(tag.dealId, [...(liveTags.get(tag.dealId) ?? []), tag]);
  return { partners: partnerRows, liveTags };
}

/**
 * Projects a deal's CRM claims (see crmClaims): creates the tags a card tag would be (source
 * `salesforce` when the fields came from Salesforce, else `import`), updates role and motion of
 * CRM tags, and removes CRM tags no CRM asserts any more. Card tags are never touched: they are
 * Partnerbridge's, and the outbox writes them to the CRMs. Returns whether anything changed.
 */
async function projectCrmTags(
  ctx: SyncContext,
  dealId: string,
  asserted: ReadonlyMap<string, Claim>,
  known: CrmTagState,
  labelsRead: boolean,
  now: Date,
): Promise<boolean> {
  const db = ctx.services.db;
  const live = known.liveTags.get(dealId) ?? [];
  let changed = false;
  const assertedPartners = new Set<string>();
  for (const partner of known.partners) {
    const claim = asserted.get(partner.hubspotCompanyId ?? '');
    if (claim === undefined) continue;
    assertedPartners.add(partner.id);
    const existing = live.find((t) => t.partnerId === partner.id);
    const role = claim.role;
    const motion = oneOf(motionValues, claim.motion ?? existing?.motion, 'referral');
    if (existing?.source === 'hubspot_card') continue;
    if (existing !== undefined && existing.role === role && existing.motion === motion) continue;
    // The same row a card tag is (an approved registration), through the cards' repository.
    await upsertImportedTag(db, ctx.installationId, {
      dealId,
      partnerId: partner.id,
      role,
      motion,
      touchedAt: existing?.touchedAt ?? now,
      taggedBy:
        existing?.taggedBy ?? (claim.source === 'salesforce' ? 'sync:salesforce' : 'sync:hubspot'),
      source: existing === undefined ? claim.source : (existing.source as 'salesforce' | 'import'),
    });
    changed = true;
  }
  // Without the labels only the fields are known: a tag only a label asserted may still hold.
  if (labelsRead) {
    const stale = live.filter(
      (t) => t.source !== 'hubspot_card' && !assertedPartners.has(t.partnerId),
    );
    for (const tag of stale) {
      await removeImportedTag(db, ctx.installationId, dealId, tag.partnerId);
      changed = true;
    }
  }
  return changed;
}

/**
 * Our projection after deletions: deals and partners whose HubSpot record is gone are archived
 * (cards, tier books and metrics leave archived rows out); a won deal is reversed as lost on the
 * day it was deleted, so the ledger claws its commission back inside the clawback window and
 * records a retained line outside it. Records whose Salesforce twin alone is gone lose that id.
 * Returns the deals and partners that changed (for the recompute hook).
 */
export async function projectDeletions(
  ctx: SyncContext,
  family: 'deal' | 'company',
  gone: {
    readonly archivedHubspotIds: readonly string[];
    readonly unlinkedSalesforceIds: readonly string[];
  },
  at: Date,
): Promise<{ dealIds: string[]; partnerIds: string[] }> {
  const db = ctx.services.db;
  const installationId = ctx.installationId;
  const day = at.toISOString().slice(0, 10);
  const dealIds: string[] = [];
  const partnerIds: string[] = [];
  if (family === 'deal') {
    if (gone.archivedHubspotIds.length > 0) {
      const rows = await db
        .update(deals)
        .set({
          archivedAt: sql`coalesce(${deals.archivedAt}, ${at.toISOString()}::timestamptz)`,
          reversalReason: sql`case when ${deals.stageCategory} = 'won' and ${deals.reversalOn} is null then 'lost' else ${deals.reversalReason} end`,
          reversalOn: sql`case when ${deals.stageCategory} = 'won' and ${deals.reversalOn} is null then greatest(${deals.closeDate}, ${day}::date) else ${deals.reversalOn} end`,
          updatedAt: at,
        })
        .where(
          and(
            eq(deals.installationId, installationId),
            inArray(deals.hubspotDealId, [...gone.archivedHubspotIds]),
          ),
        )
        .returning({ id: deals.id });
      dealIds.push(...rows.map((r) => r.id));
    }
    if (gone.unlinkedSalesforceIds.length > 0) {
      const rows = await db
        .update(deals)
        .set({ salesforceOpportunityId: null, updatedAt: at })
        .where(
          and(
            eq(deals.installationId, installationId),
            inArray(deals.salesforceOpportunityId, [...gone.unlinkedSalesforceIds]),
          ),
        )
        .returning({ id: deals.id });
      dealIds.push(...rows.map((r) => r.id));
    }
    return { dealIds, partnerIds };
  }
  if (gone.archivedHubspotIds.length > 0) {
    const rows = await db
      .update(partners)
      .set({
        archivedAt: sql`coalesce(${partners.archivedAt}, ${at.toISOString()}::timestamptz)`,
        updatedAt: at,
      })
      .where(
        and(
          eq(partners.installationId, installationId),
          inArray(partners.hubspotCompanyId, [...gone.archivedHubspotIds]),
        ),
      )
      .returning({ id: partners.id });
    partnerIds.push(...rows.map((r) => r.id));
  }
  if (gone.unlinkedSalesforceIds.length > 0) {
    await db
      .update(partners)
      .set({ salesforceAccountId: null, updatedAt: at })
      .where(
        and(
          eq(partners.installationId, installationId),
          inArray(partners.salesforceAccountId, [...gone.unlinkedSalesforceIds]),
        ),
      );
  }
  return { dealIds, partnerIds };
}

/** Rows of restored records are live again; a reversal the deletion made is undone. */
async function restoreArchived(
  ctx: SyncContext,
  family: 'deal' | 'company',
  inputs: readonly ProjectionInput[],
): Promise<void> {
  const ids = inputs.flatMap((i) =>
    i.restored === true && i.hubspot !== undefined ? [i.hubspot.id] : [],
  );
  if (ids.length === 0) return;
  if (family === 'company') {
    await ctx.services.db
      .update(partners)
      .set({ archivedAt: null })
      .where(
        and(
          eq(partners.installationId, ctx.installationId),
          inArray(partners.hubspotCompanyId, ids),
        ),
      );
    return;
  }
  const byDeletion = sql`${deals.archivedAt} is not null and ${deals.reversalReason} = 'lost' and ${deals.stageCategory} = 'won' and ${deals.reversalOn} = greatest(${deals.closeDate}, (${deals.archivedAt} at time zone 'UTC')::date)`;
  await ctx.services.db
    .update(deals)
    .set({
      archivedAt: null,
      reversalReason: sql`case when ${byDeletion} then null else ${deals.reversalReason} end`,
      reversalOn: sql`case when ${byDeletion} then null else ${deals.reversalOn} end`,
    })
    .where(and(eq(deals.installationId, ctx.installationId), inArray(deals.hubspotDealId, ids)));
}
