import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

// Secrets sandbox mode generates once and keeps under the data directory (mode 0600), so that a
// restart finds the same encryption key, app credentials and admin token.

const stateSchema = z.strictObject({
  tokenEncryptionKey: z.string(),
  adminToken: z.string(),
  hubspotApp: z.strictObject({
    appId: z.string(),
    clientId: z.string(),
    clientSecret: z.string(),
  }),
  salesforceApp: z.strictObject({
    clientId: z.string(),
    clientSecret: z.string(),
    jwtPrivateKeyPem: z.string(),
    jwtPublicKeyPem: z.string(),
  }),
});
export type SandboxSecrets = z.infer<typeof stateSchema>;

function generate(): SandboxSecrets {
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    tokenEncryptionKey: randomBytes(32).toString('base64'),
    adminToken: randomBytes(24).toString('base64url'),
    hubspotApp: {
      appId: String(3_000_000 + (randomBytes(3).readUIntBE(0, 3) % 1_000_000)),
      clientId: randomUUID(),
      clientSecret: randomUUID(),
    },
    salesforceApp: {
      clientId: `3MVG9Partnerbridge.Sandbox.${randomBytes(8).toString('hex')}`,
      clientSecret: randomBytes(24).toString('base64url'),
      jwtPrivateKeyPem: keys.privateKey,
      jwtPublicKeyPem: keys.publicKey,
    },
  };
}

/** Reads `<dataDir>/sandbox-secrets.json`, creating it (0600) on first run. */
export function loadOrCreateSecrets(dataDir: string): SandboxSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'sandbox-secrets.json');
  if (existsSync(file)) {
    return stateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  }
  const secrets = generate();
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

export class AlreadyRunningError extends Error {
  override name = 'AlreadyRunningError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One `npm start` per data directory: a PGlite directory must never be opened by two processes.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'start.pid');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new AlreadyRunningError(
        `Partnerbridge is already running from ${dataDir} (pid ${pid}); stop it first.`,
      );
    }
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
    } catch {
      // already gone
    }
  };
}
