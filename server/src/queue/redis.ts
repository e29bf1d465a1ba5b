import { Redis } from 'ioredis';

export type RedisRole = 'worker' | 'producer';

/**
 * ioredis connections by role (BullMQ's production advice):
 * - `worker`: blocking reads must survive reconnects, so `maxRetriesPerRequest: null`;
 * - `producer`: HTTP handlers fail fast (one retry, no offline queue) instead of hanging a
 *   request while Redis is away; /readyz reports it.
 * Never set ioredis `keyPrefix`; queues are namespaced by BullMQ's `prefix`.
 */
export function createRedis(url: string, role: RedisRole, name: string): Redis {
  const common = { connectionName: `partnerbridge:${name}`, lazyConnect: true } as const;
  const redis =
    role === 'worker'
      ? new Redis(url, { ...common, maxRetriesPerRequest: null, enableReadyCheck: true })
      : new Redis(url, {
          ...common,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 5_000,
        });
  // Errors surface through commands and /readyz; an unhandled 'error' event would crash.
  redis.on('error', () => {});
  return redis;
}

/** Connects (if not yet) and waits until the connection is usable. */
export async function connectRedis(redis: Redis): Promise<void> {
  if (redis.status === 'wait') await redis.connect();
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('Redis connection closed before it was ready'));
    };
    const cleanup = () => {
      redis.off('ready', onReady);
      redis.off('end', onEnd);
    };
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}

/** QUIT politely, then make sure the socket is gone. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    if (redis.status === 'ready') await redis.quit();
  } catch {
    // already closing or never connected
  }
  redis.disconnect();
}
