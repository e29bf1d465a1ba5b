import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncCheckpoints } from '../../server/src/db/schema/sync.ts';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { createSyncPollJob, pollJobOptions } from '../../server/src/jobs/sync-poll.job.ts';
import { batcherFor } from '../../server/src/sync/batcher.ts';
import {
  changeEventSupervisorFor,
  createChangeEventSupervisor,
} from '../../server/src/sync/change-events.ts';
import type { SyncOptions } from '../../server/src/sync/sync-context.ts';
import {
  eventually,
  fastSyncOptions,
  opportunityFor,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

// Salesforce change events through the sandbox's CometD: UI edits arrive without polling, the
// replay id is stored, duplicated / reordered / gap deliveries converge, one subscriber per org
// across processes (a dead holder is replaced), and polling takes over when there are none.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const options: SyncOptions = {
  ...fastSyncOptions,
  changeEvents: {
    lockTtlMs: 1_500,
    connectTimeoutMs: 3_000,
    unavailableRetryMs: 60_000,
    // Polls would hide whether events arrive: Salesforce is polled only on request here.
    reconcileEveryMs: 10 * 60_000,
  },
};

describe('Salesforce change events', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness({
      sync: options,
      jobs: (sync) => createSyncJobs(sync, { pollEveryMs: 300, changeEventsEveryMs: 300 }),
    });
    await eventually(async () =>
      expect((await streamRows()).map((r) => r.stage)).toEqual(['running', 'running']),
    );
  });
  afterAll(async () => {
    await h?.stop();
  });

  const streamRows = () =>
    h.server.services.db
      .select()
      .from(syncCheckpoints)
      .where(
        and(
          eq(syncCheckpoints.installationId, h.installationId),
          eq(syncCheckpoints.channel, 'change_events'),
        ),
      );
  const salesforcePolls = () =>
    Object.entries(h.salesforce.control.requests().byEndpoint)
      .filter(([endpoint]) => endpoint.includes('queryAll'))
      .reduce((sum, [, n]) => sum + n, 0);
  const hubspotDeal = (id: string) =>
    h.hubspot.control.getRecord(h.portalId, 'deal', id)?.properties;

  const createDeal = async (dealname: string) => {
    const deal = h.hubspot.control.userCreate(h.portalId, 'deal', {
      dealname,
      amount: '100',
      dealstage: 'qualifiedtobuy',
      closedate: '2026-12-01T00:00:00.000Z',
    });
    await eventually(() => {
      expect(opportunityFor(h, deal.id).Name).toBe(dealname);
      expect(hubspotDeal(deal.id)?.deal_currency_code).toBe('USD');
    });
    await sleep(300);
    return { dealId: deal.id, opportunityId: String(opportunityFor(h, deal.id).Id) };
  };

  it('a UI edit in Salesforce reaches HubSpot through change events (no poll), and the replay id is stored', async () => {
    const { dealId, opportunityId } = await createDeal('Streamed');
    const polls = salesforcePolls();
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, {
      Name: 'Streamed, edited in Salesforce',
      Amount: 4321,
    });
    await eventually(() =>
      expect(hubspotDeal(dealId)).toMatchObject({
        dealname: 'Streamed, edited in Salesforce',
        amount: '4321',
      }),
    );
    expect(salesforcePolls()).toBe(polls);
    const [deal] = (await streamRows()).filter((r) => r.objectKind === 'deal');
    if (deal === undefined) throw new Error('no change-event checkpoint for deals');
    const { replayId } = deal.cursor as { replayId: number };
    expect(replayId).toBeGreaterThan(0);
    const retained = h.salesforce.control
      .changeEvents(h.orgId)
      .filter((e) => e.data.payload.ChangeEventHeader.entityName === 'Opportunity');
    expect(replayId).toBe(retained.at(-1)?.replayId);
  });

  it('duplicated and reordered events converge on the latest values', async () => {
    const { dealId, opportunityId } = await createDeal('Noisy stream');
    h.salesforce.control.changeEventFaults.set({ duplicateRate: 1, outOfOrderRate: 0.5 });
    try {
      for (const amount of [101, 102, 103, 104]) {
        h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, { Amount: amount });
        await sleep(20);
      }
      await eventually(() => expect(hubspotDeal(dealId)?.amount).toBe('104'));
      await sleep(1_000);
      expect(hubspotDeal(dealId)?.amount).toBe('104');
      expect(h.salesforce.control.changeEventFaults.injected().duplicate).toBeGreaterThan(0);
    } finally {
      h.salesforce.control.changeEventFaults.clear();
    }
  });

  it('a gap event re-reads the record; a gap overflow reconciles with a Salesforce poll', async () => {
    const { dealId, opportunityId } = await createDeal('Gappy');
    h.salesforce.control.changeEventFaults.set({
      script: [{ kind: 'gap', entity: 'Opportunity' }],
    });
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, { Name: 'Gappy 2' });
    await eventually(() => expect(hubspotDeal(dealId)?.dealname).toBe('Gappy 2'));

    const polls = salesforcePolls();
    h.salesforce.control.changeEventFaults.set({
      script: [{ kind: 'gap-overflow', entity: 'Opportunity' }],
    });
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, { Name: 'Gappy 3' });
    await eventually(() => expect(hubspotDeal(dealId)?.dealname).toBe('Gappy 3'));
    expect(salesforcePolls()).toBeGreaterThan(polls);
    h.salesforce.control.changeEventFaults.clear();
  });

  it('our own writes come back as events and are dropped: nothing more is written once quiet', async () => {
    const { dealId, opportunityId } = await createDeal('Echo');
    h.hubspot.control.userEdit(h.portalId, 'deal', dealId, { dealname: 'Echo from HubSpot' });
    await eventually(() => expect(opportunityFor(h, dealId).Name).toBe('Echo from HubSpot'));
    const events = h.salesforce.control
      .changeEvents(h.orgId)
      .filter((e) => e.data.payload.ChangeEventHeader.recordIds.includes(opportunityId));
    expect(events.length).toBeGreaterThan(0);
    await sleep(800);
    const writes = () => ({
      salesforce: h.salesforce.control.writeLog(h.orgId).filter((e) => e.source === 'rest').length,
      hubspot: Object.entries(h.hubspot.control.requests().counts)
        .filter(([endpoint]) => /batch\/(update|create)/.test(endpoint))
        .reduce((sum, [, n]) => sum + n, 0),
    });
    const before = writes();
    await sleep(1_500);
    expect(writes()).toEqual(before);
  });

  it('one subscriber per org across processes; when its holder dies another takes over', async () => {
    const services = h.server.services;
    const log = services.log;
    const { gates } = batcherFor(services, options, log);
    const key = `cdc:${h.installationId}`;
    const first = await gates.holder(key);
    expect(first).not.toBeNull();
    // A second process: it finds the org held.
    const other = createChangeEventSupervisor(services, options, log);
    expect(await other.ensure()).toMatchObject({ started: 0 });
    // The holder dies: no release, no renewal.
    await changeEventSupervisorFor(services, options, log).stop({ release: false });
    await eventually(async () => {
      await other.ensure();
      const holder = await gates.holder(key);
      expect(holder).not.toBeNull();
      expect(holder).not.toBe(first);
    }, 10_000);
    const { dealId, opportunityId } = await createDeal('After the failover');
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, { Name: 'Failed over' });
    await eventually(() => expect(hubspotDeal(dealId)?.dealname).toBe('Failed over'));
    await other.stop();
  });

  it('without change events the org is polled at the normal cadence', async () => {
    const services = h.server.services;
    h.salesforce.control.faults.set({
      script: [
        { match: { path: 'cometd' }, action: { kind: 'status', status: 404 }, times: 100_000 },
      ],
    });
    try {
      await changeEventSupervisorFor(services, options, services.log).stop();
      await eventually(async () => {
        const rows = await streamRows();
        expect(rows.map((r) => r.stage)).toEqual(['failed', 'failed']);
      }, 20_000);
      const health = await h.server.fetch(
        `/admin/api/installations/${h.installationId}/sync/health`,
        {
          headers: { authorization: 'Bearer test-operator-token-0123456789abcdef' },
        },
      );
      expect(((await health.json()) as { salesforce: unknown }).salesforce).toMatchObject({
        changeEvents: { status: 'unavailable' },
      });
      // Polls run every tick again (while events flowed they did not run at all).
      const polls = salesforcePolls();
      await sleep(1_500);
      expect(salesforcePolls()).toBeGreaterThanOrEqual(polls + 4);
      const { dealId, opportunityId } = await createDeal('Polled again');
      h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, {
        Name: 'Found by a poll',
      });
      await eventually(() => expect(hubspotDeal(dealId)?.dealname).toBe('Found by a poll'));
    } finally {
      h.salesforce.control.faults.clear();
    }
  });
});

describe('Salesforce change events: the first subscription of an org', () => {
  // The test plays both schedules (no poll tick, no change-event tick), so the order is fixed: a
  // poll, then a deal synced to Salesforce, then the org's first subscription. Events published
  // before it are never delivered (a subscription without a stored replay id starts at "new
  // events only"), and the poll tick leaves Salesforce alone while events flow.
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness({
      sync: options,
      jobs: (sync) =>
        createSyncJobs(sync).filter(
          (job) => job.name !== 'sync-poll-tick' && job.name !== 'sync-change-events',
        ),
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a deal synced before the subscription still gets its Salesforce currency back', async () => {
    const services = h.server.services;
    await services.queues.enqueue(
      createSyncPollJob(options),
      { installationId: h.installationId, systems: ['hubspot', 'salesforce'] },
      pollJobOptions(h.installationId),
    );
    await eventually(async () => {
      const polls = await services.db
        .select()
        .from(syncCheckpoints)
        .where(
          and(
            eq(syncCheckpoints.installationId, h.installationId),
            eq(syncCheckpoints.channel, 'poll'),
          ),
        );
      expect(polls.map((p) => p.stage)).toEqual(['idle', 'idle', 'idle', 'idle']);
    });

    const deal = h.hubspot.control.userCreate(h.portalId, 'deal', {
      dealname: 'Before the subscription',
      amount: '100',
      dealstage: 'qualifiedtobuy',
      closedate: '2026-12-01T00:00:00.000Z',
    });
    const properties = () => h.hubspot.control.getRecord(h.portalId, 'deal', deal.id)?.properties;
    await eventually(() =>
      expect(properties()?.pb_salesforce_opportunity_id).toBe(opportunityFor(h, deal.id).Id),
    );
    // The org filled in its default currency; nothing has read the opportunity since.
    expect(opportunityFor(h, deal.id).CurrencyIsoCode).toBe('USD');
    expect(properties()?.deal_currency_code ?? null).toBeNull();

    expect(await changeEventSupervisorFor(services, options, services.log).ensure()).toEqual({
      started: 1,
      running: 1,
    });
    await eventually(() => expect(properties()?.deal_currency_code).toBe('USD'));
  });
});
