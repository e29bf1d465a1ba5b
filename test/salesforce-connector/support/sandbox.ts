import {
  createSalesforceConnection,
  type SalesforceTokens,
} from '@partnerbridge/salesforce-connector';
import type { Connection } from 'jsforce';
import {
  defaultConnectedApp,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
  startSalesforceSandbox,
} from '../../sandboxes/salesforce/index.ts';

// Integration-test setup: a Salesforce sandbox on port 0 and connections built the way production
// builds them (createSalesforceConnection, web-server tokens with a working refresh).

// jsforce honours proxy variables (and ignores no_proxy): loopback must not go through a proxy.
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'])
  delete process.env[name];

export type { SalesforceSandbox };

/** A mutable clock for sandboxes started with `clock: clock.now`. */
export function testClock(startIso = '2026-03-02T10:00:00.000Z') {
  let now = Date.parse(startIso);
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

export async function startSandbox(options: SalesforceSandboxOptions = {}) {
  return startSalesforceSandbox({ demo: false, ...options });
}

/** A connection to `orgId` through our client factory; `refreshed` collects token refreshes. */
export function connectTo(sandbox: SalesforceSandbox, orgId: string, userId?: string) {
  const token = sandbox.control.issueToken({
    orgId,
    ...(userId === undefined ? {} : { userId }),
  });
  const refreshed: SalesforceTokens[] = [];
  const connection: Connection = createSalesforceConnection({
    app: {
      clientId: defaultConnectedApp.clientId,
      clientSecret: defaultConnectedApp.clientSecret,
      loginUrl: sandbox.url,
      apiVersion: '62.0',
    },
    credentials: {
      kind: 'web_server',
      accessToken: token.accessToken,
      refreshToken: token.refreshToken,
      instanceUrl: sandbox.url,
    },
    onTokens: async (tokens) => {
      refreshed.push(tokens);
    },
  });
  return { connection, token, refreshed };
}

export const baseOpportunity = {
  Name: 'Connector test deal',
  StageName: 'Prospecting',
  CloseDate: '2026-06-30',
} as const;

export async function waitFor<T>(
  read: () => T | undefined,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const atLeast = <T>(items: readonly T[], count: number) =>
  items.length >= count ? items : undefined;

/** Calls per sandbox endpoint since the last reset, without the counts of zero. */
export function endpointCounts(sandbox: SalesforceSandbox): Record<string, number> {
  return sandbox.control.requests().byEndpoint;
}
