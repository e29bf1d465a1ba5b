import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { baseOpportunity, connect, testClock } from './contract-helpers.ts';
import { type ChangeEventHeader, type SalesforceSandbox, startSalesforceSandbox } from './index.ts';

// Change Data Capture over CometD with jsforce's own streaming client (faye long-polling, Replay
// and AuthFailure extensions): events for create/update/delete, changeOrigin and commitUser,
// replay from a stored replayId, retention, delivery faults and session failures.

type EventMessage = {
  schema: string;
  payload: { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;
  event: { replayId: number };
};

type StreamingClient = { disconnect(): void };

const clock = testClock('2026-04-01T09:00:00.000Z');
let sandbox: SalesforceSandbox;
let orgId: string;
let conn: Connection;
let users: { integration: string; admin: string };
const clients: StreamingClient[] = [];

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({
    clock: clock.now,
    demo: false,
    streaming: { longPollMs: 2_000 },
  });
  const org = sandbox.control.createOrg({ name: 'Streaming', demo: { deals: 10 } });
  orgId = org.orgId;
  users = org.users;
  conn = connect(sandbox, { orgId, client: 'partnerbridge' }).conn;
});

afterEach(() => {
  sandbox.control.changeEventFaults.clear();
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  await sandbox.stop();
});

async function subscribe(channel: string, replayId = -1, connection = conn) {
  const received: EventMessage[] = [];
  const authFailures: unknown[] = [];
  const replay = new StreamingExtension.Replay(channel, replayId);
  const authFailure = new StreamingExtension.AuthFailure((message: unknown) =>
    authFailures.push(message),
  );
  const client = connection.streaming.createClient([replay, authFailure]);
  // jsforce's bundled faye typings omit disconnect(), which the faye client has.
  clients.push(client as unknown as StreamingClient);
  const subscription = client.subscribe(channel, (message: EventMessage) => received.push(message));
  await subscription;
  return { client, received, replay, authFailures };
}

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const atLeast = <T>(items: T[], count: number) => (items.length >= count ? items : undefined);
const header = (message: EventMessage | undefined) => message?.payload.ChangeEventHeader;

describe('change events', () => {
  it('delivers CREATE, UPDATE and DELETE with changed fields, origin and commit user', async () => {
    const { received } = await subscribe('/data/OpportunityChangeEvent');
    const { id } = (await conn
      .sobject('Opportunity')
      .create({ ...baseOpportunity, Amount: 500 })) as { id: string };
    clock.advance(1_000);
    await conn.sobject('Opportunity').update({ Id: id, StageName: 'Closed Won', Amount: null });
    await conn.sobject('Opportunity').destroy(id);
    const [created, updated, deleted] = await waitFor(() => atLeast(received, 3), 'three events');
    expect(header(created)).toMatchObject({
      entityName: 'Opportunity',
      recordIds: [id],
      changeType: 'CREATE',
      changeOrigin: 'com/salesforce/api/rest/62.0;client=partnerbridge',
      commitUser: users.integration,
      sequenceNumber: 1,
      commitTimestamp: Date.parse('2026-04-01T09:00:00.000Z'),
    });
    expect(created?.payload).toMatchObject({
      Name: baseOpportunity.Name,
      Amount: 500,
      StageName: 'Prospecting',
    });
    expect(created?.payload.CreatedDate).toBe('2026-04-01T09:00:00.000Z');
    expect(header(updated)?.changeType).toBe('UPDATE');
    expect(header(updated)?.changedFields.sort()).toEqual(
      [
        'Amount',
        'ForecastCategoryName',
        'IsClosed',
        'IsWon',
        'LastModifiedDate',
        'Probability',
        'StageName',
      ].sort(),
    );
    expect(header(updated)?.nulledFields).toEqual(['Amount']);
    expect(updated?.payload).toMatchObject({ StageName: 'Closed Won', Amount: null, IsWon: true });
    expect(updated?.payload.Name).toBeUndefined();
    expect(header(deleted)?.changeType).toBe('DELETE');
    expect(Object.keys(deleted?.payload ?? {})).toEqual(['ChangeEventHeader']);
    const replayIds = [created, updated, deleted].map((m) => m?.event.replayId ?? 0);
    expect([...replayIds].sort((a, b) => a - b)).toEqual(replayIds);
    expect(header(created)?.transactionKey).not.toBe(header(updated)?.transactionKey);
  });

  it('marks user edits in the CRM UI with an empty changeOrigin and the human commit user', async () => {
    const { received } = await subscribe('/data/AccountChangeEvent');
    const accountId = sandbox.control.userCreate(orgId, 'Account', { Name: 'Typed by a human' });
    sandbox.control.userUpdate(orgId, 'Account', accountId, { Industry: 'Retail' });
    const [created, updated] = await waitFor(() => atLeast(received, 2), 'two events');
    expect(header(created)).toMatchObject({
      changeType: 'CREATE',
      changeOrigin: '',
      commitUser: users.admin,
    });
    expect(header(updated)).toMatchObject({ changeType: 'UPDATE', changeOrigin: '' });
    const log = sandbox.control.writeLog(orgId).filter((entry) => entry.id === accountId);
    expect(log.map((entry) => [entry.operation, entry.source, entry.client])).toEqual([
      ['create', 'ui', null],
      ['update', 'ui', null],
    ]);
  });

  it('does not carry client= from sObject Collections writes (documented choice) but logs it', async () => {
    const { received } = await subscribe('/data/OpportunityChangeEvent');
    const results = (await conn
      .sobject('Opportunity')
      .create([{ ...baseOpportunity }, { ...baseOpportunity }])) as {
      id: string;
    }[];
    const events = await waitFor(() => atLeast(received, 2), 'two events');
    expect(events.map((m) => header(m)?.changeOrigin)).toEqual([
      'com/salesforce/api/rest/62.0',
      'com/salesforce/api/rest/62.0',
    ]);
    expect(new Set(events.map((m) => header(m)?.transactionKey)).size).toBe(1);
    expect(events.map((m) => header(m)?.sequenceNumber)).toEqual([1, 2]);
    const logged = sandbox.control.writeLog(orgId).filter((entry) => entry.id === results[0]?.id);
    expect(logged[0]?.client).toBe('partnerbridge');
  });

  it('sends every selected entity on /data/ChangeEvents', async () => {
    const { received } = await subscribe('/data/ChangeEvents');
    await conn.sobject('Account').create({ Name: 'All channel' });
    await conn.sobject('Opportunity').create({ ...baseOpportunity });
    const events = await waitFor(() => atLeast(received, 2), 'two events');
    expect(events.map((m) => header(m)?.entityName)).toEqual(['Account', 'Opportunity']);
  });

  it('replays from a stored replayId, and all retained events with -2', async () => {
    const live = await subscribe('/data/AccountChangeEvent');
    for (const name of ['Replay 1', 'Replay 2', 'Replay 3'])
      await conn.sobject('Account').create({ Name: name });
    const three = await waitFor(() => atLeast(live.received, 3), 'three events');
    const stored = three[0]?.event.replayId ?? 0;
    expect(live.replay._replay).toBe(three[2]?.event.replayId);
    const resumed = await subscribe('/data/AccountChangeEvent', stored);
    // Well within the 2 s long poll: replays go out on the connect already waiting.
    const replayed = await waitFor(() => atLeast(resumed.received, 2), 'replayed events', 1_500);
    expect(replayed.map((m) => m.payload.Name)).toEqual(['Replay 2', 'Replay 3']);
    const everything = await subscribe('/data/AccountChangeEvent', -2);
    const all = await waitFor(() => atLeast(everything.received, 3), 'all retained events', 1_500);
    expect(all.length).toBe(
      sandbox.control.changeEvents(orgId).filter((e) => e.entityName === 'Account').length,
    );
  });

  it('delivers replayed events at once to a client whose connect is already waiting', async () => {
    await conn.sobject('Account').create({ Name: 'Retained for late subscriber' });
    const received: EventMessage[] = [];
    const client = conn.streaming.createClient([
      new StreamingExtension.Replay('/data/OpportunityChangeEvent', -1),
      new StreamingExtension.Replay('/data/AccountChangeEvent', -2),
    ]);
    clients.push(client as unknown as StreamingClient);
    await client.subscribe('/data/OpportunityChangeEvent', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.subscribe('/data/AccountChangeEvent', (message: EventMessage) =>
      received.push(message),
    );
    const replayed = await waitFor(() => atLeast(received, 1), 'replayed events', 1_500);
    expect(replayed.some((m) => m.payload.Name === 'Retained for late subscriber')).toBe(true);
  });

  it('keeps events for 72 hours and refuses to replay from an expired replayId', async () => {
    const live = await subscribe('/data/AccountChangeEvent');
    await conn.sobject('Account').create({ Name: 'Old news' });
    const [old] = await waitFor(() => atLeast(live.received, 1), 'one event');
    const oldReplayId = (old?.event.replayId ?? 0) - 1;
    clock.advance(73 * 3_600_000);
    await conn.sobject('Account').create({ Name: 'Fresh news' });
    expect(sandbox.control.changeEvents(orgId).map((e) => e.data.payload.Name)).toEqual([
      'Fresh news',
    ]);
    const error = await subscribe('/data/AccountChangeEvent', oldReplayId).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(String((error as { message?: string } | undefined)?.message)).toMatch(
      /replayId \{\d+\} you provided was invalid/,
    );
  });

  it('duplicates, reorders and replaces events with gaps when scripted', async () => {
    const { received } = await subscribe('/data/AccountChangeEvent');
    sandbox.control.changeEventFaults.set({
      script: [{ kind: 'duplicate', entity: 'Account', times: 1 }],
    });
    await conn.sobject('Account').create({ Name: 'Faulty one' });
    await conn.sobject('Account').create({ Name: 'Faulty two' });
    const events = await waitFor(() => atLeast(received, 3), 'three deliveries');
    expect(events.map((m) => m.payload.Name)).toEqual(['Faulty one', 'Faulty one', 'Faulty two']);
    expect(events[0]?.event.replayId).toBe(events[1]?.event.replayId);

    received.length = 0;
    sandbox.control.changeEventFaults.set({
      script: [{ kind: 'out-of-order', entity: 'Account', times: 1 }],
    });
    await conn.sobject('Account').create({ Name: 'Late' });
    await conn.sobject('Account').create({ Name: 'Early' });
    const reordered = await waitFor(() => atLeast(received, 2), 'two deliveries');
    expect(reordered.map((m) => m.payload.Name)).toEqual(['Early', 'Late']);
    expect(reordered[0]?.event.replayId).toBeGreaterThan(reordered[1]?.event.replayId ?? 0);

    received.length = 0;
    sandbox.control.changeEventFaults.set({
      script: [{ kind: 'gap', entity: 'Account', times: 1 }],
    });
    const { id } = (await conn.sobject('Account').create({ Name: 'Gap' })) as { id: string };
    const [gap] = await waitFor(() => atLeast(received, 1), 'a gap event');
    expect(header(gap)).toMatchObject({
      changeType: 'GAP_CREATE',
      recordIds: [id],
      changedFields: [],
    });
    expect(gap?.payload.Name).toBeUndefined();
  });

  it('advises reconnect none when the session dies so AuthFailure fires', async () => {
    const { conn: shortLived } = connect(sandbox, { orgId });
    const { authFailures } = await subscribe('/data/AccountChangeEvent', -1, shortLived);
    sandbox.control.expireSessions({ orgId });
    sandbox.control.userCreate(orgId, 'Account', { Name: 'Wakes the long poll' });
    const [failure] = await waitFor(() => atLeast(authFailures, 1), 'an auth failure');
    expect(failure).toMatchObject({
      channel: '/meta/connect',
      successful: false,
      error: '401::Authentication invalid',
      advice: { reconnect: 'none' },
    });
    conn = connect(sandbox, { orgId, client: 'partnerbridge' }).conn;
  });

  it('asks unknown clients to handshake again', async () => {
    const token = sandbox.control.issueToken({ orgId });
    const response = await fetch(`${sandbox.url}/cometd/62.0`, {
      method: 'POST',
      headers: { Authorization: `OAuth ${token.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([
        { channel: '/meta/connect', clientId: 'gone', connectionType: 'long-polling', id: '7' },
      ]),
    });
    expect(await response.json()).toEqual([
      {
        id: '7',
        channel: '/meta/connect',
        clientId: 'gone',
        successful: false,
        error: '403::Unknown client',
        advice: { reconnect: 'handshake', interval: 0 },
      },
    ]);
  });

  it('refuses a handshake with an invalid token', async () => {
    const response = await fetch(`${sandbox.url}/cometd/62.0`, {
      method: 'POST',
      headers: { Authorization: 'OAuth nope', 'Content-Type': 'application/json' },
      body: JSON.stringify([
        {
          channel: '/meta/handshake',
          version: '1.0',
          supportedConnectionTypes: ['long-polling'],
          id: '1',
        },
      ]),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual([
      {
        id: '1',
        channel: '/meta/handshake',
        successful: false,
        error: '403::Handshake denied',
        advice: { reconnect: 'none' },
        ext: {
          sfdc: { failureReason: '401::Authentication invalid' },
          replay: true,
          'payload.format': true,
        },
      },
    ]);
  });
});
