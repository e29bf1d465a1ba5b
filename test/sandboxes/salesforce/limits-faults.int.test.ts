import type { Connection } from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { baseOpportunity, connect, errorOf, raw, testClock } from './contract-helpers.ts';
import { type SalesforceSandbox, startSalesforceSandbox } from './index.ts';

// API allocation and fault injection: `Sforce-Limit-Info` feeding `conn.limitInfo`, the rolling
// daily budget answering 403 REQUEST_LIMIT_EXCEEDED, `GET /limits`, request counts per endpoint,
// and scripted or rate-based faults (5xx, rate limit, latency, dropped connections).

const clock = testClock('2026-05-10T00:00:00.000Z');
let sandbox: SalesforceSandbox;
let conn: Connection;
let accessToken: string;
let orgId: string;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({
    clock: clock.now,
    demo: false,
    limits: { dailyApiRequests: 5_000 },
  });
  orgId = sandbox.control.createOrg({ name: 'Limits' }).orgId;
  const connection = connect(sandbox, { orgId });
  conn = connection.conn;
  accessToken = connection.token.accessToken;
});

afterEach(() => {
  sandbox.control.faults.clear();
  sandbox.control.setDailyApiLimit({ orgId, dailyApiRequests: 5_000 });
});

afterAll(async () => {
  await sandbox.stop();
});

describe('API allocation', () => {
  it('reports usage in Sforce-Limit-Info, which jsforce turns into conn.limitInfo', async () => {
    sandbox.control.setApiUsage({ orgId, used: 41 });
    await conn.query('SELECT Id FROM Account');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 42, limit: 5_000 } });
    const response = await raw(sandbox, accessToken, 'GET', '/services/data/v62.0/limits');
    expect(response.headers.get('sforce-limit-info')).toBe('api-usage=43/5000');
    expect((response.body as { DailyApiRequests: unknown }).DailyApiRequests).toEqual({
      Max: 5_000,
      Remaining: 4_957,
    });
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the rolling 24 hours are spent, and recovers', async () => {
    sandbox.control.setApiUsage({ orgId, used: 0 });
    sandbox.control.setDailyApiLimit({ orgId, dailyApiRequests: 2 });
    await conn.query('SELECT Id FROM Account');
    clock.advance(3_600_000);
    await conn.query('SELECT Id FROM Account');
    const response = await raw(sandbox, accessToken, 'GET', '/services/data/v62.0/sobjects');
    expect(response.status).toBe(403);
    expect(response.body).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect(response.headers.get('sforce-limit-info')).toBe('api-usage=2/2');
    const error = await errorOf(() => conn.sobject('Account').create({ Name: 'Over budget' }));
    expect(error.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    clock.advance(23 * 3_600_000 + 60_000);
    expect(sandbox.control.apiUsage(orgId)).toEqual({ used: 1, limit: 2 });
    await conn.sobject('Account').create({ Name: 'Budget back' });
  });

  it('does not count the versions list, OAuth, or failed authentication', async () => {
    const before = sandbox.control.apiUsage(orgId).used;
    await fetch(`${sandbox.url}/services/data/`);
    await raw(sandbox, 'bad-token', 'GET', '/services/data/v62.0/limits');
    await conn.oauth2.refreshToken(connect(sandbox, { orgId }).token.refreshToken);
    expect(sandbox.control.apiUsage(orgId).used).toBe(before);
  });

  it('counts requests per endpoint pattern', async () => {
    sandbox.control.resetRequests();
    const { id } = (await conn.sobject('Account').create({ Name: 'Counted' })) as { id: string };
    await conn.sobject('Account').retrieve(id);
    await conn.sobject('Account').retrieve(id);
    const counts = sandbox.control.requests();
    expect(counts.byEndpoint).toEqual({
      'GET /services/data/v62.0/sobjects/:sobject/:id': 2,
      'POST /services/data/v62.0/sobjects/:sobject': 1,
    });
    expect(counts.byStatus).toEqual({ '200': 2, '201': 1 });
    expect(counts.total).toBe(3);
  });
});

describe('fault injection', () => {
  it('renders scripted server errors as 500 UNKNOWN_EXCEPTION', async () => {
    sandbox.control.faults.set({
      script: [
        {
          match: { method: 'POST', path: '/sobjects/Account$' },
          action: { kind: 'server-error' },
          times: 1,
        },
      ],
    });
    const error = await errorOf(() => conn.sobject('Account').create({ Name: 'Unlucky' }));
    expect(error.errorCode).toBe('UNKNOWN_EXCEPTION');
    expect((await conn.sobject('Account').create({ Name: 'Lucky' })).success).toBe(true);
  });

  it('renders the rate-limit fault as Salesforce does: 403 REQUEST_LIMIT_EXCEEDED', async () => {
    sandbox.control.faults.set({
      script: [{ match: { method: 'PATCH' }, action: { kind: 'rate-limit' }, times: 1 }],
    });
    const { id } = (await conn.sobject('Opportunity').create({ ...baseOpportunity })) as {
      id: string;
    };
    const response = await raw(
      sandbox,
      accessToken,
      'PATCH',
      `/services/data/v62.0/sobjects/Opportunity/${id}`,
      { Amount: 1 },
    );
    expect(response.status).toBe(403);
    expect(response.body).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
  });

  it('lets jsforce retry a GET through a 503', async () => {
    sandbox.control.faults.set({
      script: [
        {
          match: { method: 'GET', path: '/limits$' },
          action: { kind: 'status', status: 503 },
          times: 1,
        },
      ],
    });
    const limits = await conn.request('/limits', { retry: { minTimeout: 10 } });
    expect(limits).toHaveProperty('DailyApiRequests');
    expect(sandbox.control.faults.injected()).toMatchObject({ status: 1 });
  });

  it('drops connections and adds latency', async () => {
    sandbox.control.faults.set({
      script: [
        { match: { method: 'POST' }, action: { kind: 'drop' }, times: 1 },
        { match: { method: 'GET' }, action: { kind: 'latency', ms: 150 }, times: 1 },
      ],
    });
    const dropped = await errorOf(() => conn.sobject('Account').create({ Name: 'Dropped' }));
    expect(dropped.message).toMatch(/fetch failed|socket|ECONNRESET|other side closed/i);
    const started = Date.now();
    await conn.query('SELECT Id FROM Account LIMIT 1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('keeps OAuth and the control API reliable under rate-based faults', async () => {
    sandbox.control.faults.set({ rates: { serverErrorRate: 1 } });
    const refreshed = await conn.oauth2.refreshToken(
      connect(sandbox, { orgId }).token.refreshToken,
    );
    expect(refreshed.access_token).toBeDefined();
    const control = await fetch(`${sandbox.url}/_control/orgs`);
    expect(control.status).toBe(200);
    const api = await raw(sandbox, accessToken, 'POST', '/services/data/v62.0/sobjects/Account', {
      Name: 'x',
    });
    expect(api.status).toBe(500);
  });
});
