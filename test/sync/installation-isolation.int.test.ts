import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { syncHealth } from '../../server/src/sync/admin.ts';
import {
  addInstallation,
  eventually,
  fastSyncOptions,
  type HarnessInstallation,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

// Two installations served by the same server and workers: portal A ↔ org A and portal B ↔ org B.
// A hits its own provider limits (the sandboxes limit per portal and per org: HubSpot's
// ten-second window, Salesforce's daily allocation) while B keeps syncing at normal speed.
//
// A's pauses are longer than B is given to converge: if a 429 paused every installation (or A's
// waiting held up the workers), B would not make it inside A's pause.

const PAUSE_MS = 3_000;
/** Well under PAUSE_MS, well over a normal round trip (a few hundred ms). */
const NORMAL_MS = 2_000;

describe('one installation rate limited, another syncing', () => {
  let h: SyncHarness;
  let a: HarnessInstallation;
  let b: HarnessInstallation;
  /** The sandbox's default daily allocation of an org. */
  let dailyApiRequests: number;

  beforeAll(async () => {
    const sync = {
      ...fastSyncOptions,
      salesforcePauseMs: PAUSE_MS,
      hubspot: { ...fastSyncOptions.hubspot, rateLimitPauseMs: PAUSE_MS },
    };
    h = await startSyncHarness({
      sync,
      jobs: (options) => createSyncJobs(options, { pollEveryMs: 250 }),
    });
    a = { portalId: h.portalId, orgId: h.orgId, installationId: h.installationId };
    b = await addInstallation(h, 'Second tenant');
    dailyApiRequests = h.salesforce.control.apiUsage(a.orgId).limit;
  });
  afterEach(() => {
    for (const { portalId } of [a, b]) {
      h.hubspot.control.setRateLimits(portalId, { tenSecondly: 110 });
    }
    for (const { orgId } of [a, b]) {
      h.salesforce.control.setDailyApiLimit({ orgId, dailyApiRequests });
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  const opportunityOf = (tenant: HarnessInstallation, dealId: string) =>
    h.salesforce.control
      .listRecords(tenant.orgId, 'Opportunity')
      .find((o) => o.PB_HubSpot_Deal_Id__c === dealId);

  const syncedDeal = async (tenant: HarnessInstallation, dealname: string) => {
    const deal = h.hubspot.control.userCreate(tenant.portalId, 'deal', {
      dealname,
      amount: '10',
      dealstage: 'qualifiedtobuy',
      closedate: '2026-12-01T00:00:00.000Z',
    });
    await eventually(() => {
      expect(opportunityOf(tenant, deal.id)?.Name).toBe(dealname);
      expect(
        h.hubspot.control.getRecord(tenant.portalId, 'deal', deal.id)?.properties
          .deal_currency_code,
      ).toBe('USD');
    });
    return { dealId: deal.id, opportunityId: String(opportunityOf(tenant, deal.id)?.Id) };
  };

  const rateLimited = async (tenant: HarnessInstallation, provider: 'hubspot' | 'salesforce') =>
    (await syncHealth(h.server.services, tenant.installationId))[provider].apiUsage.rateLimited;

  /** Resolves with how long `check` took to pass, failing after `timeoutMs`. */
  const timed = async (check: () => void, timeoutMs: number) => {
    const start = Date.now();
    await eventually(check, timeoutMs);
    return Date.now() - start;
  };

  it('a storm of 429s on portal A pauses A only: B converges meanwhile, A after the storm', async () => {
    const dealA = await syncedDeal(a, 'A before');
    const dealB = await syncedDeal(b, 'B before');
    const bLimitedBefore = await rateLimited(b, 'hubspot');
    const aLimitedBefore = await rateLimited(a, 'hubspot');
    const rejectedBefore = h.hubspot.control.requests().rateLimited.TEN_SECONDLY_ROLLING;

    // Portal A's ten-second window is spent: every call of A's (but not its searches) earns a 429.
    h.hubspot.control.setRateLimits(a.portalId, { tenSecondly: 0 });
    h.hubspot.control.userEdit(a.portalId, 'deal', dealA.dealId, { dealname: 'A in the storm' });
    await eventually(() =>
      expect(h.hubspot.control.requests().rateLimited.TEN_SECONDLY_ROLLING).toBeGreaterThan(
        rejectedBefore,
      ),
    );
    const paused = Date.now();

    // B, both ways, inside A's pause.
    h.hubspot.control.userEdit(b.portalId, 'deal', dealB.dealId, { dealname: 'B in the storm' });
    const hubspotToSalesforce = await timed(
      () => expect(opportunityOf(b, dealB.dealId)?.Name).toBe('B in the storm'),
      NORMAL_MS,
    );
    h.salesforce.control.userUpdate(b.orgId, 'Opportunity', dealB.opportunityId, { Amount: 77 });
    const salesforceToHubspot = await timed(
      () =>
        expect(
          h.hubspot.control.getRecord(b.portalId, 'deal', dealB.dealId)?.properties.amount,
        ).toBe('77'),
      NORMAL_MS,
    );
    expect(hubspotToSalesforce + salesforceToHubspot).toBeLessThan(PAUSE_MS);
    // A is still held back, by its own 429s; B met none.
    expect(Date.now() - paused).toBeLessThan(PAUSE_MS);
    expect(opportunityOf(a, dealA.dealId)?.Name).toBe('A before');
    await eventually(async () =>
      expect(await rateLimited(a, 'hubspot')).toBeGreaterThan(aLimitedBefore),
    );
    expect(await rateLimited(b, 'hubspot')).toBe(bLimitedBefore);

    // The storm ends: A's change gets through, once.
    h.hubspot.control.setRateLimits(a.portalId, { tenSecondly: 110 });
    await eventually(() => expect(opportunityOf(a, dealA.dealId)?.Name).toBe('A in the storm'));
    expect(
      h.salesforce.control
        .listRecords(a.orgId, 'Opportunity')
        .filter((o) => String(o.Name).startsWith('A ')),
    ).toHaveLength(1);
  });

  it('REQUEST_LIMIT_EXCEEDED for org A pauses A only: B converges meanwhile, A after the limit frees', async () => {
    const dealA = await syncedDeal(a, 'A org before');
    const dealB = await syncedDeal(b, 'B org before');
    const refusedBefore = h.salesforce.control.requests().byStatus['403'] ?? 0;

    // Org A's daily allocation is spent: every API call of A's answers 403 REQUEST_LIMIT_EXCEEDED.
    h.salesforce.control.setDailyApiLimit({ orgId: a.orgId, dailyApiRequests: 0 });
    h.hubspot.control.userEdit(a.portalId, 'deal', dealA.dealId, { dealname: 'A over the limit' });
    await eventually(() =>
      expect(h.salesforce.control.requests().byStatus['403'] ?? 0).toBeGreaterThan(refusedBefore),
    );
    const paused = Date.now();

    h.hubspot.control.userEdit(b.portalId, 'deal', dealB.dealId, { dealname: 'B under it' });
    const hubspotToSalesforce = await timed(
      () => expect(opportunityOf(b, dealB.dealId)?.Name).toBe('B under it'),
      NORMAL_MS,
    );
    h.salesforce.control.userUpdate(b.orgId, 'Opportunity', dealB.opportunityId, { Amount: 88 });
    const salesforceToHubspot = await timed(
      () =>
        expect(
          h.hubspot.control.getRecord(b.portalId, 'deal', dealB.dealId)?.properties.amount,
        ).toBe('88'),
      NORMAL_MS,
    );
    expect(hubspotToSalesforce + salesforceToHubspot).toBeLessThan(PAUSE_MS);
    expect(Date.now() - paused).toBeLessThan(PAUSE_MS);
    expect(opportunityOf(a, dealA.dealId)?.Name).toBe('A org before');
    expect(h.salesforce.control.apiUsage(b.orgId).used).toBeGreaterThan(0);

    h.salesforce.control.setDailyApiLimit({ orgId: a.orgId, dailyApiRequests });
    await eventually(() => expect(opportunityOf(a, dealA.dealId)?.Name).toBe('A over the limit'));
  });
});
