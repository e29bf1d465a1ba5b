// The daily API request allocation: a rolling 24-hour window counted in one-minute buckets.

const WINDOW_MS = 86_400_000;
const BUCKET_MS = 60_000;

export class ApiUsage {
  limit: number;
  private readonly buckets: { start: number; count: number }[] = [];
  private total = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  used(now: number): number {
    this.expire(now);
    return this.total;
  }

  /** Counts one call unless the window is exhausted; returns whether the call may proceed. */
  tryConsume(now: number): boolean {
    this.expire(now);
    if (this.total >= this.limit) return false;
    const start = now - (now % BUCKET_MS);
    const last = this.buckets[this.buckets.length - 1];
    if (last !== undefined && last.start === start) last.count += 1;
    else this.buckets.push({ start, count: 1 });
    this.total += 1;
    return true;
  }

  /** Replaces the window with `used` calls made now (tests that start near exhaustion). */
  setUsed(now: number, used: number): void {
    this.buckets.length = 0;
    this.total = 0;
    if (used > 0) {
      this.buckets.push({ start: now - (now % BUCKET_MS), count: used });
      this.total = used;
    }
  }

  private expire(now: number) {
    while (this.buckets.length > 0) {
      const first = this.buckets[0];
      if (first === undefined || first.start + BUCKET_MS > now - WINDOW_MS) break;
      this.total -= first.count;
      this.buckets.shift();
    }
  }
}
