import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import type { Clock } from '../../server/src/clock.ts';
import { type Config, parseConfig } from '../../server/src/config.ts';
import type { Route } from '../../server/src/http/route.ts';
import { createLogger, type Logger } from '../../server/src/logger.ts';
import { type Runtime, startRuntime } from '../../server/src/main.ts';
import type { JobModule } from '../../server/src/queue/job.ts';
import { createEmptyPostgresDatabase, type DatabaseDriver } from './database.ts';
import { type SignedRequest, signHubspotFetch } from './hubspot-signing.ts';

/** The public origin tests sign against: the server sits "behind a TLS proxy" on loopback. */
export const TEST_PUBLIC_BASE_URL = 'https://pb.example.test';

export const TEST_HUBSPOT_APP = {
  appId: '4242',
  clientId: 'pb-test-client-id',
  clientSecret: 'pb-test-client-secret',
} as const;

export const TEST_ADMIN_TOKEN = 'test-operator-token-0123456789abcdef';

/** Everything a test server needs, private to this run: its own Redis prefix, in-memory db. */
export function testEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    REDIS_URL: inject('redisUrl'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HUBSPOT_APP_ID: TEST_HUBSPOT_APP.appId,
    HUBSPOT_CLIENT_ID: TEST_HUBSPOT_APP.clientId,
    HUBSPOT_CLIENT_SECRET: TEST_HUBSPOT_APP.clientSecret,
    PGLITE_DIR: 'memory://',
    HOST: '127.0.0.1',
    PORT: '0',
    PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...overrides,
  };
}

/** Collects log lines in memory (for asserting what was, and was not, logged). */
export function memoryLogger(level = 'info'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level, destination }), lines };
}

export type TestServer = Runtime & {
  readonly url: string;
  readonly config: Config;
  /** Sends a request signed the way HubSpot signs `hubspot.fetch` calls. */
  fetchSigned(
    request: Omit<SignedRequest, 'clientSecret' | 'publicBaseUrl'> & {
      clientSecret?: string;
      headers?: Record<string, string>;
    },
  ): Promise<Response>;
  /** Plain request to the server (relative path). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
};

export type TestServerOptions = {
  env?: Record<string, string | undefined>;
  clock?: Clock;
  web?: boolean;
  worker?: boolean;
  routes?: readonly Route[];
  jobs?: readonly JobModule[];
  log?: Logger;
  driver?: DatabaseDriver;
};

/** Starts the real runtime (web and/or workers) against the run's Redis and a fresh database. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const postgres = options.driver === 'postgres' ? await createEmptyPostgresDatabase() : undefined;
  const config = parseConfig(
    testEnv({ ...(postgres === undefined ? {} : { DATABASE_URL: postgres.url }), ...options.env }),
  );
  const runtime = await startRuntime(config, {
    web: options.web ?? true,
    worker: options.worker ?? false,
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.routes === undefined ? {} : { routes: options.routes }),
    ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
  });
  const url = runtime.url ?? '';
  return {
    ...runtime,
    url,
    config,
    fetch: (path, init) => fetch(`${url}${path}`, { redirect: 'manual', ...init }),
    async fetchSigned(request) {
      const signed = await signHubspotFetch({
        ...request,
        clientSecret: request.clientSecret ?? config.hubspot.clientSecret,
        publicBaseUrl: config.publicBaseUrl,
        timestamp: request.timestamp ?? options.clock?.now() ?? Date.now(),
      });
      return fetch(`${url}${signed.path}`, {
        method: signed.method,
        headers: { ...signed.headers, ...request.headers },
        ...(signed.body === undefined ? {} : { body: signed.body }),
      });
    },
    close: async () => {
      await runtime.close();
      await postgres?.drop();
    },
  };
}

/** A clock tests move by hand. */
export function manualClock(
  start = Date.now(),
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}
