import {
  type CommissionRule,
  createFxTable,
  defaultProgram,
  type FxTable,
  fxRatesSchema,
  type IsoDate,
  type Program,
  programSchema,
} from '@partnerbridge/shared';
import type { ProgramTerms } from '@partnerbridge/shared/api';
import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import {
  commissionRuleRetirements,
  commissionRuleVersions,
  fxRates,
  programVersions,
} from '../db/schema/program.ts';
import type { ErrorIssue } from '../errors.ts';

// The program as the core reads it: the terms of the version in force today plus every version of
// every commission rule (the core picks the version in force on each deal's close date), with
// retirements applied. Stored rows are validated by the core's schemas when written.

export type ProgramVersionRow = typeof programVersions.$inferSelect;
export type RuleVersionRow = typeof commissionRuleVersions.$inferSelect;
export type RetirementRow = typeof commissionRuleRetirements.$inferSelect;

export type LoadedProgram = {
  readonly program: Program;
  readonly current: ProgramVersionRow;
  /** Every program version, oldest first. */
  readonly versions: readonly ProgramVersionRow[];
  readonly ruleRows: readonly RuleVersionRow[];
  readonly retirements: readonly RetirementRow[];
};

/** The first program version of every installation takes effect from the start. */
export const BOOTSTRAP_EFFECTIVE_FROM = '2000-01-01';
export const SYSTEM_ACTOR = 'partnerbridge';

/** The program's terms: everything but id, version and rules. */
export function termsOf(program: Program): ProgramTerms {
  const { id: _id, version: _version, rules: _rules, ...terms } = program;
  return terms;
}

/**
 * Gives a new installation the default program (version 1) and its rules, once. Safe to call
 * again and concurrently: the unique version keys make repeats no-ops.
 */
export async function ensureProgram(db: Executor, installationId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(programVersions)
      .values({
        installationId,
        version: 1,
        effectiveFrom: BOOTSTRAP_EFFECTIVE_FROM,
        document: termsOf(defaultProgram),
        createdBy: SYSTEM_ACTOR,
        note: 'Default program (strategy document)',
      })
      .onConflictDoNothing()
      .returning({ version: programVersions.version });
    if (inserted.length === 0) return;
    await tx
      .insert(commissionRuleVersions)
      .values(
        defaultProgram.rules.map((rule) => ({
          installationId,
          ruleId: rule.id,
          version: rule.version,
          effectiveFrom: rule.effectiveFrom,
          effectiveTo: rule.effectiveTo ?? null,
          document: rule,
          createdBy: SYSTEM_ACTOR,
          note: 'Default program (strategy document)',
        })),
      )
      .onConflictDoNothing();
  });
}

/** The version in force on `asOf` (latest effective date, then latest version), else the first. */
export function versionInForce(
  versions: readonly ProgramVersionRow[],
  asOf: IsoDate,
): ProgramVersionRow | undefined {
  let current: ProgramVersionRow | undefined;
  for (const version of versions) {
    if (version.effectiveFrom > asOf) continue;
    if (
      current === undefined ||
      version.effectiveFrom > current.effectiveFrom ||
      (version.effectiveFrom === current.effectiveFrom && version.version > current.version)
    ) {
      current = version;
    }
  }
  return current ?? versions[0];
}

/**
 * Applies retirements to rule versions: from a retirement's day on, the rule's latest version
 * that took effect before it stops paying. A version taking effect on or after it revives the rule.
 */
export function applyRetirements(
  rules: readonly CommissionRule[],
  retirements: readonly Pick<RetirementRow, 'ruleId' | 'effectiveTo'>[],
): CommissionRule[] {
  const ends = new Map<CommissionRule, string>();
  for (const retirement of retirements) {
    let latest: CommissionRule | undefined;
    for (const rule of rules) {
      if (rule.id !== retirement.ruleId || rule.effectiveFrom >= retirement.effectiveTo) continue;
      if (latest === undefined || rule.version > latest.version) latest = rule;
    }
    if (latest === undefined) continue;
    const end = ends.get(latest) ?? latest.effectiveTo;
    if (end === undefined || retirement.effectiveTo < end) ends.set(latest, retirement.effectiveTo);
  }
  return rules.map((rule) => {
    const end = ends.get(rule);
    return end === undefined ? rule : { ...rule, effectiveTo: end };
  });
}

export function ruleOf(row: RuleVersionRow): CommissionRule {
  // Validated by commissionRuleSchema before insert.
  return row.document as CommissionRule;
}

/** A program for the core from stored terms and rules (not validated; see `validateProgram`). */
export function assembleProgram(
  installationId: string,
  version: number,
  terms: ProgramTerms,
  rules: readonly CommissionRule[],
): Program {
  return { id: installationId, version, ...terms, rules: [...rules] };
}

/** Loads the program in force on `asOf`, bootstrapping the default one on first use. */
export async function loadProgram(
  db: Executor,
  installationId: string,
  asOf: IsoDate,
): Promise<LoadedProgram> {
  let versions = await selectVersions(db, installationId);
  if (versions.length === 0) {
    await ensureProgram(db, installationId);
    versions = await selectVersions(db, installationId);
  }
  const current = versionInForce(versions, asOf);
  if (current === undefined) throw new Error(`installation ${installationId} has no program`);
  const [ruleRows, retirements] = await Promise.all([
    db
      .select()
      .from(commissionRuleVersions)
      .where(eq(commissionRuleVersions.installationId, installationId))
      .orderBy(asc(commissionRuleVersions.ruleId), asc(commissionRuleVersions.version)),
    db
      .select()
      .from(commissionRuleRetirements)
      .where(eq(commissionRuleRetirements.installationId, installationId))
      .orderBy(asc(commissionRuleRetirements.createdAt)),
  ]);
  const rules = applyRetirements(ruleRows.map(ruleOf), retirements);
  return {
    program: assembleProgram(
      installationId,
      current.version,
      current.document as ProgramTerms,
      rules,
    ),
    current,
    versions,
    ruleRows,
    retirements,
  };
}

function selectVersions(db: Executor, installationId: string) {
  return db
    .select()
    .from(programVersions)
    .where(eq(programVersions.installationId, installationId))
    .orderBy(asc(programVersions.version));
}

/** The installation's dated FX quotes as the core's table. */
export async function loadFxTable(db: Executor, installationId: string): Promise<FxTable> {
  const rows = await db
    .select({
      base: fxRates.base,
      quote: fxRates.quote,
      on: fxRates.rateOn,
      rate: fxRates.rate,
    })
    .from(fxRates)
    .where(eq(fxRates.installationId, installationId));
  return createFxTable(fxRatesSchema.parse(rows));
}

/**
 * Validates an assembled program with the core's schema, cross-references included. Issues name
 * where the problem is: `terms.tiers[2].requirements`, or the rule (`rules.<id> v<version>`).
 */
export function validateProgram(
  candidate: Program,
): { success: true; program: Program } | { success: false; issues: ErrorIssue[] } {
  const parsed = programSchema.safeParse(candidate);
  if (parsed.success) return { success: true, program: parsed.data };
  const issues = parsed.error.issues.map((issue): ErrorIssue => {
    const [head, index, ...rest] = issue.path;
    if (head === 'rules' && typeof index === 'number') {
      const rule = candidate.rules[index];
      const where = rule === undefined ? `rules[${index}]` : `rules.${rule.id} v${rule.version}`;
      return { path: [where, ...rest.map(String)].join('.'), message: issue.message };
    }
    const path = issue.path
      .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
      .join('');
    return { path: path === '' ? 'program' : `terms${path}`, message: issue.message };
  });
  return { success: false, issues };
}
