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
  const existing = readSecrets(dataDir);
  if (existing !== undefined) return existing;
  const file = path.join(dataDir, 'sandbox-secrets.json');
  const secrets = generate();
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

const runtimeSchema = z.strictObject({
  apiUrl: z.url(),
  portalId: z.number().int(),
  appId: z.string(),
  /** The HubSpot user who installed the app: an admin, so settings calls pass. */
  installerUserId: z.string().nullable(),
  /** A won, partner-sourced demo deal and its partner company, for a first call. */
  sample: z.strictObject({ hubspotDealId: z.string(), partnerCompanyId: z.string() }).nullable(),
});
/** What a running sandbox mode tells `npm run call` (no secrets: those stay in the secrets file). */
export type SandboxRuntime = z.infer<typeof runtimeSchema>;

const runtimeFile = (dataDir: string) => path.join(dataDir, 'sandbox-runtime.json');

export function writeRuntime(dataDir: string, runtime: SandboxRuntime): () => void {
  const file = runtimeFile(dataDir);
  writeFileSync(file, `${JSON.stringify(runtime, null, 2)}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/** The running sandbox mode's runtime, or undefined when none runs from this data directory. */
export function readRuntime(dataDir: string): SandboxRuntime | undefined {
  const file = runtimeFile(dataDir);
  if (!existsSync(file)) return undefined;
  return runtimeSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** The secrets sandbox mode generated, or undefined before its first start. */
export function readSecrets(dataDir: string): SandboxSecrets | undefined {
  const file = path.join(dataDir, 'sandbox-secrets.json');
  if (!existsSync(file)) return undefined;
  return stateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
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
