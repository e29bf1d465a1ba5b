import type { Redis } from 'ioredis';

// Cross-process coordination for the sync engine, in the same Redis as the queues (under the
// queue prefix): per-installation API rate windows and pause gates (so one portal's 429 never
// slows another), and per-record locks (so a record pair is never processed by two batches at
// once, whichever worker process holds them).

/** A Redis client as BullMQ hands it out (ioredis). */
export type RedisLike = Pick<Redis, 'eval' | 'get' | 'set' | 'del' | 'sadd' | 'srem' | 'smembers'>;

// Sliding window: timestamps of granted calls in a sorted set; grants when fewer than `max` lie
// inside the window, else answers how long until the oldest one leaves it.
const ACQUIRE = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local member = ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < max then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

// All-or-nothing claim of several lock keys with one owner token.
const CLAIM = `
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder and holder ~= ARGV[1] then return 0 end
end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', tonumber(ARGV[2]))
end
return 1
`;

// \`CLAIM\` for several groups in order (ARGV[3..]: each group's number of keys), one answer each:
// what claiming them one call at a time would give, in one round trip.
const CLAIM_EACH = `
local results = {}
local offset = 0
for g = 3, #ARGV do
  local size = tonumber(ARGV[g])
  local free = true
  for i = offset + 1, offset + size do
    local holder = redis.call('GET', KEYS[i])
    if holder and holder ~= ARGV[1] then
      free = false
      break
    end
  end
  if free then
    for i = offset + 1, offset + size do
      redis.call('SET', KEYS[i], ARGV[1], 'PX', tonumber(ARGV[2]))
    end
  end
  results[#results + 1] = free and 1 or 0
  offset = offset + size
end
return results
`;

const RELEASE = `
local released = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released
`;

// A gate only ever moves later: two processes reporting 429s keep the longest pause.
const GATE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local untilMs = tonumber(ARGV[1])
if untilMs > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', math.max(1, untilMs - tonumber(ARGV[2])))
  return untilMs
end
return current
`;

export type Gates = {
  /** Grants one call in the rolling window, or answers the wait in ms. */
  acquire(key: string, windowMs: number, max: number, now: number): Promise<number>;
  /** Pauses `key` until `untilMs` (epoch ms); never shortens a pause. */
  pause(key: string, untilMs: number, now: number): Promise<void>;
  /** The end of the pause on `key`, or 0. */
  pausedUntil(key: string, now: number): Promise<number>;
  /** Claims every key for `owner` (or none); true when claimed. */
  claim(keys: readonly string[], owner: string, ttlMs: number): Promise<boolean>;
  /** \`claim\` for each group of keys in order (one round trip per 500 groups); true per claimed. */
  claimEach(
    groups: readonly (readonly string[])[],
    owner: string,
    ttlMs: number,
  ): Promise<boolean[]>;
  release(keys: readonly string[], owner: string): Promise<void>;
  /** The owner holding a lock key, or null. */
  holder(key: string): Promise<string | null>;
  /** Marks members in a set (e.g. records whose associations changed). */
  mark(key: string, members: readonly string[]): Promise<void>;
  /** Takes (reads and clears) those of `members` that were marked. */
  takeMarked(key: string, members: readonly string[]): Promise<Set<string>>;
};

let counter = 0;

export function createGates(redis: () => Promise<RedisLike>, prefix: string): Gates {
  const k = (key: string) => `${prefix}:sync:${key}`;
  return {
    async acquire(key, windowMs, max, now) {
      const client = await redis();
      counter = (counter + 1) % 1_000_000_000;
      const member = `${now}-${process.pid}-${counter}-${Math.random()}`;
      const wait = await client.eval(ACQUIRE, 1, k(key), now, windowMs, max, member);
      return Number(wait);
    },
    async pause(key, untilMs, now) {
      if (untilMs <= now) return;
      await (await redis()).eval(GATE, 1, k(`gate:${key}`), untilMs, now);
    },
    async pausedUntil(key, now) {
      const value = Number((await (await redis()).get(k(`gate:${key}`))) ?? 0);
      return value > now ? value : 0;
    },
    async claim(keys, owner, ttlMs) {
      if (keys.length === 0) return true;
      const result = await (await redis()).eval(
        CLAIM,
        keys.length,
        ...keys.map((key) => k(`lock:${key}`)),
        owner,
        ttlMs,
      );
      return Number(result) === 1;
    },
    async claimEach(groups, owner, ttlMs) {
      const out: boolean[] = [];
      for (let start = 0; start < groups.length; start += 500) {
        const chunk = groups.slice(start, start + 500);
        const keys = chunk.flatMap((group) => group.map((key) => k(`lock:${key}`)));
        const result = (await (
          await redis()
        ).eval(
          CLAIM_EACH,
          keys.length,
          ...keys,
          owner,
          ttlMs,
          ...chunk.map((group) => group.length),
        )) as unknown[];
        for (const claimed of result) out.push(Number(claimed) === 1);
      }
      return out;
    },
    async release(keys, owner) {
      if (keys.length === 0) return;
      await (await redis()).eval(
        RELEASE,
        keys.length,
        ...keys.map((key) => k(`lock:${key}`)),
        owner,
      );
    },
    async holder(key) {
      return (await redis()).get(k(`lock:${key}`));
    },
    async mark(key, members) {
      if (members.length === 0) return;
      await (await redis()).sadd(k(`marks:${key}`), ...members);
    },
    async takeMarked(key, members) {
      if (members.length === 0) return new Set();
      const client = await redis();
      const all = new Set(await client.smembers(k(`marks:${key}`)));
      const taken = members.filter((member) => all.has(member));
      if (taken.length > 0) await client.srem(k(`marks:${key}`), ...taken);
      return new Set(taken);
    },
  };
}
