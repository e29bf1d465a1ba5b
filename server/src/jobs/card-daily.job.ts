import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { installations } from '../db/schema/installations.ts';
import { defineJob } from '../queue/job.ts';
import { evaluateTiersJob } from './evaluate-tiers.job.ts';
import { reconcileInstallationJob } from './reconcile-installation.job.ts';

/**
 * Daily at 02:00 UTC: for every active installation, reconcile the ledger (recurring months that
 * started, clawback windows that closed) and evaluate tiers (trailing windows move, grace periods
 * end). Payable status needs no job: the core derives it from each line's payable date.
 */
export const cardDailyJob = defineJob({
  name: 'card-daily',
  dataSchema: z.strictObject({}),
  jobOptions: { attempts: 3 },
  schedule: {
    id: 'card-daily-0200-utc',
    repeat: { pattern: '0 2 * * *', tz: 'UTC' },
    data: {},
  },
  async process(_data, { services, log }) {
    const active = await services.db
      .select({ id: installations.id })
      .from(installations)
      .where(eq(installations.status, 'active'));
    for (const { id } of active) {
      await services.queues.enqueue(
        reconcileInstallationJob,
        { installationId: id },
        reconcileInstallationJob.options(id),
      );
      await services.queues.enqueue(
        evaluateTiersJob,
        { installationId: id },
        evaluateTiersJob.options(id),
      );
    }
    log.info({ installations: active.length }, 'daily reconciliation and tier evaluation queued');
    return { installations: active.length };
  },
});
