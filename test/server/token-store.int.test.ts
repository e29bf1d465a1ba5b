import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { installations, oauthTokens } from '../../server/src/db/schema/installations.ts';
import { createTokenCipher } from '../../server/src/security/token-crypto.ts';
import { createTokenStore, type TokenSet } from '../../server/src/security/token-store.ts';
import { describeEachDatabase } from '../support/database.ts';

const tokens: TokenSet = {
  accessToken: `CK${randomBytes(64).toString('base64url')}`,
  refreshToken: `na1-${randomBytes(16).toString('hex')}`,
  expiresAt: new Date('2030-01-01T00:30:00Z'),
  issuedAt: new Date('2030-01-01T00:00:00Z'),
  scopes: ['oauth', 'crm.objects.deals.read'],
};

describeEachDatabase('token store', ({ database }) => {
  const cipher = createTokenCipher(randomBytes(32));

  async function anInstallation() {
    const [row] = await database()
      .db.insert(installations)
      .values({ hubspotPortalId: randomBytes(4).readUInt32BE().toString() })
      .returning();
    if (row === undefined) throw new Error('no installation');
    return row.id;
  }

  it('encrypts on write and decrypts on read', async () => {
    const store = createTokenStore(database().db, cipher);
    const installationId = await anInstallation();
    const saved = await store.save(installationId, 'hubspot', tokens);
    expect(saved).toMatchObject({ ...tokens, version: 1 });

    const [row] = await database()
      .db.select()
      .from(oauthTokens)
      .where(eq(oauthTokens.installationId, installationId));
    expect(row?.accessTokenEnc).toMatch(/^pbenc:v1:/);
    expect(JSON.stringify(row)).not.toContain(tokens.accessToken);
    expect(JSON.stringify(row)).not.toContain(tokens.refreshToken);

    expect(await store.get(installationId, 'hubspot')).toEqual(saved);
    expect(await store.get(installationId, 'salesforce')).toBeUndefined();
  });

  it('bumps the version on save and replaces only from the version it read', async () => {
    const store = createTokenStore(database().db, cipher);
    const installationId = await anInstallation();
    await store.save(installationId, 'salesforce', { ...tokens, expiresAt: undefined });
    const second = await store.save(installationId, 'salesforce', {
      ...tokens,
      accessToken: 'two',
    });
    expect(second.version).toBe(2);
    const replaced = await store.replace(installationId, 'salesforce', 2, {
      ...tokens,
      accessToken: 'three',
    });
    expect(replaced).toMatchObject({ accessToken: 'three', version: 3 });
    const stale = await store.replace(installationId, 'salesforce', 2, {
      ...tokens,
      accessToken: 'lost-the-race',
    });
    expect(stale).toBeUndefined();
    expect((await store.get(installationId, 'salesforce'))?.accessToken).toBe('three');
  });

  it('refuses ciphertext copied from another installation', async () => {
    const store = createTokenStore(database().db, cipher);
    const victim = await anInstallation();
    const attacker = await anInstallation();
    await store.save(victim, 'hubspot', tokens);
    await store.save(attacker, 'hubspot', { ...tokens, accessToken: 'mine' });
    const [victimRow] = await database()
      .db.select()
      .from(oauthTokens)
      .where(eq(oauthTokens.installationId, victim));
    await database()
      .db.update(oauthTokens)
      .set({ accessTokenEnc: victimRow?.accessTokenEnc ?? '' })
      .where(eq(oauthTokens.installationId, attacker));
    await expect(store.get(attacker, 'hubspot')).rejects.toThrow(/authentication/);
  });

  it('removes tokens per provider or all at once', async () => {
    const store = createTokenStore(database().db, cipher);
    const installationId = await anInstallation();
    await store.save(installationId, 'hubspot', tokens);
    await store.save(installationId, 'salesforce', tokens);
    expect(await store.remove(installationId, 'salesforce')).toBe(1);
    expect(await store.get(installationId, 'hubspot')).toBeDefined();
    expect(await store.remove(installationId)).toBe(1);
    expect(await store.get(installationId, 'hubspot')).toBeUndefined();
  });
});
