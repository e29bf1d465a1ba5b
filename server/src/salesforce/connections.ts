import {
  createSalesforceConnection,
  exchangeSalesforceCode,
  refreshSalesforceToken,
  requestJwtBearerToken,
  revokeSalesforceToken,
  type SalesforceAppConfig,
  SalesforceAuthError,
  type SalesforceTokens,
  salesforceAuthorizationUrl,
} from '@partnerbridge/salesforce-connector';
import type { Connection } from 'jsforce';
import type { Clock } from '../clock.ts';
import type { Config, SalesforceConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { AppError, UpstreamError } from '../errors.ts';
import {
  getInstallationOrThrow,
  type Installation,
  linkSalesforceOrg,
  updateSalesforceInstanceUrl,
} from '../installs/installations.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { StoredTokens, TokenSet, TokenStore } from '../security/token-store.ts';

/** The installation's Salesforce authorization is gone or misconfigured: reconnect the org. */
export class SalesforceNotConnectedError extends AppError {
  override name = 'SalesforceNotConnectedError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('unprocessable', message, options);
  }
}

export type SalesforceConnections = {
  readonly app: SalesforceAppConfig;
  /** The callback our web-server flow redirects to. */
  readonly redirectUri: string;
  authorizationUrl(state: string): string;
  /** Web-server flow callback: code → tokens → org linked to the installation. */
  linkWithCode(installationId: string, code: string): Promise<Installation>;
  /** JWT bearer flow for `username` (operators only: see docs/server.md). */
  linkWithJwt(installationId: string, username: string): Promise<Installation>;
  /** A connection for the installation's org; a 401 refreshes (rotation persisted) and replays. */
  forInstallation(installationId: string): Promise<Connection>;
  /** Forces a refresh now (shared by concurrent callers in this process). */
  refresh(installationId: string): Promise<StoredTokens>;
  /** Revokes the stored refresh token at Salesforce (best effort) and deletes our copy. */
  disconnect(installationId: string): Promise<void>;
};

export function toSalesforceApp(config: SalesforceConfig): SalesforceAppConfig {
  return {
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    loginUrl: config.loginUrl,
    apiVersion: config.apiVersion,
    ...(config.jwt === undefined ? {} : { jwtPrivateKeyPem: config.jwt.privateKeyPem }),
  };
}

function toTokenSet(tokens: SalesforceTokens, previousRefreshToken?: string): TokenSet {
  return {
    accessToken: tokens.accessToken,
    // Rotation: a refresh answer may carry a new refresh token; otherwise the old one stays.
    refreshToken: tokens.refreshToken ?? previousRefreshToken,
    // Salesforce does not say when a session ends (org session policy): refresh on 401.
    expiresAt: undefined,
    issuedAt: new Date(tokens.issuedAt),
    scopes: tokens.scope === undefined ? undefined : tokens.scope.split(' ').filter(Boolean),
  };
}

function mapAuthError(error: unknown): AppError {
  if (error instanceof SalesforceAuthError) {
    if (error.code === 'temporary') {
      return new UpstreamError(`Salesforce is unavailable: ${error.message}`, { cause: error });
    }
    return new SalesforceNotConnectedError(
      `Salesforce refused the authorization (${error.code}); reconnect the org`,
      { cause: error },
    );
  }
  return error instanceof AppError
    ? error
    : new UpstreamError('Salesforce call failed', { cause: error });
}

export function createSalesforceConnections(deps: {
  config: SalesforceConfig;
  publicBaseUrl: Config['publicBaseUrl'];
  db: Database;
  tokens: TokenStore;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
}): SalesforceConnections {
  const app = toSalesforceApp(deps.config);
  const redirectUri = `${deps.publicBaseUrl}/oauth/salesforce/callback`;
  const inflight = new Map<string, Promise<StoredTokens>>();

  const connected = async (installationId: string) => {
    const installation = await getInstallationOrThrow(deps.db, installationId);
    if (installation.salesforceOrgId === null || installation.salesforceAuthKind === null) {
      throw new SalesforceNotConnectedError('no Salesforce org is connected to this installation');
    }
    return installation;
  };

  const doRefresh = async (installationId: string): Promise<StoredTokens> => {
    const installation = await connected(installationId);
    const stored = await deps.tokens.get(installationId, 'salesforce');
    if (stored === undefined) {
      throw new SalesforceNotConnectedError('no Salesforce tokens stored; reconnect the org');
    }
    let fresh: SalesforceTokens;
    try {
      if (installation.salesforceAuthKind === 'jwt_bearer') {
        if (installation.salesforceUsername === null) {
          throw new SalesforceNotConnectedError('JWT connection without a username; reconnect');
        }
        fresh = await requestJwtBearerToken(app, {
          username: installation.salesforceUsername,
          now: deps.clock.now(),
        });
      } else {
        if (stored.refreshToken === undefined) {
          throw new SalesforceNotConnectedError('no Salesforce refresh token; reconnect the org');
        }
        fresh = await refreshSalesforceToken(app, {
          refreshToken: stored.refreshToken,
          now: deps.clock.now(),
        });
      }
    } catch (error) {
      deps.metrics.recordCrmCall('salesforce', installationId, 0);
      // With rotation, another process may have used (and so invalidated) our refresh token a
      // moment ago: its successor is in the store.
      if (error instanceof SalesforceAuthError && error.code === 'invalid_grant') {
        const latest = await deps.tokens.get(installationId, 'salesforce');
        if (latest !== undefined && latest.version !== stored.version) return latest;
      }
      throw mapAuthError(error);
    }
    deps.metrics.recordCrmCall('salesforce', installationId, 200);
    if (fresh.orgId !== installation.salesforceOrgId) {
      throw new SalesforceNotConnectedError('Salesforce answered for another org; reconnect');
    }
    const saved = await deps.tokens.replace(
      installationId,
      'salesforce',
      stored.version,
      toTokenSet(fresh, stored.refreshToken),
    );
    if (fresh.instanceUrl !== installation.salesforceInstanceUrl) {
      await updateSalesforceInstanceUrl(deps.db, installationId, fresh.instanceUrl);
    }
    if (saved === undefined) {
      const latest = await deps.tokens.get(installationId, 'salesforce');
      if (latest === undefined) throw new SalesforceNotConnectedError('Salesforce disconnected');
      return latest;
    }
    return saved;
  };

  const refresh = (installationId: string) => {
    const running = inflight.get(installationId);
    if (running !== undefined) return running;
    const promise = doRefresh(installationId).finally(() => inflight.delete(installationId));
    inflight.set(installationId, promise);
    return promise;
  };

  const link = async (
    installationId: string,
    tokens: SalesforceTokens,
    authKind: 'web_server' | 'jwt_bearer',
    username: string | undefined,
  ) => {
    // Link first (it refuses an org that belongs to another installation), then store tokens.
    const installation = await deps.db.transaction(async (tx) => {
      const linked = await linkSalesforceOrg(tx, installationId, {
        orgId: tokens.orgId,
        instanceUrl: tokens.instanceUrl,
        loginUrl: app.loginUrl,
        authKind,
        username,
        userId: tokens.userId,
      });
      return linked;
    });
    await deps.tokens.save(installationId, 'salesforce', toTokenSet(tokens));
    deps.log.info(
      { installationId, orgId: tokens.orgId, authKind },
      'linked Salesforce org to installation',
    );
    return installation;
  };

  return {
    app,
    redirectUri,

    authorizationUrl: (state) =>
      salesforceAuthorizationUrl(app, { redirectUri, state, scope: deps.config.scopes }),

    async linkWithCode(installationId, code) {
      let tokens: SalesforceTokens;
      try {
        tokens = await exchangeSalesforceCode(app, { code, redirectUri, now: deps.clock.now() });
      } catch (error) {
        throw mapAuthError(error);
      }
      return link(installationId, tokens, 'web_server', undefined);
    },

    async linkWithJwt(installationId, username) {
      let tokens: SalesforceTokens;
      try {
        tokens = await requestJwtBearerToken(app, { username, now: deps.clock.now() });
      } catch (error) {
        throw mapAuthError(error);
      }
      return link(installationId, tokens, 'jwt_bearer', username);
    },

    async forInstallation(installationId) {
      const installation = await connected(installationId);
      const stored = await deps.tokens.get(installationId, 'salesforce');
      if (stored === undefined || installation.salesforceInstanceUrl === null) {
        throw new SalesforceNotConnectedError('no Salesforce tokens stored; reconnect the org');
      }
      const credentials =
        installation.salesforceAuthKind === 'jwt_bearer'
          ? {
              kind: 'jwt_bearer' as const,
              accessToken: stored.accessToken,
              instanceUrl: installation.salesforceInstanceUrl,
              username: installation.salesforceUsername ?? '',
            }
          : {
              kind: 'web_server' as const,
              accessToken: stored.accessToken,
              refreshToken: stored.refreshToken ?? '',
              instanceUrl: installation.salesforceInstanceUrl,
            };
      return createSalesforceConnection({
        app,
        credentials,
        now: () => deps.clock.now(),
        onResponse: ({ status }) =>
          deps.metrics.recordCrmCall('salesforce', installationId, status),
        // Refresh through the store so every process sees rotated refresh tokens.
        refresh: async () => {
          const tokens = await refresh(installationId);
          const current = await getInstallationOrThrow(deps.db, installationId);
          return {
            accessToken: tokens.accessToken,
            refreshToken: tokens.refreshToken,
            instanceUrl: current.salesforceInstanceUrl ?? installation.salesforceInstanceUrl ?? '',
            orgId: current.salesforceOrgId ?? '',
            userId: current.salesforceUserId ?? '',
            issuedAt: tokens.issuedAt.getTime(),
            scope: undefined,
          };
        },
      });
    },

    refresh,

    async disconnect(installationId) {
      // Unreadable tokens (e.g. a retired key) must not block a disconnect.
      const stored = await deps.tokens.get(installationId, 'salesforce').catch(() => undefined);
      const token = stored?.refreshToken ?? stored?.accessToken;
      if (token !== undefined) {
        await revokeSalesforceToken(app, token).catch((error: unknown) =>
          deps.log.warn({ err: error, installationId }, 'Salesforce token revocation failed'),
        );
      }
      await deps.tokens.remove(installationId, 'salesforce');
    },
  };
}
