import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';

describe('integration test setup', () => {
  it('provides a dedicated Redis that answers PING', async () => {
    const redis = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(inject('redisUrl')).not.toBe('redis://127.0.0.1:6379');
    } finally {
      redis.disconnect();
    }
  });
});
