import {
  addDays,
  computePartnerActivity,
  evaluateTier,
  type IsoDate,
  type Partner,
  type PartnerActivity,
  type Program,
  registered,
  type TierEvaluation,
  tierHistoryEntrySchema,
} from '@partnerbridge/shared';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/database.ts';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { partners } from '../db/schema/partners.ts';
import { tierSnapshots } from '../db/schema/program.ts';
import { localChanges } from '../db/schema/sync.ts';
import { asPartnerId } from './ids.ts';
import { loadFxTable, loadProgram } from './program-store.ts';
import { type PartnerRow, toCoreDeal, toCorePartner, toCoreTag } from './projection.ts';

// Tier evaluation for a whole installation: the core evaluates each partner from its credited wins
// and pipeline; we store what it decided (tier, history, grace clock), a snapshot for the day, and
// an outbox row for every partner whose tier changed so the CRMs get the new tier.

export type TierRunSummary = {
  readonly partners: number;
  readonly changed: number;
  readonly inGrace: number;
  /** Partners whose past tiers were reconstructed: their past deals' commissions may change. */
  readonly historiesRewritten: number;
  readonly issues: number;
};

const empty: PartnerActivity = { won: [], pipeline: [] };

/** The tier history after an evaluation: a new entry on a change (replacing one of the same day). */
export function nextTierHistory(
  history: readonly { tier: string; since: string }[],
  evaluation: { readonly tier: string; readonly since: string },
): { tier: string; since: string }[] {
  const last = history.at(-1);
  const heldTier = last?.tier ?? registered;
  if (heldTier === evaluation.tier) return [...history];
  const kept =
    last !== undefined && last.since >= evaluation.since ? history.slice(0, -1) : history;
  const previous = kept.at(-1)?.tier ?? registered;
  if (previous === evaluation.tier) return [...kept];
  return [...kept, { tier: evaluation.tier, since: evaluation.since }];
}

/**
 * A partner Partnerbridge has never evaluated has no tier history, so deals it won in the past
 * would be paid at "registered". Its first evaluation replays the past week by week from its
 * joining date (promotion at once, demotion after the grace period) to reconstruct the tier it
 * would have held, before today's evaluation.
 */
export function reconstructTierHistory(input: {
  readonly program: Program;
  readonly partner: Partner;
  readonly activity: PartnerActivity;
  readonly asOf: IsoDate;
}): Partner {
  let state: Partner = { ...input.partner, tierHistory: [], belowTierSince: null };
  if (input.activity.won.length === 0) return state;
  for (let day = input.partner.joinedOn; day < input.asOf; day = addDays(day, 7)) {
    const evaluation = evaluateTier({
      program: input.program,
      partner: state,
      activity: input.activity,
      asOf: day,
    });
    state = {
      ...state,
      tierHistory: nextTierHistory(state.tierHistory, evaluation).map((entry) =>
        tierHistoryEntrySchema.parse(entry),
      ),
      belowTierSince: evaluation.belowTierSince,
    };
  }
  return state;
}

/** Stores one partner's evaluation; returns whether its tier changed. */
export async function storeEvaluation(
  tx: Executor,
  input: {
    readonly installationId: string;
    readonly partner: PartnerRow;
    readonly evaluation: TierEvaluation;
    readonly programVersion: number;
    /** A reconstructed history replacing the stored one (first evaluation). */
    readonly history?: readonly { tier: string; since: string }[];
  },
): Promise<boolean> {
  const { installationId, partner, evaluation } = input;
  const changed = partner.tier !== evaluation.tier;
  const history = nextTierHistory(input.history ?? partner.tierHistory, evaluation);
  const graceUntil = evaluation.change.kind === 'held_in_grace' ? evaluation.change.until : null;
  await tx
    .insert(tierSnapshots)
    .values({
      installationId,
      partnerId: partner.id,
      programVersion: input.programVersion,
      asOf: evaluation.asOf,
      tier: evaluation.tier,
      previousTier: partner.tier,
      graceUntil,
      evaluation,
    })
    .onConflictDoUpdate({
      target: [tierSnapshots.installationId, tierSnapshots.partnerId, tierSnapshots.asOf],
      set: {
        programVersion: input.programVersion,
        tier: evaluation.tier,
        graceUntil,
        evaluation,
      },
    });
  const historyChanged = JSON.stringify(history) !== JSON.stringify(partner.tierHistory);
  if (changed || historyChanged || partner.belowTierSince !== evaluation.belowTierSince) {
    await tx
      .update(partners)
      .set({
        tier: evaluation.tier,
        tierHistory: history,
        belowTierSince: evaluation.belowTierSince,
        updatedAt: sql`now()`,
      })
      .where(and(eq(partners.installationId, installationId), eq(partners.id, partner.id)));
  }
  if (changed) {
    await tx.insert(localChanges).values({
      installationId,
      objectKind: 'partner',
      localId: partner.id,
      reason: 'tier_changed',
    });
  }
  return changed;
}

/**
 * Evaluates every active partner of an installation as of `asOf`. Idempotent: a second run on the
 * same day with the same data changes nothing and writes no outbox rows.
 */
export async function evaluateInstallationTiers(
  db: Database,
  installationId: string,
  asOf: IsoDate,
): Promise<TierRunSummary> {
  const [{ program }, fx, partnerRows, dealRows, tagRows, evaluatedRows] = await Promise.all([
    loadProgram(db, installationId, asOf),
    loadFxTable(db, installationId),
    db
      .select()
      .from(partners)
      .where(
        and(
          eq(partners.installationId, installationId),
          eq(partners.status, 'active'),
          isNull(partners.archivedAt),
        ),
      ),
    db.select().from(deals).where(eq(deals.installationId, installationId)),
    db
      .select()
      .from(partnerTags)
      .where(
        and(
          eq(partnerTags.installationId, installationId),
          isNull(partnerTags.removedAt),
          eq(partnerTags.registrationStatus, 'approved'),
        ),
      ),
    db
      .selectDistinct({ partnerId: tierSnapshots.partnerId })
      .from(tierSnapshots)
      .where(eq(tierSnapshots.installationId, installationId)),
  ]);
  const evaluated = new Set(evaluatedRows.map((row) => row.partnerId));
  const coreDeals = dealRows.flatMap((row) => {
    const converted = toCoreDeal(row);
    return converted.success ? [converted.data] : [];
  });
  const { activity, issues } = computePartnerActivity({
    deals: coreDeals,
    tags: tagRows.map(toCoreTag),
    program,
    fx,
    asOf,
  });
  let changed = 0;
  let inGrace = 0;
  let historiesRewritten = 0;
  for (const partner of partnerRows) {
    const partnerActivity = activity.get(asPartnerId(partner.id)) ?? empty;
    const stored = toCorePartner(partner);
    const firstRun = !evaluated.has(partner.id) && stored.tierHistory.length === 0;
    const core = firstRun
      ? reconstructTierHistory({ program, partner: stored, activity: partnerActivity, asOf })
      : stored;
    const evaluation = evaluateTier({ program, partner: core, activity: partnerActivity, asOf });
    if (evaluation.change.kind === 'held_in_grace') inGrace += 1;
    if (firstRun && core.tierHistory.length > 0) historiesRewritten += 1;
    const didChange = await db.transaction((tx) =>
      storeEvaluation(tx, {
        installationId,
        partner,
        evaluation,
        programVersion: program.version,
        ...(firstRun ? { history: core.tierHistory } : {}),
      }),
    );
    if (didChange) changed += 1;
  }
  return {
    partners: partnerRows.length,
    changed,
    inGrace,
    historiesRewritten,
    issues: issues.length,
  };
}
