import { backfillBenchmark } from './backfill.bench.ts';
import { type Benchmark, reportFromChild } from './benchmark.ts';
import { coreBenchmark } from './core.bench.ts';
import { serverBenchmark } from './server.bench.ts';
import { syncBenchmark } from './sync.bench.ts';
import { webhookIntakeBenchmark } from './webhook-intake.bench.ts';

// `npm run bench` runs every registered benchmark in sequence; `npm run bench -- core` runs one.
// To add one, export a `Benchmark` from `<name>.bench.ts` and list it here.
const benchmarks: readonly Benchmark[] = [
  coreBenchmark,
  serverBenchmark,
  syncBenchmark,
  backfillBenchmark,
  webhookIntakeBenchmark,
];

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--child') {
    const [, name, ...args] = argv;
    const benchmark = benchmarks.find((candidate) => candidate.name === name);
    if (benchmark === undefined) throw new Error(`unknown benchmark ${name}`);
    await reportFromChild(benchmark, args);
    return;
  }
  const selected = argv.length === 0 ? benchmarks : benchmarks.filter((b) => argv.includes(b.name));
  if (selected.length === 0) {
    throw new Error(
      `no benchmark named ${argv.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`,
    );
  }
  for (const benchmark of selected) {
    console.log(`\n## ${benchmark.name}: ${benchmark.description}\n`);
    await benchmark.run();
  }
}

await main(process.argv.slice(2));
