import {
  type ApiError,
  type CommissionView,
  type ConflictView,
  type CreditView,
  type DealView,
  dealViewSchema,
  type MeView,
  type MoneyView,
  meViewSchema,
  type PartnerRef,
  type PartnerSearchResult,
  type PartnerTierCard,
  partnerSearchResultSchema,
  partnerTierCardSchema,
  type TagMutationResponse,
  type TagView,
  type TierCard,
  tagMutationResponseSchema,
  tierCardSchema,
} from '@partnerbridge/shared/api';

// Contract-typed builders for the card tests: every fixture is typed by the shared contract and
// parsed by its schema when built, so a test cannot answer with something the server never could.
// Values follow real answers of the server (asOf 2026-03-10, default program).

let counter = 0;
/** A fresh valid UUID (v4 shape) per call, readable in failures. */
export function anId(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}

export function usd(amountMinor: number): MoneyView {
  const sign = amountMinor < 0 ? '-' : '';
  const major = Math.abs(amountMinor) / 100;
  return {
    amountMinor,
    currency: 'USD',
    formatted: `${sign}$${major.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
  };
}

export function aPartnerRef(name: string, overrides: Partial<PartnerRef> = {}): PartnerRef {
  return {
    id: anId(),
    name,
    type: 'channel',
    subtype: 'reseller',
    tier: 'bronze',
    tierName: 'Bronze',
    hubspotCompanyId: String(7_000_000 + counter),
    ...overrides,
  };
}

export function aTag(partner: PartnerRef, overrides: Partial<TagView> = {}): TagView {
  return {
    id: anId(),
    partner,
    role: 'sourced',
    motion: 'co_sell',
    share: null,
    touchedAt: '2026-03-10T12:00:00.000Z',
    taggedBy: 'rep@example.com',
    source: 'hubspot_card',
    counted: true,
    registration: {
      status: 'approved',
      registeredOn: '2026-03-10',
      protectedUntil: '2026-06-07',
      expired: false,
      decidedBy: null,
      decidedAt: null,
      note: null,
    },
    createdAt: '2026-03-10T12:00:00.000Z',
    updatedAt: '2026-03-10T12:00:00.000Z',
    removedAt: null,
    ...overrides,
  };
}

export function pendingRegistration(): TagView['registration'] {
  return {
    status: 'pending',
    registeredOn: '2026-03-10',
    protectedUntil: '2026-06-07',
    expired: false,
    decidedBy: null,
    decidedAt: null,
    note: null,
  };
}

export function aCredit(tag: TagView, amountMinor: number, share = '100 %'): CreditView {
  return {
    partnerId: tag.partner.id,
    partnerName: tag.partner.name,
    tagId: tag.id,
    role: tag.role,
    motion: tag.motion,
    touchedAt: tag.touchedAt,
    credited: usd(amountMinor),
    shareFormatted: share,
    explanation: `${share} of $80,000.00 (sourced: takes all)`,
  };
}

export function aCommission(tag: TagView, amountMinor = 8_000_000): CommissionView {
  return {
    kind: 'commission',
    partnerId: tag.partner.id,
    partnerName: tag.partner.name,
    credited: usd(amountMinor),
    status: 'preview',
    ledger: null,
    rule: { id: 'co-sell-share', version: 1, name: 'Co-sell revenue share' },
    rate: '0.2',
    rateFormatted: '20 %',
    base: usd(amountMinor),
    fx: null,
    total: usd(amountMinor / 5),
    capped: false,
    installments: [],
    explanation: `Co-sell revenue share v1: 20 % of ${usd(amountMinor).formatted} credited = ${usd(amountMinor / 5).formatted}`,
  };
}

export function aConflict(pending: TagView, holder: TagView): ConflictView {
  return {
    tagId: pending.id,
    partnerId: pending.partner.id,
    partnerName: pending.partner.name,
    code: 'customer_protected',
    holder: {
      partnerId: holder.partner.id,
      partnerName: holder.partner.name,
      tagId: holder.id,
      hubspotDealId: '777',
    },
    until: '2026-06-07',
    reason: `Northwind is protected for ${holder.partner.name} until 2026-06-07 (registered on 2026-03-10 with deal 777); ${pending.partner.name}'s claim needs a partner manager's decision.`,
  };
}

/** A deal view computed from its tags: counted sourced tags take all (default model). */
export function aDealView(
  options: {
    tags?: TagView[];
    conflicts?: ConflictView[];
    commissions?: CommissionView[];
    hubspotDealId?: string;
  } = {},
): DealView {
  const tags = options.tags ?? [];
  const counted = tags.filter((tag) => tag.counted);
  return dealViewSchema.parse({
    asOf: '2026-03-10',
    program: { version: 1, currency: 'USD', attributionModel: 'sourced_takes_all' },
    deal: {
      id: anId(),
      hubspotDealId: options.hubspotDealId ?? '42',
      salesforceOpportunityId: '006000000000001AAA',
      name: 'Northwind platform',
      amount: usd(8_000_000),
      projectValue: null,
      stage: 'open',
      rawStage: 'contractsent',
      closeDate: '2026-04-30',
      createdOn: '2026-01-02',
      dealType: 'newbusiness',
      probability: '0.9',
      contractMonths: null,
      reversal: null,
      customer: { name: 'Northwind', hubspotCompanyId: '5550001', salesforceAccountId: null },
    },
    tags,
    attribution: {
      status: 'computed',
      model: 'sourced_takes_all',
      modelLabel: 'Sourced takes all (influence is recorded)',
      amount: usd(8_000_000),
      credits: counted.map((tag) => aCredit(tag, 8_000_000)),
    },
    commissions: options.commissions ?? counted.map((tag) => aCommission(tag)),
    conflicts: options.conflicts ?? [],
    sync: [
      {
        system: 'hubspot',
        status: 'synced',
        recordId: options.hubspotDealId ?? '42',
        lastSyncedAt: '2026-03-10T11:59:00.000Z',
        pendingChanges: 0,
        lastError: null,
      },
      {
        system: 'salesforce',
        status: 'error',
        recordId: '006000000000001AAA',
        lastSyncedAt: '2026-03-09T08:00:00.000Z',
        pendingChanges: 1,
        lastError: {
          errorType: 'validation',
          reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Close date cannot be in the past',
          at: '2026-03-10T11:00:00.000Z',
        },
      },
    ],
  });
}

/** The server's answer to a tag mutation on `view`, whose effect is recomputed from `tags`. */
export function aMutation(
  tag: TagView,
  tags: TagView[],
  options: {
    outcome?: TagMutationResponse['outcome'];
    message?: string;
    conflicts?: ConflictView[];
  } = {},
): TagMutationResponse {
  const next = aDealView({ tags, ...(options.conflicts ? { conflicts: options.conflicts } : {}) });
  return tagMutationResponseSchema.parse({
    tag,
    outcome: options.outcome ?? 'approved',
    message: options.message ?? `Tagged ${tag.partner.name} as ${tag.role} (${tag.motion}).`,
    conflicts: options.outcome === 'pending_review' ? (options.conflicts ?? []) : [],
    effect: {
      attribution: next.attribution,
      commissions: next.commissions,
      conflicts: next.conflicts,
    },
  });
}

export function aSearchResult(partners: PartnerRef[]): PartnerSearchResult {
  return partnerSearchResultSchema.parse({ partners, nextCursor: null });
}

export function aMe(role: MeView['role'] = 'member'): MeView {
  return meViewSchema.parse({
    portalId: '123',
    userId: '1',
    role,
    reason:
      role === 'member' ? 'no Partnerbridge role was granted' : 'granted by admin@example.com',
  });
}

export function anApiError(
  code: string,
  message: string,
  issues: ApiError['error']['issues'] = [],
): ApiError {
  return { error: { code, message, ...(issues.length === 0 ? {} : { issues }) } };
}

export function aPartnerTierCard(overrides: Partial<PartnerTierCard> = {}): PartnerTierCard {
  const partner = aPartnerRef('Acme Resellers', { hubspotCompanyId: '7000001' });
  return partnerTierCardSchema.parse({
    kind: 'partner',
    asOf: '2026-03-10',
    programVersion: 1,
    partner: { ...partner, joinedOn: '2025-01-01' },
    tier: {
      id: 'bronze',
      name: 'Bronze',
      since: '2025-01-01',
      qualifiedTier: 'bronze',
      qualifiedTierName: 'Bronze',
      change: { kind: 'unchanged' },
    },
    benefits: {
      support: ['Basic support'],
      businessReview: 'quarterly',
      perks: ['Partner portal access', 'Co-marketing materials'],
    },
    progress: {
      tier: 'silver',
      tierName: 'Silver',
      goal: 'reach',
      requirements: [
        {
          kind: 'certified_salespeople',
          label: 'Certified salespeople',
          met: true,
          current: 2,
          required: 2,
          gap: 0,
        },
        { kind: 'customers', label: 'Customers', met: false, current: 7, required: 15, gap: 8 },
        {
          kind: 'trailing_revenue',
          label: 'Trailing revenue',
          met: false,
          current: usd(4_000_000),
          required: usd(5_000_000),
          gap: usd(1_000_000),
        },
        {
          kind: 'training',
          label: 'Training',
          met: true,
          current: 'advanced',
          required: 'advanced',
          gap: 0,
        },
      ],
    },
    forecast: {
      kind: 'reachable',
      tier: 'silver',
      tierName: 'Silver',
      expectedOn: '2026-09-30',
      projectedRevenue: usd(5_500_000),
      projectedCustomers: '15.40',
    },
    revenue: {
      trailing: usd(4_000_000),
      previousTrailing: usd(2_000_000),
      growth: '1.0000',
      growthFormatted: '100 %',
      windowMonths: 12,
    },
    customers: 7,
    commissions: {
      earned: usd(600_000),
      pending: usd(200_000),
      payable: usd(150_000),
      paid: usd(250_000),
    },
    onboarding: {
      week: 6,
      currentPhase: { id: 'launch', label: 'Launch' },
      pace: 'on_track',
      remaining: [
        { id: 'first_deal', label: 'First co-sold deal registered' },
        { id: 'launch_review', label: 'Launch review' },
      ],
      phases: [
        { id: 'qualification', label: 'Qualification', done: 5, total: 5 },
        { id: 'onboarding', label: 'Onboarding', done: 5, total: 5 },
        { id: 'launch', label: 'Launch', done: 3, total: 5 },
      ],
    },
    issues: [],
    ...overrides,
  });
}

export function aCustomerTierCard(): TierCard {
  return tierCardSchema.parse({
    kind: 'customer',
    asOf: '2026-03-10',
    company: { hubspotCompanyId: '5550001', name: 'Northwind' },
    deals: { won: 3, open: 1, lost: 1 },
    partners: [
      {
        partner: aPartnerRef('Acme Resellers'),
        wonDeals: 2,
        credited: usd(6_000_000),
        openDeals: 1,
      },
      {
        partner: aPartnerRef('Beta CRM', { type: 'technology', subtype: 'crm' }),
        wonDeals: 1,
        credited: usd(1_500_000),
        openDeals: 0,
      },
    ],
    totalCredited: usd(7_500_000),
    issues: [],
  });
}

export function anEmptyTierCard(): TierCard {
  return tierCardSchema.parse({
    kind: 'empty',
    hubspotCompanyId: '123',
    message: 'This company is neither a partner nor a customer with deals Partnerbridge knows.',
  });
}
