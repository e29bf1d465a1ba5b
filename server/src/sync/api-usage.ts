import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { apiBudgets, apiUsage } from '../db/schema/api.ts';
import type { CrmSystem } from '../db/vocabulary.ts';

// API calls spent per installation, provider and UTC day, as counted at our clients (and the
// providers' own view from X-HubSpot-RateLimit-* / Sforce-Limit-Info), plus the admin's daily cap.
// Counts are gathered in memory and added in one statement per flush, not one per call.

export type UsageRecorder = {
  record(provider: CrmSystem, outcome: { status: number; limitInfo?: unknown }): void;
  /** The provider's own usage report, without counting a call. */
  note(provider: CrmSystem, limitInfo: unknown): void;
  flush(): Promise<void>;
};

type Pending = { calls: number; rateLimited: number; errors: number; limitInfo: unknown };

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function createUsageRecorder(
  db: Database,
  installationId: string,
  now: () => number,
): UsageRecorder {
  const pending = new Map<string, Pending>();
  return {
    record(provider, outcome) {
      const key = `${provider}|${utcDay(now())}`;
      const entry = pending.get(key) ?? {
        calls: 0,
        rateLimited: 0,
        errors: 0,
        limitInfo: undefined,
      };
      entry.calls++;
      if (outcome.status === 429) entry.rateLimited++;
      if (outcome.status === 0 || outcome.status >= 400) entry.errors++;
      if (outcome.limitInfo !== undefined) entry.limitInfo = outcome.limitInfo;
      pending.set(key, entry);
    },
    note(provider, limitInfo) {
      const key = `${provider}|${utcDay(now())}`;
      const entry = pending.get(key) ?? {
        calls: 0,
        rateLimited: 0,
        errors: 0,
        limitInfo: undefined,
      };
      entry.limitInfo = limitInfo;
      pending.set(key, entry);
    },
    async flush() {
      const entries = [...pending.entries()];
      pending.clear();
      for (const [key, entry] of entries) {
        const [provider, day] = key.split('|') as [CrmSystem, string];
        await db
          .insert(apiUsage)
          .values({
            installationId,
            provider,
            day,
            calls: entry.calls,
            rateLimited: entry.rateLimited,
            errors: entry.errors,
            lastLimitInfo: entry.limitInfo ?? null,
          })
          .onConflictDoUpdate({
            target: [apiUsage.installationId, apiUsage.provider, apiUsage.day],
            set: {
              calls: sql`${apiUsage.calls} + ${entry.calls}`,
              rateLimited: sql`${apiUsage.rateLimited} + ${entry.rateLimited}`,
              errors: sql`${apiUsage.errors} + ${entry.errors}`,
              lastLimitInfo:
                entry.limitInfo === undefined
                  ? sql`${apiUsage.lastLimitInfo}`
                  : sql`${JSON.stringify(entry.limitInfo)}::jsonb`,
              updatedAt: new Date(now()),
            },
          });
      }
    },
  };
}

/** The reserve of a cap set without one (the `api_budgets.reserve_percent` default). */
export const DEFAULT_RESERVE_PERCENT = 25;

export type BudgetState = {
  readonly provider: CrmSystem;
  readonly day: string;
  readonly used: number;
  /** The admin's cap for our calls per day (null: none set). */
  readonly dailyLimit: number | null;
  /** Share of the cap kept for live changes (the default when no cap is set). */
  readonly reservePercent: number;
  /** Calls at which non-critical work pauses (null: no cap). */
  readonly reserveLine: number | null;
  /** 'ok'; 'non_critical_paused' above the reserve line; 'paused' at the cap. */
  readonly state: 'ok' | 'non_critical_paused' | 'paused';
  /** When a paused budget frees again (the next UTC day). */
  readonly resumesAt: number | null;
};

/** Where an installation stands against its daily cap for `provider` today. */
export async function budgetState(
  db: Database,
  installationId: string,
  provider: CrmSystem,
  now: number,
): Promise<BudgetState> {
  const day = utcDay(now);
  const [budget] = await db
    .select()
    .from(apiBudgets)
    .where(and(eq(apiBudgets.installationId, installationId), eq(apiBudgets.provider, provider)));
  const [usage] = await db
    .select({ calls: apiUsage.calls })
    .from(apiUsage)
    .where(
      and(
        eq(apiUsage.installationId, installationId),
        eq(apiUsage.provider, provider),
        eq(apiUsage.day, day),
      ),
    );
  const used = usage?.calls ?? 0;
  const nextDay = Date.parse(`${day}T00:00:00.000Z`) + 86_400_000;
  if (budget === undefined) {
    return {
      provider,
      day,
      used,
      dailyLimit: null,
      reservePercent: DEFAULT_RESERVE_PERCENT,
      reserveLine: null,
      state: 'ok',
      resumesAt: null,
    };
  }
  // Non-critical work (back-fills, sweeps, imports) stops at the reserve line so real-time
  // changes keep flowing until the cap itself.
  const reserveLine = Math.floor((budget.dailyLimit * (100 - budget.reservePercent)) / 100);
  const state =
    used >= budget.dailyLimit ? 'paused' : used >= reserveLine ? 'non_critical_paused' : 'ok';
  return {
    provider,
    day,
    used,
    dailyLimit: budget.dailyLimit,
    reservePercent: budget.reservePercent,
    reserveLine,
    state,
    resumesAt: state === 'ok' ? null : nextDay,
  };
}
