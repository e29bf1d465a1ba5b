import { lt } from 'drizzle-orm';
import { z } from 'zod';
import { idempotencyKeys } from '../db/schema/api.ts';
import { defineJob } from '../queue/job.ts';

/** Hourly housekeeping: forget expired OAuth states and idempotency keys. */
export const purgeExpiredJob = defineJob({
  name: 'purge-expired',
  dataSchema: z.strictObject({}),
  jobOptions: { attempts: 3 },
  schedule: { id: 'purge-expired-hourly', repeat: { every: 60 * 60 * 1000 }, data: {} },
  async process(_data, { services, log }) {
    const now = new Date(services.clock.now());
    const states = await services.oauthStates.purgeExpired();
    const keys = await services.db
      .delete(idempotencyKeys)
      .where(lt(idempotencyKeys.expiresAt, now))
      .returning({ key: idempotencyKeys.key });
    log.info({ states, idempotencyKeys: keys.length }, 'purged expired rows');
    return { states, idempotencyKeys: keys.length };
  },
});
