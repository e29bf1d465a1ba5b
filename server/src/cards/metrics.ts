import {
  addDays,
  computeProgramMetrics,
  daysBetween,
  type IsoDate,
  type Money,
} from '@partnerbridge/shared';
import type { ProgramMetricsView } from '@partnerbridge/shared/api';
import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { ledgerLines } from '../db/schema/ledger.ts';
import { partners } from '../db/schema/partners.ts';
import { UnprocessableError } from '../errors.ts';
import { lineFromRow } from './ledger-store.ts';
import { toMoneyView } from './money-view.ts';
import { loadFxTable, loadProgram } from './program-store.ts';
import { toCoreDeal, toCorePartner, toCoreTag } from './projection.ts';
import { partnerRef } from './views.ts';

// Program metrics for a period (and the period of the same length before it): the core computes
// them from deals, tags and the ledger; this loads the data and names the partners.

export async function programMetrics(
  db: Executor,
  installationId: string,
  query: { from: IsoDate; to: IsoDate; programCostMinor: number },
  asOf: IsoDate,
): Promise<ProgramMetricsView> {
  const [{ program }, fx, partnerRows, dealRows, tagRows, lineRows] = await Promise.all([
    loadProgram(db, installationId, asOf),
    loadFxTable(db, installationId),
    db
      .select()
      .from(partners)
      .where(and(eq(partners.installationId, installationId), isNull(partners.archivedAt))),
    db
      .select()
      .from(deals)
      .where(and(eq(deals.installationId, installationId), isNull(deals.archivedAt))),
    db
      .select()
      .from(partnerTags)
      .where(
        and(
          eq(partnerTags.installationId, installationId),
          isNull(partnerTags.removedAt),
          eq(partnerTags.registrationStatus, 'approved'),
        ),
      ),
    db.select().from(ledgerLines).where(eq(ledgerLines.installationId, installationId)),
  ]);
  const length = daysBetween(query.from, query.to) + 1;
  const previousPeriod = { from: addDays(query.from, -length), to: addDays(query.from, -1) };
  const programCost: Money = { amountMinor: query.programCostMinor, currency: program.currency };
  const computed = computeProgramMetrics({
    program,
    partners: partnerRows.map(toCorePartner),
    deals: dealRows.flatMap((row) => {
      const converted = toCoreDeal(row);
      return converted.success ? [converted.data] : [];
    }),
    tags: tagRows.map(toCoreTag),
    fx,
    ledger: lineRows.map(lineFromRow),
    period: { from: query.from, to: query.to },
    previousPeriod,
    programCost,
  });
  if (!computed.success) throw new UnprocessableError(computed.error.message);
  const metrics = computed.data;
  const partnerById = new Map(partnerRows.map((row) => [row.id, row]));
  const dealById = new Map(dealRows.map((row) => [row.id, row]));
  const money = (amount: Money | null) => (amount === null ? null : toMoneyView(amount));
  return {
    period: { from: query.from, to: query.to },
    previousPeriod,
    currency: program.currency,
    partnerRevenue: toMoneyView(metrics.partnerRevenue),
    previousPartnerRevenue: toMoneyView(
      metrics.previousPartnerRevenue ?? { amountMinor: 0, currency: program.currency },
    ),
    growth: metrics.growth,
    totalRevenue: toMoneyView(metrics.totalRevenue),
    contribution: metrics.contribution,
    activePartners: metrics.activePartners,
    activePartnersByType: { ...metrics.activePartnersByType },
    revenuePerPartner: money(metrics.revenuePerPartner),
    commissions: toMoneyView(metrics.commissions),
    programCost: toMoneyView(metrics.programCost),
    roi: metrics.roi,
    retention: metrics.retention,
    customersAcquired: metrics.customersAcquired,
    acquiredCustomersLtv: toMoneyView(metrics.acquiredCustomersLtv),
    averageLtv: money(metrics.averageLtv),
    partners: metrics.partners.flatMap((entry) => {
      const row = partnerById.get(entry.partnerId);
      return row === undefined
        ? []
        : [
            {
              partner: partnerRef(row, program),
              revenue: toMoneyView(entry.revenue),
              previousRevenue: money(entry.previousRevenue),
              growth: entry.growth,
              contribution: entry.contribution,
              commissions: toMoneyView(entry.commissions),
              roi: entry.roi,
              active: entry.active,
              customersAcquired: entry.customersAcquired,
              acquiredCustomersLtv: toMoneyView(entry.acquiredCustomersLtv),
            },
          ];
    }),
    targets: metrics.targets.map((target) => ({
      quarter: target.quarter,
      from: target.from,
      to: target.to,
      partnerRevenue:
        target.partnerRevenue === null
          ? null
          : {
              target: toMoneyView(target.partnerRevenue.target),
              actual: toMoneyView(target.partnerRevenue.actual),
              progress: target.partnerRevenue.progress,
              met: target.partnerRevenue.met,
            },
      partnersByType: target.partnersByType.map((entry) => ({ ...entry })),
      newPartners: target.newPartners === null ? null : { ...target.newPartners },
    })),
    issues: metrics.issues.map((issue) => {
      const deal = dealById.get(issue.dealId);
      return {
        dealId: issue.dealId,
        hubspotDealId: deal?.hubspotDealId ?? null,
        dealName: deal?.name ?? issue.dealId,
        partnerId: null,
        partnerName: null,
        code: issue.error.code,
        message: issue.error.message,
      };
    }),
  };
}
