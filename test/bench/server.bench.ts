import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { addDays, addMonths } from '@partnerbridge/shared';
import pg from 'pg';
import { todayOf } from '../../server/src/cards/dates.ts';
import { createExport } from '../../server/src/cards/ledger-export.ts';
import { reconcileInstallationNow } from '../../server/src/cards/reconcile.ts';
import { evaluateInstallationTiers } from '../../server/src/cards/tier-evaluation.ts';
import { systemClock } from '../../server/src/clock.ts';
import { parseConfig } from '../../server/src/config.ts';
import type { Database } from '../../server/src/db/database.ts';
import { deals, partnerTags } from '../../server/src/db/schema/deals.ts';
import { partners } from '../../server/src/db/schema/partners.ts';
import { fxRates } from '../../server/src/db/schema/program.ts';
import { startLocalRedis } from '../../server/src/infra/local-redis.ts';
import { upsertHubspotInstallation } from '../../server/src/installs/installations.ts';
import { startRuntime } from '../../server/src/main.ts';
import { createRng } from '../sandboxes/common/rng.ts';
import { signHubspotFetch } from '../support/hubspot-signing.ts';
import { type Benchmark, printTable, runInChild } from './benchmark.ts';

// The cards' API under load: a partner with 10,000 deals (won, lost and open, USD and EUR, some
// shared with another partner) in a real server process (PGlite, and Postgres when a URL is set),
// its ledger reconciled and partly paid, tiers evaluated. A separate load process sends signed
// requests over loopback with keep-alive, like HubSpot's proxy, and reports latency percentiles.

const PARTNER_DEALS = 10_000;
const OTHER_PARTNERS = 20;
const PORTAL = '777001';
const APP = { appId: '4242', clientId: 'bench-client', clientSecret: 'bench-client-secret' };
const PUBLIC_BASE_URL = 'https://pb.bench.test';
const runner = fileURLToPath(new URL('./run.ts', import.meta.url));

type Target = {
  readonly url: string;
  readonly dealPath: string;
  readonly tierCardPath: string;
  readonly seedMs: number;
  readonly reconcileMs: number;
  readonly tiersMs: number;
  readonly ledgerLines: number;
};

type Latency = { requests: number; p50Ms: number; p99Ms: number; perSecond: number };

export async function seedBenchPortal(db: Database): Promise<Omit<Target, 'url'>> {
  const today = todayOf(systemClock);
  const installation = await upsertHubspotInstallation(db, {
    portalId: PORTAL,
    appId: APP.appId,
    hubDomain: 'bench.example.com',
    scopes: ['oauth'],
    installedBy: 'bench@example.com',
    installerUserId: '1',
  });
  const rng = createRng(20_260_310);
  const seedStart = process.hrtime.bigint();
  const [main] = await db
    .insert(partners)
    .values({
      installationId: installation.id,
      hubspotCompanyId: '900000',
      name: 'Bench Resellers',
      type: 'channel',
      subtype: 'reseller',
      joinedOn: addMonths(today, -36),
      certifiedSalespeople: 6,
      trainingLevel: 'expert',
      tier: 'gold',
      tierHistory: [{ tier: 'gold', since: addMonths(today, -30) }],
    })
    .returning();
  if (main === undefined) throw new Error('no partner');
  const others = await db
    .insert(partners)
    .values(
      Array.from({ length: OTHER_PARTNERS }, (_, index) => ({
        installationId: installation.id,
        hubspotCompanyId: String(900_001 + index),
        name: `Other partner ${index}`,
        type: 'technology' as const,
        subtype: rng.pick(['crm', 'analytics', 'automation']),
        joinedOn: addMonths(today, -36),
      })),
    )
    .returning();
  await db.insert(fxRates).values(
    Array.from({ length: 30 }, (_, month) => ({
      installationId: installation.id,
      base: 'EUR',
      quote: 'USD',
      rateOn: addMonths(today, month - 28),
      rate: (1.05 + month / 1000).toFixed(4),
      createdBy: 'bench',
    })),
  );
  let target = '';
  for (let start = 0; start < PARTNER_DEALS; start += 1_000) {
    const rows = Array.from({ length: Math.min(1_000, PARTNER_DEALS - start) }, (_, offset) => {
      const index = start + offset;
      const stage = rng.weighted([
        ['won', 75],
        ['lost', 10],
        ['open', 15],
      ] as const);
      const closeDate =
        stage === 'open' ? addDays(today, rng.int(1, 180)) : addDays(today, -rng.int(1, 730));
      return {
        installationId: installation.id,
        hubspotDealId: String(1_000_000 + index),
        name: `Bench deal ${index}`,
        amountMinor: rng.int(1_000, 50_000) * 100,
        currency: rng.chance(0.1) ? 'EUR' : 'USD',
        stageCategory: stage,
        stageId: stage === 'open' ? 'contractsent' : `closed${stage}`,
        createdOn: addDays(closeDate, -30),
        closeDate,
        probability:
          stage === 'open' ? rng.pick(['0.2', '0.4', '0.6', '0.8']) : stage === 'won' ? '1' : '0',
        dealType: 'newbusiness',
        customerHubspotCompanyId: String(500_000 + rng.int(0, 2_499)),
        customerName: 'Bench customer',
      };
    });
    const inserted = await db.insert(deals).values(rows).returning({
      id: deals.id,
      hubspotDealId: deals.hubspotDealId,
      stageCategory: deals.stageCategory,
      createdOn: deals.createdOn,
    });
    const tags = inserted.flatMap((deal) => {
      const touchedAt = new Date(`${deal.createdOn}T10:00:00Z`);
      const sourced = {
        installationId: installation.id,
        dealId: deal.id,
        partnerId: main.id,
        role: 'sourced' as const,
        motion: 'referral' as const,
        touchedAt,
        taggedBy: 'bench',
        source: 'import' as const,
      };
      const other = others[rng.int(0, others.length - 1)];
      return rng.chance(0.2) && other !== undefined
        ? [
            sourced,
            {
              ...sourced,
              partnerId: other.id,
              role: 'influenced' as const,
              motion: 'co_sell' as const,
            },
          ]
        : [sourced];
    });
    await db.insert(partnerTags).values(tags);
    if (target === '') {
      const shared = inserted.find((deal) => deal.stageCategory === 'won');
      target = shared?.hubspotDealId ?? '';
    }
  }
  const seedMs = Number(process.hrtime.bigint() - seedStart) / 1e6;
  const reconcileStart = process.hrtime.bigint();
  const reconciled = await reconcileInstallationNow(db, installation.id, today);
  const reconcileMs = Number(process.hrtime.bigint() - reconcileStart) / 1e6;
  const tiersStart = process.hrtime.bigint();
  await evaluateInstallationTiers(db, installation.id, today);
  const tiersMs = Number(process.hrtime.bigint() - tiersStart) / 1e6;
  await createExport(
    { db, clock: systemClock },
    { installationId: installation.id, actor: 'bench', body: { exportId: 'bench-payout' } },
  );
  return {
    dealPath: `/api/v1/deals/${target}`,
    tierCardPath: '/api/v1/companies/900000/tier-card',
    seedMs,
    reconcileMs,
    tiersMs,
    ledgerLines: reconciled.appended,
  };
}

async function withDatabase<T>(
  databaseUrl: string | undefined,
  work: (url: string | undefined) => Promise<T>,
): Promise<T> {
  if (databaseUrl === undefined) return work(undefined);
  // A database of its own, dropped afterwards: the bench never touches existing data.
  const name = `pb_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
  }
}

/** Child: runs the server on a seeded database until SIGTERM; the first stdout line is the target. */
async function serve(redisUrl: string, databaseUrl: string | undefined): Promise<unknown> {
  return withDatabase(databaseUrl, async (url) => {
    const config = parseConfig({
      REDIS_URL: redisUrl,
      ...(url === undefined ? { PGLITE_DIR: 'memory://' } : { DATABASE_URL: url }),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      HUBSPOT_APP_ID: APP.appId,
      HUBSPOT_CLIENT_ID: APP.clientId,
      HUBSPOT_CLIENT_SECRET: APP.clientSecret,
      HOST: '127.0.0.1',
      PORT: '0',
      PUBLIC_BASE_URL,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
    const runtime = await startRuntime(config, { web: true, worker: false });
    try {
      const seeded = await seedBenchPortal(runtime.services.db);
      const target: Target = { url: runtime.url ?? '', ...seeded };
      process.stdout.write(`${JSON.stringify(target)}\n`);
      await new Promise((resolve) => process.once('SIGTERM', resolve));
      return { stopped: true };
    } finally {
      await runtime.close();
    }
  });
}

async function measure(
  target: Target,
  path: string,
  requests: number,
  concurrency: number,
): Promise<Latency> {
  const call = async () => {
    const signed = await signHubspotFetch({
      path,
      portalId: PORTAL,
      appId: APP.appId,
      userId: '1',
      clientSecret: APP.clientSecret,
      publicBaseUrl: PUBLIC_BASE_URL,
    });
    const started = process.hrtime.bigint();
    const response = await fetch(`${target.url}${signed.path}`, { headers: signed.headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  for (let warm = 0; warm < Math.min(20, requests); warm++) await call();
  const latencies: number[] = [];
  let next = 0;
  const begin = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next += 1;
        latencies.push(await call());
      }
    }),
  );
  const totalMs = Number(process.hrtime.bigint() - begin) / 1e6;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    perSecond: Math.round((latencies.length / totalMs) * 1000),
  };
}

type EndpointFigures = { single: Latency; loaded: Latency };

/**
 * Child: the load generator, in a process of its own. One client first (the latency a card user
 * sees), then eight at once (throughput, and latency with requests queueing behind each other).
 */
async function load(targetJson: string): Promise<unknown> {
  const target = JSON.parse(targetJson) as Target;
  const figures = async (path: string, requests: number): Promise<EndpointFigures> => ({
    single: await measure(target, path, requests, 1),
    loaded: await measure(target, path, requests, 8),
  });
  return {
    dealView: await figures(target.dealPath, 1_000),
    tierCard: await figures(target.tierCardPath, 150),
  };
}

/** Starts the server child and resolves with its target once seeded. */
function startServer(
  redisUrl: string,
  databaseUrl: string | undefined,
): Promise<{ child: ChildProcess; target: Target }> {
  const args = [
    runner,
    '--child',
    'server',
    'serve',
    redisUrl,
    ...(databaseUrl === undefined ? [] : [databaseUrl]),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline !== -1 && buffered.startsWith('{')) {
        resolve({ child, target: JSON.parse(buffered.slice(0, newline)) as Target });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`bench server exited early with ${code}`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export const serverBenchmark: Benchmark = {
  name: 'server',
  description: `deal view and tier card over signed keep-alive HTTP, a partner with ${PARTNER_DEALS.toLocaleString('en-US')} deals`,
  async child(args) {
    const [mode, first, second] = args;
    if (mode === 'serve' && first !== undefined) return serve(first, second);
    if (mode === 'load' && first !== undefined) return load(first);
    throw new Error(`unknown server benchmark part ${mode}`);
  },
  async run() {
    const redis = await startLocalRedis();
    const postgresUrl =
      process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
    const drivers: [string, string | undefined][] = [
      ['pglite', undefined],
      ...(postgresUrl === undefined ? [] : [['postgres', postgresUrl] as [string, string]]),
    ];
    const rows: Record<string, string | number>[] = [];
    try {
      for (const [driver, url] of drivers) {
        const { child, target } = await startServer(redis.url, url);
        try {
          const figures = await runInChild<{
            dealView: EndpointFigures;
            tierCard: EndpointFigures;
          }>('server', ['load', JSON.stringify(target)]);
          for (const [endpoint, latency] of [
            ['GET deal view', figures.dealView],
            ['GET tier card', figures.tierCard],
          ] as const) {
            rows.push({
              driver,
              endpoint,
              requests: latency.single.requests,
              'p50 ms': latency.single.p50Ms.toFixed(1),
              'p99 ms': latency.single.p99Ms.toFixed(1),
              'req/s (8 clients)': latency.loaded.perSecond,
              'p50 ms (8 clients)': latency.loaded.p50Ms.toFixed(1),
              'p99 ms (8 clients)': latency.loaded.p99Ms.toFixed(1),
            });
          }
          console.log(
            `[${driver}] seeded ${PARTNER_DEALS.toLocaleString('en-US')} deals in ${(target.seedMs / 1000).toFixed(1)} s; ledger reconciled in ${(target.reconcileMs / 1000).toFixed(1)} s (${target.ledgerLines.toLocaleString('en-US')} lines); tiers evaluated in ${(target.tiersMs / 1000).toFixed(1)} s`,
          );
        } finally {
          await stopServer(child);
        }
      }
    } finally {
      await redis.stop();
    }
    console.log('');
    printTable(rows);
  },
};
