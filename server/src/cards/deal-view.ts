import {
  type CommissionRule,
  checkRegistration,
  computeDealCommissions,
  createCommissionContext,
  type Deal,
  type FxTable,
  formatShare,
  type IsoDate,
  type LedgerLine,
  lineStatus,
  type PartnerCommission,
  type Program,
  type Registration,
  type RegistrationConflict,
  wasWon,
} from '@partnerbridge/shared';
import type {
  AttributionView,
  CommissionStatus,
  CommissionView,
  ConflictView,
  DealEffect,
  DealLedgerView,
  DealSummary,
  DealView,
  SyncStatusView,
} from '@partnerbridge/shared/api';
import { and, asc, desc, eq, isNull, ne, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { deadLetters } from '../db/schema/audit.ts';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { partners } from '../db/schema/partners.ts';
import { idLinks, localChanges } from '../db/schema/sync.ts';
import { AppError } from '../errors.ts';
import type { Installation } from '../installs/installations.ts';
import { dateOf } from './dates.ts';
import { asCustomerId, asDealId, asLineId, asPartnerId, asRegistrationId } from './ids.ts';
import { lineFromRow, linesOfDeals, paymentsOfLines } from './ledger-store.ts';
import { moneyView, toMoneyView } from './money-view.ts';
import { loadFxTable, loadProgram } from './program-store.ts';
import {
  customerKey,
  type DealRow,
  isCounted,
  type PartnerRow,
  type TagRow,
  toCoreDeal,
  toCorePartner,
  toCoreTag,
} from './projection.ts';
import { attributionModelLabel, fxView, rateFormatted, tagView } from './views.ts';

// The deal card's data: the deal as Partnerbridge holds it, its tags, and what the core computes
// from them (attribution, commission per partner with its explanation, conflicts), plus where the
// deal stands in each CRM.

export class DealNotSyncedError extends AppError {
  override name = 'DealNotSyncedError';
  constructor(hubspotDealId: string) {
    super(
      'deal_not_synced',
      `This deal has not synced into Partnerbridge yet (HubSpot deal ${hubspotDealId}). It appears within a few minutes of its creation or last change; if it does not, an admin can check sync health in Partnerbridge settings.`,
    );
  }
}

export type TaggedPartner = { readonly tag: TagRow; readonly partner: PartnerRow };

/** The installation's deal with this HubSpot id, or `deal_not_synced`. */
export async function findDealOrThrow(
  db: Executor,
  installationId: string,
  hubspotDealId: string,
  options: { forUpdate?: boolean } = {},
): Promise<DealRow> {
  const query = db
    .select()
    .from(deals)
    .where(and(eq(deals.installationId, installationId), eq(deals.hubspotDealId, hubspotDealId)));
  const [row] = await (options.forUpdate === true ? query.for('update') : query);
  if (row === undefined || row.archivedAt !== null) throw new DealNotSyncedError(hubspotDealId);
  return row;
}

/** The deal's live tags with their partners, in the order they were created. */
export async function liveTagsOf(
  db: Executor,
  installationId: string,
  dealId: string,
): Promise<TaggedPartner[]> {
  const rows = await db
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
        eq(partnerTags.dealId, dealId),
        isNull(partnerTags.removedAt),
      ),
    )
    .orderBy(asc(partnerTags.createdAt), asc(partnerTags.id));
  return rows;
}

export function dealSummary(row: DealRow): DealSummary {
  return {
    id: row.id,
    hubspotDealId: row.hubspotDealId,
    salesforceOpportunityId: row.salesforceOpportunityId,
    name: row.name,
    amount: moneyView(row.amountMinor, row.currency),
    projectValue:
      row.projectValueMinor === null ? null : moneyView(row.projectValueMinor, row.currency),
    stage: row.stageCategory,
    rawStage: row.stageId,
    closeDate: row.closeDate,
    createdOn: row.createdOn,
    dealType: row.dealType,
    probability: row.probability.startsWith('.') ? `0${row.probability}` : row.probability,
    contractMonths: row.contractMonths,
    reversal:
      row.reversalReason === null || row.reversalOn === null
        ? null
        : {
            reason: row.reversalReason as 'lost' | 'refunded' | 'churned',
            on: row.reversalOn,
          },
    customer: {
      name: row.customerName,
      hubspotCompanyId: row.customerHubspotCompanyId,
      salesforceAccountId: row.customerSalesforceAccountId,
    },
  };
}

type OtherRegistration = {
  readonly registration: Registration;
  readonly partner: PartnerRow;
  readonly hubspotDealId: string | null;
};

/**
 * Registrations that can conflict with a claim on this deal: other live, not rejected tags on
 * the deal itself or on another deal of the same customer.
 */
export async function registrationsAround(
  db: Executor,
  installationId: string,
  deal: DealRow,
): Promise<OtherRegistration[]> {
  const sameCustomer =
    deal.customerHubspotCompanyId !== null
      ? eq(deals.customerHubspotCompanyId, deal.customerHubspotCompanyId)
      : deal.customerSalesforceAccountId !== null
        ? eq(deals.customerSalesforceAccountId, deal.customerSalesforceAccountId)
        : undefined;
  const rows = await db
    .select({ tag: partnerTags, partner: partners, deal: deals })
    .from(partnerTags)
    .innerJoin(
      deals,
      and(eq(deals.installationId, partnerTags.installationId), eq(deals.id, partnerTags.dealId)),
    )
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
        isNull(partnerTags.removedAt),
        ne(partnerTags.registrationStatus, 'rejected'),
        sameCustomer === undefined
          ? eq(partnerTags.dealId, deal.id)
          : or(eq(partnerTags.dealId, deal.id), sameCustomer),
      ),
    );
  return rows.map((row) => ({
    registration: {
      id: asRegistrationId(row.tag.id),
      partnerId: asPartnerId(row.tag.partnerId),
      customerId: asCustomerId(customerKey(row.deal)),
      dealId: asDealId(row.deal.id),
      status: row.tag.registrationStatus,
      registeredOn: dateOf(row.tag.createdAt),
    },
    partner: row.partner,
    hubspotDealId: row.deal.hubspotDealId,
  }));
}

/** Conflicts a claim by `partner` on `deal` on day `on` meets, with names for the card. */
export function conflictsFor(input: {
  readonly tagId: string;
  readonly partner: PartnerRow;
  readonly deal: DealRow;
  readonly on: IsoDate;
  readonly others: readonly OtherRegistration[];
  readonly program: Program;
}): ConflictView[] {
  const { partner, deal, program } = input;
  const others = input.others.filter((other) => other.registration.id !== input.tagId);
  const checked = checkRegistration(
    {
      partnerId: asPartnerId(partner.id),
      customerId: asCustomerId(customerKey(deal)),
      dealId: asDealId(deal.id),
      on: input.on,
    },
    others.map((other) => other.registration),
    program.registration,
  );
  if (checked.success) return [];
  const byId = new Map(others.map((other) => [other.registration.id as string, other]));
  return checked.error.conflicts.flatMap((conflict: RegistrationConflict) => {
    const holder = byId.get(conflict.registrationId);
    if (holder === undefined) return [];
    const customer = deal.customerName ?? 'this customer';
    const reason =
      conflict.code === 'deal_registered'
        ? `${holder.partner.name} holds the registration of this deal until ${conflict.until}; ${partner.name}'s claim needs a partner manager's decision.`
        : `${customer} is protected for ${holder.partner.name} until ${conflict.until} (registered on ${holder.registration.registeredOn}${holder.hubspotDealId === null || holder.hubspotDealId === deal.hubspotDealId ? '' : ` with deal ${holder.hubspotDealId}`}); ${partner.name}'s claim needs a partner manager's decision.`;
    return [
      {
        tagId: input.tagId,
        partnerId: partner.id,
        partnerName: partner.name,
        code: conflict.code,
        holder: {
          partnerId: holder.partner.id,
          partnerName: holder.partner.name,
          tagId: holder.registration.id,
          hubspotDealId: holder.hubspotDealId,
        },
        until: conflict.until,
        reason,
      },
    ];
  });
}

function ruleNames(program: Program): Map<string, CommissionRule> {
  return new Map(program.rules.map((rule) => [`${rule.id}@${rule.version}`, rule]));
}

function ledgerView(
  lines: readonly LedgerLine[],
  paid: ReadonlyMap<string, string>,
  program: Program,
  asOf: IsoDate,
): DealLedgerView {
  const rules = ruleNames(program);
  const paidIds = new Set([...paid.keys()].map(asLineId));
  const totals = { pending: 0, payable: 0, paid: 0 };
  const currency = lines[0]?.amount.currency ?? program.currency;
  const views = lines.map((line) => {
    const status = lineStatus(line, paidIds, asOf);
    if (line.effectiveOn <= asOf) totals[status] += line.amount.amountMinor;
    const rule = rules.get(`${line.ruleId}@${line.ruleVersion}`);
    return {
      id: line.id,
      kind: line.kind,
      rule: { id: line.ruleId, version: line.ruleVersion, name: rule?.name ?? line.ruleId },
      period: line.period,
      periods: line.periods,
      effectiveOn: line.effectiveOn,
      payableOn: line.payableOn,
      amount: toMoneyView(line.amount),
      status,
      exportId: paid.get(line.id) ?? null,
      explanation: line.explanation,
    };
  });
  return {
    net: moneyView(totals.pending + totals.payable + totals.paid, currency),
    pending: moneyView(totals.pending, currency),
    payable: moneyView(totals.payable, currency),
    paid: moneyView(totals.paid, currency),
    lines: views,
  };
}

function statusOf(deal: Deal, ledger: DealLedgerView | null): CommissionStatus {
  if (!wasWon(deal)) return deal.stage === 'lost' && ledger === null ? 'lost' : 'preview';
  if (ledger === null) return 'not_accrued';
  if (deal.reversal !== undefined && ledger.net.amountMinor === 0) return 'lost';
  if (ledger.pending.amountMinor === 0 && ledger.payable.amountMinor === 0) return 'paid';
  return ledger.payable.amountMinor !== 0 ? 'payable' : 'pending';
}

function commissionView(
  commission: PartnerCommission,
  partnerName: string,
  status: CommissionStatus,
  ledger: DealLedgerView | null,
): CommissionView {
  const common = {
    partnerId: commission.partnerId,
    partnerName,
    credited: toMoneyView(commission.credited),
    status,
    ledger,
  };
  switch (commission.kind) {
    case 'commission': {
      const first = commission.installments[0];
      const baseMinor = commission.installments.reduce(
        (sum, part) => sum + part.base.amountMinor,
        0,
      );
      return {
        kind: 'commission',
        ...common,
        rule: { ...commission.rule },
        rate: commission.rate,
        rateFormatted: rateFormatted(commission.rate),
        base: moneyView(baseMinor, first?.base.currency ?? commission.credited.currency),
        fx: commission.fx === null ? null : fxView(commission.fx),
        total: toMoneyView(commission.total),
        capped: commission.capped,
        installments: commission.installments.map((installment) => ({
          period: installment.period,
          periods: installment.periods,
          earnedOn: installment.earnedOn,
          payableOn: installment.payableOn,
          amount: toMoneyView(installment.amount),
        })),
        explanation: commission.explanation,
      };
    }
    case 'no_commission':
      return {
        kind: 'no_commission',
        ...common,
        code: commission.code,
        explanation: commission.explanation,
      };
    case 'error':
      return {
        kind: 'error',
        ...common,
        code: commission.error.code,
        message: commission.error.message,
        rules:
          commission.error.code === 'ambiguous_rules'
            ? commission.error.rules.map((rule) => ({ ...rule }))
            : [],
      };
  }
}

/**
 * Attribution, commissions (preview, or the ledger's status once won) and open conflicts of a
 * deal's tags. Only counted tags (approved, live) take part in attribution.
 */
export async function computeEffect(
  db: Executor,
  input: {
    readonly installationId: string;
    readonly deal: DealRow;
    readonly tags: readonly TaggedPartner[];
    readonly program: Program;
    readonly fx: FxTable;
    readonly asOf: IsoDate;
  },
): Promise<DealEffect> {
  const { deal, tags, program, fx, asOf } = input;
  const modelLabel = attributionModelLabel(program.attribution.kind);
  const counted = tags.filter(({ tag }) => isCounted(tag));
  const pending = tags.filter(({ tag }) => tag.registrationStatus === 'pending');
  const names = new Map(tags.map(({ partner }) => [partner.id, partner.name]));
  const tagIds = new Map(counted.map(({ tag }) => [tag.partnerId, tag.id]));

  const others =
    pending.length === 0 ? [] : await registrationsAround(db, input.installationId, deal);
  const conflicts = pending.flatMap(({ tag, partner }) =>
    conflictsFor({ tagId: tag.id, partner, deal, on: dateOf(tag.createdAt), others, program }),
  );

  const converted = toCoreDeal(deal);
  if (!converted.success) {
    return {
      attribution: {
        status: 'error',
        model: program.attribution.kind,
        modelLabel,
        code: converted.error.code,
        message: converted.error.message,
      },
      commissions: [],
      conflicts,
    };
  }
  const coreDeal = converted.data;
  const lineRows = await linesOfDeals(db, input.installationId, [deal.id]);
  const payments = await paymentsOfLines(
    db,
    input.installationId,
    lineRows.map((row) => row.id),
  );
  const paid = new Map<string, string>(
    payments.map((payment) => [payment.lineId, payment.exportId]),
  );
  const linesByPartner = new Map<string, LedgerLine[]>();
  for (const row of lineRows) {
    const line = lineFromRow(row);
    linesByPartner.set(line.partnerId, [...(linesByPartner.get(line.partnerId) ?? []), line]);
  }
  const ledgerOf = (partnerId: string) => {
    const lines = linesByPartner.get(partnerId);
    return lines === undefined ? null : ledgerView(lines, paid, program, asOf);
  };

  const computed = computeDealCommissions(
    coreDeal,
    counted.map(({ tag }) => toCoreTag(tag)),
    createCommissionContext(
      program,
      counted.map(({ partner }) => toCorePartner(partner)),
      fx,
    ),
  );
  if (!computed.success) {
    return {
      attribution: {
        status: 'error',
        model: program.attribution.kind,
        modelLabel,
        code: computed.error.code,
        message: computed.error.message,
      },
      commissions: [],
      conflicts,
    };
  }
  const { attribution } = computed.data;
  const attributionView: AttributionView = {
    status: 'computed',
    model: attribution.model,
    modelLabel,
    amount: toMoneyView(attribution.amount),
    credits: attribution.credits.map((credit) => ({
      partnerId: credit.partnerId,
      partnerName: names.get(credit.partnerId) ?? credit.partnerId,
      tagId: tagIds.get(credit.partnerId) ?? credit.partnerId,
      role: credit.role,
      motion: credit.motion,
      touchedAt: new Date(credit.touchedAt).toISOString(),
      credited: toMoneyView(credit.credited),
      shareFormatted:
        attribution.amount.amountMinor === 0
          ? '0 %'
          : formatShare({
              num: BigInt(credit.credited.amountMinor),
              den: BigInt(attribution.amount.amountMinor),
            }),
      explanation: credit.explanation,
    })),
  };
  const commissions = computed.data.partners.map((commission) => {
    const ledger = ledgerOf(commission.partnerId);
    return commissionView(
      commission,
      names.get(commission.partnerId) ?? commission.partnerId,
      statusOf(coreDeal, ledger),
      ledger,
    );
  });
  return { attribution: attributionView, commissions, conflicts };
}

/** Where the deal stands in each CRM: link, last sync, pending pushes, unresolved failures. */
export async function syncStatusOf(
  db: Executor,
  installation: Installation,
  deal: DealRow,
): Promise<SyncStatusView[]> {
  const ids = [deal.id, deal.hubspotDealId, deal.salesforceOpportunityId].filter(
    (id): id is string => id !== null,
  );
  const [links, pendingRows, failures] = await Promise.all([
    db
      .select()
      .from(idLinks)
      .where(
        and(
          eq(idLinks.installationId, installation.id),
          eq(idLinks.objectKind, 'deal'),
          eq(idLinks.localId, deal.id),
        ),
      ),
    db
      .select({ count: sql<number>`count(*)::int` })
      .from(localChanges)
      .where(
        and(
          eq(localChanges.installationId, installation.id),
          eq(localChanges.objectKind, 'deal'),
          eq(localChanges.localId, deal.id),
          isNull(localChanges.processedAt),
        ),
      ),
    db
      .select()
      .from(deadLetters)
      .where(
        and(
          eq(deadLetters.installationId, installation.id),
          eq(deadLetters.status, 'open'),
          or(...ids.map((id) => sql`${deadLetters.payload}::text like ${`%"${id}"%`}`)),
        ),
      )
      .orderBy(desc(deadLetters.lastFailedAt))
      .limit(10),
  ]);
  const link = links[0];
  const pendingChanges = pendingRows[0]?.count ?? 0;
  const failureFor = (system: 'hubspot' | 'salesforce') => {
    const other = system === 'hubspot' ? 'salesforce' : 'hubspot';
    const failure = failures.find(
      (row) => !`${row.queue} ${row.jobName}`.toLowerCase().includes(other),
    );
    return failure === undefined
      ? null
      : {
          errorType: failure.errorType,
          reason: failure.reason,
          at: failure.lastFailedAt.toISOString(),
        };
  };
  const statusFor = (
    system: 'hubspot' | 'salesforce',
    recordId: string | null,
    lastSyncedAt: Date | null,
  ): SyncStatusView => {
    const lastError = failureFor(system);
    const connected = system === 'hubspot' || installation.salesforceOrgId !== null;
    return {
      system,
      status: !connected
        ? 'not_connected'
        : lastError !== null
          ? 'error'
          : recordId === null
            ? 'not_linked'
            : pendingChanges > 0
              ? 'pending'
              : 'synced',
      recordId,
      lastSyncedAt: lastSyncedAt?.toISOString() ?? null,
      pendingChanges: connected ? pendingChanges : 0,
      lastError,
    };
  };
  return [
    statusFor(
      'hubspot',
      deal.hubspotDealId ?? link?.hubspotId ?? null,
      deal.hubspotModifiedAt ?? link?.updatedAt ?? deal.updatedAt,
    ),
    statusFor(
      'salesforce',
      deal.salesforceOpportunityId ?? link?.salesforceId ?? null,
      deal.salesforceOpportunityId === null && (link?.salesforceId ?? null) === null
        ? null
        : (deal.salesforceModifiedAt ?? link?.updatedAt ?? null),
    ),
  ];
}

/** GET /api/v1/deals/:hubspotDealId */
export async function buildDealView(
  db: Executor,
  installation: Installation,
  hubspotDealId: string,
  asOf: IsoDate,
): Promise<DealView> {
  const deal = await findDealOrThrow(db, installation.id, hubspotDealId);
  const [{ program }, fx, tags] = await Promise.all([
    loadProgram(db, installation.id, asOf),
    loadFxTable(db, installation.id),
    liveTagsOf(db, installation.id, deal.id),
  ]);
  const [effect, sync] = await Promise.all([
    computeEffect(db, { installationId: installation.id, deal, tags, program, fx, asOf }),
    syncStatusOf(db, installation, deal),
  ]);
  return {
    asOf,
    program: {
      version: program.version,
      currency: program.currency,
      attributionModel: program.attribution.kind,
    },
    deal: dealSummary(deal),
    tags: tags.map(({ tag, partner }) => tagView(tag, partner, program, asOf)),
    ...effect,
    sync,
  };
}
