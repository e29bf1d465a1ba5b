import {
  computeProgramMetrics,
  defaultProgram,
  periodSchema,
  reconcileLedger,
} from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { aDeal, aPartner, aPartnerAt, aTag, eur, noFx, usd } from './builders.ts';

const partners = [
  aPartnerAt('gold', { id: 'partner-a' }),
  aPartner({ id: 'partner-b', type: 'technology', subtype: 'analytics', joinedOn: '2025-04-15' }),
  aPartner({ id: 'partner-c', type: 'content', subtype: 'podcast' }),
];
const q1 = { from: '2025-01-01', to: '2025-03-31' };
const q2 = { from: '2025-04-01', to: '2025-06-30' };
const won = (id: string, customerId: string, dollars: number, closeDate: string, extra = {}) =>
  aDeal({ id, customerId, amount: usd(dollars), closeDate, createdOn: '2024-12-01', ...extra });
const deals = [
  won('d1', 'c1', 10_000, '2025-02-10'),
  won('d2', 'c2', 5_000, '2025-02-11'),
  won('d3', 'c1', 20_000, '2025-04-10'),
  won('d4', 'c3', 30_000, '2025-05-10'),
  won('d5', 'c4', 50_000, '2025-06-10'),
  won('d6', 'c5', 99_000, '2025-05-01', { reversal: { reason: 'refunded', on: '2025-06-01' } }),
  won('d7', 'c3', 40_000, '2025-08-01'),
];
const tags = [
  aTag({ dealId: 'd1', partnerId: 'partner-a' }),
  aTag({ dealId: 'd3', partnerId: 'partner-a' }),
  aTag({ dealId: 'd4', partnerId: 'partner-b' }),
  aTag({ dealId: 'd6', partnerId: 'partner-c' }),
  aTag({ dealId: 'd7', partnerId: 'partner-b' }),
];
const ledger = reconcileLedger({
  program: defaultProgram,
  partners,
  fx: noFx,
  deals,
  tags,
  existing: [],
  asOf: '2025-06-30',
}).lines;

describe('computeProgramMetrics', () => {
  const result = computeProgramMetrics({
    program: defaultProgram,
    partners,
    deals,
    tags,
    fx: noFx,
    ledger,
    period: q2,
    previousPeriod: q1,
    programCost: usd(4_000),
  });
  if (!result.success) throw new Error(result.error.message);
  const metrics = result.data;

  it('measures partner revenue, growth, contribution and revenue per partner', () => {
    expect(metrics).toMatchObject({
      partnerRevenue: usd(50_000),
      previousPartnerRevenue: usd(10_000),
      growth: '4.0000',
      totalRevenue: usd(100_000),
      contribution: '0.5000',
      activePartners: 2,
      activePartnersByType: { technology: 1, channel: 1, strategic: 0, content: 0 },
      revenuePerPartner: usd(25_000),
    });
  });

  it('measures ROI against commissions plus program cost', () => {
    // Q2 commissions: 15 % of $20k (gold) + 10 % of $30k (referral) = $6,000; cost $10,000 in all
    expect(metrics).toMatchObject({
      commissions: usd(6_000),
      programCost: usd(4_000),
      roi: '4.0000',
    });
  });

  it('measures retention and the customers acquired through partners with their LTV', () => {
    expect(metrics).toMatchObject({
      retention: '1.0000',
      customersAcquired: 1,
      acquiredCustomersLtv: usd(30_000),
      averageLtv: usd(30_000),
    });
  });

  it('reports each partner', () => {
    expect(
      metrics.partners.map((p) => [
        p.partnerId,
        p.revenue.amountMinor,
        p.growth,
        p.contribution,
        p.roi,
        p.active,
        p.customersAcquired,
      ]),
    ).toEqual([
      ['partner-a', 2_000_000, '1.0000', '0.2000', '5.6667', true, 0],
      ['partner-b', 3_000_000, null, '0.3000', '9.0000', true, 1],
      ['partner-c', 0, null, '0.0000', null, false, 0],
    ]);
  });

  it('tracks the quarterly targets of the year', () => {
    expect(metrics.targets).toEqual([
      {
        quarter: 1,
        from: '2025-01-01',
        to: '2025-03-31',
        partnerRevenue: null,
        partnersByType: [
          { type: 'technology', target: 5, actual: 0, met: false },
          { type: 'channel', target: 10, actual: 1, met: false },
          { type: 'strategic', target: 2, actual: 0, met: false },
          { type: 'content', target: 5, actual: 1, met: false },
        ],
        newPartners: null,
      },
      {
        quarter: 2,
        from: '2025-04-01',
        to: '2025-06-30',
        partnerRevenue: {
          target: usd(100_000),
          actual: usd(50_000),
          progress: '0.5000',
          met: false,
        },
        partnersByType: [],
        newPartners: { target: 20, actual: 1, met: false },
      },
      expect.objectContaining({
        quarter: 3,
        partnerRevenue: expect.objectContaining({ actual: usd(0) }),
      }),
      expect.objectContaining({
        quarter: 4,
        partnersByType: [{ type: 'strategic', target: 5, actual: 0, met: false }],
      }),
    ]);
  });

  it('has no growth or retention without a previous period, no ROI without cost, and reports unconvertible deals', () => {
    const alone = computeProgramMetrics({
      program: defaultProgram,
      partners,
      deals: [...deals, won('d-eur', 'c9', 1, '2025-05-05', { amount: eur(1) })],
      tags,
      fx: noFx,
      ledger: [],
      period: q2,
      programCost: usd(0),
    });
    expect(alone).toMatchObject({
      success: true,
      data: {
        growth: null,
        retention: null,
        roi: null,
        issues: [{ dealId: 'd-eur', error: { code: 'fx_rate_missing' } }],
      },
    });
  });

  it('counts a deal nobody sourced as revenue, but as no partner revenue', () => {
    const influencedOnly = computeProgramMetrics({
      program: defaultProgram,
      partners,
      deals: [won('d-x', 'c-x', 1_000, '2025-05-05')],
      tags: [aTag({ dealId: 'd-x', partnerId: 'partner-a', role: 'influenced' })],
      fx: noFx,
      ledger: [],
      period: q2,
      programCost: usd(0),
    });
    expect(influencedOnly).toMatchObject({
      success: true,
      data: {
        totalRevenue: usd(1_000),
        partnerRevenue: usd(0),
        contribution: '0.0000',
        customersAcquired: 0,
        averageLtv: null,
        revenuePerPartner: null,
      },
    });
  });

  it('refuses a period that ends before it starts', () => {
    expect(periodSchema.safeParse({ from: '2025-02-01', to: '2025-01-31' }).success).toBe(false);
  });

  it('wants the program cost in the program currency', () => {
    expect(
      computeProgramMetrics({
        program: defaultProgram,
        partners,
        deals,
        tags,
        fx: noFx,
        ledger,
        period: q2,
        programCost: eur(1),
      }),
    ).toMatchObject({ success: false, error: { code: 'currency_mismatch' } });
  });
});
