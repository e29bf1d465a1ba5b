import {
  type ChangeEventSubscription,
  opportunityObject,
  type ReplayReset,
  type SalesforceChangeEvent,
  type SalesforceError,
  type SubscribeChangeEventsOptions,
  subscribeChangeEvents,
  upsertByExternalId,
} from '@partnerbridge/salesforce-connector';
import type { Connection } from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  atLeast,
  baseOpportunity,
  connectTo,
  type SalesforceSandbox,
  startSandbox,
  testClock,
  waitFor,
} from './support/sandbox.ts';

// Change Data Capture through jsforce's streaming client: normalised events, own writes and user
// edits, replay from a stored id, the expired-replay fallback, gaps, duplicates and reordering,
// an org without the streaming endpoint, and session loss with refresh and without.

const clock = testClock('2026-04-01T09:00:00.000Z');
let sandbox: SalesforceSandbox;
let orgId: string;
let users: { integration: string; admin: string };
let connection: Connection;
const running: ChangeEventSubscription[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ clock: clock.now, streaming: { longPollMs: 1_000 } });
  const org = sandbox.control.createOrg({ name: 'Events', demo: { deals: 4 } });
  orgId = org.orgId;
  users = org.users;
  connection = connectTo(sandbox, orgId).connection;
});

afterEach(async () => {
  sandbox.control.changeEventFaults.clear();
  sandbox.control.faults.clear();
  for (const subscription of running.splice(0)) await subscription.stop();
});

afterAll(async () => {
  await sandbox.stop();
});

type Collected = {
  events: SalesforceChangeEvent[];
  replayIds: [string, number][];
  resets: ReplayReset[];
  authFailures: SalesforceError[];
  subscription: ChangeEventSubscription;
};

async function subscribe(
  options: Partial<SubscribeChangeEventsOptions> = {},
  conn: Connection = connection,
): Promise<Collected> {
  const collected = { events: [], replayIds: [], resets: [], authFailures: [] } as Omit<
    Collected,
    'subscription'
  >;
  const result = await subscribeChangeEvents({
    connection: conn,
    objects: ['Opportunity', 'Account'],
    replayFrom: -1,
    integrationUserId: users.integration,
    onEvent: (event) => {
      collected.events.push(event);
    },
    onReplayId: (object, replayId) => {
      collected.replayIds.push([object, replayId]);
    },
    onReplayReset: (reset) => collected.resets.push(reset),
    onAuthFailure: (error) => collected.authFailures.push(error),
    ...options,
  });
  if (result.status !== 'subscribed') throw new Error(`not subscribed: ${result.reason}`);
  running.push(result.subscription);
  return { ...collected, subscription: result.subscription };
}

const onlyFor = (events: SalesforceChangeEvent[], id: string) =>
  events.filter((e) => e.recordIds.includes(id));

describe(subscribeChangeEvents, () => {
  it('delivers create, update and delete, flags our writes and not a person’s', async () => {
    const stream = await subscribe();
    expect(stream.subscription.objects).toEqual(['Opportunity', 'Account']);
    const [created] = await upsertByExternalId({
      connection,
      object: opportunityObject,
      records: [{ externalId: 'cdc-1', fields: { ...baseOpportunity, Amount: 99.95 } }],
    });
    const id = created?.ok ? created.id : '';
    clock.advance(1_000);
    sandbox.control.userUpdate(orgId, 'Opportunity', id, { StageName: 'Closed Won' });
    await connection.sobject('Opportunity').destroy(id);
    const events = await waitFor(() => atLeast(onlyFor(stream.events, id), 3), 'three events');
    expect(events.map((e) => [e.changeType, e.isOwnWrite, e.ownWriteSignal, e.handling])).toEqual([
      // Collections writes carry no client= in changeOrigin: our integration user gives it away.
      ['CREATE', true, 'integration_user', 'apply'],
      ['UPDATE', false, null, 'apply'],
      // A single-record call carries Sforce-Call-Options: client=partnerbridge.
      ['DELETE', true, 'call_options', 'apply'],
    ]);
    expect(events[0]?.values).toMatchObject({ Amount: '99.95', PB_HubSpot_Deal_Id__c: 'cdc-1' });
    expect(events[1]).toMatchObject({ commitUser: users.admin, changeOrigin: '' });
    expect(events[1]?.values).toMatchObject({ StageName: 'Closed Won' });
    await waitFor(() => atLeast(stream.replayIds, 3), 'replay ids');
    expect(stream.replayIds.map(([, replayId]) => replayId)).toEqual(events.map((e) => e.replayId));
    expect(stream.subscription.replayIds().Opportunity).toBe(events[2]?.replayId);
  });

  it('replays from a stored replay id per object', async () => {
    const first = await subscribe();
    const ids = ['Replay A', 'Replay B', 'Replay C'].map((Name) =>
      sandbox.control.userCreate(orgId, 'Account', { Name }),
    );
    const seen = await waitFor(
      () =>
        atLeast(
          first.events.filter((e) => e.object === 'Account'),
          3,
        ),
      'three',
    );
    await first.subscription.stop();
    const stored = seen[0]?.replayId ?? 0;
    const resumed = await subscribe({ replayFrom: { Account: stored } });
    const replayed = await waitFor(
      () =>
        atLeast(
          resumed.events.filter((e) => ids.includes(e.recordIds[0] ?? '')),
          2,
        ),
      'replayed events',
    );
    expect(replayed.map((e) => e.values.Name)).toEqual(['Replay B', 'Replay C']);
    expect(resumed.resets).toEqual([]);
  });

  it('falls back when the stored replay id expired and asks for a reconciliation', async () => {
    const live = await subscribe();
    sandbox.control.userCreate(orgId, 'Account', { Name: 'Old news' });
    sandbox.control.userCreate(orgId, 'Account', { Name: 'Older than the retention too' });
    const [old] = await waitFor(() => atLeast(live.events, 2), 'two events');
    await live.subscription.stop();
    clock.advance(73 * 3_600_000);
    const fresh = sandbox.control.userCreate(orgId, 'Account', { Name: 'Fresh news' });
    const resumed = await subscribe({
      replayFrom: { Account: old?.replayId ?? 0, Opportunity: -1 },
    });
    expect(resumed.resets).toEqual([
      { object: 'Account', reason: 'expired', requested: old?.replayId, replayFrom: -2 },
    ]);
    const [event] = await waitFor(
      () => atLeast(onlyFor(resumed.events, fresh), 1),
      'retained event',
    );
    expect(event?.values.Name).toBe('Fresh news');
  });

  it('flags gaps for a re-read, drops duplicates, and flags late events without moving back', async () => {
    const stream = await subscribe();
    sandbox.control.changeEventFaults.set({
      script: [{ kind: 'gap', entity: 'Account', times: 1 }],
    });
    const gapped = sandbox.control.userCreate(orgId, 'Account', { Name: 'Gapped' });
    const [gap] = await waitFor(() => atLeast(onlyFor(stream.events, gapped), 1), 'gap');
    expect(gap).toMatchObject({ changeType: 'GAP_CREATE', handling: 'reread', values: {} });

    sandbox.control.changeEventFaults.set({
      script: [{ kind: 'duplicate', entity: 'Account', times: 1 }],
    });
    const twice = sandbox.control.userCreate(orgId, 'Account', { Name: 'Twice' });
    const after = sandbox.control.userCreate(orgId, 'Account', { Name: 'After twice' });
    await waitFor(() => atLeast(onlyFor(stream.events, after), 1), 'event after the duplicate');
    expect(onlyFor(stream.events, twice)).toHaveLength(1);

    sandbox.control.changeEventFaults.set({
      script: [{ kind: 'out-of-order', entity: 'Account', times: 1 }],
    });
    const late = sandbox.control.userCreate(orgId, 'Account', { Name: 'Late' });
    const early = sandbox.control.userCreate(orgId, 'Account', { Name: 'Early' });
    const [lateEvent] = await waitFor(() => atLeast(onlyFor(stream.events, late), 1), 'late event');
    const [earlyEvent] = onlyFor(stream.events, early);
    expect(lateEvent).toMatchObject({ outOfOrder: true, handling: 'reread' });
    expect(earlyEvent).toMatchObject({ outOfOrder: false, handling: 'apply' });
    await waitFor(
      () => (stream.replayIds.at(-1)?.[1] === earlyEvent?.replayId ? true : undefined),
      'ids',
    );
    const reported = stream.replayIds.map(([, id]) => id);
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
    expect(reported).not.toContain(lateEvent?.replayId);

    sandbox.control.changeEventFaults.set({
      script: [{ kind: 'gap-overflow', entity: 'Opportunity', times: 1 }],
    });
    sandbox.control.userCreate(orgId, 'Opportunity', { ...baseOpportunity });
    const overflow = await waitFor(
      () => stream.events.find((e) => e.changeType === 'GAP_OVERFLOW'),
      'overflow',
    );
    expect(overflow).toMatchObject({ object: 'Opportunity', handling: 'resync', recordIds: [] });
  });

  it('reports unavailable when the org has no streaming endpoint', async () => {
    sandbox.control.faults.set({
      script: [
        { match: { path: '^/cometd/' }, action: { kind: 'status', status: 404 }, times: 50 },
      ],
    });
    const result = await subscribeChangeEvents({
      connection,
      objects: ['Opportunity'],
      replayFrom: -1,
      connectTimeoutMs: 300,
      onEvent: () => undefined,
    });
    expect(result).toEqual({
      status: 'unavailable',
      reason: 'no answer from the streaming endpoint within 300 ms',
    });
  });

  it('refreshes the session when it dies and replays what happened meanwhile', async () => {
    const own = connectTo(sandbox, orgId);
    const stream = await subscribe({}, own.connection);
    const before = sandbox.control.userCreate(orgId, 'Account', { Name: 'Before the outage' });
    sandbox.control.userCreate(orgId, 'Opportunity', { ...baseOpportunity, Name: 'Before too' });
    await waitFor(() => {
      const positions = stream.subscription.replayIds();
      return positions.Account !== undefined && positions.Opportunity !== undefined
        ? true
        : undefined;
    }, 'positions for both objects');
    await waitFor(() => atLeast(onlyFor(stream.events, before), 1), 'the event before');
    sandbox.control.expireSessions({ orgId });
    // This edit wakes the long poll, which then finds the session dead.
    const during = sandbox.control.userCreate(orgId, 'Account', { Name: 'During the outage' });
    // It arrives on the old client or, replayed from the last processed position, on the new one.
    const [event] = await waitFor(() => atLeast(onlyFor(stream.events, during), 1), 'the event');
    expect(event?.values.Name).toBe('During the outage');
    await waitFor(() => atLeast(own.refreshed, 1), 'a refresh');
    const after = sandbox.control.userCreate(orgId, 'Account', { Name: 'After the outage' });
    await waitFor(() => atLeast(onlyFor(stream.events, after), 1), 'event on the new client');
    expect(own.refreshed).toHaveLength(1);
    expect(stream.authFailures).toEqual([]);
    expect(stream.resets).toEqual([]);
    expect(onlyFor(stream.events, before)).toHaveLength(1);
    expect(onlyFor(stream.events, during)).toHaveLength(1);
  });

  it('asks for a reconciliation when the session died before any position was known', async () => {
    const own = connectTo(sandbox, orgId);
    const stream = await subscribe({ objects: ['Account'] }, own.connection);
    sandbox.control.expireSessions({ orgId });
    // No event wakes the poll: the next long poll (≤ 1 s) finds the session dead.
    const [reset] = await waitFor(() => atLeast(stream.resets, 1), 'reset');
    expect(reset).toEqual({
      object: 'Account',
      reason: 'session_lost',
      requested: -1,
      replayFrom: -1,
    });
    const after = sandbox.control.userCreate(orgId, 'Account', { Name: 'After the reset' });
    await waitFor(() => atLeast(onlyFor(stream.events, after), 1), 'event on the new client');
  });

  it('stops and reports auth_expired when the session cannot be renewed', async () => {
    const own = connectTo(sandbox, orgId);
    const stream = await subscribe({}, own.connection);
    await fetch(`${sandbox.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: own.token.refreshToken }).toString(),
    });
    sandbox.control.expireSessions({ orgId });
    sandbox.control.userCreate(orgId, 'Account', { Name: 'Wakes the poll' });
    const [failure] = await waitFor(() => atLeast(stream.authFailures, 1), 'auth failure');
    expect(failure?.code).toBe('auth_expired');
    // Stopped: later changes are not delivered.
    const ignored = sandbox.control.userCreate(orgId, 'Account', { Name: 'After the stop' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(onlyFor(stream.events, ignored)).toEqual([]);
  });
});
