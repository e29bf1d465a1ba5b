import type { IsoDate } from '@partnerbridge/shared';
import type { Database } from '../db/database.ts';
import { type ReconcileOutcome, reconcilableDealIds, reconcileDeals } from './ledger-store.ts';
import { loadFxTable, loadProgram } from './program-store.ts';

// Ledger reconciliation as the jobs run it: one deal (after a deal or tag changed), or every deal
// of an installation (after a rule or FX change, and daily so recurring months and clawback
// windows move with the calendar).

const DEALS_PER_TRANSACTION = 500;

export type ReconcileSummary = {
  readonly deals: number;
  readonly appended: number;
  readonly changedDeals: number;
  readonly issues: number;
  readonly invalidDeals: number;
};

function summarize(outcomes: readonly ReconcileOutcome[], deals: number): ReconcileSummary {
  return {
    deals,
    appended: outcomes.reduce((sum, outcome) => sum + outcome.appended.length, 0),
    changedDeals: outcomes.reduce((sum, outcome) => sum + outcome.changedDealIds.length, 0),
    issues: outcomes.reduce((sum, outcome) => sum + outcome.issues.length, 0),
    invalidDeals: outcomes.reduce((sum, outcome) => sum + outcome.invalidDeals.length, 0),
  };
}

/** Reconciles some deals of an installation, in transactions of a few hundred deals each. */
export async function reconcileDealsNow(
  db: Database,
  installationId: string,
  dealIds: readonly string[],
  asOf: IsoDate,
): Promise<ReconcileSummary> {
  const [{ program }, fx] = await Promise.all([
    loadProgram(db, installationId, asOf),
    loadFxTable(db, installationId),
  ]);
  const outcomes: ReconcileOutcome[] = [];
  for (let start = 0; start < dealIds.length; start += DEALS_PER_TRANSACTION) {
    const chunk = dealIds.slice(start, start + DEALS_PER_TRANSACTION);
    outcomes.push(
      await db.transaction((tx) =>
        reconcileDeals(tx, { installationId, program, fx, asOf, dealIds: chunk }),
      ),
    );
  }
  return summarize(outcomes, dealIds.length);
}

/** Reconciles every deal whose ledger can change (won, reversed, or already with lines). */
export async function reconcileInstallationNow(
  db: Database,
  installationId: string,
  asOf: IsoDate,
): Promise<ReconcileSummary> {
  return reconcileDealsNow(db, installationId, await reconcilableDealIds(db, installationId), asOf);
}
