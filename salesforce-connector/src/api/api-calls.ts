import type { Connection } from 'jsforce';
import { lastRefreshFailure } from '../client-factory.ts';
import { classifySalesforceError, SalesforceError } from '../errors.ts';

// Every HTTP request the connector sends to Salesforce goes through `callSalesforce`, which counts
// it, reads the org's API usage afterwards and turns failures into SalesforceErrors. jsforce's own
// hidden retries are switched off so that every request is visible (and counted): transient
// failures surface as `retry_later` and the caller's queue decides when to try again.

export const apiOperations = [
  'query',
  'query_more',
  'retrieve',
  'upsert',
  'update',
  'delete',
  'bulk',
  'describe',
  'tooling',
  'limits',
  'get_deleted',
] as const;
export type ApiOperation = (typeof apiOperations)[number];

/** The org's rolling 24-hour API usage, as the `Sforce-Limit-Info` header reported it. */
export type ApiUsage = { readonly used: number; readonly limit: number };

/** Observes the calls an operation makes; pass one to any connector function. */
export type ApiCallMeter = {
  /** One HTTP request for `operation` was sent to Salesforce (whatever it answered). */
  recordCall(operation: ApiOperation): void;
  /** The org's usage after a call, when Salesforce reported it. */
  recordUsage?(usage: ApiUsage): void;
};

export type ApiCallCounter = ApiCallMeter & {
  total(): number;
  byOperation(): Readonly<Partial<Record<ApiOperation, number>>>;
  lastUsage(): ApiUsage | undefined;
  reset(): void;
};

/** An in-memory meter: calls per operation and the last usage seen (benchmarks, job metrics). */
export function createApiCallCounter(): ApiCallCounter {
  const counts = new Map<ApiOperation, number>();
  let usage: ApiUsage | undefined;
  return {
    recordCall(operation) {
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
    },
    recordUsage(next) {
      usage = next;
    },
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    byOperation: () => Object.fromEntries(counts),
    lastUsage: () => usage,
    reset() {
      counts.clear();
      usage = undefined;
    },
  };
}

/** What every connector function needs to talk to one org. */
export type SalesforceContext = {
  readonly connection: Connection;
  readonly meter?: ApiCallMeter | undefined;
};

/** The last `Sforce-Limit-Info` usage jsforce saw on this connection. */
export function apiUsageOf(connection: Connection): ApiUsage | undefined {
  const usage = connection.limitInfo.apiUsage;
  return usage === undefined ? undefined : { used: usage.used, limit: usage.limit };
}

/**
 * classifySalesforceError, except that a failed session refresh caused by a transient problem
 * (token endpoint down) is retry_later rather than auth_expired.
 */
export function classifyWithRefreshCause(connection: Connection, thrown: unknown): SalesforceError {
  const error = classifySalesforceError(thrown);
  if (error.errorCode !== 'REFRESH_FAILED') return error;
  const cause = lastRefreshFailure(connection);
  if (cause === undefined || classifySalesforceError(cause).code !== 'retry_later') return error;
  return new SalesforceError('retry_later', {
    errorCode: 'REFRESH_FAILED',
    message: error.message,
    reason: 'The Salesforce session could not be refreshed just now; try again later',
    cause: thrown,
  });
}

/** Counts one call, runs it, reports usage, and classifies any failure. */
export async function callSalesforce<T>(
  context: SalesforceContext,
  operation: ApiOperation,
  send: () => PromiseLike<T>,
): Promise<T> {
  context.meter?.recordCall(operation);
  try {
    return await send();
  } catch (error) {
    throw classifyWithRefreshCause(context.connection, error);
  } finally {
    const usage = apiUsageOf(context.connection);
    if (usage !== undefined) context.meter?.recordUsage?.(usage);
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A REST request through jsforce (auth header, call options, 401 → refresh → replay). */
export function restRequest<T>(
  context: SalesforceContext,
  operation: ApiOperation,
  method: Method,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  return callSalesforce(context, operation, () =>
    context.connection.request<T>(
      {
        method,
        url,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      { retry: { maxRetries: 0 } },
    ),
  );
}
