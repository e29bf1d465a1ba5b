import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parseConfig } from '../../server/src/config.ts';
import { startLocalRedis } from '../../server/src/infra/local-redis.ts';
import { upsertHubspotInstallation } from '../../server/src/installs/installations.ts';
import { createLogger } from '../../server/src/logger.ts';
import { startRuntime } from '../../server/src/main.ts';
import { findFreePort } from '../support/free-port.ts';
import { hubspotSignatureV3 } from '../support/hubspot-signing.ts';
import { type Benchmark, printTable, runInChild } from './benchmark.ts';

// The HubSpot webhook intake under load: a separate process plays HubSpot, POSTing signed (v3)
// batches of 100 property-change events — 100 different deals each, so every event becomes a job —
// over keep-alive loopback connections to the real route of the real web runtime (PGlite, Redis;
// no workers, so only the intake is measured: verify, validate, filter, queue). Figures: events
// per second and the latency of a batch, at several concurrencies (HubSpot sends up to 10 at once).

const APP = {
  appId: '3100043',
  clientId: 'pb-bench-intake',
  clientSecret: 'pb-bench-intake-secret',
};
const PORTAL_ID = 62_000_042;
const BATCH = 100;
const WARMUP_BATCHES = 100;
const MEASURED_BATCHES = Number(process.env.BENCH_INTAKE_BATCHES ?? 1_000);
const CONCURRENCIES = [1, 10, 32];

type LoadInput = {
  url: string;
  publicBaseUrl: string;
  concurrency: number;
  batches: number;
  /** First deal id of this run (ids never repeat across runs, so nothing is deduplicated). */
  firstObjectId: number;
};

type LoadFigures = {
  seconds: number;
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  failures: number;
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/** The load process: `concurrency` keep-alive connections, each sending batches back to back. */
async function load(args: readonly string[]): Promise<LoadFigures> {
  const input = JSON.parse(args[0] ?? '{}') as LoadInput;
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
  const target = new URL('/hubspot/webhooks', input.url);
  const signedUri = `${input.publicBaseUrl}/hubspot/webhooks`;
  let nextObjectId = input.firstObjectId;
  let eventId = 1;

  const batch = () =>
    JSON.stringify(
      Array.from({ length: BATCH }, () => ({
        eventId: eventId++,
        subscriptionId: 1_000_001,
        portalId: PORTAL_ID,
        appId: Number(APP.appId),
        occurredAt: Date.now(),
        subscriptionType: 'object.propertyChange',
        attemptNumber: 0,
        objectId: nextObjectId++,
        objectTypeId: '0-3',
        changeSource: 'CRM_UI',
        sourceId: 'userId:1',
        propertyName: 'amount',
        propertyValue: '1200',
        isSensitive: false,
      })),
    );

  const send = async (): Promise<{ ms: number; ok: boolean }> => {
    const body = batch();
    const timestamp = String(Date.now());
    const signature = await hubspotSignatureV3({
      method: 'POST',
      uri: signedUri,
      body,
      timestamp,
      clientSecret: APP.clientSecret,
    });
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-hubspot-signature-v3': signature,
            'x-hubspot-request-timestamp': timestamp,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              ms: Number(process.hrtime.bigint() - started) / 1e6,
              ok: res.statusCode === 200,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };

  const runBatches = async (count: number) => {
    const latencies: number[] = [];
    let failures = 0;
    let remaining = count;
    const lane = async () => {
      while (remaining > 0) {
        remaining--;
        const { ms, ok } = await send();
        latencies.push(ms);
        if (!ok) failures++;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: input.concurrency }, lane));
    return { seconds: (performance.now() - started) / 1000, latencies, failures };
  };

  await runBatches(Math.min(WARMUP_BATCHES, input.batches));
  const measured = await runBatches(input.batches);
  agent.destroy();
  const sorted = measured.latencies.sort((a, b) => a - b);
  return {
    seconds: measured.seconds,
    events: input.batches * BATCH,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
    failures: measured.failures,
  };
}

async function run(): Promise<void> {
  const redis = await startLocalRedis();
  const port = await findFreePort();
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  const config = parseConfig({
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HUBSPOT_APP_ID: APP.appId,
    HUBSPOT_CLIENT_ID: APP.clientId,
    HUBSPOT_CLIENT_SECRET: APP.clientSecret,
    PGLITE_DIR: 'memory://',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: publicBaseUrl,
    LOG_LEVEL: 'error',
  });
  const runtime = await startRuntime(config, {
    web: true,
    worker: false,
    log: createLogger({ level: 'error', destination: process.stderr }),
  });
  try {
    await upsertHubspotInstallation(runtime.services.db, {
      portalId: String(PORTAL_ID),
      appId: APP.appId,
      hubDomain: 'bench.example',
      scopes: ['oauth'],
      installedBy: 'bench',
    });
    const rows: Record<string, string | number>[] = [];
    let firstObjectId = 30_000_000_000;
    for (const concurrency of CONCURRENCIES) {
      const figures = await runInChild<LoadFigures>('webhook-intake', [
        JSON.stringify({
          url: runtime.url ?? '',
          publicBaseUrl,
          concurrency,
          batches: MEASURED_BATCHES,
          firstObjectId,
        } satisfies LoadInput),
      ]);
      firstObjectId += (MEASURED_BATCHES + WARMUP_BATCHES) * BATCH;
      rows.push({
        'concurrent batches': concurrency,
        batches: MEASURED_BATCHES,
        events: figures.events,
        'events/s': Math.round(figures.events / figures.seconds),
        'p50 ms': figures.p50Ms.toFixed(1),
        'p99 ms': figures.p99Ms.toFixed(1),
        'max ms': figures.maxMs.toFixed(1),
        'non-200': figures.failures,
      });
    }
    console.log(
      'signed batches of 100 events (100 deals each, so 100 jobs), keep-alive loopback, intake only (PGlite, Redis, no workers)',
    );
    printTable(rows);
  } finally {
    await runtime.close();
    await redis.stop();
  }
}

export const webhookIntakeBenchmark: Benchmark = {
  name: 'webhook-intake',
  description:
    'HubSpot webhook intake: signed batches of 100 events from a separate load process, events/s and p50/p99 latency',
  run,
  child: load,
};
