import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, hasCrmCredentials, parseConfig } from '../server/src/config.ts';
import { RedisUnavailableError, startLocalRedis } from '../server/src/infra/local-redis.ts';
import { createLogger } from '../server/src/logger.ts';
import { startRuntime } from '../server/src/main.ts';
import { AlreadyRunningError, loadOrCreateSecrets, lockDataDir } from './lib/local-state.ts';
import { formatSandboxSummary, startSandboxMode } from './lib/sandbox-mode.ts';

// `npm start`. Without CRM credentials in the environment: sandbox mode (both CRM sandboxes,
// PGlite and a private Redis under DATA_DIR, server and workers in this process). With them:
// web and workers in this process against the configured portals and orgs. Production runs
// server/src/web.ts and server/src/worker.ts as separate processes instead (docs/server.md).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const dataDir = path.resolve(root, env.DATA_DIR ?? '.data');
const say = (line: string) => process.stdout.write(`${line}\n`);

function fail(message: string, code = 1): never {
  process.stderr.write(`\n${message}\n`);
  process.exit(code);
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) process.exit(1);
    stopping = true;
    say('\nstopping…');
    stop().then(
      () => process.exit(0),
      (error: unknown) => fail(`could not stop cleanly: ${String(error)}`),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

async function sandboxMode(): Promise<void> {
  const release = lockDataDir(dataDir);
  say('Partnerbridge — sandbox mode');
  const demoDeals = Number(env.SANDBOX_DEMO_DEALS ?? 3000);
  if (!Number.isInteger(demoDeals) || demoDeals < 1) {
    fail('SANDBOX_DEMO_DEALS must be a positive whole number', 78);
  }
  const running = await startSandboxMode({
    env,
    dataDir,
    demoDeals,
    onProgress: (line) => say(`  ${line}`),
  });
  say(formatSandboxSummary(running.summary));
  onSignals(async () => {
    await running.stop();
    release();
  });
}

async function credentialsMode(): Promise<void> {
  const release = lockDataDir(dataDir);
  say('Partnerbridge — running against the configured CRMs (web and workers in one process)');
  const overrides: Record<string, string> = {};
  const stops: (() => Promise<void>)[] = [];
  if ((env.REDIS_URL ?? '') === '') {
    const redis = await startLocalRedis({ dataDir: path.join(dataDir, 'redis'), log: say });
    stops.push(() => redis.stop());
    overrides.REDIS_URL = redis.url;
  }
  if ((env.TOKEN_ENCRYPTION_KEY ?? '') === '') {
    say(`  TOKEN_ENCRYPTION_KEY is not set: using the generated key in ${dataDir}`);
    overrides.TOKEN_ENCRYPTION_KEY = loadOrCreateSecrets(dataDir).tokenEncryptionKey;
  }
  const stopAll = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
    release();
  };
  try {
    const config = parseConfig({ ...env, ...overrides });
    const log = createLogger({ level: config.logLevel });
    const runtime = await startRuntime(config, { web: true, worker: true, log });
    stops.push(() => runtime.close());
    say(`  API ${runtime.url ?? ''} (public URL ${config.publicBaseUrl}); docs at /docs`);
  } catch (error) {
    await stopAll();
    throw error;
  }
  onSignals(stopAll);
}

try {
  await (hasCrmCredentials(env) ? credentialsMode() : sandboxMode());
} catch (error) {
  if (error instanceof ConfigError) fail(error.message, 78);
  if (error instanceof RedisUnavailableError || error instanceof AlreadyRunningError) {
    fail(error.message);
  }
  fail(
    `npm start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
}
