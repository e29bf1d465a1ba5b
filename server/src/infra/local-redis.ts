import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';

/** A redis-server child process owned by this process (sandbox mode and the test suite). */
export type LocalRedis = {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
};

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

const INSTALL_COMMAND = 'sudo apt-get install -y redis-server';
const SEARCH_PATH = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findRedisServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...SEARCH_PATH];
  return dirs.map((dir) => path.join(dir, 'redis-server')).find(isExecutable);
}

// Debian's package is the documented way to get Redis here; only try it when we can do so
// without prompting (root, or passwordless sudo).
function tryInstallFromDebian(log: (line: string) => void): void {
  if (!isExecutable('/usr/bin/apt-get')) return;
  const isRoot = process.getuid?.() === 0;
  const prefix = isRoot ? [] : ['sudo', '-n'];
  if (!isRoot && !isExecutable('/usr/bin/sudo')) return;
  log(
    'redis-server is missing; installing it from Debian packages (apt-get install redis-server)…',
  );
  const run = (args: string[]) => {
    const [command, ...rest] = [...prefix, ...args];
    if (command === undefined) return;
    execFileSync(command, rest, {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  try {
    run(['apt-get', 'install', '-y', '--no-install-recommends', 'redis-server']);
  } catch {
    try {
      run(['apt-get', 'update']);
      run(['apt-get', 'install', '-y', '--no-install-recommends', 'redis-server']);
    } catch {
      // fall through: the caller reports the one command to run
    }
  }
}

/** Finds redis-server, installing it from Debian's packages when that is possible. */
export function ensureRedisServerBinary(log: (line: string) => void = () => {}): string {
  const found = findRedisServer();
  if (found !== undefined) return found;
  tryInstallFromDebian(log);
  const installed = findRedisServer();
  if (installed !== undefined) return installed;
  throw new RedisUnavailableError(
    `redis-server was not found and could not be installed automatically. Install it with:\n  ${INSTALL_COMMAND}\nor set REDIS_URL to a running Redis.`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilListening(port: number, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new RedisUnavailableError(`redis-server exited with code ${child.exitCode}`);
    }
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new RedisUnavailableError(`redis-server did not listen on port ${port} in ${timeoutMs} ms`);
}

export type StartLocalRedisOptions = {
  /** Directory for the append-only file; omit for a memory-only Redis (tests). */
  dataDir?: string;
  log?: (line: string) => void;
};

/** Starts a private redis-server on a free loopback port; `stop()` shuts it down. */
export async function startLocalRedis(options: StartLocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = ensureRedisServerBinary(options.log);
  const port = await freePort();
  // noeviction: BullMQ must never lose keys under memory pressure.
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--maxmemory-policy', 'noeviction'];
  if (options.dataDir === undefined) {
    args.push('--save', '', '--appendonly', 'no');
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('--dir', options.dataDir, '--appendonly', 'yes', '--save', '');
  }
  const child = spawn(binary, args, { stdio: 'ignore' });
  // Never leave an orphan redis-server behind, however this process ends.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  await waitUntilListening(port, child, 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
