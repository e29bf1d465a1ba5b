import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseOpportunity, connect, errorOf, raw } from './contract-helpers.ts';
import { type SalesforceSandbox, startSalesforceSandbox } from './index.ts';

// Bulk API 2.0 ingest through jsforce's bulk2 (the connector's back-fill path above ~2,000
// records): job lifecycle, CSV results with sf__Id / sf__Created / sf__Error, `#N/A` nulls,
// upsert by external id, whole-job failure on a bad header, and change events marked bulkapi.

let sandbox: SalesforceSandbox;
let conn: Connection;
let accessToken: string;
let orgId: string;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ demo: false });
  orgId = sandbox.control.createOrg({ name: 'Bulk', demo: { deals: 10 } }).orgId;
  const connection = connect(sandbox, { orgId, client: 'partnerbridge' });
  conn = connection.conn;
  accessToken = connection.token.accessToken;
});

afterAll(async () => {
  await sandbox.stop();
});

const records = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => ({
    Name: `${prefix} ${i}`,
    StageName: 'Prospecting',
    CloseDate: '2026-09-30',
    Amount: i,
    PB_HubSpot_Deal_Id__c: `${prefix}-${i}`,
  }));

describe('Bulk API 2.0 ingest', () => {
  it('inserts 2,500 records with per-record results and failures', async () => {
    const input: Record<string, unknown>[] = records(2_500, 'BULK');
    input[10] = { ...input[10], StageName: 'Nope' };
    const before = sandbox.control.apiUsage(orgId).used;
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Opportunity',
      operation: 'insert',
      input,
      pollInterval: 20,
      pollTimeout: 20_000,
    });
    expect(results.successfulResults).toHaveLength(2_499);
    expect(results.successfulResults[0]).toMatchObject({ sf__Created: 'true', Name: 'BULK 0' });
    expect(results.successfulResults[0]?.sf__Id).toMatch(/^006[0-9A-Za-z]{15}$/);
    expect(results.failedResults).toEqual([
      expect.objectContaining({
        sf__Id: '',
        sf__Error:
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:Stage: bad value for restricted picklist field: Nope:StageName --',
        Name: 'BULK 10',
      }),
    ]);
    expect(sandbox.control.apiUsage(orgId).used - before).toBeLessThan(12);
    const count = await conn.query("SELECT COUNT() FROM Opportunity WHERE Name LIKE 'BULK %'");
    expect(count.totalSize).toBe(2_499);
    const log = sandbox.control.writeLog(orgId).filter((entry) => entry.source === 'bulkapi');
    expect(log[0]).toMatchObject({ operation: 'create', client: 'partnerbridge' });
    const events = sandbox.control
      .changeEvents(orgId)
      .filter((e) => e.entityName === 'Opportunity');
    expect(events.at(-1)?.data.payload.ChangeEventHeader.changeOrigin).toBe(
      'com/salesforce/api/bulkapi/62.0;client=partnerbridge',
    );
  });

  it('upserts by external id and sets nulls with #N/A', async () => {
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Opportunity',
      operation: 'upsert',
      externalIdFieldName: 'PB_HubSpot_Deal_Id__c',
      // jsforce takes the CSV header from the first record, so every record carries every key.
      input: [
        {
          ...baseOpportunity,
          PB_HubSpot_Deal_Id__c: 'BULK-1',
          Amount: null,
          Name: 'BULK 1 renamed',
        },
        { ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'BULK-NEW', Amount: 5, Name: 'BULK new' },
      ],
      pollInterval: 20,
    });
    expect(results.successfulResults.map((r) => r.sf__Created)).toEqual(['false', 'true']);
    const updated = await conn.query<{ Name: string; Amount: number | null }>(
      "SELECT Name, Amount FROM Opportunity WHERE PB_HubSpot_Deal_Id__c = 'BULK-1'",
    );
    expect(updated.records[0]).toMatchObject({ Name: 'BULK 1 renamed', Amount: null });
  });

  it('updates and deletes by Id', async () => {
    const found = await conn.query<{ Id: string }>(
      "SELECT Id FROM Opportunity WHERE Name LIKE 'BULK 2%' ORDER BY Name LIMIT 3",
    );
    const ids = found.records.map((r) => r.Id);
    const updated = await conn.bulk2.loadAndWaitForResults({
      object: 'Opportunity',
      operation: 'update',
      input: ids.map((Id) => ({ Id, StageName: 'Closed Won' })),
      pollInterval: 20,
    });
    expect(updated.successfulResults).toHaveLength(3);
    const deleted = await conn.bulk2.loadAndWaitForResults({
      object: 'Opportunity',
      operation: 'delete',
      input: [...ids.map((Id) => ({ Id })), { Id: 'bogus' }],
      pollInterval: 20,
    });
    expect(deleted.successfulResults.map((r) => r.sf__Id)).toEqual(ids);
    expect(deleted.failedResults[0]?.sf__Error).toMatch(/^MALFORMED_ID:/);
  });

  it('fails the whole job when the header names an unknown field', async () => {
    const job = conn.bulk2.createJob({ object: 'Opportunity', operation: 'insert' });
    await job.open();
    await job.uploadData('Name,StageName,CloseDate,Nope__c\nX,Prospecting,2026-01-01,1\n');
    await job.close();
    const error = await errorOf(() => job.poll(20, 5_000));
    expect(error.message).toBe(
      'Ingest job failed to complete due to: InvalidBatch : Field name not found : Nope__c',
    );
  });

  it('refuses jobs for unknown objects and upserts without an external id', async () => {
    const unknown = await raw(sandbox, accessToken, 'POST', '/services/data/v62.0/jobs/ingest', {
      object: 'Nope__c',
      operation: 'insert',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual([
      { message: 'Unable to find object: Nope__c', errorCode: 'INVALIDJOB' },
    ]);
    const upsert = await raw(sandbox, accessToken, 'POST', '/services/data/v62.0/jobs/ingest', {
      object: 'Opportunity',
      operation: 'upsert',
    });
    expect((upsert.body as { errorCode: string }[])[0]?.errorCode).toBe('INVALIDJOB');
  });
});
