import { Connection } from 'jsforce';
import { defaultConnectedApp, type SalesforceSandbox } from './index.ts';

// Shared setup for the contract tests: jsforce connections the way production code builds them.

// jsforce honours proxy variables (without no_proxy): loopback must not go through a proxy.
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'])
  delete process.env[name];

export const API_VERSION = '62.0';

/** A mutable clock for sandboxes started with `clock: clock.now`. */
export function testClock(startIso = '2026-03-02T10:00:00.000Z') {
  let now = Date.parse(startIso);
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    set(iso: string) {
      now = Date.parse(iso);
    },
  };
}

export type ConnectOptions = {
  orgId?: string;
  userId?: string;
  /** `Sforce-Call-Options: client=<id>` on every call. */
  client?: string;
  version?: string;
};

/** A jsforce Connection with an access and refresh token issued by the sandbox. */
export function connect(sandbox: SalesforceSandbox, options: ConnectOptions = {}) {
  const token = sandbox.control.issueToken({
    orgId: options.orgId ?? sandbox.control.defaultOrgId,
    ...(options.userId === undefined ? {} : { userId: options.userId }),
  });
  const conn = new Connection({
    instanceUrl: sandbox.url,
    accessToken: token.accessToken,
    refreshToken: token.refreshToken,
    version: options.version ?? API_VERSION,
    oauth2: {
      clientId: defaultConnectedApp.clientId,
      clientSecret: defaultConnectedApp.clientSecret,
      loginUrl: sandbox.url,
    },
    ...(options.client === undefined ? {} : { callOptions: { client: options.client } }),
  });
  return { conn, token };
}

/** Runs `work` and returns the error it throws (failing when it does not throw). */
export async function errorOf(
  work: () => PromiseLike<unknown>,
): Promise<Error & Record<string, unknown>> {
  try {
    await work();
  } catch (error) {
    if (error instanceof Error) return error as Error & Record<string, unknown>;
    throw new Error(`threw a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

/** Raw REST call with fetch, for status codes and headers jsforce hides. */
export async function raw(
  sandbox: SalesforceSandbox,
  accessToken: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${accessToken}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, body: json };
}

export const baseOpportunity = {
  Name: 'Contract test deal',
  StageName: 'Prospecting',
  CloseDate: '2026-06-30',
} as const;
