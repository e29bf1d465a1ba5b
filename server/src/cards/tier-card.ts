import {
  addMonths,
  computePartnerActivity,
  creditedRevenue,
  type Deal,
  evaluateTier,
  type FxTable,
  formatRate,
  type IsoDate,
  isWonRevenueOn,
  onboardingStatus,
  type PartnerActivity,
  type Program,
  type RequirementProgress,
  type TierEvaluation,
  toFixedDecimal,
} from '@partnerbridge/shared';
import type {
  CustomerTierCard,
  PartnerTierCard,
  RequirementView,
  TierCard,
} from '@partnerbridge/shared/api';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../db/database.ts';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { ledgerLines, ledgerPayments } from '../db/schema/ledger.ts';
import { partners } from '../db/schema/partners.ts';
import { asPartnerId } from './ids.ts';
import { moneyView, toMoneyView } from './money-view.ts';
import { loadFxTable, loadProgram } from './program-store.ts';
import {
  type CoreDealFields,
  type CoreTagFields,
  type DealRow,
  type PartnerRow,
  type TagRow,
  toCoreDeal,
  toCorePartner,
  toCoreTag,
} from './projection.ts';
import { reconstructTierHistory } from './tier-evaluation.ts';
import { partnerRef, tierNameOf } from './views.ts';

// The company card: for a partner, its tier, what it takes to reach the next one, revenue, growth,
// customers, commissions and onboarding; for a customer, the partners credited on its deals.

const empty: PartnerActivity = { won: [], pipeline: [] };

function requirementView(progress: RequirementProgress): RequirementView {
  switch (progress.kind) {
    case 'trailing_revenue':
      return {
        kind: 'trailing_revenue',
        label: progress.label,
        met: progress.met,
        current: toMoneyView(progress.current),
        required: toMoneyView(progress.required),
        gap: toMoneyView(progress.gap),
      };
    case 'certified_salespeople':
    case 'customers':
    case 'training':
    case 'strategic_agreement':
      return { ...progress } as RequirementView;
  }
}

function changeView(
  evaluation: TierEvaluation,
  program: Program,
): PartnerTierCard['tier']['change'] {
  const { change } = evaluation;
  switch (change.kind) {
    case 'unchanged':
      return { kind: 'unchanged' };
    case 'promoted':
    case 'demoted':
      return { kind: change.kind, from: change.from, fromName: tierNameOf(program, change.from) };
    case 'held_in_grace':
      return {
        kind: 'held_in_grace',
        qualifiesFor: change.qualifiesFor,
        qualifiesForName: tierNameOf(program, change.qualifiesFor),
        until: change.until,
      };
  }
}

/** Revenue credited in the window of `months` ending on `end` (program currency). */
function windowRevenue(activity: PartnerActivity, end: IsoDate, months: number): number {
  const start = addMonths(end, -months);
  let total = 0;
  for (const win of activity.won)
    if (win.on > start && win.on <= end) total += win.credited.amountMinor;
  return total;
}

/** Earned, pending, payable and paid for one partner, summed by the database. */
async function commissionTotals(
  db: Executor,
  installationId: string,
  partnerId: string,
  currency: string,
  asOf: IsoDate,
) {
  const paid = sql`${ledgerPayments.lineId} is not null and ${ledgerPayments.paidOn} <= ${asOf}`;
  const [row] = await db
    .select({
      paid: sql<string>`coalesce(sum(${ledgerLines.amountMinor}) filter (where ${paid}), 0)`,
      payable: sql<string>`coalesce(sum(${ledgerLines.amountMinor}) filter (where not (${paid}) and ${ledgerLines.payableOn} <= ${asOf}), 0)`,
      pending: sql<string>`coalesce(sum(${ledgerLines.amountMinor}) filter (where not (${paid}) and ${ledgerLines.payableOn} > ${asOf}), 0)`,
    })
    .from(ledgerLines)
    .leftJoin(
      ledgerPayments,
      and(
        eq(ledgerPayments.installationId, ledgerLines.installationId),
        eq(ledgerPayments.lineId, ledgerLines.id),
      ),
    )
    .where(
      and(
        eq(ledgerLines.installationId, installationId),
        eq(ledgerLines.partnerId, partnerId),
        eq(ledgerLines.currency, currency),
        sql`${ledgerLines.effectiveOn} <= ${asOf}`,
      ),
    );
  const paidMinor = Number(row?.paid ?? 0);
  const payable = Number(row?.payable ?? 0);
  const pending = Number(row?.pending ?? 0);
  return {
    earned: moneyView(paidMinor + payable + pending, currency),
    pending: moneyView(pending, currency),
    payable: moneyView(payable, currency),
    paid: moneyView(paidMinor, currency),
  };
}

type BookDeal = [
  id: string,
  name: string,
  amountMinor: number,
  currency: string,
  projectValueMinor: number | null,
  stageCategory: DealRow['stageCategory'],
  stageId: string | null,
  probability: string,
  createdOn: string,
  closeDate: string,
  dealType: string,
  contractMonths: number | null,
  reversalReason: string | null,
  reversalOn: string | null,
  customerHubspotCompanyId: string | null,
  customerSalesforceAccountId: string | null,
];

type BookTag = [
  dealId: string,
  partnerId: string,
  role: TagRow['role'],
  motion: TagRow['motion'],
  touchedAt: string,
  share: string | null,
];

/**
 * The partner's deals (where its tag counts) and every counted tag on them (attribution needs
 * all): two queries, run together, each starting from the partner's tags (an index range) and
 * answering one JSON document, so 10,000 deals cost no per-row decoding.
 */
async function partnerBook(
  db: Executor,
  installationId: string,
  partnerId: string,
): Promise<{ dealRows: CoreDealFields[]; tagRows: CoreTagFields[] }> {
  const mine = sql`t.installation_id = ${installationId} and t.partner_id = ${partnerId} and t.removed_at is null and t.registration_status = 'approved'`;
  const [dealJson, tagJson] = await Promise.all([
    queryRows<{ book: string | null }>(
      db,
      sql`select json_agg(json_build_array(
            d.id, d.name, d.amount_minor, d.currency, d.project_value_minor, d.stage_category,
            d.stage_id, d.probability::text, d.created_on, d.close_date, d.deal_type,
            d.contract_months, d.reversal_reason, d.reversal_on, d.customer_hubspot_company_id,
            d.customer_salesforce_account_id))::text as book
          from ${partnerTags} t
          join ${deals} d on d.installation_id = t.installation_id and d.id = t.deal_id
           and d.archived_at is null
         where ${mine}`,
    ),
    queryRows<{ book: string | null }>(
      db,
      sql`select json_agg(json_build_array(
            o.deal_id, o.partner_id, o.role, o.motion, o.touched_at, o.share::text))::text as book
          from ${partnerTags} t
          join ${partnerTags} o on o.installation_id = t.installation_id and o.deal_id = t.deal_id
           and o.removed_at is null and o.registration_status = 'approved'
         where ${mine}`,
    ),
  ]);
  const dealRows = (JSON.parse(dealJson[0]?.book ?? '[]') as BookDeal[]).map(
    (row): CoreDealFields => ({
      id: row[0],
      name: row[1],
      amountMinor: Number(row[2]),
      currency: row[3],
      projectValueMinor: row[4] === null ? null : Number(row[4]),
      stageCategory: row[5],
      stageId: row[6],
      probability: row[7],
      createdOn: row[8],
      closeDate: row[9],
      dealType: row[10],
      contractMonths: row[11],
      reversalReason: row[12],
      reversalOn: row[13],
      customerHubspotCompanyId: row[14],
      customerSalesforceAccountId: row[15],
    }),
  );
  const tagRows = (JSON.parse(tagJson[0]?.book ?? '[]') as BookTag[]).map(
    ([dealId, tagPartnerId, role, motion, touchedAt, share]): CoreTagFields => ({
      dealId,
      partnerId: tagPartnerId,
      role,
      motion,
      touchedAt: new Date(touchedAt),
      taggedBy: '',
      share,
    }),
  );
  return { dealRows, tagRows };
}

function coreDealsOf(rows: readonly CoreDealFields[], issues: string[]): Deal[] {
  return rows.flatMap((row) => {
    const converted = toCoreDeal(row);
    if (converted.success) return [converted.data];
    issues.push(`${row.name}: ${converted.error.message}`);
    return [];
  });
}

async function partnerCard(
  db: Executor,
  input: {
    installationId: string;
    partner: PartnerRow;
    program: Program;
    fx: FxTable;
    asOf: IsoDate;
  },
): Promise<PartnerTierCard> {
  const { installationId, partner, program, fx, asOf } = input;
  const [{ dealRows, tagRows }, commissions] = await Promise.all([
    partnerBook(db, installationId, partner.id),
    commissionTotals(db, installationId, partner.id, program.currency, asOf),
  ]);
  const issues: string[] = [];
  const names = new Map(dealRows.map((row) => [row.id, row.name]));
  const computed = computePartnerActivity({
    deals: coreDealsOf(dealRows, issues),
    tags: tagRows.map(toCoreTag),
    program,
    fx,
    asOf,
  });
  for (const issue of computed.issues) {
    issues.push(`${names.get(issue.dealId) ?? issue.dealId}: ${issue.error.message}`);
  }
  const activity = computed.activity.get(asPartnerId(partner.id)) ?? empty;
  const stored = toCorePartner(partner);
  // Never evaluated yet: show what the first evaluation will store (see reconstructTierHistory).
  const core =
    stored.tierHistory.length === 0 && stored.belowTierSince === null
      ? reconstructTierHistory({ program, partner: stored, activity, asOf })
      : stored;
  const evaluation = evaluateTier({ program, partner: core, activity, asOf });
  const months = program.tierPolicy.revenueWindowMonths;
  const trailing = evaluation.facts.trailingRevenue.amountMinor;
  const previous = windowRevenue(activity, addMonths(asOf, -months), months);
  const growth =
    previous === 0 ? null : { num: BigInt(trailing - previous), den: BigInt(previous) };
  const { forecast } = evaluation;
  return {
    kind: 'partner',
    asOf,
    programVersion: program.version,
    partner: {
      ...partnerRef({ ...partner, tier: evaluation.tier }, program),
      joinedOn: partner.joinedOn,
    },
    tier: {
      id: evaluation.tier,
      name: evaluation.tierName,
      since: evaluation.since,
      qualifiedTier: evaluation.qualifiedTier,
      qualifiedTierName: tierNameOf(program, evaluation.qualifiedTier),
      change: changeView(evaluation, program),
    },
    benefits: evaluation.benefits === null ? null : { ...evaluation.benefits },
    progress:
      evaluation.progress === null
        ? null
        : {
            tier: evaluation.progress.tier,
            tierName: evaluation.progress.tierName,
            goal: evaluation.progress.goal,
            requirements: evaluation.progress.requirements.map(requirementView),
          },
    forecast:
      forecast.kind === 'reachable'
        ? {
            kind: 'reachable',
            tier: forecast.tier,
            tierName: tierNameOf(program, forecast.tier),
            expectedOn: forecast.expectedOn,
            projectedRevenue: toMoneyView(forecast.projectedRevenue),
            projectedCustomers: forecast.projectedCustomers,
          }
        : { kind: 'unreachable', code: forecast.code, reason: forecast.reason },
    revenue: {
      trailing: moneyView(trailing, program.currency),
      previousTrailing: moneyView(previous, program.currency),
      growth: growth === null ? null : toFixedDecimal(growth, 4),
      growthFormatted: growth === null ? null : formatRate(growth, 1),
      windowMonths: months,
    },
    customers: evaluation.facts.customers,
    commissions,
    onboarding: onboardingStatus(core, program.onboarding, asOf) as PartnerTierCard['onboarding'],
    issues,
  };
}

async function customerCard(
  db: Executor,
  input: {
    installationId: string;
    hubspotCompanyId: string;
    dealRows: readonly DealRow[];
    program: Program;
    fx: FxTable;
    asOf: IsoDate;
  },
): Promise<CustomerTierCard> {
  const { installationId, dealRows, program, fx, asOf } = input;
  const ids = dealRows.map((row) => row.id);
  const rows =
    ids.length === 0
      ? []
      : await db
          .select({ tag: partnerTags, partner: partners })
          .from(partnerTags)
          .innerJoin(
            partners,
            and(
              eq(partners.installationId, partnerTags.installationId),
              eq(partners.id, partnerTags.partnerId),
            ),
          )
          .where(
            and(
              eq(partnerTags.installationId, installationId),
              inArray(partnerTags.dealId, ids),
              isNull(partnerTags.removedAt),
              eq(partnerTags.registrationStatus, 'approved'),
            ),
          );
  const tagsByDeal = new Map<string, TagRow[]>();
  const partnerById = new Map<string, PartnerRow>();
  for (const { tag, partner } of rows) {
    tagsByDeal.set(tag.dealId, [...(tagsByDeal.get(tag.dealId) ?? []), tag]);
    partnerById.set(partner.id, partner);
  }
  const issues: string[] = [];
  const totals = new Map<string, { won: number; credited: number; open: number }>();
  const entry = (partnerId: string) => {
    const found = totals.get(partnerId) ?? { won: 0, credited: 0, open: 0 };
    totals.set(partnerId, found);
    return found;
  };
  const counts = { won: 0, open: 0, lost: 0 };
  for (const row of dealRows) {
    const converted = toCoreDeal(row);
    if (!converted.success) {
      issues.push(`${row.name}: ${converted.error.message}`);
      continue;
    }
    const deal = converted.data;
    const tags = tagsByDeal.get(row.id) ?? [];
    if (isWonRevenueOn(deal, asOf)) {
      counts.won += 1;
      const revenue = creditedRevenue(
        deal,
        tags.map(toCoreTag),
        program.attribution,
        program.currency,
        fx,
      );
      if (!revenue.success) {
        issues.push(`${row.name}: ${revenue.error.message}`);
        continue;
      }
      for (const credit of revenue.data.credits) {
        const found = entry(credit.partnerId);
        found.won += 1;
        found.credited += credit.credited.amountMinor;
      }
    } else if (deal.stage === 'open') {
      counts.open += 1;
      for (const tag of tags) entry(tag.partnerId).open += 1;
    } else {
      counts.lost += 1;
    }
  }
  const partnerRows = [...totals.entries()].flatMap(([partnerId, total]) => {
    const partner = partnerById.get(partnerId);
    return partner === undefined ? [] : [{ partner, total }];
  });
  partnerRows.sort(
    (a, b) => b.total.credited - a.total.credited || a.partner.name.localeCompare(b.partner.name),
  );
  return {
    kind: 'customer',
    asOf,
    company: {
      hubspotCompanyId: input.hubspotCompanyId,
      name: dealRows.find((row) => row.customerName !== null)?.customerName ?? null,
    },
    deals: counts,
    partners: partnerRows.map(({ partner, total }) => ({
      partner: partnerRef(partner, program),
      wonDeals: total.won,
      credited: moneyView(total.credited, program.currency),
      openDeals: total.open,
    })),
    totalCredited: moneyView(
      partnerRows.reduce((sum, { total }) => sum + total.credited, 0),
      program.currency,
    ),
    issues,
  };
}

/** GET /api/v1/companies/:hubspotCompanyId/tier-card */
export async function buildTierCard(
  db: Executor,
  installationId: string,
  hubspotCompanyId: string,
  asOf: IsoDate,
): Promise<TierCard> {
  const [partner] = await db
    .select()
    .from(partners)
    .where(
      and(
        eq(partners.installationId, installationId),
        eq(partners.hubspotCompanyId, hubspotCompanyId),
        isNull(partners.archivedAt),
      ),
    );
  const customerDeals =
    partner === undefined
      ? await db
          .select()
          .from(deals)
          .where(
            and(
              eq(deals.installationId, installationId),
              eq(deals.customerHubspotCompanyId, hubspotCompanyId),
              isNull(deals.archivedAt),
            ),
          )
      : [];
  if (partner === undefined && customerDeals.length === 0) {
    return {
      kind: 'empty',
      hubspotCompanyId,
      message:
        'This company is not a partner and has no deals in Partnerbridge yet. Mark it as a partner (Is a partner) to give it a tier card; deals appear here once they sync.',
    };
  }
  const [{ program }, fx] = await Promise.all([
    loadProgram(db, installationId, asOf),
    loadFxTable(db, installationId),
  ]);
  return partner === undefined
    ? customerCard(db, {
        installationId,
        hubspotCompanyId,
        dealRows: customerDeals,
        program,
        fx,
        asOf,
      })
    : partnerCard(db, { installationId, partner, program, fx, asOf });
}
