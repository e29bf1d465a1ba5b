import type { IsoDate } from '@partnerbridge/shared';
import { sql } from 'drizzle-orm';
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

/**
 * Reconciles every deal whose ledger can change (won, reversed, or already with lines), then
 * refreshes the planner's statistics of the tables the cards read.
 */
export async function reconcileInstallationNow(
  db: Database,
  installationId: string,
  asOf: IsoDate,
): Promise<ReconcileSummary> {
  const summary = await reconcileDealsNow(
    db,
    installationId,
    await reconcilableDealIds(db, installationId),
    asOf,
  );
  await refreshStatistics(db);
  return summary;
}

/**
 * PGlite never auto-analyzes, and a bulk import on Postgres may not have been analyzed yet; with
 * no statistics the planner scans a whole installation's tags for each deal. A sampled ANALYZE of
 * a few tables is cheap next to a full reconciliation, which runs after imports and daily.
 */
export async function refreshStatistics(db: Database): Promise<void> {
  await db.execute(sql`analyze deals, partner_tags, partners, ledger_lines, ledger_payments`);
}
