import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A benchmark registered in `run.ts`. `run` prints its figures. Work that must not share a heap
 * with other measurements goes in `child`, started through `runInChild`.
 */
export type Benchmark = {
  readonly name: string;
  readonly description: string;
  run(): Promise<void>;
  /** Runs in a fresh Node process; returns JSON-serialisable figures. */
  child?(args: readonly string[]): Promise<unknown>;
};

const runner = fileURLToPath(new URL('./run.ts', import.meta.url));

/**
 * Runs `benchmark.child(args)` in a new Node process (same binary, same runner) so that sizes do
 * not pollute each other's heap, JIT or peak memory. Resolves with the child's figures plus its
 * peak resident memory.
 */
export function runInChild<TFigures>(
  benchmark: string,
  args: readonly string[],
  options: { readonly maxOldSpaceMb?: number } = {},
): Promise<TFigures & { readonly maxRssMb: number }> {
  const nodeArgs = [
    // lets a child measure its live heap with `liveHeapMb`
    '--expose-gc',
    ...(options.maxOldSpaceMb === undefined
      ? []
      : [`--max-old-space-size=${options.maxOldSpaceMb}`]),
    runner,
    '--child',
    benchmark,
    ...args,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`benchmark child ${benchmark} ${args.join(' ')} exited with ${code}`));
        return;
      }
      const lastLine = output.trim().split('\n').at(-1) ?? '{}';
      resolve(JSON.parse(lastLine));
    });
  });
}

/** Called by the runner inside the child: prints the figures and the peak memory as one JSON line. */
export async function reportFromChild(
  benchmark: Benchmark,
  args: readonly string[],
): Promise<void> {
  if (benchmark.child === undefined)
    throw new Error(`benchmark ${benchmark.name} has no child part`);
  const figures = await benchmark.child(args);
  // maxRSS is in kilobytes.
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ ...(figures as object), maxRssMb })}\n`);
}

/**
 * Heap still reachable after a full collection, in MB: what the data held right now really takes,
 * unlike peak RSS, which also counts the slack V8 keeps after collecting garbage.
 */
export function liveHeapMb(): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined)
    throw new Error('run the child through runInChild (needs --expose-gc)');
  collect();
  return Math.round(process.memoryUsage().heapUsed / 1_048_576);
}

/**
 * Wall-clock and CPU milliseconds spent in `work`, with its result. CPU time (all threads of this
 * process, GC helpers included) is the steadier figure on a machine shared with other jobs.
 */
export function timed<T>(work: () => T): { result: T; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { result, ms, cpuMs: (used.user + used.system) / 1000 };
}

/** Prints rows as an aligned table. */
export function printTable(rows: readonly Record<string, string | number>[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const cell = (value: string | number | undefined) =>
    typeof value === 'number' ? value.toLocaleString('en-US') : (value ?? '');
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length)),
  );
  const line = (values: readonly string[]) =>
    values.map((value, i) => value.padStart(widths[i] ?? 0)).join('  ');
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((column) => cell(row[column]))));
}
