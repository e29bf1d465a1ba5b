import { defaultBackfillOptions } from '../../server/src/sync/sync-context.ts';
import { type Benchmark, printTable } from './benchmark.ts';
import { createBenchDeals, setUpBench, until } from './sync.bench.ts';

// A back-fill of 10,000 records: the initial import of 10,000 HubSpot deals, each creating its
// opportunity. Run twice on fresh sandboxes: with production's tunables (the back-fill lane,
// batches of up to 4,000, Bulk API 2.0 above 2,000 writes) and with Bulk switched off (the same
// batches through sObject Collections, 200 a call). Salesforce figures come from the sandbox's
// request log and daily allocation. BENCH_BACKFILL_DEALS changes the size.

type Mode = 'Bulk API 2.0' | 'sObject Collections';

async function importOnce(mode: Mode, deals: number) {
  const bench = await setUpBench(
    mode === 'Bulk API 2.0'
      ? {}
      : { backfill: { ...defaultBackfillOptions, bulkThreshold: Number.MAX_SAFE_INTEGER } },
  );
  const { hubspot, salesforce, portalId, orgId } = bench;
  try {
    // The portal's deals exist before the runtime starts: its first poll is the initial import.
    createBenchDeals(bench, deals, 'Backfill deal');
    salesforce.control.resetRequests();
    const usedBefore = salesforce.control.apiUsage(orgId).used;
    const started = performance.now();
    await bench.startRuntime();
    await until(
      () =>
        salesforce.control.listRecords(orgId, 'Opportunity').length >= deals &&
        hubspot.control
          .listRecords(portalId, 'deal')
          .every((d) => (d.properties.pb_salesforce_opportunity_id ?? '') !== ''),
      1_200_000,
      `${mode} import`,
    );
    const wallS = (performance.now() - started) / 1000;
    const calls = salesforce.control.apiUsage(orgId).used - usedBefore;
    const byEndpoint = salesforce.control.requests().byEndpoint;
    const sum = (pattern: RegExp) =>
      Object.entries(byEndpoint)
        .filter(([endpoint]) => pattern.test(endpoint))
        .reduce((total, [, n]) => total + n, 0);
    const runtime = await bench.stopRuntime();
    return {
      mode,
      records: deals,
      wallS,
      calls,
      ingest: sum(/jobs\/ingest/),
      collectionWrites: sum(/^(PATCH .*composite\/sobjects|POST .*composite\/sobjects$)/),
      byEndpoint,
      database: bench.database,
      runtimeCpuS: runtime.runtimeCpuS,
    };
  } finally {
    await bench.close();
  }
}

async function run(): Promise<void> {
  const deals = Number(process.env.BENCH_BACKFILL_DEALS ?? 10_000);
  const results = [];
  for (const mode of ['Bulk API 2.0', 'sObject Collections'] as const)
    results.push(await importOnce(mode, deals));
  console.log(
    `database: ${results[0]?.database}; initial import of ${deals} HubSpot deals creating their opportunities (wall time includes the runtime's start, ~1 s)`,
  );
  printTable(
    results.map((r) => ({
      'Salesforce writes': r.mode,
      records: r.records,
      'wall s': r.wallS.toFixed(1),
      'SF calls': r.calls,
      'SF/record': (r.calls / r.records).toFixed(4),
      'Bulk ingest calls': r.ingest,
      'collection write calls': r.collectionWrites,
      'runtime CPU s': r.runtimeCpuS,
    })),
  );
  for (const r of results) {
    console.log(`\n${r.mode}: Salesforce calls by endpoint`);
    for (const [endpoint, n] of Object.entries(r.byEndpoint))
      console.log(`  ${String(n).padStart(6)}  ${endpoint}`);
  }
}

export const backfillBenchmark: Benchmark = {
  name: 'backfill',
  description:
    'back-fill of 10,000 records (the initial import creating their opportunities) with Bulk API 2.0 vs sObject Collections: Salesforce calls per record and wall time',
  run,
};
