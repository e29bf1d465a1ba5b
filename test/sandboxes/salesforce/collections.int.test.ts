import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseOpportunity, connect, errorOf, raw } from './contract-helpers.ts';
import { type SalesforceSandbox, startSalesforceSandbox } from './index.ts';

// sObject Collections and composite through jsforce: per-record results in request order, one bad
// record never failing its neighbours, allOrNone rollback, the 200-record cap, scripted locks and
// validation rules, and the whole request counting as one API call.

let sandbox: SalesforceSandbox;
let conn: Connection;
let accessToken: string;
let orgId: string;
let accountId: string;

type Result = {
  id?: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
  created?: boolean;
};

const opportunities = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => ({ ...baseOpportunity, Name: `${prefix} ${i}` }));

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ demo: false });
  orgId = sandbox.control.createOrg({ name: 'Collections', demo: { deals: 20 } }).orgId;
  const connection = connect(sandbox, { orgId });
  conn = connection.conn;
  accessToken = connection.token.accessToken;
  accountId = (
    (await conn.sobject('Account').create({ Name: 'Collections Customer' })) as { id: string }
  ).id;
});

afterAll(async () => {
  await sandbox.stop();
});

describe('create', () => {
  it('one bad record never fails its 199 neighbours', async () => {
    const records: Record<string, unknown>[] = opportunities(200, 'Partial');
    records[57] = { Name: 'Missing stage and date' };
    const before = sandbox.control.apiUsage(orgId).used;
    const results = (await conn.sobject('Opportunity').create(records)) as Result[];
    expect(sandbox.control.apiUsage(orgId).used).toBe(before + 1);
    expect(results).toHaveLength(200);
    expect(results.filter((r) => r.success)).toHaveLength(199);
    expect(results[57]).toEqual({
      success: false,
      errors: [
        {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: 'Required fields are missing: [StageName, CloseDate]',
          fields: ['StageName', 'CloseDate'],
        },
      ],
    });
    const names = await conn.query<{ Name: string }>(
      "SELECT Name FROM Opportunity WHERE Name LIKE 'Partial %'",
    );
    expect(names.totalSize).toBe(199);
  });

  it('rolls everything back with allOrNone and reports ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
    const records: Record<string, unknown>[] = opportunities(5, 'Atomic');
    records[3] = { ...baseOpportunity, Name: 'Atomic bad', StageName: 'Nope' };
    const results = (await conn
      .sobject('Opportunity')
      .create(records, { allOrNone: true })) as Result[];
    expect(results.map((r) => r.success)).toEqual([false, false, false, false, false]);
    expect(results[0]?.errors[0]?.statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect(results[0]?.id).toBeUndefined();
    expect(results[3]?.errors[0]?.statusCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const count = await conn.query("SELECT COUNT() FROM Opportunity WHERE Name LIKE 'Atomic%'");
    expect(count.totalSize).toBe(0);
  });

  it('refuses more than 200 records with a 400 error array', async () => {
    const error = await errorOf(() =>
      conn.sobject('Opportunity').create(opportunities(201, 'Too many')),
    );
    expect(error.errorCode).toBe('EXCEEDED_ID_LIMIT');
    const response = await raw(
      sandbox,
      accessToken,
      'POST',
      '/services/data/v62.0/composite/sobjects',
      {
        records: opportunities(201, 'Raw').map((r) => ({
          attributes: { type: 'Opportunity' },
          ...r,
        })),
      },
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual([
      {
        message: 'record limit reached. cannot submit more than 200 records into this call',
        errorCode: 'EXCEEDED_ID_LIMIT',
      },
    ]);
  });

  it('creates mixed types in request order', async () => {
    const response = await raw(
      sandbox,
      accessToken,
      'POST',
      '/services/data/v62.0/composite/sobjects',
      {
        allOrNone: false,
        records: [
          { attributes: { type: 'Account' }, Name: 'Mixed A' },
          { attributes: { type: 'Opportunity' }, ...baseOpportunity },
          { attributes: { type: 'Account' }, Name: 'Mixed B' },
        ],
      },
    );
    expect(response.status).toBe(200);
    const ids = (response.body as Result[]).map((r) => r.id?.slice(0, 3));
    expect(ids).toEqual(['001', '006', '001']);
  });
});

describe('update, upsert, delete, retrieve', () => {
  it('updates with per-record results and MALFORMED_ID / MISSING_ARGUMENT in place', async () => {
    const created = (await conn.sobject('Opportunity').create(opportunities(3, 'Upd'))) as Result[];
    const [a, b] = created.map((r) => r.id ?? '');
    const response = await raw(
      sandbox,
      accessToken,
      'PATCH',
      '/services/data/v62.0/composite/sobjects',
      {
        allOrNone: false,
        records: [
          { id: a, attributes: { type: 'Opportunity' }, Amount: 10 },
          { id: 'not-an-id', attributes: { type: 'Opportunity' }, Amount: 20 },
          { attributes: { type: 'Opportunity' }, Amount: 30 },
          { id: b, attributes: { type: 'Opportunity' }, Amount: 40 },
        ],
      },
    );
    const results = response.body as Result[];
    expect(results.map((r) => r.success)).toEqual([true, false, false, true]);
    expect(results[1]?.errors[0]?.statusCode).toBe('MALFORMED_ID');
    expect(results[2]?.errors[0]).toEqual({
      statusCode: 'MISSING_ARGUMENT',
      message: 'Id not specified in an update call',
      fields: [],
    });
  });

  it('upserts by external id with created flags per record', async () => {
    await conn
      .sobject('Opportunity')
      .create({ ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'HS-C-1' });
    const results = (await conn.sobject('Opportunity').upsert(
      [
        { PB_HubSpot_Deal_Id__c: 'HS-C-1', Amount: 5 },
        { ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'HS-C-2' },
        { PB_HubSpot_Deal_Id__c: 'HS-C-3', Amount: 7 },
      ],
      'PB_HubSpot_Deal_Id__c',
    )) as Result[];
    expect(results[0]).toMatchObject({ success: true, created: false });
    expect(results[1]).toMatchObject({ success: true, created: true });
    expect(results[2]?.errors[0]?.statusCode).toBe('REQUIRED_FIELD_MISSING');
  });

  it('refuses the same external id twice in one upsert call', async () => {
    const results = (await conn.sobject('Opportunity').upsert(
      [
        { ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'HS-TWICE' },
        { ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'hs-twice' },
      ],
      'PB_HubSpot_Deal_Id__c',
    )) as Result[];
    expect(results.map((r) => r.errors[0]?.statusCode)).toEqual([
      'DUPLICATE_EXTERNAL_ID',
      'DUPLICATE_EXTERNAL_ID',
    ]);
  });

  it('deletes with per-id results, ENTITY_IS_DELETED for the second time', async () => {
    const created = (await conn.sobject('Opportunity').create(opportunities(2, 'Del'))) as Result[];
    const ids = created.map((r) => r.id ?? '');
    const first = (await conn.sobject('Opportunity').destroy(ids)) as Result[];
    expect(first.every((r) => r.success)).toBe(true);
    const again = (await conn.sobject('Opportunity').destroy([ids[0] ?? '', 'bogus'])) as Result[];
    expect(again[0]).toEqual({
      id: ids[0],
      success: false,
      errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
    });
    expect(again[1]?.errors[0]?.statusCode).toBe('MALFORMED_ID');
  });

  it('retrieves many with nulls for missing records', async () => {
    const created = (await conn.sobject('Opportunity').create(opportunities(2, 'Get'))) as Result[];
    const [id] = created.map((r) => r.id ?? '');
    const missing = `${(id ?? '').slice(0, 9)}zzzzzz`;
    const records = (await conn.sobject('Opportunity').retrieve([id ?? '', missing], {
      fields: ['Name', 'StageName'],
    })) as (Record<string, unknown> | null)[];
    expect(records[0]).toMatchObject({ Name: 'Get 0', StageName: 'Prospecting' });
    expect(records[1]).toBeNull();
  });

  it('retrieves up to 2,000 ids in one POST, null for a malformed id, and refuses 2,001', async () => {
    const [created] = (await conn
      .sobject('Opportunity')
      .create(opportunities(1, 'Bulk get'))) as Result[];
    const ids = [
      created?.id ?? '',
      'not-an-id',
      ...Array.from({ length: 1998 }, () => created?.id ?? ''),
    ];
    const body = { ids, fields: ['Name'] };
    const records = (await conn.requestPost('/composite/sobjects/Opportunity', body)) as unknown[];
    expect(records).toHaveLength(2000);
    expect(records[0]).toMatchObject({ Name: 'Bulk get 0' });
    expect(records[1]).toBeNull();
    await expect(
      conn.requestPost('/composite/sobjects/Opportunity', { ids: [...ids, 'x'], fields: ['Name'] }),
    ).rejects.toMatchObject({ errorCode: 'EXCEEDED_ID_LIMIT' });
  });
});

describe('scripted faults', () => {
  it('locks fail per record with UNABLE_TO_LOCK_ROW the scripted number of times', async () => {
    const created = (await conn
      .sobject('Opportunity')
      .create(opportunities(3, 'Locked').map((r) => ({ ...r, AccountId: accountId })))) as Result[];
    sandbox.control.lockRecords({ orgId, accountId, times: 2 });
    const update = (await conn
      .sobject('Opportunity')
      .update(created.map((r) => ({ Id: r.id ?? '', Amount: 1 })))) as Result[];
    expect(update.map((r) => r.success)).toEqual([false, false, true]);
    expect(update[0]?.errors[0]).toEqual({
      statusCode: 'UNABLE_TO_LOCK_ROW',
      message: `unable to obtain exclusive access to this record or 1 records: ${accountId}`,
      fields: [],
    });
    const retry = (await conn
      .sobject('Opportunity')
      .update(created.slice(0, 2).map((r) => ({ Id: r.id ?? '', Amount: 1 })))) as Result[];
    expect(retry.every((r) => r.success)).toBe(true);
  });

  it('validation rules fail matching records with FIELD_CUSTOM_VALIDATION_EXCEPTION', async () => {
    sandbox.control.addValidationRule({
      orgId,
      sobject: 'Opportunity',
      name: 'No_Huge_Deals',
      errorMessage: 'Deals above 1M need approval',
      errorDisplayField: 'Amount',
      when: { field: 'Amount', equals: 2_000_000 },
    });
    const results = (await conn.sobject('Opportunity').create([
      { ...baseOpportunity, Amount: 2_000_000 },
      { ...baseOpportunity, Amount: 10 },
    ])) as Result[];
    sandbox.control.removeValidationRule({ orgId, name: 'No_Huge_Deals' });
    expect(results[0]?.errors[0]).toEqual({
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Deals above 1M need approval',
      fields: ['Amount'],
    });
    expect(results[1]?.success).toBe(true);
  });
});

describe('composite', () => {
  it('runs subrequests with references as one API call', async () => {
    const before = sandbox.control.apiUsage(orgId).used;
    const response = await conn.requestPost<{
      compositeResponse: { httpStatusCode: number; body: unknown; referenceId: string }[];
    }>('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Account',
          referenceId: 'acct',
          body: { Name: 'Composite Co' },
        },
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Opportunity',
          referenceId: 'opp',
          body: { ...baseOpportunity, AccountId: '@{acct.id}' },
        },
        {
          method: 'GET',
          url: '/services/data/v62.0/sobjects/Opportunity/@{opp.id}?fields=AccountId',
          referenceId: 'read',
        },
      ],
    });
    expect(sandbox.control.apiUsage(orgId).used).toBe(before + 1);
    const [acct, , read] = response.compositeResponse;
    expect(response.compositeResponse.map((r) => r.httpStatusCode)).toEqual([201, 201, 200]);
    const readBody = read?.body as { AccountId: string } | undefined;
    const acctBody = acct?.body as { id: string } | undefined;
    expect(readBody?.AccountId).toBe(acctBody?.id);
  });

  it('resolves references into query results', async () => {
    const response = await conn.requestPost<{
      compositeResponse: { httpStatusCode: number; body: unknown }[];
    }>('/composite', {
      compositeRequest: [
        {
          method: 'GET',
          url: "/services/data/v62.0/query?q=SELECT+Id+FROM+Account+WHERE+Name+=+'Collections+Customer'",
          referenceId: 'q',
        },
        {
          method: 'PATCH',
          url: '/services/data/v62.0/sobjects/Account/@{q.records[0].Id}',
          referenceId: 'update',
          body: { Website: 'https://collections.example' },
        },
      ],
    });
    expect(response.compositeResponse.map((r) => r.httpStatusCode)).toEqual([200, 204]);
    expect((await conn.sobject('Account').retrieve(accountId)).Website).toBe(
      'https://collections.example',
    );
  });

  it('rolls back every subrequest under allOrNone when one fails', async () => {
    const response = await conn.requestPost<{
      compositeResponse: { httpStatusCode: number; body: { errorCode: string }[] }[];
    }>('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Account',
          referenceId: 'good',
          body: { Name: 'Composite Rollback' },
        },
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Account',
          referenceId: 'bad',
          body: { Nope: 1 },
        },
      ],
    });
    expect(response.compositeResponse.map((r) => r.body[0]?.errorCode)).toEqual([
      'PROCESSING_HALTED',
      'INVALID_FIELD',
    ]);
    const count = await conn.query("SELECT COUNT() FROM Account WHERE Name = 'Composite Rollback'");
    expect(count.totalSize).toBe(0);
  });
});
