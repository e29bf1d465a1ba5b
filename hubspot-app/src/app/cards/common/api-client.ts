import { hubspot, logger } from '@hubspot/ui-extensions';
import type { z } from 'zod';
import { type ApiIssue, apiErrorSchema } from '../vendor/shared/api/index.ts';

// The one way the cards and the settings page reach the Partnerbridge server: `hubspot.fetch`
// to the API origin of the deploy profile (HubSpot signs the request and appends portalId,
// userId, userEmail and appId), a timeout, and every answer parsed with the contract's zod
// schema. Failures come back as values saying what went wrong, never as thrown errors.

/** HubSpot's own default; the platform may allow more, we design for 15 s. */
export const DEFAULT_TIMEOUT_MS = 15_000;

export type UiError =
  /** The server answered with its error body `{ error: { code, message, issues } }`. */
  | {
      kind: 'server';
      status: number;
      code: string;
      message: string;
      issues: readonly ApiIssue[];
    }
  /** Nothing came back in time. */
  | { kind: 'timeout'; message: string }
  /** The request did not reach the server, or the answer was not JSON we expected. */
  | { kind: 'network'; message: string }
  | { kind: 'invalid_response'; message: string }
  /** The app was uploaded without the profile variable naming the API origin. */
  | { kind: 'not_configured'; message: string };

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: UiError };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type ApiRequest = {
  readonly method?: HttpMethod;
  /** Path under the API origin, starting with `/`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Sent as JSON; `hubspot.fetch` accepts nothing else. */
  readonly body?: Readonly<Record<string, unknown>>;
};

export type ApiClient = {
  /** Sends the request and parses a 2xx answer with `schema`. */
  request<S extends z.ZodType>(request: ApiRequest, schema: S): Promise<ApiResult<z.output<S>>>;
  /** For answers without a body (204). */
  requestEmpty(request: ApiRequest): Promise<ApiResult<null>>;
};

type FetchFn = (
  url: string,
  options: NonNullable<Parameters<typeof hubspot.fetch>[1]>,
) => Promise<Response>;

export type ApiClientOptions = {
  /** `https://…` without a trailing slash; undefined when the profile does not set it. */
  readonly origin: string | undefined;
  readonly timeoutMs?: number;
  /** Defaults to `hubspot.fetch`, looked up at call time (tests spy on it). */
  readonly fetch?: FetchFn;
  /** Where failures are logged; defaults to the SDK logger (`hs project logs`). */
  readonly log?: (message: string) => void;
};

// HubSpot's proxy may wrap the server's non-2xx answer ({ status: 'error', category:
// 'BAD_GATEWAY', context: { appServerStatusCode }, responseBody }): unwrap it.
function unwrapProxyError(body: unknown): { status: number | undefined; body: unknown } {
  if (typeof body !== 'object' || body === null || !('responseBody' in body)) {
    return { status: undefined, body };
  }
  const context = 'context' in body ? body.context : undefined;
  const status =
    typeof context === 'object' &&
    context !== null &&
    'appServerStatusCode' in context &&
    typeof context.appServerStatusCode === 'number'
      ? context.appServerStatusCode
      : undefined;
  const inner = body.responseBody;
  if (typeof inner !== 'string') return { status, body: inner };
  try {
    return { status, body: JSON.parse(inner) };
  } catch {
    return { status, body: inner };
  }
}

function statusMessage(status: number): string {
  if (status === 401 || status === 403) return 'Partnerbridge refused the request.';
  if (status === 404) return 'Partnerbridge does not know this record.';
  if (status === 429) return 'Too many requests; try again in a moment.';
  if (status >= 500) return 'Partnerbridge is unavailable right now.';
  return `Partnerbridge answered ${status}.`;
}

function serverError(status: number, rawBody: unknown): UiError {
  const unwrapped = unwrapProxyError(rawBody);
  const effectiveStatus = unwrapped.status ?? status;
  const parsed = apiErrorSchema.safeParse(unwrapped.body);
  if (parsed.success) {
    return {
      kind: 'server',
      status: effectiveStatus,
      code: parsed.data.error.code,
      message: parsed.data.error.message,
      issues: parsed.data.error.issues ?? [],
    };
  }
  return {
    kind: 'server',
    status: effectiveStatus,
    code: `http_${effectiveStatus}`,
    message: statusMessage(effectiveStatus),
    issues: [],
  };
}

function describeIssues(error: z.ZodError): string {
  const first = error.issues[0];
  if (first === undefined) return 'unexpected answer';
  const where = first.path.length > 0 ? first.path.join('.') : 'answer';
  return `${where}: ${first.message}`;
}

function buildUrl(origin: string, request: ApiRequest): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined && value !== '') query.set(name, String(value));
  }
  const search = query.toString();
  return `${origin}${request.path}${search === '' ? '' : `?${search}`}`;
}

async function readJson(response: Response): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await response.text();
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchFn: FetchFn = options.fetch ?? ((url, init) => hubspot.fetch(url, init));
  const log = options.log ?? ((message: string) => logger.warn(message));

  function failed<T>(request: ApiRequest, error: UiError): ApiResult<T> {
    log(`${request.method ?? 'GET'} ${request.path} failed (${error.kind}): ${error.message}`);
    return { ok: false, error };
  }

  async function send(request: ApiRequest): Promise<ApiResult<Response>> {
    if (options.origin === undefined) {
      return {
        ok: false,
        error: {
          kind: 'not_configured',
          message:
            'This app was uploaded without API_ORIGIN in its deploy profile, so it does not know where Partnerbridge runs.',
        },
      };
    }
    const url = buildUrl(options.origin, request);
    const method = request.method ?? 'GET';
    let timer: ReturnType<typeof setTimeout> | undefined;
    // HubSpot enforces `timeout` itself; the race covers a host that never settles.
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs + 1_000);
    });
    try {
      const response = await Promise.race([
        fetchFn(url, {
          method,
          timeout: timeoutMs,
          ...(request.body === undefined ? {} : { body: { ...request.body } }),
        }),
        timedOut,
      ]);
      if (response === 'timeout') {
        return {
          ok: false,
          error: {
            kind: 'timeout',
            message: `Partnerbridge did not answer within ${timeoutMs / 1000} s.`,
          },
        };
      }
      return { ok: true, data: response };
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const isTimeout = /time(d)?\s?out/i.test(text);
      return {
        ok: false,
        error: isTimeout
          ? {
              kind: 'timeout',
              message: `Partnerbridge did not answer within ${timeoutMs / 1000} s.`,
            }
          : { kind: 'network', message: `Could not reach Partnerbridge (${text}).` },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async function errorOf(response: Response): Promise<UiError> {
    const body = await readJson(response);
    return serverError(response.status, body.ok ? body.value : undefined);
  }

  return {
    async request(request, schema) {
      const sent = await send(request);
      if (!sent.ok) return failed(request, sent.error);
      const response = sent.data;
      if (!response.ok) return failed(request, await errorOf(response));
      const body = await readJson(response);
      if (!body.ok) {
        return failed(request, {
          kind: 'invalid_response',
          message: 'Partnerbridge answered with invalid JSON.',
        });
      }
      const parsed = schema.safeParse(body.value);
      if (!parsed.success) {
        return failed(request, {
          kind: 'invalid_response',
          message: `Partnerbridge answered in a form this app does not understand (${describeIssues(parsed.error)}).`,
        });
      }
      return { ok: true, data: parsed.data };
    },
    async requestEmpty(request) {
      const sent = await send(request);
      if (!sent.ok) return failed(request, sent.error);
      if (!sent.data.ok) return failed(request, await errorOf(sent.data));
      return { ok: true, data: null };
    },
  };
}

/** One key per user action, so a retried mutation is applied once. */
export function newIdempotencyKey(): string {
  const random = globalThis.crypto?.randomUUID?.();
  if (random !== undefined) return `pb-${random}`;
  return `pb-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** The API origin from the deploy profile's variables (`hsprofile.<name>.json`). */
export function apiOriginOf(
  variables: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  const value = variables?.API_ORIGIN;
  if (typeof value !== 'string' || !/^https:\/\/[^/]+$/.test(value.replace(/\/$/, ''))) {
    return undefined;
  }
  return value.replace(/\/$/, '');
}
