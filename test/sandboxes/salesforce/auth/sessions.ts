import { randomBytes } from 'node:crypto';

// Access tokens (sessions) and refresh tokens. Sessions time out after `ttlMs` of inactivity on
// the sandbox clock, as Salesforce sessions do; refresh tokens live until revoked (or rotated).

export type Session = {
  readonly accessToken: string;
  readonly orgId: string;
  readonly userId: string;
  readonly clientId: string;
  readonly issuedAt: number;
  lastUsedAt: number;
  revoked: boolean;
  /** The refresh token this session was minted from, if any. */
  readonly refreshToken: string | null;
};

export type RefreshGrant = {
  readonly token: string;
  readonly orgId: string;
  readonly userId: string;
  readonly clientId: string;
  revoked: boolean;
};

const opaque = (bytes: number) => randomBytes(bytes).toString('base64url');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly refreshGrants = new Map<string, RefreshGrant>();
  private readonly clock: () => number;
  ttlMs: number;

  constructor(clock: () => number, ttlMs: number) {
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  /** A new session, shaped like Salesforce's `<orgId>!<opaque>` access tokens. */
  issue(input: {
    orgId: string;
    userId: string;
    clientId: string;
    refreshToken?: string;
  }): Session {
    const now = this.clock();
    const session: Session = {
      accessToken: `${input.orgId.slice(0, 15)}!${opaque(72)}`,
      orgId: input.orgId,
      userId: input.userId,
      clientId: input.clientId,
      issuedAt: now,
      lastUsedAt: now,
      revoked: false,
      refreshToken: input.refreshToken ?? null,
    };
    this.sessions.set(session.accessToken, session);
    return session;
  }

  issueRefreshToken(input: { orgId: string; userId: string; clientId: string }): RefreshGrant {
    const grant: RefreshGrant = { ...input, token: `5Aep${opaque(60)}`, revoked: false };
    this.refreshGrants.set(grant.token, grant);
    return grant;
  }

  /** The live session for a token (touching it), or undefined when unknown, revoked or timed out. */
  authenticate(accessToken: string): Session | undefined {
    const session = this.sessions.get(accessToken);
    if (session === undefined || session.revoked) return undefined;
    const now = this.clock();
    if (now - session.lastUsedAt > this.ttlMs) return undefined;
    session.lastUsedAt = now;
    return session;
  }

  refreshGrant(token: string): RefreshGrant | undefined {
    const grant = this.refreshGrants.get(token);
    return grant === undefined || grant.revoked ? undefined : grant;
  }

  /** Revokes an access token, or a refresh token together with the sessions minted from it. */
  revoke(token: string): boolean {
    const session = this.sessions.get(token);
    if (session !== undefined) {
      session.revoked = true;
      return true;
    }
    const grant = this.refreshGrants.get(token);
    if (grant === undefined) return false;
    grant.revoked = true;
    for (const s of this.sessions.values()) if (s.refreshToken === token) s.revoked = true;
    return true;
  }

  /** Ends every session (of one org): the next API call answers INVALID_SESSION_ID. */
  expireAll(orgId?: string): number {
    let count = 0;
    for (const session of this.sessions.values()) {
      if (session.revoked || (orgId !== undefined && session.orgId !== orgId)) continue;
      session.revoked = true;
      count += 1;
    }
    return count;
  }
}
