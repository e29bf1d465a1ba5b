import {
  type CommissionRule,
  type IsoDate,
  type LedgerIssue,
  simulateProgramChange,
  wasWon,
} from '@partnerbridge/shared';
import type {
  ComputationIssueView,
  ProgramTerms,
  WhatIfBody,
  WhatIfResult,
} from '@partnerbridge/shared/api';
import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { partners } from '../db/schema/partners.ts';
import { UnprocessableError } from '../errors.ts';
import { moneyView, toMoneyView } from './money-view.ts';
import {
  applyRetirements,
  assembleProgram,
  loadFxTable,
  loadProgram,
  ruleOf,
  validateProgram,
} from './program-store.ts';
import {
  type DealRow,
  type PartnerRow,
  toCoreDeal,
  toCorePartner,
  toCoreTag,
} from './projection.ts';
import { findAmbiguities } from './rule-ambiguity.ts';
import { ambiguityView, ruleFromDraft, slugOf } from './settings-rules.ts';
import { partnerRef } from './views.ts';

// What-if: the current program and a proposed one replayed over closed deals from an empty ledger
// each (the core's simulateProgramChange), compared per partner. Nothing is saved.

export function issueViews(
  issues: readonly LedgerIssue[],
  dealsById: ReadonlyMap<string, DealRow>,
  partnersById: ReadonlyMap<string, PartnerRow>,
): ComputationIssueView[] {
  return issues.map((issue) => {
    const deal = dealsById.get(issue.dealId);
    return {
      dealId: issue.dealId,
      hubspotDealId: deal?.hubspotDealId ?? null,
      dealName: deal?.name ?? issue.dealId,
      partnerId: issue.partnerId,
      partnerName:
        issue.partnerId === null ? null : (partnersById.get(issue.partnerId)?.name ?? null),
      code: issue.error.code,
      message: issue.error.message,
    };
  });
}

export async function simulateWhatIf(
  db: Executor,
  installationId: string,
  body: WhatIfBody,
  asOf: IsoDate,
): Promise<WhatIfResult> {
  const [loaded, fx, dealRows, tagRows, partnerRows] = await Promise.all([
    loadProgram(db, installationId, asOf),
    loadFxTable(db, installationId),
    db
      .select()
      .from(deals)
      .where(and(eq(deals.installationId, installationId), isNull(deals.archivedAt))),
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
    db.select().from(partners).where(eq(partners.installationId, installationId)),
  ]);

  const stored = loaded.ruleRows.map(ruleOf);
  const drafts: CommissionRule[] = [];
  for (const [index, draft] of (body.rules ?? []).entries()) {
    const ruleId = draft.ruleId ?? slugOf(draft.name);
    const versions = [...stored, ...drafts].filter((rule) => rule.id === ruleId);
    const version = Math.max(0, ...versions.map((rule) => rule.version)) + 1;
    try {
      drafts.push(ruleFromDraft(ruleId, version, draft));
    } catch (error) {
      if (!(error instanceof UnprocessableError)) throw error;
      throw new UnprocessableError(`body.rules[${index}]: ${error.message}`, {
        issues: (error.issues ?? []).map((issue) => ({
          ...issue,
          path: issue.path.replace(/^body/, `body.rules[${index}]`),
        })),
      });
    }
  }
  const retirements = [
    ...loaded.retirements,
    ...(body.retire ?? []).map((retire) => ({
      ruleId: retire.ruleId,
      effectiveTo: retire.effectiveTo,
    })),
  ];
  const proposedRules = applyRetirements([...stored, ...drafts], retirements);
  const terms =
    (body.terms as ProgramTerms | undefined) ?? (loaded.current.document as ProgramTerms);
  const validated = validateProgram(
    assembleProgram(installationId, loaded.current.version + 1, terms, proposedRules),
  );
  if (!validated.success) {
    throw new UnprocessableError(
      `the proposal is inconsistent: ${validated.issues.map((issue) => issue.message).join('; ')}`,
      { issues: validated.issues.map((issue) => ({ ...issue, path: `body.${issue.path}` })) },
    );
  }
  const proposed = validated.program;

  const inPeriod = (row: DealRow) =>
    body.period === undefined ||
    (row.closeDate >= body.period.from && row.closeDate <= body.period.to);
  const closed = dealRows.flatMap((row) => {
    if (!inPeriod(row)) return [];
    const converted = toCoreDeal(row);
    return converted.success && wasWon(converted.data) ? [converted.data] : [];
  });
  const closedIds = new Set<string>(closed.map((deal) => deal.id));
  const simulated = simulateProgramChange({
    deals: closed,
    tags: tagRows.filter((row) => closedIds.has(row.dealId)).map(toCoreTag),
    partners: partnerRows.map(toCorePartner),
    fx,
    currentProgram: loaded.program,
    proposedProgram: proposed,
    asOf,
  });
  if (!simulated.success) {
    throw new UnprocessableError(simulated.error.message, {
      issues: [{ path: 'body.terms.currency', message: simulated.error.message }],
    });
  }
  const dealsById = new Map(dealRows.map((row) => [row.id, row]));
  const partnersById = new Map(partnerRows.map((row) => [row.id, row]));
  const drafted = new Set<string>(drafts.map((rule) => rule.id));
  const { rows, totals, issues } = simulated.data;
  return {
    asOf,
    period: body.period ?? null,
    dealsReplayed: closed.length,
    currency: loaded.program.currency,
    rows: rows
      .flatMap((row) => {
        const partner = partnersById.get(row.partnerId);
        return partner === undefined
          ? []
          : [
              {
                partner: partnerRef(partner, proposed),
                current: toMoneyView(row.current),
                proposed: toMoneyView(row.proposed),
                delta: toMoneyView(row.delta),
              },
            ];
      })
      .sort((a, b) => a.partner.name.localeCompare(b.partner.name)),
    totals: {
      current: moneyView(totals.current.amountMinor, totals.current.currency),
      proposed: moneyView(totals.proposed.amountMinor, totals.proposed.currency),
      delta: moneyView(totals.delta.amountMinor, totals.delta.currency),
    },
    issues: {
      current: issueViews(issues.current, dealsById, partnersById),
      proposed: issueViews(issues.proposed, dealsById, partnersById),
    },
    ambiguities: findAmbiguities(proposed.rules)
      .filter((tie) => drafted.has(tie.rules[0].id) || drafted.has(tie.rules[1].id))
      .map(ambiguityView),
  };
}
