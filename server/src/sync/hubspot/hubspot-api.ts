import type { HubspotClients } from '../../hubspot/client-factory.ts';
import type { UsageRecorder } from '../api-usage.ts';
import type { Gates } from '../redis-gates.ts';
import { SyncCallError } from '../sync-errors.ts';

// Every HubSpot call of the sync engine: raw requests through the SDK client (`apiRequest`:
// no process-wide retry decorator, headers visible), behind a per-portal rolling window shared by
// all processes through Redis (110 requests / 10 s, search 5 / s), a per-portal pause gate set on
// 429s, and usage recording. A short pause is waited out inline; a long one is reported as
// rate_limited so the caller defers this installation's work without blocking others.

export type HubspotLimits = {
  readonly tenSecondly: number;
  readonly searchPerSecond: number;
  /** Pause after a TEN_SECONDLY_ROLLING 429 when HubSpot names no interval. */
  readonly rateLimitPauseMs: number;
  /** Pauses up to this long are waited out inside the call. */
  readonly maxInlineWaitMs: number;
  /** Extra tries of one call after 5xx / network errors (jittered). */
  readonly serverErrorRetries: number;
};

export const defaultHubspotLimits: HubspotLimits = {
  tenSecondly: 110,
  searchPerSecond: 5,
  rateLimitPauseMs: 10_000,
  maxInlineWaitMs: 12_000,
  serverErrorRetries: 2,
};

export type HubspotApi = {
  request<T>(
    method: string,
    path: string,
    body?: unknown,
    options?: { search?: boolean },
  ): Promise<T>;
  readonly calls: () => number;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// HubSpot counts a call when it arrives, we when we grant it: a call granted early that travels
// slowly and one granted just after the window slid can land in the same HubSpot window. Our
// windows are this much longer so that skew never earns a 429.
const WINDOW_SKEW_MS = { search: 250, tenSecondly: 500 } as const;

function nextUtcMidnight(now: number): number {
  return Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000;
}

type ErrorBody = {
  message?: string;
  category?: string;
  errorType?: string;
  policyName?: string;
  status?: string;
};

export function createHubspotApi(deps: {
  clients: HubspotClients;
  installationId: string;
  gates: Gates;
  usage: UsageRecorder;
  limits: HubspotLimits;
  now: () => number;
}): HubspotApi {
  const { installationId, gates, limits, now } = deps;
  const gateKey = `hs:${installationId}`;
  let calls = 0;

  const waitForSlot = async (search: boolean) => {
    for (;;) {
      const paused = await gates.pausedUntil(gateKey, now());
      let wait = paused > 0 ? paused - now() : 0;
      if (wait <= 0) {
        wait = search
          ? await gates.acquire(
              `hs-search:${installationId}`,
              1_000 + WINDOW_SKEW_MS.search,
              limits.searchPerSecond,
              now(),
            )
          : await gates.acquire(
              `hs-window:${installationId}`,
              10_000 + WINDOW_SKEW_MS.tenSecondly,
              limits.tenSecondly,
              now(),
            );
        if (wait <= 0) return;
      }
      if (wait > limits.maxInlineWaitMs) {
        throw new SyncCallError('hubspot', 'rate_limited', {
          errorCode: 'PAUSED',
          message: `HubSpot calls for this portal are paused for ${wait} ms`,
          retryAfterMs: wait,
        });
      }
      await sleep(wait);
    }
  };

  const once = async (method: string, path: string, body: unknown, search: boolean) => {
    let response: Response;
    try {
      response = await deps.clients.withClient(installationId, async (client) => {
        // The slot is taken once the token is in hand, right before sending: a token read that
        // waits on a busy database must not age the slot (HubSpot counts calls on arrival).
        await waitForSlot(search);
        calls++;
        const answer = await client.apiRequest({
          method,
          path,
          ...(body === undefined ? {} : { body }),
        });
        // withClient refreshes and replays on a thrown 401.
        if (answer.status === 401) throw Object.assign(new Error('unauthorized'), { code: 401 });
        return answer;
      });
    } catch (error) {
      if (error instanceof SyncCallError) throw error;
      deps.usage.record('hubspot', { status: 0 });
      const status = (error as { code?: unknown }).code;
      if (status === 401 || (error as Error).name === 'HubspotAuthError') {
        throw new SyncCallError('hubspot', 'auth', {
          errorCode: 'UNAUTHORIZED',
          message: (error as Error).message,
          cause: error,
        });
      }
      throw new SyncCallError('hubspot', 'retry_later', {
        errorCode: 'NETWORK_ERROR',
        message: `HubSpot could not be reached: ${(error as Error).message}`,
        cause: error,
      });
    }
    const remaining = response.headers.get('x-hubspot-ratelimit-remaining');
    const interval = Number(response.headers.get('x-hubspot-ratelimit-interval-milliseconds') ?? 0);
    deps.usage.record('hubspot', {
      status: response.status,
      ...(remaining === null
        ? {}
        : {
            limitInfo: {
              max: Number(response.headers.get('x-hubspot-ratelimit-max')),
              remaining: Number(remaining),
              intervalMs: interval,
              daily: response.headers.get('x-hubspot-ratelimit-daily'),
              dailyRemaining: response.headers.get('x-hubspot-ratelimit-daily-remaining'),
            },
          }),
    });
    // HubSpot says the window is spent: stop before earning a 429.
    if (remaining !== null && Number(remaining) <= 0 && response.status < 400) {
      await gates.pause(
        gateKey,
        now() +
          (interval > 0 ? Math.min(interval, limits.rateLimitPauseMs) : limits.rateLimitPauseMs),
        now(),
      );
    }
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : safeJson(text);
    if (response.status < 300 || response.status === 207)
      return { status: response.status, body: parsed };
    const errorBody = (parsed ?? {}) as ErrorBody;
    const message = errorBody.message ?? `HubSpot answered ${response.status}`;
    if (response.status === 429) {
      const daily = errorBody.policyName === 'DAILY';
      const retryAfter = Number(response.headers.get('retry-after') ?? 0) * 1000;
      const pause = daily
        ? nextUtcMidnight(now()) - now()
        : retryAfter > 0
          ? retryAfter
          : search
            ? 1_000
            : interval > 0
              ? Math.min(interval, limits.rateLimitPauseMs)
              : limits.rateLimitPauseMs;
      if (!search || daily) await gates.pause(gateKey, now() + pause, now());
      throw new SyncCallError('hubspot', 'rate_limited', {
        errorCode: errorBody.policyName ?? 'RATE_LIMIT',
        message,
        retryAfterMs: pause,
      });
    }
    if (response.status >= 500) {
      throw new SyncCallError('hubspot', 'retry_later', {
        errorCode: `HTTP_${response.status}`,
        message,
      });
    }
    if (response.status === 403) {
      throw new SyncCallError('hubspot', 'permanent', {
        errorCode: errorBody.category ?? 'FORBIDDEN',
        message,
      });
    }
    throw Object.assign(
      new SyncCallError('hubspot', 'permanent', {
        errorCode: errorBody.category ?? `HTTP_${response.status}`,
        message,
      }),
      { status: response.status, body: parsed },
    );
  };

  return {
    calls: () => calls,
    async request<T>(
      method: string,
      path: string,
      body?: unknown,
      options: { search?: boolean } = {},
    ) {
      const search = options.search === true;
      // Server errors and rate limits count their in-call retries apart: a 5xx after two waits
      // for the window is still retried here, not at the cost of one of the job's attempts.
      let serverErrors = 0;
      let rateLimits = 0;
      for (;;) {
        try {
          return (await once(method, path, body, search)).body as T;
        } catch (error) {
          if (!(error instanceof SyncCallError)) throw error;
          if (error.kind === 'retry_later' && serverErrors < limits.serverErrorRetries) {
            await sleep(100 * 2 ** serverErrors++ + Math.floor(Math.random() * 100));
            continue;
          }
          if (
            error.kind === 'rate_limited' &&
            (error.retryAfterMs ?? Number.POSITIVE_INFINITY) <= limits.maxInlineWaitMs &&
            rateLimits < 5
          ) {
            rateLimits++;
            await sleep((error.retryAfterMs ?? 0) + Math.floor(Math.random() * 100));
            continue;
          }
          throw error;
        }
      }
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}
