import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  createSalesforceConnection,
  provisionPartnerbridgeFields,
} from '@partnerbridge/salesforce-connector';
import pg from 'pg';
import { parseConfig } from '../../server/src/config.ts';
import { type LocalRedis, startLocalRedis } from '../../server/src/infra/local-redis.ts';
import {
  linkSalesforceOrg,
  upsertHubspotInstallation,
} from '../../server/src/installs/installations.ts';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { createLogger } from '../../server/src/logger.ts';
import { startRuntime } from '../../server/src/main.ts';
import { type BackfillOptions, defaultSyncOptions } from '../../server/src/sync/sync-context.ts';
import { sandboxWebhookSubscriptions } from '../../server/src/sync/webhook-subscriptions.ts';
import { type HubspotSandbox, startHubspotSandbox } from '../sandboxes/hubspot/index.ts';
import {
  defaultConnectedApp,
  type SalesforceSandbox,
  startSalesforceSandbox,
} from '../sandboxes/salesforce/index.ts';
import { findFreePort } from '../support/free-port.ts';
import { type Benchmark, printTable } from './benchmark.ts';

// 10,000 deals HubSpot → Salesforce, then 10,000 edits Salesforce → HubSpot, through both
// sandboxes with a marketplace app's limits (HubSpot 110 requests / 10 s per portal, search 5 / s;
// Salesforce's rolling daily allocation). Our runtime (web intake + workers, production sync
// tunables) runs in a child process of its own, so the sandboxes — the "remote" CRMs — do not
// share its event loop. Figures come from the sandboxes' request logs, not from our counters.
//
// BENCH_SYNC_DEALS changes the size; BENCH_DATABASE_URL or TEST_DATABASE_URL runs on a fresh
// Postgres database of that server instead of in-memory PGlite; BENCH_REDIS_URL uses that Redis;
// BENCH_PROFILE_DIR writes a CPU profile of the runtime process there.

const runner = fileURLToPath(new URL('./run.ts', import.meta.url));
const APP = { appId: '3100042', clientId: 'pb-bench-client', clientSecret: 'pb-bench-secret' };
/**
 * Production's poll schedule. Phase two's Salesforce edits reach the runtime as change events
 * (CDC, subscribed by the workers); while events flow the Salesforce poll only reconciles.
 */
const POLL_EVERY_MS = 60_000;
const HUBSPOT_PER_SECOND = 110 / 10;
const SEARCH_PER_SECOND = 5;

type ChildInput = {
  env: Record<string, string>;
  /** Back-fill tunables of the runtime (default: production's). */
  backfill?: BackfillOptions;
  hubspot: { portalId: number; accessToken: string; refreshToken: string; expiresAt: number };
  salesforce: {
    orgId: string;
    accessToken: string;
    refreshToken: string;
    instanceUrl: string;
    userId: string;
    loginUrl: string;
  };
};

type Ready = { url: string };
type Command = 'stop';

/** The runtime process: web and workers, the portal installed and the org linked. */
async function runtimeChild(args: readonly string[]): Promise<unknown> {
  const input = JSON.parse(args[0] ?? '{}') as ChildInput;
  const config = parseConfig(input.env);
  const runtime = await startRuntime(config, {
    web: true,
    worker: true,
    log: createLogger({ level: 'error', destination: process.stderr }),
    jobs: createSyncJobs(
      input.backfill === undefined
        ? defaultSyncOptions
        : { ...defaultSyncOptions, backfill: input.backfill },
      { pollEveryMs: POLL_EVERY_MS },
    ),
  });
  const { db, tokens } = runtime.services;
  const installation = await upsertHubspotInstallation(db, {
    portalId: String(input.hubspot.portalId),
    appId: APP.appId,
    hubDomain: 'bench.example',
    scopes: ['oauth'],
    installedBy: 'bench',
  });
  await tokens.save(installation.id, 'hubspot', {
    accessToken: input.hubspot.accessToken,
    refreshToken: input.hubspot.refreshToken,
    expiresAt: new Date(input.hubspot.expiresAt),
    issuedAt: new Date(),
    scopes: undefined,
  });
  await linkSalesforceOrg(db, installation.id, {
    orgId: input.salesforce.orgId,
    instanceUrl: input.salesforce.instanceUrl,
    loginUrl: input.salesforce.loginUrl,
    authKind: 'web_server',
    username: undefined,
    userId: input.salesforce.userId,
  });
  await tokens.save(installation.id, 'salesforce', {
    accessToken: input.salesforce.accessToken,
    refreshToken: input.salesforce.refreshToken,
    expiresAt: undefined,
    issuedAt: new Date(),
    scopes: undefined,
  });
  const cpuAtStart = process.cpuUsage();
  process.send?.({ url: runtime.url ?? '' } satisfies Ready);
  await new Promise<void>((resolve) => {
    process.on('message', (command: Command) => {
      if (command === 'stop') resolve();
    });
  });
  const cpu = process.cpuUsage(cpuAtStart);
  await runtime.close();
  process.disconnect?.();
  return { runtimeCpuS: Math.round((cpu.user + cpu.system) / 1e5) / 10 };
}

function startRuntimeChild(input: ChildInput): {
  child: ChildProcess;
  ready: Promise<Ready>;
  stop(): Promise<{ runtimeCpuS: number; maxRssMb: number }>;
} {
  // BENCH_PROFILE_DIR: a V8 CPU profile of the runtime process, to see where its time goes.
  const profile = process.env.BENCH_PROFILE_DIR;
  const nodeArgs =
    profile === undefined || profile === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`];
  const child = spawn(
    process.execPath,
    [...nodeArgs, runner, '--child', 'sync', JSON.stringify(input)],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = new Promise<Ready>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ready));
    void exited.then((code) => reject(new Error(`runtime exited with ${code} before ready`)));
  });
  return {
    child,
    ready,
    async stop() {
      child.send('stop' satisfies Command);
      const code = await exited;
      if (code !== 0) throw new Error(`runtime exited with ${code}`);
      return JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
    },
  };
}

async function postgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const server = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (server === undefined || server === '') return undefined;
  const name = `pb_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

type PhaseFigures = {
  phase: string;
  records: number;
  wallS: number;
  hubspot: {
    calls: number;
    searches: number;
    rateLimited: Record<string, number>;
    byEndpoint: Record<string, number>;
  };
  salesforce: { calls: number; byEndpoint: Record<string, number> };
  /** Webhook deliveries to our intake during the phase, and those that failed or timed out. */
  webhooks: { events: number; requests: number; failed: number };
};

/** Runs `act`, waits for `done`, and reads both sandboxes' request logs for that span. */
async function phase(
  name: string,
  records: number,
  hubspot: HubspotSandbox,
  salesforce: SalesforceSandbox,
  orgId: string,
  act: () => void,
  done: () => boolean,
): Promise<PhaseFigures> {
  hubspot.control.resetRequests();
  salesforce.control.resetRequests();
  const usedBefore = salesforce.control.apiUsage(orgId).used;
  const webhooksBefore = hubspot.control.webhookStats();
  const started = performance.now();
  act();
  await until(done, 600_000, name);
  const wallS = (performance.now() - started) / 1000;
  const hs = hubspot.control.requests();
  const webhooks = hubspot.control.webhookStats();
  const searches = Object.entries(hs.counts)
    .filter(([endpoint]) => endpoint.endsWith('/search'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    phase: name,
    records,
    wallS,
    hubspot: {
      calls: hs.total,
      searches,
      rateLimited: hs.rateLimited,
      byEndpoint: hs.counts,
    },
    salesforce: {
      calls: salesforce.control.apiUsage(orgId).used - usedBefore,
      byEndpoint: salesforce.control.requests().byEndpoint,
    },
    webhooks: {
      events: webhooks.eventsDelivered - webhooksBefore.eventsDelivered,
      requests: webhooks.requestsSucceeded - webhooksBefore.requestsSucceeded,
      failed: webhooks.requestsFailed - webhooksBefore.requestsFailed,
    },
  };
}

export type BenchSetup = {
  readonly hubspot: HubspotSandbox;
  readonly salesforce: SalesforceSandbox;
  readonly portalId: number;
  readonly orgId: string;
  readonly database: 'PGlite (in-memory)' | 'Postgres';
  /** Starts the runtime process (web and workers; the first poll is the initial import). */
  startRuntime(): Promise<void>;
  /** Points the portal's webhooks at the runtime. */
  subscribeWebhooks(): void;
  /** Stops the runtime process: its CPU time and peak RSS. */
  stopRuntime(): Promise<{ runtimeCpuS: number; maxRssMb: number }>;
  close(): Promise<void>;
};

/**
 * Both sandboxes with a marketplace app's limits, one portal and one org (fields provisioned),
 * Redis and a database; the runtime starts on demand (`backfill` overrides its back-fill tunables).
 */
export async function setUpBench(
  options: { backfill?: BackfillOptions } = {},
): Promise<BenchSetup> {
  const configuredRedis = process.env.BENCH_REDIS_URL;
  const redis: LocalRedis | undefined =
    configuredRedis === undefined || configuredRedis === '' ? await startLocalRedis() : undefined;
  const database = await postgresDatabase();
  const hubspot = await startHubspotSandbox({
    app: { appId: Number(APP.appId), clientId: APP.clientId, clientSecret: APP.clientSecret },
  });
  const salesforce = await startSalesforceSandbox({
    demo: false,
    limits: { dailyApiRequests: 100_000 },
  });
  const portalId = hubspot.control.createPortal({ name: 'Bench portal' });
  hubspot.control.installPartnerbridge(portalId);
  const { orgId } = salesforce.control.createOrg({ name: 'Bench org' });
  const sf = salesforce.control.issueToken({ orgId });
  await provisionPartnerbridgeFields({
    connection: createSalesforceConnection({
      app: { ...defaultConnectedApp, loginUrl: salesforce.url, apiVersion: '62.0' },
      credentials: {
        kind: 'web_server',
        accessToken: sf.accessToken,
        refreshToken: sf.refreshToken,
        instanceUrl: sf.instanceUrl,
      },
    }),
  });
  const hs = hubspot.control.issueToken({ portalId });
  const port = await findFreePort();
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  let runtime: ReturnType<typeof startRuntimeChild> | undefined;
  return {
    hubspot,
    salesforce,
    portalId,
    orgId,
    database: database === undefined ? 'PGlite (in-memory)' : 'Postgres',
    async startRuntime() {
      runtime = startRuntimeChild({
        env: {
          REDIS_URL: configuredRedis || (redis?.url ?? ''),
          QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
          TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          HUBSPOT_APP_ID: APP.appId,
          HUBSPOT_CLIENT_ID: APP.clientId,
          HUBSPOT_CLIENT_SECRET: APP.clientSecret,
          HUBSPOT_API_BASE_URL: hubspot.url,
          SALESFORCE_CLIENT_ID: defaultConnectedApp.clientId,
          SALESFORCE_CLIENT_SECRET: defaultConnectedApp.clientSecret,
          SALESFORCE_LOGIN_URL: salesforce.url,
          HOST: '127.0.0.1',
          PORT: String(port),
          PUBLIC_BASE_URL: publicBaseUrl,
          LOG_LEVEL: 'error',
          SHUTDOWN_TIMEOUT_MS: '5000',
          ...(database === undefined
            ? { PGLITE_DIR: 'memory://' }
            : { DATABASE_URL: database.url, DATABASE_POOL_MAX: '10' }),
        },
        ...(options.backfill === undefined ? {} : { backfill: options.backfill }),
        hubspot: { portalId, ...hs },
        salesforce: { ...sf, orgId, loginUrl: salesforce.url },
      });
      await runtime.ready;
    },
    subscribeWebhooks() {
      hubspot.control.setWebhookTarget({
        targetUrl: `${publicBaseUrl}/hubspot/webhooks`,
        subscriptions: sandboxWebhookSubscriptions.map((s) => ({ ...s })),
      });
    },
    async stopRuntime() {
      if (runtime === undefined) throw new Error('the runtime is not running');
      const figures = await runtime.stop();
      runtime = undefined;
      return figures;
    },
    async close() {
      hubspot.control.clearWebhookTarget();
      runtime?.child.kill('SIGKILL');
      await hubspot.stop();
      await salesforce.stop();
      await database?.drop();
      await redis?.stop();
    },
  };
}

/** `count` deals created in the portal by a user (control API), named `${name} ${i}`. */
export function createBenchDeals(bench: BenchSetup, count: number, name: string): void {
  for (let i = 0; i < count; i++) {
    bench.hubspot.control.userCreate(bench.portalId, 'deal', {
      dealname: `${name} ${i}`,
      amount: String(1_000 + (i % 5_000)),
      deal_currency_code: 'USD',
      dealstage: 'qualifiedtobuy',
      closedate: '2027-03-01T00:00:00.000Z',
    });
  }
}

async function run(): Promise<void> {
  const deals = Number(process.env.BENCH_SYNC_DEALS ?? 10_000);
  const bench = await setUpBench();
  const { hubspot, salesforce, portalId, orgId } = bench;
  try {
    await bench.startRuntime();
    salesforce.control.resetRequests();
    bench.subscribeWebhooks();
    // Let the first (empty) import poll pass before measuring, and the change-event subscriber
    // start (its first tick comes up to 15 s after boot: a fast first phase would otherwise end
    // before it, and the second phase's edits would reach us through the 60-s poll instead).
    await sleep(2_000);
    // (Handshake and subscribe answered; the long-polling connect is only logged once answered.)
    const cometd = () =>
      Object.entries(salesforce.control.requests().byEndpoint)
        .filter(([endpoint]) => endpoint.includes('/cometd'))
        .reduce((sum, [, n]) => sum + n, 0);
    await until(() => cometd() >= 2, 60_000, 'the change-event subscription');
    await sleep(1_000);

    const toSalesforce = await phase(
      'HubSpot → Salesforce (creates)',
      deals,
      hubspot,
      salesforce,
      orgId,
      () => createBenchDeals(bench, deals, 'Bench deal'),
      () =>
        salesforce.control.listRecords(orgId, 'Opportunity').length >= deals &&
        hubspot.control
          .listRecords(portalId, 'deal')
          .every((d) => (d.properties.pb_salesforce_opportunity_id ?? '') !== ''),
    );
    await sleep(3_000);

    const opportunities = salesforce.control.listRecords(orgId, 'Opportunity') as {
      Id: string;
    }[];
    const toHubspot = await phase(
      'Salesforce → HubSpot (updates)',
      opportunities.length,
      hubspot,
      salesforce,
      orgId,
      () => {
        for (const opportunity of opportunities) {
          salesforce.control.userUpdate(orgId, 'Opportunity', opportunity.Id, {
            Amount: 7_777,
            StageName: 'Negotiation/Review',
          });
        }
      },
      () =>
        hubspot.control
          .listRecords(portalId, 'deal')
          .every(
            (d) => d.properties.amount === '7777' && d.properties.dealstage === 'contractsent',
          ),
    );
    const runtimeFigures = await bench.stopRuntime();

    const rows = [toSalesforce, toHubspot].map((p) => {
      const tenSecondly = p.hubspot.calls - p.hubspot.searches;
      // The time the calls made need under the portal's limits, and the time the fewest possible
      // calls (one HubSpot call per 100 records) would need.
      const boundS = Math.max(
        tenSecondly / HUBSPOT_PER_SECOND,
        p.hubspot.searches / SEARCH_PER_SECOND,
      );
      const minimumBoundS = p.records / 100 / HUBSPOT_PER_SECOND;
      return {
        phase: p.phase,
        records: p.records,
        'wall s': p.wallS.toFixed(1),
        'records/s': Math.round(p.records / p.wallS),
        'HS calls (search)': `${p.hubspot.calls} (${p.hubspot.searches})`,
        'HS/record [min 0.01]': (p.hubspot.calls / p.records).toFixed(4),
        'SF calls': p.salesforce.calls,
        'SF/record [min 0.005]': (p.salesforce.calls / p.records).toFixed(4),
        'bound s': boundS.toFixed(1),
        'wall/bound': (p.wallS / boundS).toFixed(2),
        'min bound s': minimumBoundS.toFixed(1),
        'wall/min bound': (p.wallS / minimumBoundS).toFixed(2),
        '429s': Object.values(p.hubspot.rateLimited).reduce((sum, n) => sum + n, 0),
      };
    });
    console.log(
      `database: ${bench.database}; limits: HubSpot 110 / 10 s and search 5 / s per portal, Salesforce 100,000 calls / 24 h; polls every ${POLL_EVERY_MS / 1000} s`,
    );
    printTable(rows);
    for (const p of [toSalesforce, toHubspot]) {
      console.log(
        `\n${p.phase}: HubSpot calls by endpoint (searches ${p.hubspot.searches}; 429s by policy ${JSON.stringify(p.hubspot.rateLimited)})`,
      );
      for (const [endpoint, n] of Object.entries(p.hubspot.byEndpoint))
        console.log(`  ${String(n).padStart(6)}  ${endpoint}`);
      console.log(
        `${p.phase}: webhooks to our intake: ${p.webhooks.events} events in ${p.webhooks.requests} deliveries, ${p.webhooks.failed} failed or timed out (retried)`,
      );
      console.log(`${p.phase}: Salesforce calls by endpoint`);
      for (const [endpoint, n] of Object.entries(p.salesforce.byEndpoint))
        console.log(`  ${String(n).padStart(6)}  ${endpoint}`);
    }
    console.log(
      `\nSalesforce daily allocation used: ${salesforce.control.apiUsage(orgId).used} / ${salesforce.control.apiUsage(orgId).limit}; runtime CPU ${runtimeFigures.runtimeCpuS} s, peak RSS ${runtimeFigures.maxRssMb} MB`,
    );
  } finally {
    await bench.close();
  }
}

export const syncBenchmark: Benchmark = {
  name: 'sync',
  description:
    'two-way sync of 10,000 deals through both sandboxes with realistic limits: records/s, API calls per record vs the minimum, wall time vs the rate-limit bound, 429s',
  run,
  child: runtimeChild,
};
