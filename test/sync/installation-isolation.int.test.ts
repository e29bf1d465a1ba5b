import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { syncHealth } from '../../server/src/sync/admin.ts';
import {
  addInstallation,
  aSyncedDeal,
  eventually,
  fastSyncOptions,
  type HarnessInstallation,
  opportunitiesOf,
  opportunityFor,
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

  /** The harness as seen from one installation (its portal, its org). */
  const of = (tenant: HarnessInstallation): SyncHarness => ({ ...h, ...tenant });
  const opportunityName = (tenant: HarnessInstallation, dealId: string) =>
    opportunityFor(of(tenant), dealId).Name;
  const syncedDeal = async (tenant: HarnessInstallation, dealname: string) => {
    const deal = await aSyncedDeal(of(tenant), { dealname });
    return { dealId: deal.id, opportunityId: String(opportunityFor(of(tenant), deal.id).Id) };
  };

  /** 429s the engine counted for the installation's portal today (health view). */
  const rateLimited = async (tenant: HarnessInstallation) =>
    (await syncHealth(h.server.services, tenant.installationId)).hubspot.apiUsage.rateLimited;

  /** B's edits, both ways, reach the other side while A's pause (begun at `pausedAt`) lasts. */
  const bSyncsDuringPause = async (
    pausedAt: number,
    deal: { dealId: string; opportunityId: string },
    edit: { dealname: string; amount: number },
  ) => {
    h.hubspot.control.userEdit(b.portalId, 'deal', deal.dealId, { dealname: edit.dealname });
    await eventually(() => expect(opportunityName(b, deal.dealId)).toBe(edit.dealname), NORMAL_MS);
    h.salesforce.control.userUpdate(b.orgId, 'Opportunity', deal.opportunityId, {
      Amount: edit.amount,
    });
    await eventually(
      () =>
        expect(
          h.hubspot.control.getRecord(b.portalId, 'deal', deal.dealId)?.properties.amount,
        ).toBe(String(edit.amount)),
      NORMAL_MS,
    );
    expect(Date.now() - pausedAt).toBeLessThan(PAUSE_MS);
  };

  it('a storm of 429s on portal A pauses A only: B converges meanwhile, A after the storm', async () => {
    const dealA = await syncedDeal(a, 'A before');
    const dealB = await syncedDeal(b, 'B before');
    const bLimitedBefore = await rateLimited(b);
    const aLimitedBefore = await rateLimited(a);
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

    await bSyncsDuringPause(paused, dealB, { dealname: 'B in the storm', amount: 77 });
    // A is still held back, by its own 429s; B met none.
    expect(opportunityName(a, dealA.dealId)).toBe('A before');
    await eventually(async () => expect(await rateLimited(a)).toBeGreaterThan(aLimitedBefore));
    expect(await rateLimited(b)).toBe(bLimitedBefore);

    // The storm ends: A's change gets through, once.
    h.hubspot.control.setRateLimits(a.portalId, { tenSecondly: 110 });
    await eventually(() => expect(opportunityName(a, dealA.dealId)).toBe('A in the storm'));
    expect(
      opportunitiesOf(of(a)).filter((o) => o.PB_HubSpot_Deal_Id__c === dealA.dealId),
    ).toHaveLength(1);
  });

  it('REQUEST_LIMIT_EXCEEDED for org A pauses A only: B converges meanwhile, A after the limit frees', async () => {
    const dealA = await syncedDeal(a, 'A org before');
    const dealB = await syncedDeal(b, 'B org before');
    const refusedBefore = h.salesforce.control.requests().byStatus['403'] ?? 0;
    const bCallsBefore = h.salesforce.control.apiUsage(b.orgId).used;

    // Org A's daily allocation is spent: every API call of A's answers 403 REQUEST_LIMIT_EXCEEDED.
    h.salesforce.control.setDailyApiLimit({ orgId: a.orgId, dailyApiRequests: 0 });
    h.hubspot.control.userEdit(a.portalId, 'deal', dealA.dealId, { dealname: 'A over the limit' });
    await eventually(() =>
      expect(h.salesforce.control.requests().byStatus['403'] ?? 0).toBeGreaterThan(refusedBefore),
    );
    const paused = Date.now();

    await bSyncsDuringPause(paused, dealB, { dealname: 'B under it', amount: 88 });
    expect(opportunityName(a, dealA.dealId)).toBe('A org before');
    expect(h.salesforce.control.apiUsage(b.orgId).used).toBeGreaterThan(bCallsBefore);

    h.salesforce.control.setDailyApiLimit({ orgId: a.orgId, dailyApiRequests });
    await eventually(() => expect(opportunityName(a, dealA.dealId)).toBe('A over the limit'));
  });
});
