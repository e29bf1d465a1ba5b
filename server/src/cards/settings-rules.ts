import {
  type CommissionRule,
  commissionRuleSchema,
  createRuleBook,
  type IsoDate,
  rulesInForce,
  specificity,
} from '@partnerbridge/shared';
import type {
  CreateRuleBody,
  ProgramTerms,
  RetireRuleBody,
  RuleAmbiguityView,
  RuleDraft,
  RuleSaved,
  RulesSettings,
  RuleVersionBody,
  RuleVersionView,
  RuleView,
} from '@partnerbridge/shared/api';
import type { Executor } from '../db/database.ts';
import { auditLog } from '../db/schema/audit.ts';
import { commissionRuleRetirements, commissionRuleVersions } from '../db/schema/program.ts';
import { ConflictError, type ErrorIssue, NotFoundError, UnprocessableError } from '../errors.ts';
import type { Services } from '../services.ts';
import { todayOf } from './dates.ts';
import { toMoneyView } from './money-view.ts';
import {
  applyRetirements,
  assembleProgram,
  type LoadedProgram,
  loadProgram,
  type RuleVersionRow,
  ruleOf,
  validateProgram,
} from './program-store.ts';
import { recomputeInstallation } from './recompute.ts';
import { findAmbiguities, type RuleAmbiguity } from './rule-ambiguity.ts';
import { lockInstallation } from './settings-program.ts';

// Commission rules: versioned and effective-dated. Creating a rule, adding a version and retiring
// one each append a row; nothing is edited in place. A save that would make two rules tie on some
// deal is refused (422) naming both, before any deal meets the tie.

type Deps = Pick<Services, 'db' | 'clock' | 'queues' | 'log'>;

export function ambiguityView(ambiguity: RuleAmbiguity): RuleAmbiguityView {
  const [a, b] = ambiguity.rules;
  return {
    rules: [
      { id: a.id, version: a.version, name: a.name },
      { id: b.id, version: b.version, name: b.name },
    ],
    from: ambiguity.from,
    to: ambiguity.to,
    message: ambiguity.message,
  };
}

function versionView(rule: CommissionRule, row: RuleVersionRow | undefined): RuleVersionView {
  return {
    ruleId: rule.id,
    version: rule.version,
    name: rule.name,
    effectiveFrom: rule.effectiveFrom,
    effectiveTo: rule.effectiveTo ?? null,
    match: rule.match,
    payout: rule.payout,
    base: rule.base,
    schedule: rule.schedule,
    cap: rule.cap === undefined ? null : toMoneyView(rule.cap),
    holdingDays: rule.holdingDays,
    clawbackDays: rule.clawbackDays,
    specificity: specificity(rule),
    createdBy: row?.createdBy ?? 'partnerbridge',
    createdAt: (row?.createdAt ?? new Date(0)).toISOString(),
    note: row?.note ?? null,
  };
}

function ruleViews(loaded: LoadedProgram, asOf: IsoDate): RuleView[] {
  const applied = applyRetirements(loaded.ruleRows.map(ruleOf), loaded.retirements);
  const rowOf = new Map(loaded.ruleRows.map((row) => [`${row.ruleId}@${row.version}`, row]));
  const inForce = new Map(
    rulesInForce(createRuleBook(applied), asOf).map((rule) => [rule.id as string, rule]),
  );
  const ids = [...new Set(applied.map((rule) => rule.id as string))].sort();
  return ids.map((ruleId) => {
    const versions = applied
      .filter((rule) => rule.id === ruleId)
      .sort((a, b) => a.version - b.version);
    const current = inForce.get(ruleId);
    const latest = versions.at(-1);
    const status =
      current !== undefined
        ? 'active'
        : versions.some((rule) => rule.effectiveFrom > asOf)
          ? 'scheduled'
          : 'retired';
    return {
      ruleId,
      name: (current ?? latest)?.name ?? ruleId,
      status,
      current:
        current === undefined
          ? null
          : versionView(current, rowOf.get(`${current.id}@${current.version}`)),
      versions: versions.map((rule) => versionView(rule, rowOf.get(`${rule.id}@${rule.version}`))),
    };
  });
}

export async function rulesSettings(
  db: Executor,
  installationId: string,
  asOf: IsoDate,
): Promise<RulesSettings> {
  const loaded = await loadProgram(db, installationId, asOf);
  return {
    asOf,
    rules: ruleViews(loaded, asOf),
    ambiguities: findAmbiguities(loaded.program.rules).map(ambiguityView),
  };
}

/** A rule id from a name: "CRM alliance referral" → "crm-alliance-referral". */
export function slugOf(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return slug === '' ? 'rule' : slug;
}

/** The core's rule for a draft, or 422 naming the fields (`body.effectiveTo`, `body.schedule`). */
export function ruleFromDraft(
  ruleId: string,
  version: number,
  draft: RuleDraft | CreateRuleBody | RuleVersionBody,
): CommissionRule {
  const {
    note: _note,
    ruleId: _named,
    idempotencyKey: _key,
    ...document
  } = draft as CreateRuleBody;
  const parsed = commissionRuleSchema.safeParse({ id: ruleId, version, ...document });
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue): ErrorIssue => ({
        path: ['body', ...issue.path.map(String)].join('.'),
        message: issue.message,
      }),
    );
    throw new UnprocessableError(
      `invalid rule: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      { issues },
    );
  }
  return parsed.data;
}

/**
 * Checks the rules with a change applied: the whole program must stay valid (known tiers and
 * subtypes, program currency, versions moving forward) and no tie may involve the saved rule.
 */
function checkRules(
  loaded: LoadedProgram,
  installationId: string,
  rules: readonly CommissionRule[],
  touching: string,
): void {
  const candidate = assembleProgram(
    installationId,
    loaded.current.version,
    loaded.current.document as ProgramTerms,
    rules,
  );
  const validated = validateProgram(candidate);
  if (!validated.success) {
    throw new UnprocessableError(
      `the rules would be inconsistent: ${validated.issues.map((issue) => issue.message).join('; ')}`,
      { issues: validated.issues.map((issue) => ({ ...issue, path: `body (${issue.path})` })) },
    );
  }
  const ties = findAmbiguities(rules, touching);
  if (ties.length > 0) {
    throw new UnprocessableError(ties.map((tie) => tie.message).join(' '), {
      issues: ties.map((tie) => ({
        path: 'body.match',
        message: tie.message,
        code: 'ambiguous_rules',
      })),
    });
  }
}

function notBeforeToday(day: string, asOf: IsoDate, field: string): void {
  if (day < asOf) {
    throw new UnprocessableError(
      `${field} cannot be before today (${asOf}): a deal is paid by the rules in force when it closed, so the past is not rewritten (try it in the what-if simulation instead)`,
      { issues: [{ path: `body.${field}`, message: `must be ${asOf} or later` }] },
    );
  }
}

async function saveRule(
  deps: Deps,
  input: { installationId: string; actor: string },
  change: (
    tx: Executor,
    loaded: LoadedProgram,
    asOf: IsoDate,
  ) => Promise<{ ruleId: string; version: number; action: string; after: unknown }>,
): Promise<RuleSaved> {
  const asOf = todayOf(deps.clock);
  const saved = await deps.db.transaction(async (tx) => {
    await lockInstallation(tx, input.installationId);
    const loaded = await loadProgram(tx, input.installationId, asOf);
    const result = await change(tx, loaded, asOf);
    await tx.insert(auditLog).values({
      installationId: input.installationId,
      origin: 'admin',
      actor: input.actor,
      action: result.action,
      objectKind: 'commission_rule',
      after: result.after ?? null,
    });
    return result;
  });
  await recomputeInstallation(deps, input.installationId).catch((error: unknown) =>
    deps.log.warn({ err: error }, 'could not schedule recomputation'),
  );
  const settings = await rulesSettings(deps.db, input.installationId, asOf);
  const rule = settings.rules.find((view) => view.ruleId === saved.ruleId);
  const version = rule?.versions.find((view) => view.version === saved.version);
  if (rule === undefined || version === undefined) throw new Error('saved rule not found');
  return { rule, saved: { id: saved.ruleId, version: saved.version, name: version.name } };
}

async function insertVersion(
  tx: Executor,
  installationId: string,
  actor: string,
  rule: CommissionRule,
  note: string | undefined,
): Promise<void> {
  await tx.insert(commissionRuleVersions).values({
    installationId,
    ruleId: rule.id,
    version: rule.version,
    effectiveFrom: rule.effectiveFrom,
    effectiveTo: rule.effectiveTo ?? null,
    document: rule,
    createdBy: actor,
    note: note ?? null,
  });
}

/** POST /api/v1/settings/rules */
export function createRule(
  deps: Deps,
  input: { installationId: string; actor: string; body: CreateRuleBody },
): Promise<RuleSaved> {
  return saveRule(deps, input, async (tx, loaded, asOf) => {
    const { body } = input;
    const ruleId = body.ruleId ?? slugOf(body.name);
    if (loaded.ruleRows.some((row) => row.ruleId === ruleId)) {
      throw new ConflictError(
        `a rule with id "${ruleId}" already exists; add a version to it (POST /api/v1/settings/rules/${ruleId}/versions) or choose another ruleId`,
      );
    }
    notBeforeToday(body.effectiveFrom, asOf, 'effectiveFrom');
    const rule = ruleFromDraft(ruleId, 1, body);
    const rules = [...applyRetirements(loaded.ruleRows.map(ruleOf), loaded.retirements), rule];
    checkRules(loaded, input.installationId, rules, ruleId);
    await insertVersion(tx, input.installationId, input.actor, rule, body.note);
    return { ruleId, version: 1, action: 'rule.created', after: rule };
  });
}

/** POST /api/v1/settings/rules/:ruleId/versions */
export function addRuleVersion(
  deps: Deps,
  input: { installationId: string; actor: string; ruleId: string; body: RuleVersionBody },
): Promise<RuleSaved> {
  return saveRule(deps, input, async (tx, loaded, asOf) => {
    const { ruleId, body } = input;
    const existing = loaded.ruleRows.filter((row) => row.ruleId === ruleId);
    if (existing.length === 0) throw new NotFoundError(`no rule "${ruleId}" in this portal`);
    notBeforeToday(body.effectiveFrom, asOf, 'effectiveFrom');
    const version = Math.max(...existing.map((row) => row.version)) + 1;
    const rule = ruleFromDraft(ruleId, version, body);
    const rules = [...applyRetirements(loaded.ruleRows.map(ruleOf), loaded.retirements), rule];
    checkRules(loaded, input.installationId, rules, ruleId);
    await insertVersion(tx, input.installationId, input.actor, rule, body.note);
    return { ruleId, version, action: 'rule.version_added', after: rule };
  });
}

/** POST /api/v1/settings/rules/:ruleId/retire */
export function retireRule(
  deps: Deps,
  input: { installationId: string; actor: string; ruleId: string; body: RetireRuleBody },
): Promise<RuleSaved> {
  return saveRule(deps, input, async (tx, loaded, asOf) => {
    const { ruleId, body } = input;
    const existing = loaded.ruleRows.filter((row) => row.ruleId === ruleId);
    if (existing.length === 0) throw new NotFoundError(`no rule "${ruleId}" in this portal`);
    notBeforeToday(body.effectiveTo, asOf, 'effectiveTo');
    if (!existing.some((row) => row.effectiveFrom < body.effectiveTo)) {
      throw new UnprocessableError(
        `rule "${ruleId}" takes effect only on or after ${body.effectiveTo}; nothing to retire then`,
        { issues: [{ path: 'body.effectiveTo', message: 'after the first version takes effect' }] },
      );
    }
    const latest = existing.reduce((a, b) => (a.version > b.version ? a : b));
    await tx.insert(commissionRuleRetirements).values({
      installationId: input.installationId,
      ruleId,
      effectiveTo: body.effectiveTo,
      createdBy: input.actor,
      note: body.note ?? null,
    });
    return {
      ruleId,
      version: latest.version,
      action: 'rule.retired',
      after: { ruleId, effectiveTo: body.effectiveTo },
    };
  });
}
