import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { oauthTokens } from '../db/schema/installations.ts';
import type { CrmSystem } from '../db/vocabulary.ts';
import type { TokenCipher } from './token-crypto.ts';

/** Decrypted OAuth tokens of one installation for one provider. */
export type TokenSet = {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly expiresAt: Date | undefined;
  readonly issuedAt: Date;
  readonly scopes: readonly string[] | undefined;
};

export type StoredTokens = TokenSet & { readonly version: number };

export type TokenStore = {
  get(installationId: string, provider: CrmSystem): Promise<StoredTokens | undefined>;
  /** Inserts or replaces the tokens (encrypting them) and bumps the version. */
  save(installationId: string, provider: CrmSystem, tokens: TokenSet): Promise<StoredTokens>;
  /**
   * Replaces the tokens only if nobody else did since `expectedVersion` was read; returns
   * undefined when another refresher won (then read again and use theirs).
   */
  replace(
    installationId: string,
    provider: CrmSystem,
    expectedVersion: number,
    tokens: TokenSet,
  ): Promise<StoredTokens | undefined>;
  /** Deletes tokens (all providers when `provider` is omitted); returns how many rows went. */
  remove(installationId: string, provider?: CrmSystem): Promise<number>;
};

// The row identity is bound into each ciphertext: copying a value to another row breaks it.
const context = (installationId: string, provider: CrmSystem, kind: 'access' | 'refresh') =>
  `oauth_tokens:${installationId}:${provider}:${kind}`;

export function createTokenStore(db: Executor, cipher: TokenCipher): TokenStore {
  const encrypt = (installationId: string, provider: CrmSystem, tokens: TokenSet) => ({
    accessTokenEnc: cipher.encrypt(tokens.accessToken, context(installationId, provider, 'access')),
    refreshTokenEnc:
      tokens.refreshToken === undefined
        ? null
        : cipher.encrypt(tokens.refreshToken, context(installationId, provider, 'refresh')),
    expiresAt: tokens.expiresAt ?? null,
    issuedAt: tokens.issuedAt,
    scopes: tokens.scopes === undefined ? null : [...tokens.scopes],
    updatedAt: new Date(),
  });

  const decrypt = (row: typeof oauthTokens.$inferSelect): StoredTokens => ({
    accessToken: cipher.decrypt(
      row.accessTokenEnc,
      context(row.installationId, row.provider, 'access'),
    ),
    refreshToken:
      row.refreshTokenEnc === null
        ? undefined
        : cipher.decrypt(row.refreshTokenEnc, context(row.installationId, row.provider, 'refresh')),
    expiresAt: row.expiresAt ?? undefined,
    issuedAt: row.issuedAt,
    scopes: row.scopes ?? undefined,
    version: row.version,
  });

  const where = (installationId: string, provider: CrmSystem) =>
    and(eq(oauthTokens.installationId, installationId), eq(oauthTokens.provider, provider));

  return {
    async get(installationId, provider) {
      const [row] = await db.select().from(oauthTokens).where(where(installationId, provider));
      return row === undefined ? undefined : decrypt(row);
    },

    async save(installationId, provider, tokens) {
      const values = encrypt(installationId, provider, tokens);
      const [row] = await db
        .insert(oauthTokens)
        .values({ installationId, provider, ...values })
        .onConflictDoUpdate({
          target: [oauthTokens.installationId, oauthTokens.provider],
          set: { ...values, version: sql`${oauthTokens.version} + 1` },
        })
        .returning();
      if (row === undefined) throw new Error('token upsert returned no row');
      return decrypt(row);
    },

    async replace(installationId, provider, expectedVersion, tokens) {
      const [row] = await db
        .update(oauthTokens)
        .set({ ...encrypt(installationId, provider, tokens), version: expectedVersion + 1 })
        .where(and(where(installationId, provider), eq(oauthTokens.version, expectedVersion)))
        .returning();
      return row === undefined ? undefined : decrypt(row);
    },

    async remove(installationId, provider) {
      const rows = await db
        .delete(oauthTokens)
        .where(
          provider === undefined
            ? eq(oauthTokens.installationId, installationId)
            : where(installationId, provider),
        )
        .returning({ id: oauthTokens.id });
      return rows.length;
    },
  };
}
