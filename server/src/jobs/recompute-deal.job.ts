import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { todayOf } from '../cards/dates.ts';
import { reconcileDealsNow } from '../cards/reconcile.ts';
import { defineJob } from '../queue/job.ts';

const job = defineJob({
  name: 'recompute-deal',
  dataSchema: z.strictObject({ installationId: z.uuid(), dealId: z.uuid() }),
  installationOf: (data) => data.installationId,
  async process(data, { services, log }) {
    const summary = await reconcileDealsNow(
      services.db,
      data.installationId,
      [data.dealId],
      todayOf(services.clock),
    );
    log.info({ ...data, ...summary }, 'deal ledger reconciled');
    return summary;
  },
});

/**
 * Reconciles one deal's ledger with the rules in force after the deal or its tags changed
 * (imported from a CRM, or edited on the card); writes an outbox row when its commission changed.
 */
export const recomputeDealJob = Object.assign(job, {
  options: (installationId: string, dealId: string): JobsOptions => ({
    deduplication: { id: `recompute-deal-${installationId}-${dealId}`, keepLastIfActive: true },
  }),
});
