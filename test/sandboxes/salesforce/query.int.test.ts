import { type Connection, SfDate } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseOpportunity, connect, errorOf, raw, testClock } from './contract-helpers.ts';
import { type SalesforceSandbox, startSalesforceSandbox } from './index.ts';

// SOQL through jsforce: the subset we use, date literals on the sandbox clock, paging with
// queryMore / autoFetch, queryAll and the recycle bin, error shapes, getUpdated / getDeleted.

const clock = testClock('2026-03-04T12:00:00.000Z');
let sandbox: SalesforceSandbox;
let conn: Connection;
let accessToken: string;
let orgId: string;
let acme: string;
let globex: string;

type Opp = { Id: string; Name: string; Amount: number | null; CloseDate: string };

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ clock: clock.now, demo: false });
  orgId = sandbox.control.createOrg({
    name: 'Query',
    demo: { deals: 10, asOf: '2025-12-01T00:00:00Z' },
  }).orgId;
  const connection = connect(sandbox, { orgId });
  conn = connection.conn;
  accessToken = connection.token.accessToken;
  acme = (
    (await conn.sobject('Account').create({ Name: 'Acme Query', Industry: 'Retail' })) as {
      id: string;
    }
  ).id;
  globex = ((await conn.sobject('Account').create({ Name: 'Globex Query' })) as { id: string }).id;
  await conn.sobject('Opportunity').create([
    { ...baseOpportunity, Name: 'Q today', CloseDate: '2026-03-04', Amount: 100, AccountId: acme },
    {
      ...baseOpportunity,
      Name: 'Q yesterday',
      CloseDate: '2026-03-03',
      Amount: 200,
      AccountId: acme,
    },
    {
      ...baseOpportunity,
      Name: 'Q last month',
      CloseDate: '2026-02-10',
      Amount: null,
      AccountId: globex,
    },
    {
      ...baseOpportunity,
      Name: 'Q next year',
      CloseDate: '2027-01-15',
      Amount: 50,
      StageName: 'Closed Won',
    },
    { ...baseOpportunity, Name: "Q it's 100%", CloseDate: '2026-03-20', Amount: 75 },
  ]);
});

afterAll(async () => {
  await sandbox.stop();
});

const names = async (where: string, order = 'ORDER BY Name') =>
  (
    await conn.query<Opp>(
      `SELECT Id, Name FROM Opportunity WHERE Name LIKE 'Q %' AND (${where}) ${order}`,
    )
  ).records.map((r) => r.Name);

describe('SELECT … WHERE', () => {
  it('renders records with attributes and parent relationships', async () => {
    const result = await conn.query<Record<string, unknown>>(
      "SELECT Id, Name, Account.Name, Account.Industry, Owner.Name FROM Opportunity WHERE Name = 'Q today'",
    );
    expect(result.totalSize).toBe(1);
    expect(result.done).toBe(true);
    expect(result.records[0]).toMatchObject({
      attributes: { type: 'Opportunity' },
      Name: 'Q today',
      Account: { attributes: { type: 'Account' }, Name: 'Acme Query', Industry: 'Retail' },
      Owner: { Name: 'Integration User' },
    });
  });

  it('filters with AND/OR/NOT, parentheses, comparisons, IN and null', async () => {
    expect(await names('Amount >= 100 AND Amount < 200')).toEqual(['Q today']);
    expect(await names("(Amount = 50 OR Amount = 200) AND NOT Name = 'Q next year'")).toEqual([
      'Q yesterday',
    ]);
    expect(await names("Name IN ('Q today', 'Q last month')")).toEqual(['Q last month', 'Q today']);
    expect(await names("Name NOT IN ('Q today', 'Q last month')")).toEqual([
      "Q it's 100%",
      'Q next year',
      'Q yesterday',
    ]);
    expect(await names('Amount = null')).toEqual(['Q last month']);
    expect(await names('Amount != null AND IsWon = true')).toEqual(['Q next year']);
    expect(await names(`AccountId = '${acme.slice(0, 15)}'`)).toEqual(['Q today', 'Q yesterday']);
    expect(await names("Account.Name LIKE 'glob%'")).toEqual(['Q last month']);
  });

  it('matches LIKE case-insensitively with escaped wildcards', async () => {
    expect(await names("Name LIKE 'q t_day'")).toEqual(['Q today']);
    expect(await names("Name LIKE '%100\\%'")).toEqual(["Q it's 100%"]);
    expect(await names("Name = 'Q it\\'s 100%'")).toEqual(["Q it's 100%"]);
  });

  it('evaluates date and datetime literals against the sandbox clock', async () => {
    expect(await names('CloseDate = TODAY')).toEqual(['Q today']);
    expect(await names('CloseDate = YESTERDAY')).toEqual(['Q yesterday']);
    expect(await names('CloseDate = LAST_MONTH')).toEqual(['Q last month']);
    expect(await names('CloseDate = LAST_N_DAYS:1')).toEqual(['Q today', 'Q yesterday']);
    expect(await names('CloseDate = NEXT_YEAR')).toEqual(['Q next year']);
    expect(await names('CloseDate > 2026-03-04')).toEqual(["Q it's 100%", 'Q next year']);
    expect(await names('CreatedDate = TODAY AND CreatedDate <= 2026-03-04T12:00:00Z')).toHaveLength(
      5,
    );
    expect(await names('CreatedDate > 2026-03-04T12:00:00.000+0000')).toEqual([]);
  });

  it('orders with NULLS FIRST/LAST and pages with LIMIT/OFFSET', async () => {
    expect(await names('Amount != 75', 'ORDER BY Amount DESC NULLS LAST')).toEqual([
      'Q yesterday',
      'Q today',
      'Q next year',
      'Q last month',
    ]);
    expect(await names('Amount != 75', 'ORDER BY Amount ASC')).toEqual([
      'Q last month',
      'Q next year',
      'Q today',
      'Q yesterday',
    ]);
    expect(await names('Amount != 75', 'ORDER BY Name LIMIT 2 OFFSET 1')).toEqual([
      'Q next year',
      'Q today',
    ]);
  });

  it("answers jsforce's query builder (find, sort, limit, count, SfDate literals)", async () => {
    const found = await conn
      .sobject('Opportunity')
      .find(
        {
          Name: { $like: 'Q %' },
          Amount: { $gte: 75 },
          CloseDate: { $lte: SfDate.toDateLiteral(new Date('2026-03-31T00:00:00Z')) },
          CreatedDate: { $lte: SfDate.toDateTimeLiteral(new Date(clock.now())) },
        },
        ['Id', 'Name', 'Amount'],
      )
      .sort({ Amount: -1 })
      .limit(2);
    expect(found.map((r) => r.Name)).toEqual(['Q yesterday', 'Q today']);
    expect(await conn.sobject('Opportunity').count({ Name: { $like: 'Q %' }, Amount: null })).toBe(
      1,
    );
    const one = await conn
      .sobject('Opportunity')
      .findOne({ Name: 'Q today' }, ['Id', 'Account.Name']);
    expect(one).toMatchObject({ Account: { Name: 'Acme Query' } });
  });

  it('counts with COUNT()', async () => {
    const result = await conn.query("SELECT COUNT() FROM Opportunity WHERE Name LIKE 'Q %'");
    expect(result.totalSize).toBe(5);
    expect(result.records).toEqual([]);
  });

  it('supports child subqueries', async () => {
    const result = await conn.query<{
      Opportunities: { totalSize: number; records: { Name: string }[] } | null;
    }>(
      `SELECT Id, (SELECT Name FROM Opportunities ORDER BY Name) FROM Account WHERE Id = '${acme}'`,
    );
    expect(result.records[0]?.Opportunities?.records.map((r) => r.Name)).toEqual([
      'Q today',
      'Q yesterday',
    ]);
  });
});

describe('errors', () => {
  it('answers INVALID_FIELD with the located message for an unknown column', async () => {
    const error = await errorOf(() => conn.query('SELECT Id, Nope FROM Opportunity'));
    expect(error.errorCode).toBe('INVALID_FIELD');
    expect(error.message).toBe(
      "\nSELECT Id, Nope FROM Opportunity\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nope' on entity 'Opportunity'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    );
  });

  it('answers INVALID_TYPE for an unknown object and MALFORMED_QUERY for bad syntax', async () => {
    expect((await errorOf(() => conn.query('SELECT Id FROM Nope__c'))).errorCode).toBe(
      'INVALID_TYPE',
    );
    expect((await errorOf(() => conn.query('SELECT Id FROM Account WHERE'))).errorCode).toBe(
      'MALFORMED_QUERY',
    );
    expect(
      (await errorOf(() => conn.query('SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry')))
        .errorCode,
    ).toBe('MALFORMED_QUERY');
  });

  it('checks literal types against field types', async () => {
    const quotedDate = await errorOf(() =>
      conn.query("SELECT Id FROM Opportunity WHERE CloseDate = '2026-01-01'"),
    );
    expect(quotedDate.errorCode).toBe('INVALID_FIELD');
    expect(quotedDate.message).toMatch(
      /must be of type date and should not be enclosed in quotes$/,
    );
    const badId = await errorOf(() => conn.query("SELECT Id FROM Opportunity WHERE Id = 'abc'"));
    expect(badId.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
  });
});

describe('paging', () => {
  beforeAll(async () => {
    for (let batch = 0; batch < 3; batch++) {
      await conn
        .sobject('Account')
        .create(Array.from({ length: 200 }, (_, i) => ({ Name: `Paged ${batch * 200 + i}` })));
    }
  });

  it('pages with nextRecordsUrl and queryMore using Sforce-Query-Options batchSize', async () => {
    const soql = "SELECT Id, Name FROM Account WHERE Name LIKE 'Paged %'";
    const first = await conn.query(soql, { headers: { 'Sforce-Query-Options': 'batchSize=250' } });
    expect(first.totalSize).toBe(600);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(250);
    expect(first.nextRecordsUrl).toMatch(
      /\/services\/data\/v62\.0\/query\/01g[0-9A-Za-z]{15}-250$/,
    );
    const second = await conn.queryMore(first.nextRecordsUrl ?? '');
    expect(second.records).toHaveLength(250);
    expect(second.done).toBe(false);
    const third = await conn.queryMore(second.nextRecordsUrl ?? '');
    expect(third.records).toHaveLength(100);
    expect(third.done).toBe(true);
    const all = new Set([...first.records, ...second.records, ...third.records].map((r) => r.Id));
    expect(all.size).toBe(600);
  });

  it('follows pages with autoFetch', async () => {
    const result = await conn.query("SELECT Id FROM Account WHERE Name LIKE 'Paged %'", {
      autoFetch: true,
      maxFetch: 10_000,
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    expect(result.records).toHaveLength(600);
  });

  it('answers INVALID_QUERY_LOCATOR for an unknown locator', async () => {
    const response = await raw(
      sandbox,
      accessToken,
      'GET',
      '/services/data/v62.0/query/01gA00000000001AAA-200',
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual([
      { message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' },
    ]);
  });
});

describe('queryAll and the replication resources', () => {
  it('shows deleted rows only through queryAll', async () => {
    const { id } = (await conn
      .sobject('Opportunity')
      .create({ ...baseOpportunity, Name: 'Binned' })) as { id: string };
    await conn.sobject('Opportunity').destroy(id);
    const live = await conn.query("SELECT Id, IsDeleted FROM Opportunity WHERE Name = 'Binned'");
    expect(live.totalSize).toBe(0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>(
      "SELECT Id, IsDeleted FROM Opportunity WHERE Name = 'Binned'",
      { scanAll: true },
    );
    expect(all.records).toEqual([expect.objectContaining({ Id: id, IsDeleted: true })]);
  });

  it('lists updated ids and deleted records by minute', async () => {
    clock.set('2026-03-05T08:00:10.000Z');
    const { id: kept } = (await conn
      .sobject('Opportunity')
      .create({ ...baseOpportunity, Name: 'Repl kept' })) as { id: string };
    const { id: gone } = (await conn
      .sobject('Opportunity')
      .create({ ...baseOpportunity, Name: 'Repl gone' })) as { id: string };
    clock.set('2026-03-05T08:02:30.000Z');
    await conn.sobject('Opportunity').destroy(gone);
    clock.set('2026-03-05T08:05:00.000Z');
    const updated = await conn
      .sobject('Opportunity')
      .updated('2026-03-05T08:00:00Z', '2026-03-05T08:04:00Z');
    expect(updated.ids).toEqual([kept]);
    expect(updated.latestDateCovered).toBe('2026-03-05T08:04:00.000+0000');
    const deleted = await conn
      .sobject('Opportunity')
      .deleted('2026-03-05T08:00:00Z', '2026-03-05T09:00:00Z');
    expect(deleted.deletedRecords).toEqual([
      { id: gone, deletedDate: '2026-03-05T08:02:30.000+0000' },
    ]);
    expect(deleted.latestDateCovered).toBe('2026-03-05T08:05:00.000+0000');
    expect(deleted.earliestDateAvailable).toMatch(/\+0000$/);
  });
});
