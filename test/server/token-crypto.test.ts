import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createTokenCipher,
  keyId,
  TokenDecryptionError,
} from '../../server/src/security/token-crypto.ts';

const key = randomBytes(32);
const context = 'oauth_tokens:inst-1:hubspot:access';

function tamper(envelope: string, part: number): string {
  const parts = envelope.split(':');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe(createTokenCipher, () => {
  it('round-trips a token and never shows the plaintext', () => {
    const cipher = createTokenCipher(key);
    const token = `CK${randomBytes(96).toString('base64url')}`;
    const envelope = cipher.encrypt(token, context);
    expect(envelope).toMatch(/^pbenc:v1:[\w-]{8}:/);
    expect(envelope).not.toContain(token.slice(2, 20));
    expect(cipher.decrypt(envelope, context)).toBe(token);
  });

  it('uses a fresh IV every time', () => {
    const cipher = createTokenCipher(key);
    expect(cipher.encrypt('same', context)).not.toBe(cipher.encrypt('same', context));
  });

  it.each([
    ['the IV', 3],
    ['the ciphertext', 4],
    ['the tag', 5],
  ])('rejects a tampered envelope (%s)', (_what, part) => {
    const cipher = createTokenCipher(key);
    const envelope = cipher.encrypt('refresh-token', context);
    expect(() => cipher.decrypt(tamper(envelope, part), context)).toThrow(TokenDecryptionError);
  });

  it('rejects a value moved to another row (context is authenticated)', () => {
    const cipher = createTokenCipher(key);
    const envelope = cipher.encrypt('refresh-token', context);
    expect(() => cipher.decrypt(envelope, 'oauth_tokens:inst-2:hubspot:access')).toThrow(
      /authentication/,
    );
  });

  it('rejects another key and malformed input', () => {
    const envelope = createTokenCipher(key).encrypt('x', context);
    const other = createTokenCipher(randomBytes(32));
    expect(() => other.decrypt(envelope, context)).toThrow(/no configured key/);
    expect(() => other.decrypt('plain-text-token', context)).toThrow(/not an encrypted/);
    expect(() => other.decrypt('pbenc:v9:a:b:c:d', context)).toThrow(/version v9/);
  });

  it('decrypts values written under a previous key after rotation', () => {
    const oldKey = randomBytes(32);
    const envelope = createTokenCipher(oldKey).encrypt('old-token', context);
    const rotated = createTokenCipher(key, [oldKey]);
    expect(rotated.decrypt(envelope, context)).toBe('old-token');
    expect(rotated.needsReencryption(envelope)).toBe(true);
    expect(rotated.needsReencryption(rotated.encrypt('new', context))).toBe(false);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createTokenCipher(randomBytes(16))).toThrow(RangeError);
  });

  it('identifies keys by a fingerprint that does not reveal them', () => {
    expect(keyId(key)).toHaveLength(8);
    expect(keyId(key)).not.toBe(keyId(randomBytes(32)));
    expect(key.toString('base64url')).not.toContain(keyId(key));
  });
});
