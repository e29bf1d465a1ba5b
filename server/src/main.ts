import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import packageJson from '../package.json' with { type: 'json' };
import { type Clock, systemClock } from './clock.ts';
import { type Config, describeConfig } from './config.ts';
import { type OpenDatabase, openDatabase } from './db/database.ts';
import { createApp } from './http/app.ts';
import type { Route } from './http/route.ts';
import { appRoutes } from './http/routes.ts';
import { createHubspotClients } from './hubspot/client-factory.ts';
import { createOauthStates } from './installs/oauth-states.ts';
import { jobModules } from './jobs/job-modules.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { JobModule } from './queue/job.ts';
import { createQueueSet } from './queue/queue-set.ts';
import { closeRedis, connectRedis, createRedis } from './queue/redis.ts';
import { type StalledJobOptions, startWorkers, type WorkerSet } from './queue/workers.ts';
import { createSalesforceConnections } from './salesforce/connections.ts';
import { createTokenCipher } from './security/token-crypto.ts';
import { createTokenStore } from './security/token-store.ts';
import type { Services } from './services.ts';
import { stopChangeEvents } from './sync/change-events.ts';

export const APP_VERSION = packageJson.version;

export type RuntimeOptions = {
  /** Which roles this process plays: `npm start` runs both, production one per process. */
  readonly web: boolean;
  readonly worker: boolean;
  readonly log?: Logger;
  readonly clock?: Clock;
  readonly metrics?: Metrics;
  readonly routes?: readonly Route[];
  readonly jobs?: readonly JobModule[];
  /** How soon another process takes over a dead process's jobs (tests; BullMQ: 30 s and 30 s). */
  readonly stalledJobs?: StalledJobOptions;
};

export type Runtime = {
  readonly services: Services;
  readonly database: OpenDatabase;
  readonly app: Express | undefined;
  readonly server: Server | undefined;
  /** Where the web server listens (`http://host:port`), when this process serves HTTP. */
  readonly url: string | undefined;
  readonly workers: WorkerSet | undefined;
  /**
   * Graceful stop: stop accepting connections, let in-flight requests and jobs finish (up to
   * SHUTDOWN_TIMEOUT_MS), then close queues, Redis and the database. Idempotent.
   */
  close(): Promise<void>;
};

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting, waits for in-flight requests, then cuts whatever is left at the deadline. */
function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    // A keep-alive connection goes idle once its in-flight response is sent: close it then.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * The composition root: builds every service from the configuration, then the web app and/or the
 * workers. Nothing below this reads the environment or creates its own connections.
 */
export async function startRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? createMetrics();
  const modules = options.jobs ?? jobModules;
  log.info(
    { config: describeConfig(config), web: options.web, worker: options.worker },
    'starting',
  );

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) {
      await step().catch((error: unknown) => log.error({ err: error }, 'shutdown step failed'));
    }
    cleanups.length = 0;
  };

  try {
    const database = await openDatabase(config.database);
    cleanups.push(() => database.close());
    await database.migrate();

    const producer = createRedis(config.redis.url, 'producer', 'producer');
    cleanups.push(() => closeRedis(producer));
    await connectRedis(producer).catch((error: unknown) => {
      const where = describeConfig(config).redis;
      throw new Error(`Redis at ${String(where)} is unreachable`, { cause: error });
    });

    const queues = createQueueSet({ connection: producer, prefix: config.queue.prefix, modules });
    cleanups.push(() => queues.close());
    metrics.setQueueDepthSource(() => queues.depths());

    const tokens = createTokenStore(
      database.db,
      createTokenCipher(config.security.tokenKey, config.security.previousTokenKeys),
    );
    const services: Services = {
      config,
      log,
      db: database.db,
      clock,
      metrics,
      tokens,
      oauthStates: createOauthStates(database.db, clock),
      queues,
      hubspot: createHubspotClients({ config: config.hubspot, tokens, clock, metrics, log }),
      salesforce:
        config.salesforce === undefined
          ? undefined
          : createSalesforceConnections({
              config: config.salesforce,
              publicBaseUrl: config.publicBaseUrl,
              db: database.db,
              tokens,
              clock,
              metrics,
              log,
            }),
    };

    let workers: WorkerSet | undefined;
    if (options.worker) {
      const connection = createRedis(config.redis.url, 'worker', 'worker');
      cleanups.push(() => closeRedis(connection));
      workers = await startWorkers({
        connection,
        prefix: config.queue.prefix,
        modules,
        services,
        queues,
        log,
        metrics,
        concurrency: config.queue.concurrency,
        ...(options.stalledJobs === undefined ? {} : { stalledJobs: options.stalledJobs }),
      });
      const started = workers;
      // After the workers closed (cleanups run in reverse): free the orgs' change-event locks so
      // another worker process takes the subscriptions over at once.
      cleanups.push(() => stopChangeEvents(services));
      cleanups.push(() => started.close(config.shutdownTimeoutMs));
    }

    let app: Express | undefined;
    let server: Server | undefined;
    let url: string | undefined;
    if (options.web) {
      app = createApp(
        {
          ...services,
          readiness: {
            database: () => database.ping(),
            redis: async () => {
              await producer.ping();
            },
          },
        },
        { routes: options.routes ?? appRoutes, version: APP_VERSION },
      );
      const httpServer = createServer(app);
      // Longer than typical load-balancer idle timeouts, so the proxy closes first.
      httpServer.keepAliveTimeout = 65_000;
      const address = await listen(httpServer, config.host, config.port);
      server = httpServer;
      cleanups.push(() => closeServer(httpServer, config.shutdownTimeoutMs));
      const host =
        address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      log.info({ url, publicBaseUrl: config.publicBaseUrl }, 'web server listening');
    }

    let closing: Promise<void> | undefined;
    return {
      services,
      database,
      app,
      server,
      url,
      workers,
      close: () => {
        closing ??= cleanup().then(() => log.info('stopped'));
        return closing;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
