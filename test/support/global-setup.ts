import type { TestProject } from 'vitest/node';
import { type LocalRedis, startLocalRedis } from '../../server/src/infra/local-redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    databaseUrl: string | undefined;
  }
}

let redis: LocalRedis | undefined;

// Integration tests never touch a developer's own Redis: a dedicated redis-server on a free port
// unless TEST_REDIS_URL points somewhere on purpose.
export async function setup(project: TestProject) {
  const configured = process.env.TEST_REDIS_URL;
  if (configured !== undefined && configured !== '') {
    project.provide('redisUrl', configured);
  } else {
    redis = await startLocalRedis();
    project.provide('redisUrl', redis.url);
  }
  project.provide('databaseUrl', process.env.TEST_DATABASE_URL || undefined);
}

export async function teardown() {
  await redis?.stop();
}
