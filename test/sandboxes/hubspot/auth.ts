import { randomBytes, randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { expiredAuthentication, invalidAuthentication, missingScopes } from './errors.ts';

// The OAuth side of the sandbox: the registered app, authorization codes, access tokens (30
// minutes, on the sandbox clock), refresh tokens (until revoked) and which portals have the app
// installed. Tokens are scoped to one portal, which is what keeps tenants apart.

export type SandboxApp = {
  appId: number;
  clientId: string;
  clientSecret: string;
  /** Accepted redirect URIs; undefined accepts any (the default test app). */
  redirectUris: readonly string[] | undefined;
};

/** Every scope the sandbox knows; the app may request any of them. */
export const knownScopes = [
  'oauth',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.schemas.deals.read',
  'crm.schemas.deals.write',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
] as const;

/** What a token minted without explicit scopes gets: everything Partnerbridge asks for. */
export const defaultScopes: readonly string[] = knownScopes.filter(
  (scope) => !scope.startsWith('crm.objects.contacts'),
);

export const ACCESS_TOKEN_LIFETIME_SECONDS = 1800;
/** UNSURE: HubSpot does not document the code lifetime; the sandbox uses ten minutes. */
export const AUTH_CODE_LIFETIME_MS = 10 * 60_000;

export type AccessTokenRecord = {
  token: string;
  portalId: number;
  appId: number;
  userId: number;
  scopes: readonly string[];
  expiresAt: number;
  refreshToken: string | undefined;
};

export type RefreshTokenRecord = {
  token: string;
  portalId: number;
  appId: number;
  userId: number;
  scopes: readonly string[];
  revoked: boolean;
};

type AuthCodeRecord = {
  code: string;
  portalId: number;
  userId: number;
  redirectUri: string;
  scopes: readonly string[];
  expiresAt: number;
  used: boolean;
};

export type IssuedTokens = {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  expiresIn: number;
  scopes: readonly string[];
};

/** What the auth middleware leaves in `res.locals.auth`. */
export type RequestAuth = {
  portalId: number;
  appId: number;
  userId: number;
  scopes: readonly string[];
  token: string;
};

export type TokenLookup =
  | { kind: 'valid'; record: AccessTokenRecord }
  | { kind: 'expired'; record: AccessTokenRecord }
  | { kind: 'unknown' };

export class AuthRegistry {
  readonly app: SandboxApp;
  private readonly clock: () => number;
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly codes = new Map<string, AuthCodeRecord>();

  constructor(app: SandboxApp, clock: () => number) {
    this.app = app;
    this.clock = clock;
  }

  isRedirectUriAllowed(uri: string): boolean {
    return this.app.redirectUris === undefined || this.app.redirectUris.includes(uri);
  }

  authorize(input: {
    portalId: number;
    userId: number;
    redirectUri: string;
    scopes: readonly string[];
  }): string {
    const code = randomUUID();
    this.codes.set(code, {
      code,
      portalId: input.portalId,
      userId: input.userId,
      redirectUri: input.redirectUri,
      scopes: [...input.scopes],
      expiresAt: this.clock() + AUTH_CODE_LIFETIME_MS,
      used: false,
    });
    return code;
  }

  /** Exchanges a code; returns why it failed otherwise. */
  exchangeCode(
    code: string,
    redirectUri: string,
  ): IssuedTokens | 'BAD_AUTH_CODE' | 'EXPIRED_AUTH_CODE' | 'BAD_REDIRECT_URI' {
    const record = this.codes.get(code);
    if (record === undefined || record.used) return 'BAD_AUTH_CODE';
    if (record.expiresAt <= this.clock()) return 'EXPIRED_AUTH_CODE';
    if (record.redirectUri !== redirectUri) return 'BAD_REDIRECT_URI';
    record.used = true;
    return this.issue({ portalId: record.portalId, userId: record.userId, scopes: record.scopes });
  }

  /** Mints a fresh refresh token and an access token for it. */
  issue(input: {
    portalId: number;
    userId: number;
    scopes: readonly string[];
    expiresInSeconds?: number | undefined;
  }): IssuedTokens {
    const refresh: RefreshTokenRecord = {
      token: `na1-${randomUUID()}`,
      portalId: input.portalId,
      appId: this.app.appId,
      userId: input.userId,
      scopes: [...input.scopes],
      revoked: false,
    };
    this.refreshTokens.set(refresh.token, refresh);
    return this.mintAccess(refresh, input.expiresInSeconds ?? ACCESS_TOKEN_LIFETIME_SECONDS);
  }

  /** HubSpot's v1 refresh keeps the same refresh token and mints a new access token. */
  refresh(token: string): IssuedTokens | undefined {
    const record = this.refreshTokens.get(token);
    if (record === undefined || record.revoked) return undefined;
    return this.mintAccess(record, ACCESS_TOKEN_LIFETIME_SECONDS);
  }

  private mintAccess(refresh: RefreshTokenRecord, lifetimeSeconds: number): IssuedTokens {
    const token = `CK${randomBytes(96).toString('base64url')}`;
    const expiresAt = this.clock() + lifetimeSeconds * 1000;
    this.accessTokens.set(token, {
      token,
      portalId: refresh.portalId,
      appId: refresh.appId,
      userId: refresh.userId,
      scopes: refresh.scopes,
      expiresAt,
      refreshToken: refresh.token,
    });
    return {
      accessToken: token,
      refreshToken: refresh.token,
      expiresAt,
      expiresIn: lifetimeSeconds,
      scopes: refresh.scopes,
    };
  }

  lookupAccess(token: string): TokenLookup {
    const record = this.accessTokens.get(token);
    if (record === undefined) return { kind: 'unknown' };
    return record.expiresAt <= this.clock()
      ? { kind: 'expired', record }
      : { kind: 'valid', record };
  }

  lookupRefresh(token: string): RefreshTokenRecord | undefined {
    const record = this.refreshTokens.get(token);
    return record === undefined || record.revoked ? undefined : record;
  }

  /** Revokes a refresh token and every access token minted from it. */
  revokeRefresh(token: string): boolean {
    const record = this.refreshTokens.get(token);
    if (record === undefined || record.revoked) return false;
    record.revoked = true;
    for (const [accessToken, access] of this.accessTokens) {
      if (access.refreshToken === token) this.accessTokens.delete(accessToken);
    }
    return true;
  }

  /** The app counts as installed in a portal while one of its refresh tokens there is live. */
  isInstalled(portalId: number): boolean {
    for (const record of this.refreshTokens.values()) {
      if (record.portalId === portalId && !record.revoked) return true;
    }
    return false;
  }

  /** Whether a live installation in the portal was granted `scope` (webhooks need read scopes). */
  hasInstalledScope(portalId: number, scope: string): boolean {
    for (const record of this.refreshTokens.values()) {
      if (record.portalId === portalId && !record.revoked && record.scopes.includes(scope))
        return true;
    }
    return false;
  }

  /** Express middleware: `Authorization: Bearer <token>` → `res.locals.auth`, else HubSpot's 401. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const header = req.get('authorization') ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const lookup = match?.[1] === undefined ? undefined : this.lookupAccess(match[1]);
      if (lookup === undefined || lookup.kind === 'unknown') {
        next(invalidAuthentication());
        return;
      }
      if (lookup.kind === 'expired') {
        next(expiredAuthentication(lookup.record.expiresAt, this.clock()));
        return;
      }
      const auth: RequestAuth = {
        portalId: lookup.record.portalId,
        appId: lookup.record.appId,
        userId: lookup.record.userId,
        scopes: lookup.record.scopes,
        token: lookup.record.token,
      };
      res.locals.auth = auth;
      next();
    };
  }
}

export function requestAuth(res: Response): RequestAuth {
  const auth = res.locals.auth as RequestAuth | undefined;
  if (auth === undefined) throw new Error('route mounted without the auth middleware');
  return auth;
}

/** Throws HubSpot's 403 unless the token holds one of `anyOf`. */
export function assertScopes(auth: RequestAuth, anyOf: readonly string[]): void {
  if (!anyOf.some((scope) => auth.scopes.includes(scope))) throw missingScopes(anyOf);
}
