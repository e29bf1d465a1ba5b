import {
  type CommissionRule,
  type CurrencyCode,
  commissionRuleSchema,
  createFxTable,
  type Deal,
  dealSchema,
  defaultProgram,
  type FxRate,
  type FxTable,
  fxRatesSchema,
  type Money,
  money,
  type Partner,
  type PartnerTag,
  type Program,
  partnerIdSchema,
  partnerSchema,
  partnerTagSchema,
  programSchema,
  type Registration,
  registrationSchema,
} from '@partnerbridge/shared';
import type { z } from 'zod';

// Builders parse through the real schemas, so every test value is valid data and ids are branded.

export const usd = (dollars: number): Money => money(dollars * 100, 'USD');
export const eur = (euros: number): Money => money(euros * 100, 'EUR');
export const cents = (minor: number, currency: CurrencyCode = 'USD'): Money =>
  money(minor, currency);

export const partnerId = (id: string) => partnerIdSchema.parse(id);

export function aPartner(overrides: Partial<z.input<typeof partnerSchema>> = {}): Partner {
  return partnerSchema.parse({
    id: 'partner-1',
    name: 'Acme Partners',
    type: 'channel',
    subtype: 'reseller',
    joinedOn: '2024-01-01',
    certifiedSalespeople: 0,
    trainingLevel: 'none',
    strategicAgreementSigned: false,
    onboardingCompleted: [],
    tierHistory: [],
    belowTierSince: null,
    ...overrides,
  });
}

/** A partner holding `tier` since 2024-02-01. */
export function aPartnerAt(
  tier: string,
  overrides: Partial<z.input<typeof partnerSchema>> = {},
): Partner {
  return aPartner({ tierHistory: [{ tier, since: '2024-02-01' }], ...overrides });
}

export function aDeal(overrides: Partial<z.input<typeof dealSchema>> = {}): Deal {
  return dealSchema.parse({
    id: 'deal-1',
    name: 'Northwind renewal',
    customerId: 'customer-1',
    amount: usd(80_000),
    stage: 'won',
    rawStage: 'closedwon',
    probability: '1',
    createdOn: '2025-01-02',
    closeDate: '2025-03-01',
    dealType: 'new_business',
    ...overrides,
  });
}

export function aTag(overrides: Partial<z.input<typeof partnerTagSchema>> = {}): PartnerTag {
  return partnerTagSchema.parse({
    dealId: 'deal-1',
    partnerId: 'partner-1',
    role: 'sourced',
    motion: 'referral',
    touchedAt: '2025-01-10T09:00:00Z',
    ...overrides,
  });
}

export function aRule(
  overrides: Partial<z.input<typeof commissionRuleSchema>> = {},
): CommissionRule {
  return commissionRuleSchema.parse({
    id: 'rule-1',
    version: 1,
    name: 'Test rule',
    effectiveFrom: '2024-01-01',
    match: {},
    payout: { kind: 'percent', rate: '0.10' },
    base: 'credited_amount',
    schedule: { kind: 'one_time' },
    holdingDays: 30,
    clawbackDays: 90,
    ...overrides,
  });
}

/** The default program with some fields replaced, validated again. */
export function aProgram(overrides: Partial<z.input<typeof programSchema>> = {}): Program {
  return programSchema.parse({ ...defaultProgram, ...overrides });
}

export function aRegistration(
  overrides: Partial<z.input<typeof registrationSchema>> = {},
): Registration {
  return registrationSchema.parse({
    id: 'registration-1',
    partnerId: 'partner-1',
    customerId: 'customer-1',
    dealId: 'deal-1',
    status: 'approved',
    registeredOn: '2025-01-10',
    ...overrides,
  });
}

export function fxTable(rates: readonly Partial<FxRate>[] = []): FxTable {
  return createFxTable(fxRatesSchema.parse(rates));
}

export const noFx: FxTable = fxTable();
