import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Envelope: `pbenc:v1:<keyId>:<iv>:<ciphertext>:<tag>` (base64url parts). The key id lets us decrypt
// values written under a previous key after TOKEN_ENCRYPTION_KEY is rotated.
const PREFIX = 'pbenc';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class TokenDecryptionError extends Error {
  override name = 'TokenDecryptionError';
}

/** A short public fingerprint of a key (never the key itself). */
export function keyId(key: Buffer): string {
  return createHash('sha256')
    .update('partnerbridge-token-key:')
    .update(key)
    .digest('base64url')
    .slice(0, 8);
}

export type TokenCipher = {
  /**
   * Encrypts with AES-256-GCM. `context` is bound as additional authenticated data, so a value
   * copied to another row (another installation or token kind) no longer decrypts.
   */
  encrypt(plaintext: string, context: string): string;
  decrypt(envelope: string, context: string): string;
  /** True when the value was written under an older key and should be re-encrypted. */
  needsReencryption(envelope: string): boolean;
};

export function createTokenCipher(
  currentKey: Buffer,
  previousKeys: readonly Buffer[] = [],
): TokenCipher {
  for (const key of [currentKey, ...previousKeys]) {
    if (key.length !== 32) throw new RangeError('AES-256-GCM keys must be 32 bytes');
  }
  const currentId = keyId(currentKey);
  const keys = new Map<string, Buffer>();
  for (const key of previousKeys) keys.set(keyId(key), key);
  keys.set(currentId, currentKey);

  return {
    encrypt(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        PREFIX,
        VERSION,
        currentId,
        iv.toString('base64url'),
        ciphertext.toString('base64url'),
        tag.toString('base64url'),
      ].join(':');
    },

    decrypt(envelope, context) {
      const parts = envelope.split(':');
      if (parts.length !== 6 || parts[0] !== PREFIX) {
        throw new TokenDecryptionError('not an encrypted token envelope');
      }
      const [, version, id, ivPart, ctPart, tagPart] = parts as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      if (version !== VERSION) {
        throw new TokenDecryptionError(`unsupported envelope version ${version}`);
      }
      const key = keys.get(id);
      if (key === undefined) {
        throw new TokenDecryptionError(`no configured key matches key id ${id}`);
      }
      const iv = Buffer.from(ivPart, 'base64url');
      const tag = Buffer.from(tagPart, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
        throw new TokenDecryptionError('malformed envelope');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([
          decipher.update(Buffer.from(ctPart, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch (cause) {
        throw new TokenDecryptionError('token failed authentication (tampered or wrong context)', {
          cause,
        });
      }
    },

    needsReencryption(envelope) {
      return envelope.split(':')[2] !== currentId;
    },
  };
}
