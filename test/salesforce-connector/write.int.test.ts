import {
  accountObject,
  createApiCallCounter,
  deleteByIds,
  opportunityObject,
  provisionPartnerbridgeFields,
  summarizeWriteResults,
  type UpsertRecord,
  updateByIds,
  upsertByExternalId,
  type WriteResult,
} from '@partnerbridge/salesforce-connector';
import type { Connection } from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  baseOpportunity,
  connectTo,
  type SalesforceSandbox,
  startSandbox,
} from './support/sandbox.ts';

// Writes against the sandbox through jsforce: sObject Collections of ≤ 200 with per-record
// results, a validation rule failing one record alone, lock retries grouped by account, Bulk
// API 2.0 above the threshold, and API calls equal to the minimum.

let sandbox: SalesforceSandbox;
let orgId: string;
let connection: Connection;

beforeAll(async () => {
  sandbox = await startSandbox();
  orgId = sandbox.control.createOrg({ name: 'Writes', demo: false }).orgId;
  connection = connectTo(sandbox, orgId).connection;
  await provisionPartnerbridgeFields({ connection });
});

afterEach(() => {
  sandbox.control.clearLocks(orgId);
  sandbox.control.faults.clear();
});

afterAll(async () => {
  await sandbox.stop();
});

const deals = (
  count: number,
  prefix: string,
  extra: Record<string, unknown> = {},
): UpsertRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    externalId: `${prefix}-${i}`,
    fields: opportunityObject.fromDomain({
      name: `${prefix} ${i}`,
      stageName: 'Prospecting',
      closeDate: '2026-06-30',
      amount: { amountMinor: 100_00 + i, currency: 'USD' },
    }),
    ...extra,
  }));

/** Calls made to sObject Collections endpoints since the last reset. */
function collectionCalls(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(sandbox.control.requests().byEndpoint).filter(([key]) =>
      key.includes('/composite/sobjects'),
    ),
  );
}

const failures = (results: readonly WriteResult[]) =>
  results.flatMap((r, index) =>
    r.ok ? [] : [{ index, code: r.error.code, errorCode: r.error.errorCode }],
  );

describe(upsertByExternalId, () => {
  it('upserts 450 records in 3 calls, and one invalid record fails alone', async () => {
    sandbox.control.addValidationRule({
      orgId,
      sobject: 'Opportunity',
      name: 'No test names',
      errorMessage: 'Name may not be "Up 137"',
      errorDisplayField: 'Name',
      when: { field: 'Name', equals: 'Up 137' },
    });
    sandbox.control.resetRequests();
    const meter = createApiCallCounter();
    const results = await upsertByExternalId({
      connection,
      meter,
      object: opportunityObject,
      records: deals(450, 'Up'),
    });
    expect(results).toHaveLength(450);
    expect(failures(results)).toEqual([
      { index: 137, code: 'permanent', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
    ]);
    const failed = results[137];
    expect(!failed?.ok && failed?.error.message).toBe('Name may not be "Up 137"');
    expect(results.filter((r) => r.ok && r.created)).toHaveLength(449);
    expect(meter.byOperation()).toEqual({ upsert: 3 });
    expect(Object.values(collectionCalls())).toEqual([3]);
    expect(meter.lastUsage()).toEqual(sandbox.control.apiUsage(orgId));

    // The same external ids again: updates, created false, ids stable.
    const again = await upsertByExternalId({
      connection,
      object: opportunityObject,
      records: [
        { externalId: 'Up-1', fields: { StageName: 'Closed Won' } },
        { externalId: 'up-2', fields: { Amount: 5 } },
      ],
    });
    expect(again.map((r) => r.ok && r.created)).toEqual([false, false]);
    expect(again[0]?.ok && again[0].id).toBe(results[1]?.ok && results[1].id);
    sandbox.control.removeValidationRule({ orgId, name: 'No test names' });
  });

  it('writes the same external id once, with merged fields, and answers both inputs', async () => {
    const meter = createApiCallCounter();
    const results = await upsertByExternalId({
      connection,
      meter,
      object: opportunityObject,
      records: [
        { externalId: 'Twice', fields: { ...baseOpportunity, Name: 'First' } },
        { externalId: 'twice', fields: { Name: 'Second' } },
      ],
    });
    expect(results[0]).toEqual(results[1]);
    expect(meter.total()).toBe(1);
    const row = sandbox.control.getRecord(
      orgId,
      'Opportunity',
      results[0]?.ok ? results[0].id : '',
    );
    expect(row?.Name).toBe('Second');
  });

  it('retries lock failures on one account with jitter, only for the failed subset', async () => {
    const locked = sandbox.control.userCreate(orgId, 'Account', { Name: 'Busy account' });
    const calm = sandbox.control.userCreate(orgId, 'Account', { Name: 'Calm account' });
    const records = [
      ...deals(3, 'Locked', { parentId: locked }).map((r) => ({
        ...r,
        fields: { ...r.fields, AccountId: locked },
      })),
      ...deals(5, 'Calm').map((r) => ({ ...r, fields: { ...r.fields, AccountId: calm } })),
    ];
    sandbox.control.lockRecords({ orgId, accountId: locked, times: 3 });
    const delays: number[] = [];
    const meter = createApiCallCounter();
    const results = await upsertByExternalId({
      connection,
      meter,
      object: opportunityObject,
      records,
      retry: { baseDelayMs: 100, random: () => 0.5, sleep: async (ms) => void delays.push(ms) },
    });
    expect(failures(results)).toEqual([]);
    expect(delays).toEqual([50]);
    // One call for all 8, one retry call for the 3 locked ones.
    expect(meter.byOperation()).toEqual({ upsert: 2 });
  });

  it('returns persistent locks as retry_later after the last retry', async () => {
    const locked = sandbox.control.userCreate(orgId, 'Account', { Name: 'Always busy' });
    sandbox.control.lockRecords({ orgId, accountId: locked, times: 1_000 });
    const delays: number[] = [];
    const records = [
      ...deals(2, 'Stuck').map((r) => ({ ...r, fields: { ...r.fields, AccountId: locked } })),
      ...deals(2, 'Free'),
    ];
    const meter = createApiCallCounter();
    const results = await upsertByExternalId({
      connection,
      meter,
      object: opportunityObject,
      records,
      retry: {
        maxRetries: 2,
        baseDelayMs: 10,
        random: () => 1,
        sleep: async (ms) => void delays.push(ms),
      },
    });
    expect(failures(results)).toEqual([
      { index: 0, code: 'retry_later', errorCode: 'UNABLE_TO_LOCK_ROW' },
      { index: 1, code: 'retry_later', errorCode: 'UNABLE_TO_LOCK_ROW' },
    ]);
    const stuck = results[0];
    expect(!stuck?.ok && stuck?.error.message).toMatch(/still locked after 3 attempts/);
    expect(delays).toEqual([10, 20]);
    expect(meter.total()).toBe(3);
    expect(results.slice(2).every((r) => r.ok)).toBe(true);
  });

  it('stops at a rate limit: one call, every record rate_limited', async () => {
    const { limit } = sandbox.control.apiUsage(orgId);
    sandbox.control.setApiUsage({ orgId, used: limit });
    const meter = createApiCallCounter();
    const results = await upsertByExternalId({
      connection,
      meter,
      object: opportunityObject,
      records: deals(450, 'Limited'),
    });
    sandbox.control.setApiUsage({ orgId, used: 0 });
    expect(meter.total()).toBe(1);
    expect(summarizeWriteResults(results)).toEqual({
      ok: 0,
      created: 0,
      failed: { rate_limited: 450 },
    });
    const later = results[449];
    expect(!later?.ok && later?.error.message).toMatch(/^not attempted/);
  });

  it('gives every record of a call that failed as a whole the same retry_later', async () => {
    sandbox.control.faults.set({
      script: [
        {
          match: { method: 'PATCH', path: '/composite/sobjects/' },
          action: { kind: 'server-error' },
          times: 1,
        },
      ],
    });
    const results = await upsertByExternalId({
      connection,
      object: opportunityObject,
      records: deals(250, 'Flaky'),
    });
    expect(failures(results).filter((f) => f.errorCode === 'UNKNOWN_EXCEPTION')).toHaveLength(200);
    expect(results.filter((r) => r.ok)).toHaveLength(50);
  });

  it('uses Bulk API 2.0 above the threshold and maps a failed row back to its record', async () => {
    const records = deals(30, 'Bulk');
    records[17] = { externalId: 'Bulk-17', fields: { ...records[17]?.fields, StageName: 'Nope' } };
    records[3] = {
      externalId: 'Bulk-3',
      fields: { ...records[3]?.fields, Amount: null, Type: 'New Customer' },
    };
    sandbox.control.resetRequests();
    const meter = createApiCallCounter();
    const results = await upsertByExternalId({
      connection,
      meter,
      object: opportunityObject,
      records,
      bulkThreshold: 20,
      bulk: { pollIntervalMs: 5 },
    });
    expect(failures(results)).toEqual([
      { index: 17, code: 'permanent', errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' },
    ]);
    const bad = results[17];
    expect(!bad?.ok && bad?.error.fields).toEqual(['StageName']);
    expect(results.filter((r) => r.ok && r.created)).toHaveLength(29);
    const third = results[3];
    const row = sandbox.control.getRecord(orgId, 'Opportunity', third?.ok ? third.id : '');
    expect(row).toMatchObject({ Amount: null, Type: 'New Customer', Name: 'Bulk 3' });
    // open, upload, close, ≥1 status poll, three result files — whatever the record count.
    expect(meter.byOperation().bulk).toBe(sandbox.control.requests().total);
    expect(meter.total()).toBeGreaterThanOrEqual(7);
    expect(collectionCalls()).toEqual({});
  });

  it('takes the Bulk path by default above 2,000 records', async () => {
    const meter = createApiCallCounter();
    const results = await upsertByExternalId({
      connection,
      meter,
      object: opportunityObject,
      records: deals(2_001, 'Backfill'),
      bulk: { pollIntervalMs: 5 },
    });
    expect(summarizeWriteResults(results)).toEqual({ ok: 2_001, created: 2_001, failed: {} });
    // open, upload, close, one status poll (the sandbox finishes at close), three result files.
    expect(meter.byOperation()).toEqual({ bulk: 7 });
  });

  it('refuses empty writes and external ids among the fields before sending anything', async () => {
    await expect(
      upsertByExternalId({
        connection,
        object: opportunityObject,
        records: [{ externalId: 'x', fields: {} }],
      }),
    ).rejects.toThrow(/nothing to write/);
    await expect(
      upsertByExternalId({
        connection,
        object: opportunityObject,
        records: [{ externalId: 'x', fields: { PB_HubSpot_Deal_Id__c: 'y' } }],
      }),
    ).rejects.toThrow(/cannot be among the written fields/);
  });
});

describe('updates and deletes', () => {
  it('updates by id with per-record results and a local answer for malformed ids', async () => {
    const created = await upsertByExternalId({
      connection,
      object: opportunityObject,
      records: deals(3, 'Upd'),
    });
    const ids = created.map((r) => (r.ok ? r.id : ''));
    const meter = createApiCallCounter();
    const results = await updateByIds({
      connection,
      meter,
      object: opportunityObject,
      records: [
        { id: ids[0] ?? '', fields: { StageName: 'Closed Won' } },
        { id: 'bogus', fields: { StageName: 'Closed Won' } },
        { id: (ids[1] ?? '').slice(0, 15), fields: { StageName: 'Nope' } },
        { id: ids[2] ?? '', fields: { Name: 'Renamed' } },
      ],
    });
    expect(results.map((r) => (r.ok ? r.id : r.error.errorCode))).toEqual([
      ids[0],
      'MALFORMED_ID',
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      ids[2],
    ]);
    expect(meter.byOperation()).toEqual({ update: 1 });
    const account = sandbox.control.userCreate(orgId, 'Account', { Name: 'To update' });
    const accountResult = await updateByIds({
      connection,
      object: accountObject,
      records: [
        { id: account, fields: accountObject.fromDomain({ tier: 'gold', isPartner: true }) },
      ],
    });
    expect(accountResult[0]?.ok).toBe(true);
    expect(sandbox.control.getRecord(orgId, 'Account', account)).toMatchObject({
      PB_Partner_Tier__c: 'gold',
      PB_Is_Partner__c: true,
    });
  });

  it('deletes by id, treating an already deleted record as deleted', async () => {
    const created = await upsertByExternalId({
      connection,
      object: opportunityObject,
      records: deals(3, 'Del'),
    });
    const ids = created.map((r) => (r.ok ? r.id : ''));
    sandbox.control.userDelete(orgId, 'Opportunity', ids[2] ?? '');
    const meter = createApiCallCounter();
    const results = await deleteByIds({
      connection,
      meter,
      object: opportunityObject,
      ids: [...ids, ids[0] ?? '', '001A10000000009IAA'],
    });
    expect(results.map((r) => (r.ok ? r.id : r.error.errorCode))).toEqual([
      ids[0],
      ids[1],
      ids[2],
      ids[0],
      'MALFORMED_ID',
    ]);
    expect(meter.byOperation()).toEqual({ delete: 1 });
    expect(sandbox.control.getRecord(orgId, 'Opportunity', ids[0] ?? '')?.IsDeleted).toBe(true);
  });
});
