import {
  recomputeDeal,
  recomputeInstallation,
  scheduleTierEvaluation,
} from '../cards/recompute.ts';
import type { QueueSet } from '../queue/queue-set.ts';
import type { Services } from '../services.ts';

// After the sync imported or updated deals, partners or partner tags from a CRM, the ledger and
// the tiers follow: the cards engine's recompute jobs are queued (deduplicated per deal and per
// installation, so calling this after every batch is cheap). A failure to queue never fails the
// sync of the records themselves: the daily reconciliation heals a missed recompute.

/** Above this many deals in one batch, one reconciliation of the installation is cheaper. */
const PER_DEAL_LIMIT = 100;

function registered(queues: QueueSet, name: string): boolean {
  try {
    queues.queue(name);
    return true;
  } catch {
    return false;
  }
}

export async function recomputeAfterSync(
  services: Services,
  installationId: string,
  changed: { readonly dealIds: readonly string[]; readonly partnerIds: readonly string[] },
): Promise<void> {
  if (changed.dealIds.length === 0 && changed.partnerIds.length === 0) return;
  // A deployment whose workers run only the sync (tests, benchmarks) has no ledger to recompute.
  if (!registered(services.queues, 'recompute-deal')) return;
  try {
    if (changed.dealIds.length > PER_DEAL_LIMIT) {
      await recomputeInstallation(services, installationId);
    } else if (changed.dealIds.length > 0) {
      for (const dealId of new Set(changed.dealIds)) {
        await recomputeDeal(services, installationId, dealId);
      }
    } else {
      await scheduleTierEvaluation(services, installationId);
    }
  } catch (error) {
    services.log.warn(
      { err: error, installationId, deals: changed.dealIds.length },
      'could not queue the recompute after a sync; the daily reconciliation will catch up',
    );
  }
}
