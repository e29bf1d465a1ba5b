import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { startLocalRedis } from '../../server/src/infra/local-redis.ts';
import { createEmptyPostgresDatabase } from '../support/database.ts';
import { findFreePort } from '../support/free-port.ts';
import { testEnv } from '../support/server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webEntry = path.join(root, 'server/src/web.ts');
const workerEntry = path.join(root, 'server/src/worker.ts');

type Child = { process: ChildProcess; stdout: () => string; stderr: () => string };

function start(entry: string, env: Record<string, string | undefined>): Child {
  let stdout = '';
  let stderr = '';
  // Only what the process needs: no developer variables leak into the test.
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return { process: child, stdout: () => stdout, stderr: () => stderr };
}

async function exitCode(child: Child, timeoutMs = 20_000): Promise<number | null> {
  if (child.process.exitCode !== null) return child.process.exitCode;
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child.process, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}

async function waitForHttp(url: string, child: Child, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(`process exited early:\n${child.stderr()}\n${child.stdout()}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms`);
}

describe('start-up with a bad configuration', () => {
  it.each([
    ['web', webEntry],
    ['worker', workerEntry],
  ])('the %s process exits non-zero naming every bad variable', async (_name, entry) => {
    const child = start(entry, { PORT: 'eighty', LOG_LEVEL: 'loud', TOKEN_ENCRYPTION_KEY: 'abc' });
    expect(await exitCode(child)).toBe(78);
    const output = child.stderr();
    for (const variable of [
      'HUBSPOT_APP_ID',
      'HUBSPOT_CLIENT_ID',
      'HUBSPOT_CLIENT_SECRET',
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
      'TOKEN_ENCRYPTION_KEY',
    ]) {
      expect(output).toContain(`- ${variable}:`);
    }
    expect(output).not.toContain('abc');
  });

  it('a worker refuses PGlite (a PGlite directory belongs to one process)', async () => {
    const child = start(workerEntry, testEnv({ LOG_LEVEL: 'info' }));
    expect(await exitCode(child)).toBe(78);
    expect(child.stdout()).toContain('worker processes need DATABASE_URL');
  });
});

describe('graceful shutdown of the web process', () => {
  it('stops accepting on SIGTERM, finishes the in-flight request, then exits 0', async () => {
    const redis = await startLocalRedis();
    const port = await findFreePort();
    const base = `http://127.0.0.1:${port}`;
    const child = start(
      webEntry,
      testEnv({ REDIS_URL: redis.url, PORT: String(port), LOG_LEVEL: 'info' }),
    );
    const pauser = new Redis(redis.url, { lazyConnect: true });
    try {
      await waitForHttp(`${base}/healthz`, child);
      // Make /readyz slow: Redis holds every client's commands for 1.5 s.
      await pauser.connect();
      await pauser.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const slow = fetch(`${base}/readyz`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.process.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));

      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
      const response = await slow;
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ready' });

      expect(await exitCode(child)).toBe(0);
      expect(child.stdout()).toContain('shutting down');
      expect(child.stdout()).toContain('"msg":"stopped"');
    } finally {
      pauser.disconnect();
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
      await redis.stop();
    }
  });
});

describe.runIf(inject('databaseUrl') !== undefined)('a worker process on Postgres', () => {
  it('starts, registers its schedulers, and exits 0 on SIGTERM', async () => {
    const database = await createEmptyPostgresDatabase();
    const env = testEnv({ DATABASE_URL: database.url, LOG_LEVEL: 'info' });
    const child = start(workerEntry, env);
    const redis = new Redis(env.REDIS_URL ?? '', { lazyConnect: true });
    try {
      await redis.connect();
      const key = `${env.QUEUE_PREFIX}:purge-expired:repeat:purge-expired-hourly`;
      // Ready = signal handlers installed: the scheduler exists a little earlier, and a SIGTERM
      // in between (machine under load) ended the process without a shutdown (exit code null).
      const deadline = Date.now() + 20_000;
      while (!child.stdout().includes('"msg":"worker process ready"')) {
        if (Date.now() > deadline || child.process.exitCode !== null) {
          throw new Error(`worker did not start:\n${child.stdout()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await redis.exists(key)).toBe(1);
      child.process.kill('SIGTERM');
      expect(await exitCode(child)).toBe(0);
    } finally {
      redis.disconnect();
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
      await database.drop();
    }
  });
});
