import { Client } from '@hubspot/api-client';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { AppError, UpstreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { StoredTokens, TokenSet, TokenStore } from '../security/token-store.ts';

/** Refresh this long before the access token expires (HubSpot's live 30 minutes). */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** The installation's HubSpot authorization is gone (uninstalled, revoked): reinstall needed. */
export class HubspotAuthError extends AppError {
  override name = 'HubspotAuthError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('forbidden', message, options);
  }
}

/** What the token-info endpoint says about a fresh access token. */
export type HubspotTokenInfo = {
  readonly portalId: string;
  readonly appId: string;
  readonly userId: string | undefined;
  readonly user: string | undefined;
  readonly hubDomain: string | undefined;
  readonly scopes: readonly string[];
};

export type HubspotClients = {
  /** A client for the installation's portal, its token refreshed first if close to expiry. */
  forInstallation(installationId: string): Promise<Client>;
  /**
   * Runs `call` with a client; a 401 forces one refresh (shared with concurrent callers) and one
   * retry. Use this rather than `forInstallation` for anything long-lived.
   */
  withClient<T>(installationId: string, call: (client: Client) => Promise<T>): Promise<T>;
  /** Forces a refresh now; concurrent calls for one installation share it. */
  refresh(installationId: string): Promise<StoredTokens>;
  /** Install callback: code → tokens, plus the portal they belong to. */
  exchangeCode(
    code: string,
    redirectUri: string,
  ): Promise<{ tokens: TokenSet; info: HubspotTokenInfo }>;
  /** Uninstall: revokes the refresh token at HubSpot (best effort: 404 = already gone). */
  revoke(refreshToken: string): Promise<void>;
};

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function describeApiError(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : 'HubSpot API error';
}

export function createHubspotClients(deps: {
  config: Config['hubspot'];
  tokens: TokenStore;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
}): HubspotClients {
  const { config, tokens, clock, metrics } = deps;
  const inflight = new Map<string, Promise<StoredTokens>>();

  const countingMiddleware = (installationId: string) => ({
    pre: (context: unknown) => context,
    post: (context: unknown) => {
      const status = (context as { httpStatusCode?: unknown }).httpStatusCode;
      if (typeof status === 'number') metrics.recordCrmCall('hubspot', installationId, status);
      return context;
    },
  });

  // One client per call site is cheap; configuring retries or a limiter here would replace the
  // SDK's process-wide decorators for every portal (see hubspot-platform.md §5.6), so we don't.
  const buildClient = (installationId: string, accessToken: string): Client => {
    const client = new Client({
      accessToken,
      basePath: config.apiBaseUrl,
      middleware: [countingMiddleware(installationId)],
    });
    // apiRequest bypasses the SDK middleware; count it too.
    const apiRequest = client.apiRequest.bind(client);
    client.apiRequest = async (options) => {
      const response = await apiRequest(options);
      metrics.recordCrmCall('hubspot', installationId, response.status);
      return response;
    };
    return client;
  };

  const anonymousClient = () => new Client({ basePath: config.apiBaseUrl });

  const toTokenSet = (
    response: { accessToken: string; refreshToken: string; expiresIn: number },
    previousRefreshToken?: string,
  ): TokenSet => {
    const now = clock.now();
    return {
      accessToken: response.accessToken,
      refreshToken: response.refreshToken || previousRefreshToken,
      expiresAt: new Date(now + response.expiresIn * 1000),
      issuedAt: new Date(now),
      scopes: undefined,
    };
  };

  const isFresh = (stored: StoredTokens) =>
    stored.expiresAt !== undefined && stored.expiresAt.getTime() - clock.now() > REFRESH_MARGIN_MS;

  const readOrThrow = async (installationId: string): Promise<StoredTokens> => {
    const stored = await tokens.get(installationId, 'hubspot');
    if (stored === undefined) {
      throw new HubspotAuthError(
        'this installation has no HubSpot authorization; reinstall the app',
      );
    }
    return stored;
  };

  const doRefresh = async (installationId: string, staleVersion: number | undefined) => {
    const stored = await readOrThrow(installationId);
    // Someone (another process) refreshed since the caller looked: use their token.
    if (staleVersion !== undefined && stored.version !== staleVersion && isFresh(stored)) {
      return stored;
    }
    if (stored.refreshToken === undefined) {
      throw new HubspotAuthError('no HubSpot refresh token stored; reinstall the app');
    }
    let response: Awaited<ReturnType<Client['oauth']['tokensApi']['create']>>;
    try {
      response = await anonymousClient().oauth.tokensApi.create(
        'refresh_token',
        undefined,
        undefined,
        config.clientId,
        config.clientSecret,
        stored.refreshToken,
      );
    } catch (error) {
      const status = statusOf(error);
      metrics.recordCrmCall('hubspot', installationId, status ?? 0);
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
        throw new HubspotAuthError(
          `HubSpot refused the refresh token: ${describeApiError(error)}`,
          {
            cause: error,
          },
        );
      }
      throw new UpstreamError('HubSpot token refresh failed', { cause: error });
    }
    metrics.recordCrmCall('hubspot', installationId, 200);
    const next: TokenSet = {
      ...toTokenSet(response, stored.refreshToken),
      scopes: stored.scopes,
    };
    const saved = await tokens.replace(installationId, 'hubspot', stored.version, next);
    deps.log.debug({ installationId }, 'refreshed HubSpot access token');
    // Lost a race with another process between our read and write: theirs is as good as ours.
    return saved ?? readOrThrow(installationId);
  };

  const refreshShared = (installationId: string, staleVersion?: number) => {
    const running = inflight.get(installationId);
    if (running !== undefined) return running;
    const promise = doRefresh(installationId, staleVersion).finally(() =>
      inflight.delete(installationId),
    );
    inflight.set(installationId, promise);
    return promise;
  };

  const freshTokens = async (installationId: string): Promise<StoredTokens> => {
    const stored = await readOrThrow(installationId);
    return isFresh(stored) ? stored : refreshShared(installationId, stored.version);
  };

  return {
    async forInstallation(installationId) {
      const stored = await freshTokens(installationId);
      return buildClient(installationId, stored.accessToken);
    },

    async withClient(installationId, call) {
      const stored = await freshTokens(installationId);
      try {
        return await call(buildClient(installationId, stored.accessToken));
      } catch (error) {
        if (statusOf(error) !== 401) throw error;
        // Expiry is tracked, but a token can still be revoked or rotated early: refresh once.
        const refreshed = await refreshShared(installationId, stored.version);
        return call(buildClient(installationId, refreshed.accessToken));
      }
    },

    refresh: (installationId) => refreshShared(installationId),

    async exchangeCode(code, redirectUri) {
      const client = anonymousClient();
      let tokenSet: TokenSet;
      try {
        const response = await client.oauth.tokensApi.create(
          'authorization_code',
          code,
          redirectUri,
          config.clientId,
          config.clientSecret,
        );
        tokenSet = toTokenSet(response);
      } catch (error) {
        const status = statusOf(error);
        if (status !== undefined && status >= 400 && status < 500) {
          throw new AppError(
            'bad_request',
            `HubSpot refused the authorization code: ${describeApiError(error)}`,
            {
              cause: error,
            },
          );
        }
        throw new UpstreamError('HubSpot token exchange failed', { cause: error });
      }
      const info = await client.oauth.accessTokensApi.get(tokenSet.accessToken).catch((error) => {
        throw new UpstreamError('could not read HubSpot token info', { cause: error });
      });
      return {
        tokens: { ...tokenSet, scopes: info.scopes },
        info: {
          portalId: String(info.hubId),
          appId: String(info.appId),
          userId: info.userId === undefined ? undefined : String(info.userId),
          user: info.user,
          hubDomain: info.hubDomain,
          scopes: info.scopes,
        },
      };
    },

    async revoke(refreshToken) {
      try {
        await anonymousClient().oauth.refreshTokensApi.archive(refreshToken);
      } catch (error) {
        if (statusOf(error) === 404) return;
        throw new UpstreamError('HubSpot refresh token revocation failed', { cause: error });
      }
    },
  };
}
