import type { IsoDate } from '@partnerbridge/shared';
import type {
  ProgramSettings,
  ProgramTerms,
  ProgramVersionView,
  PutProgramBody,
} from '@partnerbridge/shared/api';
import { eq } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { auditLog } from '../db/schema/audit.ts';
import { installations } from '../db/schema/installations.ts';
import { programVersions } from '../db/schema/program.ts';
import { UnprocessableError } from '../errors.ts';
import type { Services } from '../services.ts';
import { todayOf } from './dates.ts';
import {
  applyRetirements,
  assembleProgram,
  loadProgram,
  type ProgramVersionRow,
  ruleOf,
  validateProgram,
} from './program-store.ts';
import { recomputeInstallation } from './recompute.ts';

// The program settings: terms (tiers and their requirements, attribution model, registration
// policy, onboarding, targets) are versioned; a save is a new version, never an edit.

type Deps = Pick<Services, 'db' | 'clock' | 'queues' | 'log'>;

function versionView(row: ProgramVersionRow): ProgramVersionView {
  return {
    version: row.version,
    effectiveFrom: row.effectiveFrom,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    note: row.note,
    terms: row.document as ProgramTerms,
  };
}

export async function programSettings(
  db: Executor,
  installationId: string,
  asOf: IsoDate,
): Promise<ProgramSettings> {
  const loaded = await loadProgram(db, installationId, asOf);
  const newestFirst = [...loaded.versions].reverse();
  return {
    asOf,
    current: versionView(loaded.current),
    scheduled: loaded.versions.filter((row) => row.effectiveFrom > asOf).map(versionView),
    history: newestFirst.map((row) => ({
      version: row.version,
      effectiveFrom: row.effectiveFrom,
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
      note: row.note,
    })),
  };
}

/** Serializes settings writes of one installation (version numbers, exports). */
export async function lockInstallation(tx: Executor, installationId: string): Promise<void> {
  await tx
    .select({ id: installations.id })
    .from(installations)
    .where(eq(installations.id, installationId))
    .for('update');
}

/** PUT /api/v1/settings/program: validates the terms with every rule and adds a version. */
export async function saveProgramVersion(
  deps: Deps,
  input: { installationId: string; actor: string; body: PutProgramBody },
): Promise<ProgramSettings> {
  const asOf = todayOf(deps.clock);
  const { installationId, actor, body } = input;
  const effectiveFrom = body.effectiveFrom ?? asOf;
  if (effectiveFrom < asOf) {
    throw new UnprocessableError(
      `a program version cannot take effect before today (${asOf}); past versions stay as they were`,
      { issues: [{ path: 'body.effectiveFrom', message: `must be ${asOf} or later` }] },
    );
  }
  await deps.db.transaction(async (tx) => {
    await lockInstallation(tx, installationId);
    const loaded = await loadProgram(tx, installationId, asOf);
    const version = Math.max(...loaded.versions.map((row) => row.version)) + 1;
    const rules = applyRetirements(loaded.ruleRows.map(ruleOf), loaded.retirements);
    const candidate = assembleProgram(installationId, version, body.terms as ProgramTerms, rules);
    const validated = validateProgram(candidate);
    if (!validated.success) {
      throw new UnprocessableError(
        `the program is inconsistent: ${validated.issues.map((issue) => issue.message).join('; ')}`,
        { issues: validated.issues.map((issue) => ({ ...issue, path: `body.${issue.path}` })) },
      );
    }
    const { id: _id, version: _version, rules: _rules, ...terms } = validated.program;
    await tx.insert(programVersions).values({
      installationId,
      version,
      effectiveFrom,
      document: terms,
      createdBy: actor,
      note: body.note ?? null,
    });
    await tx.insert(auditLog).values({
      installationId,
      origin: 'admin',
      actor,
      action: 'program.version_added',
      objectKind: 'program',
      before: { version: loaded.current.version },
      after: { version, effectiveFrom },
    });
  });
  if (effectiveFrom <= asOf) {
    // Attribution and tier requirements may have changed: ledger and tiers follow.
    await recomputeInstallation(deps, installationId).catch((error: unknown) =>
      deps.log.warn({ err: error, installationId }, 'could not schedule recomputation'),
    );
  }
  return programSettings(deps.db, installationId, asOf);
}
