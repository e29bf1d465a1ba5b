import {
  accountObject,
  createApiCallCounter,
  findByExternalIds,
  findCandidates,
  findDeletedByIds,
  initialReadCheckpoint,
  type OpportunityRecord,
  type OpportunitySnapshot,
  opportunityObject,
  provisionPartnerbridgeFields,
  type ReadCheckpoint,
  type ReadRecord,
  readChanges,
  readCheckpointSchema,
  readDeleted,
  retrieveByIds,
} from '@partnerbridge/salesforce-connector';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseOpportunity,
  connectTo,
  type SalesforceSandbox,
  startSandbox,
  testClock,
} from './support/sandbox.ts';

// Incremental reads against the sandbox through jsforce: paging with queryMore, a crash mid-way
// resumed from the persisted checkpoint (also after the query locator expired), SystemModstamp
// ties across a page boundary, deletions via queryAll and getDeleted, and the batched lookups.

const clock = testClock('2026-03-02T10:00:00.000Z');
let sandbox: SalesforceSandbox;
let orgId: string;
let connection: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({ clock: clock.now });
  orgId = sandbox.control.createOrg({ name: 'Reads', demo: false }).orgId;
  connection = connectTo(sandbox, orgId).connection;
  // A bare org gets our fields the way an install does.
  const report = await provisionPartnerbridgeFields({ connection });
  expect(report.failed).toEqual([]);
});

afterAll(async () => {
  await sandbox.stop();
});

type Change = ReadRecord<OpportunityRecord, OpportunitySnapshot>;

/** Creates opportunities as a user would (no API calls), `perTick` per clock millisecond-second. */
function seed(count: number, prefix: string, perTick = 1): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % perTick === 0) clock.advance(1_000);
    ids.push(
      sandbox.control.userCreate(orgId, 'Opportunity', {
        ...baseOpportunity,
        Name: `${prefix} ${i}`,
        Amount: i + 0.5,
        PB_HubSpot_Deal_Id__c: `${prefix}-${i}`,
      }),
    );
  }
  return ids;
}

/** A stand-in for the engine's Postgres: records and checkpoint committed together. */
function store(initial: ReadCheckpoint = initialReadCheckpoint) {
  const state = { checkpoint: initial, applied: [] as Change[] };
  return {
    state,
    commit(changes: readonly Change[], checkpoint: ReadCheckpoint) {
      state.applied.push(...changes);
      // What a JSON column gives back.
      state.checkpoint = readCheckpointSchema.parse(JSON.parse(JSON.stringify(checkpoint)));
    },
  };
}

const names = (changes: readonly Change[]) => changes.map((c) => c.snapshot.name);

describe(readChanges, () => {
  it('reads every record once across pages, resuming after a crash mid-way', async () => {
    const ids = seed(650, 'Paged');
    const db = store();
    const meter = createApiCallCounter();
    let pagesSeen = 0;
    await expect(
      readChanges({
        connection,
        meter,
        object: opportunityObject,
        checkpoint: db.state.checkpoint,
        pageSize: 200,
        onPage: (page) => {
          pagesSeen++;
          if (pagesSeen === 3) throw new Error('worker crashed');
          db.commit(page.changes, page.checkpoint);
        },
      }),
    ).rejects.toThrow('worker crashed');
    expect(db.state.applied).toHaveLength(400);
    expect(db.state.checkpoint.nextRecordsUrl).toMatch(/\/query\/01g/);
    expect(meter.byOperation()).toEqual({ query: 1, query_more: 2 });

    const resumed = await readChanges({
      connection,
      meter,
      object: opportunityObject,
      checkpoint: db.state.checkpoint,
      pageSize: 200,
      onPage: (page) => db.commit(page.changes, page.checkpoint),
    });
    expect(resumed).toMatchObject({ pages: 2, changes: 250, done: true });
    expect(db.state.applied.map((c) => c.id)).toEqual(ids);
    expect(new Set(db.state.applied.map((c) => c.id)).size).toBe(650);
    expect(db.state.checkpoint.nextRecordsUrl).toBeUndefined();
    expect(db.state.checkpoint.cursor).toBe(db.state.applied.at(-1)?.modstamp);
    expect(db.state.applied[0]?.snapshot.amount).toEqual({ amountMinor: 50, currency: 'USD' });

    // Nothing new: the overlap window is re-read and recognised.
    const again = await readChanges({
      connection,
      object: opportunityObject,
      checkpoint: db.state.checkpoint,
      onPage: (page) => db.commit(page.changes, page.checkpoint),
    });
    expect(again.changes).toBe(0);

    // A later edit is the only change the next read sees.
    clock.advance(60_000);
    sandbox.control.userUpdate(orgId, 'Opportunity', ids[5] ?? '', { StageName: 'Closed Won' });
    const pages: { skipped: number; changes: number }[] = [];
    await readChanges({
      connection,
      object: opportunityObject,
      checkpoint: db.state.checkpoint,
      onPage: (page) => {
        pages.push({ skipped: page.skipped, changes: page.changes.length });
        db.commit(page.changes, page.checkpoint);
      },
    });
    expect(db.state.applied.at(-1)?.snapshot).toMatchObject({
      name: 'Paged 5',
      stage: { name: 'Closed Won', category: 'won' },
    });
    expect(pages).toEqual([{ skipped: expect.any(Number), changes: 1 }]);
  });

  it('survives an expired query locator and identical SystemModstamps across a page boundary', async () => {
    clock.advance(10 * 60_000);
    // 450 records sharing 3 timestamps: pages of 200 cut through a tie.
    const ids = seed(450, 'Tied', 150);
    const db = store({
      cursor: new Date(clock.now() - 5_000).toISOString(),
      boundaryHashes: [],
    });
    let pagesSeen = 0;
    await expect(
      readChanges({
        connection,
        object: opportunityObject,
        checkpoint: db.state.checkpoint,
        overlapMs: 0,
        pageSize: 200,
        onPage: (page) => {
          if (++pagesSeen === 2) throw new Error('crash on the tie');
          db.commit(page.changes, page.checkpoint);
        },
      }),
    ).rejects.toThrow('crash on the tie');
    expect(db.state.applied).toHaveLength(200);
    // Locators expire after 15 idle minutes: the resume re-queries from the cursor.
    clock.advance(16 * 60_000);
    const meter = createApiCallCounter();
    let skipped = 0;
    const result = await readChanges({
      connection,
      meter,
      object: opportunityObject,
      checkpoint: db.state.checkpoint,
      overlapMs: 0,
      pageSize: 200,
      onPage: (page) => {
        skipped += page.skipped;
        db.commit(page.changes, page.checkpoint);
      },
    });
    // The stale locator (refused), a fresh query from the cursor, then its second page; the 50
    // records already processed at the cursor's timestamp are recognised by their hashes.
    expect(result.pages).toBe(2);
    expect(meter.byOperation()).toEqual({ query_more: 2, query: 1 });
    expect(skipped).toBe(50);
    expect(db.state.applied.map((c) => c.id)).toEqual(ids);
    expect(names(db.state.applied).slice(198, 202)).toEqual([
      'Tied 198',
      'Tied 199',
      'Tied 200',
      'Tied 201',
    ]);
  });

  it('stops after maxPages with a checkpoint that continues', async () => {
    const db = store();
    const first = await readChanges({
      connection,
      object: opportunityObject,
      checkpoint: db.state.checkpoint,
      pageSize: 200,
      maxPages: 1,
      onPage: (page) => db.commit(page.changes, page.checkpoint),
    });
    expect(first).toMatchObject({ pages: 1, done: false });
    expect(first.checkpoint.nextRecordsUrl).toBeDefined();
    const rest = await readChanges({
      connection,
      object: opportunityObject,
      checkpoint: first.checkpoint,
      pageSize: 2_000,
      onPage: (page) => db.commit(page.changes, page.checkpoint),
    });
    expect(rest.done).toBe(true);
    expect(new Set(db.state.applied.map((c) => c.id)).size).toBe(db.state.applied.length);
  });

  it('surfaces deletions from queryAll, and from getDeleted for older windows', async () => {
    clock.advance(60_000);
    const start = new Date(clock.now()).toISOString();
    const [kept, removed] = seed(2, 'Doomed');
    const db = store({ cursor: start, boundaryHashes: [] });
    await readChanges({
      connection,
      object: opportunityObject,
      checkpoint: db.state.checkpoint,
      onPage: (page) => db.commit(page.changes, page.checkpoint),
    });
    clock.advance(2 * 60_000);
    sandbox.control.userDelete(orgId, 'Opportunity', removed ?? '');
    const deletions: Change[] = [];
    await readChanges({
      connection,
      object: opportunityObject,
      checkpoint: db.state.checkpoint,
      onPage: (page) => {
        deletions.push(...page.changes.filter((c) => c.deleted));
        db.commit(page.changes, page.checkpoint);
      },
    });
    expect(deletions.map((c) => [c.id, c.snapshot.deleted])).toEqual([[removed, true]]);

    clock.advance(2 * 60_000);
    const meter = createApiCallCounter();
    const window = await readDeleted({
      connection,
      meter,
      object: opportunityObject,
      start: start as never,
      end: new Date(clock.now()).toISOString() as never,
    });
    expect(window.deletions.map((d) => d.id)).toEqual([removed]);
    expect(window.complete).toBe(true);
    expect(window.deletions[0]?.deletedAt).toMatch(/Z$/);
    expect(meter.total()).toBe(1);
    expect(kept).toBeDefined();
    const later = await readDeleted({
      connection,
      object: opportunityObject,
      start: window.latestDateCovered,
      end: new Date(clock.now()).toISOString() as never,
    });
    expect(later.deletions).toEqual([]);
  });
});

describe('lookups', () => {
  it('finds which ids are in the recycle bin and since when, in one call', async () => {
    const [live, removed] = seed(2, 'Binned');
    clock.advance(5_000);
    sandbox.control.userDelete(orgId, 'Opportunity', removed ?? '');
    const meter = createApiCallCounter();
    const found = await findDeletedByIds({
      connection,
      meter,
      object: opportunityObject,
      ids: [live ?? '', removed ?? '', (removed ?? '').slice(0, 15), 'not-an-id'],
    });
    expect([...found.keys()]).toEqual([removed]);
    expect(found.get(removed ?? '')?.deletedAt).toBe(new Date(clock.now()).toISOString());
    expect(meter.total()).toBe(1);
  });

  it('retrieves by id in order, in one call per chunk, with nulls for missing and malformed ids', async () => {
    const ids = seed(5, 'Retrieve');
    const removed = ids[2] ?? '';
    sandbox.control.userDelete(orgId, 'Opportunity', removed);
    const meter = createApiCallCounter();
    const found = await retrieveByIds({
      connection,
      meter,
      object: opportunityObject,
      ids: [ids[4] ?? '', 'bogus', ids[0] ?? '', removed, (ids[1] ?? '').slice(0, 15)],
    });
    expect(found.map((r) => r?.snapshot.name ?? null)).toEqual([
      'Retrieve 4',
      null,
      'Retrieve 0',
      null,
      'Retrieve 1',
    ]);
    expect(meter.byOperation()).toEqual({ retrieve: 1 });
    // The sandbox caps retrieves at 200 ids (Salesforce documents 2,000): chunk explicitly.
    const many = seed(250, 'Many');
    meter.reset();
    const all = await retrieveByIds({
      connection,
      meter,
      object: opportunityObject,
      ids: many,
      chunkSize: 200,
    });
    expect(all.every((r) => r !== null)).toBe(true);
    expect(meter.byOperation()).toEqual({ retrieve: 2 });
  });

  it('finds records by external id (case-insensitively) in one query per chunk', async () => {
    const meter = createApiCallCounter();
    const found = await findByExternalIds({
      connection,
      meter,
      object: opportunityObject,
      externalIds: ['Paged-1', 'paged-2', 'nope', "O'Reilly"],
    });
    expect([...found.keys()].sort()).toEqual(['Paged-1', 'paged-2']);
    expect(found.get('paged-2')?.snapshot.name).toBe('Paged 2');
    expect(meter.byOperation()).toEqual({ query: 1 });
  });

  it('finds identity candidates by name and website domain', async () => {
    const acme = sandbox.control.userCreate(orgId, 'Account', {
      Name: 'Acme Corp',
      Website: 'https://www.acme.com/',
    });
    const named = sandbox.control.userCreate(orgId, 'Account', { Name: 'ACME corp' });
    sandbox.control.userCreate(orgId, 'Account', { Name: 'Not Acme', Website: 'notacme.com' });
    const meter = createApiCallCounter();
    const candidates = await findCandidates({
      connection,
      meter,
      object: accountObject,
      names: ['Acme Corp'],
      websites: ['acme.com'],
    });
    expect(candidates.map((c) => [c.id, [...c.matchedOn].sort()]).sort()).toEqual(
      [
        [acme, ['domain', 'name']],
        [named, ['name']],
      ].sort(),
    );
    expect(meter.byOperation()).toEqual({ query: 2 });
  });
});
