import type { TierCard } from '@partnerbridge/shared/api';
import { tierCardSchema } from '@partnerbridge/shared/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDeal, upsertImportedTag } from '../../../server/src/cards/projection.ts';
import { reconcileInstallationNow } from '../../../server/src/cards/reconcile.ts';
import { testDatabaseDrivers } from '../../support/database.ts';
import { manualClock, startTestServer, type TestServer } from '../../support/server.ts';
import { callCard, installPortal, seedAcmeScenario } from './support.ts';

const PORTAL = '5101';
const OTHER_PORTAL = '5102';
const ASOF = Date.UTC(2026, 2, 10, 12);

describe.each(testDatabaseDrivers())('company tier card [%s]', (driver) => {
  const clock = manualClock(ASOF);
  let server: TestServer;
  let installationId: string;
  let acmeCompanyId: string;
  let acmeId: string;

  const card = async (companyId: string, portalId = PORTAL) => {
    const response = await callCard<TierCard>(server, {
      path: `/api/v1/companies/${companyId}/tier-card`,
      portalId,
    });
    return response;
  };

  beforeAll(async () => {
    server = await startTestServer({ clock, driver });
    const db = server.services.db;
    installationId = (await installPortal(db, PORTAL)).id;
    await installPortal(db, OTHER_PORTAL);
    const { acme } = await seedAcmeScenario(db, installationId);
    acmeCompanyId = acme.hubspotCompanyId ?? '';
    acmeId = acme.id;
    await reconcileInstallationNow(db, installationId, '2026-03-10');
  });
  afterAll(async () => {
    await server.close();
  });

  it('shows a partner the tier, benefits and the gap to the next tier, as computed by hand', async () => {
    const response = await card(acmeCompanyId);
    expect(response.status).toBe(200);
    const body = tierCardSchema.parse(response.body);
    if (body.kind !== 'partner') throw new Error(`expected a partner card, got ${body.kind}`);
    expect(body.asOf).toBe('2026-03-10');
    expect(body.tier).toEqual({
      id: 'bronze',
      name: 'Bronze',
      since: '2025-01-01',
      qualifiedTier: 'bronze',
      qualifiedTierName: 'Bronze',
      change: { kind: 'unchanged' },
    });
    expect(body.benefits).toEqual({
      support: ['Basic support'],
      businessReview: 'quarterly',
      perks: ['Partner portal access', 'Co-marketing materials'],
    });
    // Silver: ≥ 2 certified, ≥ 15 customers, ≥ $50,000 trailing revenue, advanced training.
    expect(body.progress).toEqual({
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
          met: true,
          current: { amountMinor: 6_000_000, currency: 'USD', formatted: '$60,000.00' },
          required: { amountMinor: 5_000_000, currency: 'USD', formatted: '$50,000.00' },
          gap: { amountMinor: 0, currency: 'USD', formatted: '$0.00' },
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
    });
    // Two open deals at 50 % bring one expected new customer: 8 of 15.
    expect(body.forecast).toEqual({
      kind: 'unreachable',
      code: 'pipeline_insufficient',
      reason: 'Weighted open pipeline brings customers to 8.00 (needs 15).',
    });
    expect(body.revenue).toEqual({
      trailing: { amountMinor: 6_000_000, currency: 'USD', formatted: '$60,000.00' },
      previousTrailing: { amountMinor: 2_000_000, currency: 'USD', formatted: '$20,000.00' },
      growth: '2.0000',
      growthFormatted: '200 %',
      windowMonths: 12,
    });
    expect(body.customers).toBe(7);
    // Bronze 5 %: $1,000 + 6 × $500; the 2026-02-20 deal is payable only on 2026-03-22.
    expect(body.commissions).toEqual({
      earned: { amountMinor: 400_000, currency: 'USD', formatted: '$4,000.00' },
      pending: { amountMinor: 50_000, currency: 'USD', formatted: '$500.00' },
      payable: { amountMinor: 350_000, currency: 'USD', formatted: '$3,500.00' },
      paid: { amountMinor: 0, currency: 'USD', formatted: '$0.00' },
    });
    expect(body.onboarding).toMatchObject({
      week: 62,
      currentPhase: { id: 'qualification', label: 'Qualification' },
      pace: 'behind',
    });
    expect(body.onboarding.remaining).toHaveLength(5);
    expect(body.partner).toMatchObject({
      name: 'Acme Resellers',
      tier: 'bronze',
      joinedOn: '2025-01-01',
    });
    expect(body.issues).toEqual([]);
  });

  it('shows a customer company the partners credited on its deals', async () => {
    const response = await card('6000003');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      kind: 'customer',
      company: { hubspotCompanyId: '6000003', name: 'Customer 3' },
      deals: { won: 1, open: 0, lost: 0 },
      partners: [
        {
          partner: { name: 'Acme Resellers' },
          wonDeals: 1,
          credited: { amountMinor: 1_000_000, formatted: '$10,000.00' },
          openDeals: 0,
        },
      ],
      totalCredited: { amountMinor: 1_000_000 },
    });
  });

  it('answers an empty state for a company that is neither', async () => {
    const response = await card('9999999');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ kind: 'empty', hubspotCompanyId: '9999999' });
  });

  it("never shows another portal's partner or customer", async () => {
    expect((await card(acmeCompanyId, OTHER_PORTAL)).body).toMatchObject({ kind: 'empty' });
    expect((await card('6000003', OTHER_PORTAL)).body).toMatchObject({ kind: 'empty' });
  });

  it('names the field when the company id is not a HubSpot id', async () => {
    const response = await card('acme');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: { code: 'validation_failed', issues: [{ path: 'params.hubspotCompanyId' }] },
    });
  });

  it('keeps counting when a deal cannot be converted, and says which', async () => {
    const db = server.services.db;
    const deal = await upsertDeal(db, installationId, {
      hubspotDealId: '8000099',
      name: 'Yen deal without a rate',
      amountMinor: 1_000_000,
      currency: 'JPY',
      stageCategory: 'won',
      createdOn: '2026-01-01',
      closeDate: '2026-03-01',
      probability: '1',
      customer: { hubspotCompanyId: '6000099' },
    });
    await upsertImportedTag(db, installationId, {
      dealId: deal.id,
      partnerId: acmeId,
      role: 'sourced',
      motion: 'referral',
      touchedAt: new Date('2026-01-01T00:00:00Z'),
      taggedBy: 'import',
      source: 'import',
    });
    const body = (await card(acmeCompanyId)).body;
    expect(body).toMatchObject({ kind: 'partner', customers: 7 });
    if (body.kind !== 'partner') throw new Error('expected a partner card');
    expect(body.issues).toEqual([
      'Yen deal without a rate: no JPY→USD rate on or before 2026-03-01',
    ]);
  });
});
