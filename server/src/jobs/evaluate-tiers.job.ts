import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { todayOf } from '../cards/dates.ts';
import { evaluateInstallationTiers } from '../cards/tier-evaluation.ts';
import { defineJob } from '../queue/job.ts';
import { reconcileInstallationJob } from './reconcile-installation.job.ts';

const job = defineJob({
  name: 'evaluate-tiers',
  dataSchema: z.strictObject({ installationId: z.uuid() }),
  installationOf: (data) => data.installationId,
  async process(data, { services, log }) {
    const summary = await evaluateInstallationTiers(
      services.db,
      data.installationId,
      todayOf(services.clock),
    );
    // A reconstructed history changes the tier some past deals were paid at.
    if (summary.historiesRewritten > 0) {
      await services.queues.enqueue(
        reconcileInstallationJob,
        { installationId: data.installationId },
        reconcileInstallationJob.options(data.installationId),
      );
    }
    log.info({ installationId: data.installationId, ...summary }, 'tiers evaluated');
    return summary;
  },
});

/**
 * Evaluates every partner's tier of one installation (daily, and shortly after deals or tags
 * change): snapshots, tier history, grace clock, and an outbox row per changed tier.
 */
export const evaluateTiersJob = Object.assign(job, {
  /** One waiting run per installation; bursts of changes within a few seconds collapse. */
  options: (installationId: string): JobsOptions => ({
    deduplication: { id: `evaluate-tiers-${installationId}`, keepLastIfActive: true },
    delay: 2_000,
  }),
});
