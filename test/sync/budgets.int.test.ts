import type { BudgetView, SyncHealthView } from '@partnerbridge/shared/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { defaultBackfillOptions } from '../../server/src/sync/sync-context.ts';
import { callCard } from '../server/cards/support.ts';
import { TEST_ADMIN_TOKEN } from '../support/server.ts';
import {
  aSyncedDeal,
  descriptionMapping,
  eventually,
  HARNESS_ADMIN_USER_ID,
  opportunityFor,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

// The admin's daily API caps, set through the settings page's signed route and enforced against
// the sandboxes. HubSpot: at the reserve line a mapping's back-fill waits while live changes sync
// (a deal created and renamed meanwhile: a record whose back-fill job waits takes its live edits
// along when it runs, one job per record);
// at the cap nothing calls HubSpot any more (the sandbox's request log), live edits from either
// side and an import included; past midnight UTC on the sync's clock everything converges.
// Salesforce: at the cap nothing calls Salesforce; clearing the cap lets everything through.
// One clock drives the server and both sandboxes: the day starts at 23:00 UTC.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The real time moved by an offset the test changes: queues and timers keep running. */
function offsetClock(start: number) {
  let offset = start - Date.now();
  return {
    now: () => Date.now() + offset,
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A cap `headroom` calls above today's usage whose reserve line is already reached. */
function capAbove(used: number, headroom: number) {
  const dailyLimit = used + headroom;
  return { dailyLimit, reservePercent: Math.ceil((100 * headroom) / dailyLimit) };
}

const sum = (counts: Record<string, number>, skip: RegExp) =>
  Object.entries(counts)
    .filter(([endpoint]) => !skip.test(endpoint))
    .reduce((total, [, n]) => total + n, 0);

describe('daily API budgets', () => {
  const today = new Date();
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 23);
  const clock = offsetClock(start);
  const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  let h: SyncHarness;

  const signed = <T>(method: 'GET' | 'PUT', path: string, body?: unknown) =>
    callCard<T>(h.server, {
      method,
      path,
      ...(body === undefined ? {} : { body }),
      portalId: String(h.portalId),
      userId: HARNESS_ADMIN_USER_ID,
    });
  const budget = async (provider: BudgetView['provider']) => {
    const response = await signed<{ budgets: BudgetView[] }>('GET', '/api/v1/sync/budgets');
    expect(response.status).toBe(200);
    const found = response.body.budgets.find((b) => b.provider === provider);
    if (found === undefined) throw new Error(`no ${provider} budget`);
    return found;
  };
  const setCap = async (
    provider: BudgetView['provider'],
    body: { dailyLimit: number | null; reservePercent?: number },
  ) => {
    const response = await signed<BudgetView>('PUT', `/api/v1/sync/budgets/${provider}`, body);
    expect(response.status).toBe(200);
    return response.body;
  };
  const healthState = async (provider: BudgetView['provider']) =>
    (await signed<SyncHealthView>('GET', '/api/v1/sync/health')).body[provider].apiUsage.state;
  /** Every call to the CRM APIs the sandboxes logged (not tokens, not the streaming channel). */
  const hubspotCalls = () => sum(h.hubspot.control.requests().counts, /oauth|_control/);
  const salesforceCalls = () =>
    sum(h.salesforce.control.requests().byEndpoint, /oauth2|cometd|_control/);
  /** The operator's import: a poll of both CRMs, queued now. */
  const importNow = async () => {
    const response = await h.server.fetch(
      `/admin/api/installations/${h.installationId}/sync/import`,
      { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
    );
    expect(response.status).toBe(202);
  };
  const dealProperties = (id: string) =>
    h.hubspot.control.getRecord(h.portalId, 'deal', id)?.properties ?? {};

  beforeAll(async () => {
    h = await startSyncHarness({
      clock,
      // Polls spend calls too (and stop at the cap): every second, change events every second.
      jobs: (options) =>
        createSyncJobs(options, { pollEveryMs: 1_000, changeEventsEveryMs: 1_000 }),
      sync: {
        budgetRecheckMs: 250,
        backfill: { ...defaultBackfillOptions, lingerMs: 100 },
      },
    });
  });
  afterEach(async () => {
    // Each scenario starts without caps, even after another one failed halfway.
    for (const provider of ['hubspot', 'salesforce'] as const) {
      await setCap(provider, { dailyLimit: null });
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('HubSpot: back-fills wait at the reserve line, everything at the cap, until midnight UTC', async () => {
    const held = await aSyncedDeal(h, { dealname: 'Back-filled deal' });
    // Not mapped yet: only the new mapping's back-fill carries it to Salesforce.
    h.hubspot.control.userEdit(h.portalId, 'deal', held.id, { description: 'From the back-fill' });

    // Reserve line: the mapping's back-fill waits; a deal created and edited meanwhile syncs.
    const reserve = await setCap('hubspot', capAbove((await budget('hubspot')).used, 80));
    expect(reserve).toMatchObject({ state: 'non_critical_paused', day: dayOf(start) });
    expect(await healthState('hubspot')).toBe('non_critical_paused');
    const saved = await signed<{ backfillQueued: number }>('PUT', '/api/v1/sync/mappings', {
      document: descriptionMapping(),
      baseVersion: 0,
    });
    expect(saved.status).toBe(201);
    expect(saved.body.backfillQueued).toBeGreaterThan(0);
    const live = await aSyncedDeal(h, { dealname: 'Live deal', description: 'Live' });
    expect(opportunityFor(h, live.id).Description).toBe('Live');
    h.hubspot.control.userEdit(h.portalId, 'deal', live.id, { dealname: 'Live edit' });
    await eventually(() => expect(opportunityFor(h, live.id).Name).toBe('Live edit'));
    await sleep(2_000);
    expect(opportunityFor(h, held.id).Description ?? null).toBeNull();
    expect((await budget('hubspot')).state).toBe('non_critical_paused');

    // Cap: live edits spend what is left, then nothing calls HubSpot any more.
    await setCap('hubspot', capAbove((await budget('hubspot')).used, 4));
    for (let i = 1; (await budget('hubspot')).state !== 'paused'; i++) {
      expect(i, 'live edits until the cap').toBeLessThan(20);
      h.hubspot.control.userEdit(h.portalId, 'deal', live.id, { dealname: `Live edit ${i}` });
      await eventually(async () => {
        const synced = opportunityFor(h, live.id).Name === `Live edit ${i}`;
        expect(synced || (await budget('hubspot')).state === 'paused').toBe(true);
      });
    }
    const capped = await budget('hubspot');
    expect(capped).toMatchObject({
      state: 'paused',
      resumesAt: new Date(Date.parse(`${dayOf(start)}T00:00:00.000Z`) + DAY).toISOString(),
    });
    expect(capped.used).toBeGreaterThanOrEqual(capped.dailyLimit ?? 0);
    expect(await healthState('hubspot')).toBe('paused');
    await sleep(500);
    const before = hubspotCalls();
    h.hubspot.control.userEdit(h.portalId, 'deal', live.id, { dealname: 'After the cap' });
    const opportunityId = String(opportunityFor(h, live.id).Id);
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, { Amount: 777 });
    await importNow();
    await sleep(3_000);
    expect(hubspotCalls()).toBe(before);
    expect(opportunityFor(h, live.id).Name).not.toBe('After the cap');
    expect(dealProperties(live.id).amount).not.toBe('777');
    expect(opportunityFor(h, held.id).Description ?? null).toBeNull();
    expect(await healthState('hubspot')).toBe('paused');

    // Midnight UTC on the sync's clock: a new day's budget, everything converges.
    clock.advance(Date.parse(capped.resumesAt ?? '') + 60_000 - clock.now());
    await eventually(() => {
      expect(opportunityFor(h, live.id).Name).toBe('After the cap');
      expect(dealProperties(live.id).amount).toBe('777');
      expect(opportunityFor(h, held.id).Description).toBe('From the back-fill');
    }, 30_000);
    expect(hubspotCalls()).toBeGreaterThan(before);
    expect(await budget('hubspot')).toMatchObject({
      day: dayOf(clock.now()),
      state: 'ok',
      resumesAt: null,
    });
  });

  it('Salesforce: at the cap nothing calls Salesforce; clearing the cap lets everything through', async () => {
    const deal = await aSyncedDeal(h, { dealname: 'Salesforce capped' });
    const opportunityId = String(opportunityFor(h, deal.id).Id);
    const used = (await budget('salesforce')).used;
    expect(used).toBeGreaterThan(0);
    expect(await setCap('salesforce', { dailyLimit: used })).toMatchObject({
      state: 'paused',
      dailyLimit: used,
    });
    expect(await healthState('salesforce')).toBe('paused');
    await sleep(500);
    const before = salesforceCalls();
    h.hubspot.control.userEdit(h.portalId, 'deal', deal.id, { dealname: 'Renamed while capped' });
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, { Amount: 4242 });
    await importNow();
    await sleep(3_000);
    expect(salesforceCalls()).toBe(before);
    expect(opportunityFor(h, deal.id).Name).toBe('Salesforce capped');
    expect(dealProperties(deal.id).amount).not.toBe('4242');
    expect(await healthState('salesforce')).toBe('paused');

    expect(await setCap('salesforce', { dailyLimit: null })).toMatchObject({
      state: 'ok',
      dailyLimit: null,
    });
    await eventually(() => {
      expect(opportunityFor(h, deal.id).Name).toBe('Renamed while capped');
      expect(dealProperties(deal.id).amount).toBe('4242');
    }, 30_000);
    expect(salesforceCalls()).toBeGreaterThan(before);
    expect(await healthState('salesforce')).toBe('ok');
  });
});
