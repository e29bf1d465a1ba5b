import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  apiFailure,
  type ContractSandbox,
  type ManualClock,
  manualClock,
  sdkClient,
  startContractSandbox,
} from './contract-harness.ts';

describe('HubSpot sandbox: rate limits and injected faults', () => {
  let sandbox: ContractSandbox;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = manualClock();
    sandbox = await startContractSandbox({ clock: clock.fn });
  });

  afterEach(() => {
    sandbox.control.faults.clear();
    expect(sandbox.takeViolations()).toEqual([]);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  function freshPortal(limits?: { tenSecondly?: number; daily?: number | null }) {
    const portalId = sandbox.control.createPortal();
    if (limits !== undefined) sandbox.control.setRateLimits(portalId, limits);
    const token = sandbox.control.issueToken({ portalId }).accessToken;
    return { portalId, token };
  }

  const list = (token: string, retries = 1) =>
    sdkClient(sandbox.url, token, retries).crm.deals.basicApi.getPageWithHttpInfo(1);

  it('sends the ten-second headers on every response, and no daily headers for an OAuth app', async () => {
    const { token } = freshPortal();
    const first = await list(token);
    expect(first.headers).toMatchObject({
      'x-hubspot-ratelimit-max': '110',
      'x-hubspot-ratelimit-remaining': '109',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
    });
    expect(first.headers['x-hubspot-ratelimit-daily']).toBeUndefined();
    expect(first.headers['x-hubspot-ratelimit-daily-remaining']).toBeUndefined();
    const second = await list(token);
    expect(second.headers['x-hubspot-ratelimit-remaining']).toBe('108');
    const error = await apiFailure(sdkClient(sandbox.url, token).crm.deals.basicApi.getById('1'));
    expect(error.code).toBe(404);
    expect(error.headers['x-hubspot-ratelimit-remaining']).toBe('107');
  });

  it('answers the 111th request in ten seconds with 429 TEN_SECONDLY_ROLLING; rejected calls spend nothing', async () => {
    const { token, portalId } = freshPortal();
    for (let i = 0; i < 110; i++) await list(token);
    const limited = await apiFailure(list(token));
    expect(limited.code).toBe(429);
    expect(limited.body).toEqual({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      policyName: 'TEN_SECONDLY_ROLLING',
      requestId: expect.any(String),
    });
    expect(limited.headers).toMatchObject({
      'x-hubspot-ratelimit-max': '110',
      'x-hubspot-ratelimit-remaining': '0',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
    });
    expect(limited.headers['retry-after']).toBeUndefined();
    await apiFailure(list(token));
    expect(sandbox.control.rateLimitUsage(portalId).tenSecondly.used).toBe(110);
    clock.advance(10_000);
    expect((await list(token)).headers['x-hubspot-ratelimit-remaining']).toBe('109');
  });

  it('rolls the window: requests leave the budget ten seconds after they were made', async () => {
    const { token } = freshPortal({ tenSecondly: 10 });
    for (let i = 0; i < 4; i++) await list(token);
    clock.advance(5_000);
    for (let i = 0; i < 6; i++) await list(token);
    expect((await apiFailure(list(token))).code).toBe(429);
    clock.advance(5_000);
    const after = await list(token);
    expect(after.headers['x-hubspot-ratelimit-remaining']).toBe('3');
    expect(after.headers['x-hubspot-ratelimit-max']).toBe('10');
  });

  it('budgets per app and portal: one portal hitting its limit leaves another untouched', async () => {
    const busy = freshPortal({ tenSecondly: 2 });
    const quiet = freshPortal({ tenSecondly: 2 });
    await list(busy.token);
    await list(busy.token);
    expect((await apiFailure(list(busy.token))).code).toBe(429);
    expect((await list(quiet.token)).httpStatusCode).toBe(200);
  });

  it('applies a daily limit when set, with daily headers and a 429 DAILY that the window does not reset', async () => {
    clock.set(Date.parse('2026-11-03T23:59:30.000Z'));
    const { token } = freshPortal({ daily: 3 });
    const first = await list(token);
    expect(first.headers).toMatchObject({
      'x-hubspot-ratelimit-daily': '3',
      'x-hubspot-ratelimit-daily-remaining': '2',
    });
    await list(token);
    await list(token);
    const limited = await apiFailure(list(token));
    expect(limited.code).toBe(429);
    expect(limited.body).toMatchObject({ policyName: 'DAILY', errorType: 'RATE_LIMIT' });
    expect(limited.headers['x-hubspot-ratelimit-daily-remaining']).toBe('0');
    clock.advance(10_000);
    expect((await apiFailure(list(token))).body.policyName).toBe('DAILY');
    // The daily budget resets at midnight (UTC in the sandbox).
    clock.advance(30_000);
    expect((await list(token)).headers['x-hubspot-ratelimit-daily-remaining']).toBe('2');
  });

  it('lets the SDK retry decorator retry a TEN_SECONDLY 429 after its 10 s wait, and not a DAILY one', async () => {
    const { token, portalId } = freshPortal({ tenSecondly: 1 });
    await list(token);
    const realSetTimeout = globalThis.setTimeout;
    const waits: number[] = [];
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const timers = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
      callback: () => void,
      ms?: number,
    ) => {
      // The decorator waits 10 s × attempt on real timers: let that time pass on the sandbox clock.
      if (ms === 10_000) {
        waits.push(ms);
        clock.advance(ms);
        return realSetTimeout(callback, 0);
      }
      return realSetTimeout(callback, ms);
    }) as typeof setTimeout);
    try {
      sandbox.control.resetRequests();
      const retried = await list(token, 3);
      expect(retried.httpStatusCode).toBe(200);
      expect(waits).toEqual([10_000]);
      expect(sandbox.control.requests().statuses).toEqual({ '200': 1, '429': 1 });

      sandbox.control.setRateLimits(portalId, { tenSecondly: 110, daily: 0 });
      sandbox.control.resetRequests();
      const daily = await apiFailure(list(token, 3));
      expect(daily.body.policyName).toBe('DAILY');
      expect(sandbox.control.requests().total).toBe(1);
    } finally {
      timers.mockRestore();
      consoleError.mockRestore();
    }
  });

  it('injects a scripted 5xx in HubSpot shape, which the SDK retries', async () => {
    const { token } = freshPortal();
    sandbox.control.faults.set({
      script: [
        {
          match: { method: 'GET', path: '^/crm/v3/objects/deals$' },
          action: { kind: 'server-error' },
          times: 1,
        },
      ],
    });
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect((await list(token, 2)).httpStatusCode).toBe(200);
    } finally {
      consoleError.mockRestore();
    }
    expect(sandbox.control.faults.injected()['server-error']).toBe(1);
    sandbox.control.faults.set({
      script: [
        { match: { path: '^/crm/v3/objects/deals$' }, action: { kind: 'server-error' }, times: 1 },
      ],
    });
    const error = await apiFailure(list(token));
    expect(error.code).toBe(500);
    expect(error.body).toMatchObject({ status: 'error', category: 'INTERNAL_ERROR' });
  });

  it('injects 429s, latency and dropped connections by script and by rate', async () => {
    const { token } = freshPortal();
    sandbox.control.faults.set({
      script: [
        { match: { path: '^/crm/v3/objects/deals$' }, action: { kind: 'rate-limit' }, times: 1 },
      ],
    });
    const limited = await apiFailure(list(token));
    expect(limited.code).toBe(429);
    expect(limited.body.policyName).toBe('TEN_SECONDLY_ROLLING');

    sandbox.control.faults.set({
      script: [
        {
          match: { path: '^/crm/v3/objects/deals$' },
          action: { kind: 'latency', ms: 120 },
          times: 1,
        },
      ],
    });
    const started = performance.now();
    await list(token);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);

    sandbox.control.faults.set({
      rates: { match: { path: '^/crm/v3/objects/deals$' }, dropRate: 1 },
    });
    await expect(list(token)).rejects.toThrow();
    expect(sandbox.control.requests().statuses.dropped).toBeGreaterThanOrEqual(1);

    sandbox.control.faults.set({ rates: { serverErrorRate: 1 } });
    const oauthStillWorks = await fetch(`${sandbox.url}/oauth/v1/access-tokens/${token}`);
    expect(oauthStillWorks.status).toBe(200);
  });

  it('exposes the same controls over HTTP under /_control', async () => {
    const { portalId, token } = freshPortal();
    const put = await fetch(`${sandbox.url}/_control/portals/${portalId}/limits`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenSecondly: 1 }),
    });
    expect(await put.json()).toMatchObject({ tenSecondly: 1 });
    await list(token);
    expect((await apiFailure(list(token))).code).toBe(429);
    const stats = (await (await fetch(`${sandbox.url}/_control/requests`)).json()) as {
      counts: Record<string, number>;
      rateLimited: Record<string, number>;
    };
    expect(stats.counts['GET /crm/v3/objects/deals']).toBeGreaterThan(0);
    expect(stats.rateLimited.TEN_SECONDLY_ROLLING).toBeGreaterThan(0);
    const fault = await fetch(`${sandbox.url}/_control/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        script: [
          {
            action: {
              kind: 'status',
              status: 503,
              body: {
                status: 'error',
                message: 'Service unavailable',
                correlationId: '00000000-0000-4000-8000-000000000000',
                category: 'SERVICE_UNAVAILABLE',
              },
            },
          },
        ],
      }),
    });
    expect(fault.status).toBe(200);
    clock.advance(10_000);
    expect((await apiFailure(list(token))).code).toBe(503);
  });
});
