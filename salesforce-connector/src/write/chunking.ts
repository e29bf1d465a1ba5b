// Packing records into sObject Collections calls of at most 200: records of one parent account go
// together (a child write locks its parent, so a parent split across calls running in parallel
// elsewhere is what causes UNABLE_TO_LOCK_ROW), without ever costing more calls than ⌈n/200⌉.

export const COLLECTION_LIMIT = 200;

/**
 * Chunks of item indices. First-fit-decreasing packing of whole parent groups when that needs no
 * more than the minimum number of calls; otherwise items sorted by parent and cut every `size`,
 * which keeps each parent contiguous (split at most at a chunk boundary). Parentless items are
 * free to go anywhere. Within a chunk, items keep their input order.
 */
export function packChunks(
  parents: readonly (string | null | undefined)[],
  size = COLLECTION_LIMIT,
): number[][] {
  if (parents.length === 0) return [];
  const minimum = Math.ceil(parents.length / size);
  const groups = new Map<string, number[]>();
  parents.forEach((parent, index) => {
    const key =
      parent === null || parent === undefined || parent === '' ? `#${index}` : `=${parent}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [index]);
    else group.push(index);
  });
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length);
  const bins: number[][] = [];
  let packed = ordered.every((group) => group.length <= size);
  if (packed) {
    for (const group of ordered) {
      const bin = bins.find((candidate) => candidate.length + group.length <= size);
      if (bin === undefined) bins.push([...group]);
      else bin.push(...group);
      if (bins.length > minimum) {
        packed = false;
        break;
      }
    }
  }
  if (packed) return bins.map((bin) => bin.sort((a, b) => a - b));
  const byParent = parents
    .map((parent, index) => ({ key: parent ?? '', index }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
  const chunks: number[][] = [];
  for (let start = 0; start < byParent.length; start += size) {
    chunks.push(byParent.slice(start, start + size).map((entry) => entry.index));
  }
  return chunks;
}

export type RetryPolicy = {
  /** Retries of the lock-failed subset after the first attempt. Default 3. */
  readonly maxRetries?: number;
  /** First backoff; doubles per retry, with full jitter. Default 500 ms. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
};

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full jitter: a uniform delay in [0, min(max, base × 2^attempt)). */
export function backoffDelay(attempt: number, policy: RetryPolicy = {}): number {
  const base = policy.baseDelayMs ?? 500;
  const cap = Math.min(policy.maxDelayMs ?? 10_000, base * 2 ** attempt);
  return Math.floor((policy.random ?? Math.random)() * cap);
}
