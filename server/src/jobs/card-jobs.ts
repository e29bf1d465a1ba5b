import type { JobModule } from '../queue/job.ts';
import { cardDailyJob } from './card-daily.job.ts';
import { evaluateTiersJob } from './evaluate-tiers.job.ts';
import { recomputeDealJob } from './recompute-deal.job.ts';
import { reconcileInstallationJob } from './reconcile-installation.job.ts';

/** Jobs behind the cards' API (ledger and tier recomputation after local changes). */
export const cardJobs: readonly JobModule[] = [
  recomputeDealJob as JobModule,
  reconcileInstallationJob as JobModule,
  evaluateTiersJob as JobModule,
  cardDailyJob as JobModule,
];
