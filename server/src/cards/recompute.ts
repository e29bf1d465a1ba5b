import { evaluateTiersJob } from '../jobs/evaluate-tiers.job.ts';
import { recomputeDealJob } from '../jobs/recompute-deal.job.ts';
import { reconcileInstallationJob } from '../jobs/reconcile-installation.job.ts';
import type { Services } from '../services.ts';

// What the sync engine calls after it imported something from a CRM. Each call only enqueues
// (deduplicated: a burst of calls for one deal or installation runs once, and a call while a run
// is active queues exactly one more), so it is cheap to call after every write.

type Enqueuer = Pick<Services, 'queues'>;

/**
 * After a deal or its partner tags were imported or changed: reconcile that deal's ledger (an
 * outbox row follows if its commission changed) and re-evaluate the installation's tiers.
 */
export async function recomputeDeal(
  services: Enqueuer,
  installationId: string,
  dealId: string,
): Promise<void> {
  await services.queues.enqueue(
    recomputeDealJob,
    { installationId, dealId },
    recomputeDealJob.options(installationId, dealId),
  );
  await scheduleTierEvaluation(services, installationId);
}

/**
 * After a back-fill or any change that touches many deals (initial import, rule or FX change):
 * reconcile every deal's ledger, then re-evaluate tiers.
 */
export async function recomputeInstallation(
  services: Enqueuer,
  installationId: string,
): Promise<void> {
  await services.queues.enqueue(
    reconcileInstallationJob,
    { installationId },
    reconcileInstallationJob.options(installationId),
  );
  await scheduleTierEvaluation(services, installationId);
}

/** After a partner's facts changed (certified salespeople, training, agreement): re-evaluate tiers. */
export async function scheduleTierEvaluation(
  services: Enqueuer,
  installationId: string,
): Promise<void> {
  await services.queues.enqueue(
    evaluateTiersJob,
    { installationId },
    evaluateTiersJob.options(installationId),
  );
}
