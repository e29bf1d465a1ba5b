import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { todayOf } from '../cards/dates.ts';
import { reconcileInstallationNow } from '../cards/reconcile.ts';
import { defineJob } from '../queue/job.ts';

const job = defineJob({
  name: 'reconcile-installation',
  dataSchema: z.strictObject({ installationId: z.uuid() }),
  installationOf: (data) => data.installationId,
  async process(data, { services, log }) {
    const summary = await reconcileInstallationNow(
      services.db,
      data.installationId,
      todayOf(services.clock),
    );
    log.info({ installationId: data.installationId, ...summary }, 'ledger reconciled');
    return summary;
  },
});

/**
 * Reconciles the ledger of every deal of one installation: after a rule, program or FX change,
 * and daily (recurring months start, clawback windows close). Re-runs append nothing.
 */
export const reconcileInstallationJob = Object.assign(job, {
  /** One waiting run per installation; a request while one runs queues exactly one more. */
  options: (installationId: string): JobsOptions => ({
    deduplication: { id: `reconcile-installation-${installationId}`, keepLastIfActive: true },
  }),
});
