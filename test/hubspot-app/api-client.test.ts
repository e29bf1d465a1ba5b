import { dealViewSchema, idempotencyKeySchema } from '@partnerbridge/shared/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  apiOriginOf,
  createApiClient,
  newIdempotencyKey,
} from '../../hubspot-app/src/app/cards/common/api-client.ts';
import { deferred, fakeHubspotFetch, json, TEST_ORIGIN } from './fake-hubspot.ts';
import { aDealView, anApiError } from './fixtures.ts';

function client(options: { timeoutMs?: number; origin?: string | undefined } = {}) {
  const log: string[] = [];
  const api = createApiClient({
    origin: 'origin' in options ? options.origin : TEST_ORIGIN,
    log: (line) => log.push(line),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return { api, log };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('createApiClient', () => {
  it('sends an absolute URL under the API origin with the query, a JSON body and a timeout', async () => {
    const fake = fakeHubspotFetch({ 'POST /api/v1/things': () => json(aDealView()) });
    const { api } = client();
    const result = await api.request(
      {
        method: 'POST',
        path: '/api/v1/things',
        query: { q: 'acme corp', limit: 8, cursor: undefined, empty: '' },
        body: { a: 1 },
      },
      dealViewSchema,
    );
    expect(result.ok).toBe(true);
    expect(fake.spy).toHaveBeenCalledWith(`${TEST_ORIGIN}/api/v1/things?q=acme+corp&limit=8`, {
      method: 'POST',
      timeout: 15_000,
      body: { a: 1 },
    });
  });

  it("turns the server's error body into a typed error with its issues", async () => {
    fakeHubspotFetch({
      'GET /x': () =>
        json(
          anApiError('validation_failed', 'share must be a fraction', [
            { path: 'body.share', message: 'expected a fraction' },
          ]),
          400,
        ),
    });
    const { api, log } = client();
    expect(await api.request({ path: '/x' }, dealViewSchema)).toEqual({
      ok: false,
      error: {
        kind: 'server',
        status: 400,
        code: 'validation_failed',
        message: 'share must be a fraction',
        issues: [{ path: 'body.share', message: 'expected a fraction' }],
      },
    });
    expect(log).toEqual(['GET /x failed (server): share must be a fraction']);
  });

  it("unwraps HubSpot's proxy envelope around the server's error", async () => {
    fakeHubspotFetch({
      'GET /x': () =>
        json(
          {
            status: 'error',
            category: 'BAD_GATEWAY',
            message: 'Error returned from Request Uri',
            context: { appServerStatusCode: 409 },
            responseBody: JSON.stringify(
              anApiError('conflict', 'Acme is already tagged on this deal.'),
            ),
          },
          502,
        ),
    });
    const result = await client().api.request({ path: '/x' }, dealViewSchema);
    expect(result).toMatchObject({
      ok: false,
      error: {
        kind: 'server',
        status: 409,
        code: 'conflict',
        message: 'Acme is already tagged on this deal.',
      },
    });
  });

  it('says the server is unavailable when an error has no readable body', async () => {
    fakeHubspotFetch({ 'GET /x': () => new Response('<html>Bad gateway</html>', { status: 502 }) });
    const result = await client().api.request({ path: '/x' }, dealViewSchema);
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'server',
        status: 502,
        code: 'http_502',
        message: 'Partnerbridge is unavailable right now.',
        issues: [],
      },
    });
  });

  it('refuses an answer that does not match the contract, naming the field', async () => {
    fakeHubspotFetch({ 'GET /x': () => json({ ...aDealView(), asOf: 'yesterday' }) });
    const result = await client().api.request({ path: '/x' }, dealViewSchema);
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid_response' } });
    expect(result.ok ? '' : result.error.message).toContain('(asOf: ');
  });

  it('reports a request that never reached the server, and a timeout', async () => {
    fakeHubspotFetch({
      'GET /network': () => Promise.reject(new Error('Failed to fetch')),
      'GET /slow': () => Promise.reject(new Error('Request timed out')),
    });
    const { api } = client();
    expect(await api.request({ path: '/network' }, dealViewSchema)).toEqual({
      ok: false,
      error: { kind: 'network', message: 'Could not reach Partnerbridge (Failed to fetch).' },
    });
    expect(await api.request({ path: '/slow' }, dealViewSchema)).toEqual({
      ok: false,
      error: { kind: 'timeout', message: 'Partnerbridge did not answer within 15 s.' },
    });
  });

  it('gives up on a host that never settles, a second after the timeout', async () => {
    vi.useFakeTimers();
    const never = deferred<Response>();
    fakeHubspotFetch({ 'GET /x': () => never.promise });
    const pending = client({ timeoutMs: 2_000 }).api.request({ path: '/x' }, dealViewSchema);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await pending).toEqual({
      ok: false,
      error: { kind: 'timeout', message: 'Partnerbridge did not answer within 2 s.' },
    });
  });

  it('does not call anything when the deploy profile named no API origin', async () => {
    const fake = fakeHubspotFetch({});
    const result = await client({ origin: undefined }).api.request({ path: '/x' }, dealViewSchema);
    expect(result).toMatchObject({ ok: false, error: { kind: 'not_configured' } });
    expect(fake.spy).not.toHaveBeenCalled();
  });

  it('accepts an empty answer where one is expected', async () => {
    fakeHubspotFetch({ 'DELETE /x': () => new Response(null, { status: 204 }) });
    expect(await client().api.requestEmpty({ method: 'DELETE', path: '/x' })).toEqual({
      ok: true,
      data: null,
    });
  });
});

describe('apiOriginOf', () => {
  it.each([
    ['https://partnerbridge.example.com', 'https://partnerbridge.example.com'],
    ['https://partnerbridge.example.com/', 'https://partnerbridge.example.com'],
    ['http://partnerbridge.example.com', undefined],
    ['https://partnerbridge.example.com/api', undefined],
    [42, undefined],
    [undefined, undefined],
  ])('reads API_ORIGIN %s as %s', (value, expected) => {
    expect(apiOriginOf(value === undefined ? {} : { API_ORIGIN: value })).toBe(expected);
  });
});

describe('newIdempotencyKey', () => {
  it('makes keys the contract accepts, a new one each time', () => {
    const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(idempotencyKeySchema.safeParse(key).success).toBe(true);
  });
});
