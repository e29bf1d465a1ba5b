import { Connection } from 'jsforce';
import {
  CALL_OPTIONS_CLIENT,
  type SalesforceAppConfig,
  salesforceAppConfigSchema,
} from './auth/app-config.ts';
import { requestJwtBearerToken } from './auth/jwt-bearer.ts';
import type { SalesforceTokens } from './auth/token-response.ts';
import { refreshSalesforceToken } from './auth/web-server-flow.ts';

/** How a connection authenticates, as stored for an org. */
export type SalesforceCredentials =
  | {
      readonly kind: 'web_server';
      readonly accessToken: string;
      readonly refreshToken: string;
      readonly instanceUrl: string;
    }
  | {
      readonly kind: 'jwt_bearer';
      readonly accessToken: string;
      readonly instanceUrl: string;
      readonly username: string;
    };

export type SalesforceConnectionOptions = {
  readonly app: SalesforceAppConfig;
  readonly credentials: SalesforceCredentials;
  /**
   * Called with every new token set (after a refresh or a new JWT grant). With refresh-token
   * rotation the set carries the new refresh token: persist it before the old one is reused.
   */
  readonly onTokens?: (tokens: SalesforceTokens) => Promise<void>;
  /**
   * Replaces the built-in refresh (a refresh-token grant, or a new JWT assertion), e.g. to share
   * one refresh between processes. Must resolve to the new tokens.
   */
  readonly refresh?: () => Promise<SalesforceTokens>;
  readonly now?: () => number;
  /**
   * Called for every HTTP response from Salesforce (status 0 = no response), for per-tenant call
   * counting and `Sforce-Limit-Info` tracking.
   */
  readonly onResponse?: (response: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string | undefined>>;
  }) => void;
};

// jsforce replaces a failed refresh with a plain "Unable to refresh session" Error; the original
// (a token endpoint outage is not a revoked grant) is kept here for the error classifier.
const refreshFailures = new WeakMap<Connection, unknown>();

/** Why the last session refresh of `connection` failed, if it did. */
export function lastRefreshFailure(connection: Connection): unknown {
  return refreshFailures.get(connection);
}

/**
 * A jsforce Connection pinned to our API version that marks every call with
 * `Sforce-Call-Options: client=partnerbridge` (echo suppression) and, on a 401, refreshes once
 * and replays (jsforce shares one refresh between concurrent calls).
 */
export function createSalesforceConnection(options: SalesforceConnectionOptions): Connection {
  const now = options.now ?? Date.now;
  const { credentials } = options;
  const app = salesforceAppConfigSchema.parse(options.app);
  let refreshToken = credentials.kind === 'web_server' ? credentials.refreshToken : undefined;

  const defaultRefresh = async (): Promise<SalesforceTokens> => {
    if (credentials.kind === 'jwt_bearer') {
      return requestJwtBearerToken(app, { username: credentials.username, now: now() });
    }
    if (refreshToken === undefined) throw new Error('no refresh token');
    return refreshSalesforceToken(app, { refreshToken, now: now() });
  };

  const connection = new Connection({
    version: app.apiVersion,
    instanceUrl: credentials.instanceUrl,
    accessToken: credentials.accessToken,
    loginUrl: app.loginUrl,
    oauth2: {
      clientId: app.clientId,
      ...(app.clientSecret === undefined ? {} : { clientSecret: app.clientSecret }),
      loginUrl: app.loginUrl,
    },
    callOptions: { client: CALL_OPTIONS_CLIENT },
    refreshFn: (conn, callback) => {
      (options.refresh ?? defaultRefresh)()
        .then(async (tokens) => {
          if (tokens.refreshToken !== undefined) refreshToken = tokens.refreshToken;
          await options.onTokens?.(tokens);
          conn._establish({ instanceUrl: tokens.instanceUrl, accessToken: tokens.accessToken });
          refreshFailures.delete(conn);
          callback(undefined, tokens.accessToken);
        })
        .catch((error: unknown) => {
          refreshFailures.set(conn, error);
          callback(error instanceof Error ? error : new Error(String(error)));
        });
    },
  });
  if (options.onResponse !== undefined) observeResponses(connection, options.onResponse);
  return connection;
}

// Every REST, SOAP and Bulk call goes through the connection's transport: observe it there.
function observeResponses(
  connection: Connection,
  onResponse: NonNullable<SalesforceConnectionOptions['onResponse']>,
): void {
  const transport = connection._transport;
  const httpRequest = transport.httpRequest.bind(transport);
  transport.httpRequest = (request, requestOptions) => {
    const pending = httpRequest(request, requestOptions);
    pending.then(
      (response) => onResponse({ status: response.statusCode, headers: response.headers }),
      () => onResponse({ status: 0, headers: {} }),
    );
    return pending;
  };
}
