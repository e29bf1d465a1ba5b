import type { IsoDate } from './calendar.ts';
import type { Deal, PartnerTag } from './deal.ts';
import { fail, ok, type Result } from './errors.ts';
import type { FxTable } from './fx.ts';
import type { PartnerId } from './ids.ts';
import { type LedgerIssue, reconcileLedger } from './ledger.ts';
import { type CurrencyMismatchError, currencyMismatch, type Money, money } from './money.ts';
import type { Partner } from './partner.ts';
import type { Program } from './program.ts';

export type WhatIfRow = {
  readonly partnerId: PartnerId;
  readonly current: Money;
  readonly proposed: Money;
  /** proposed − current */
  readonly delta: Money;
};

export type WhatIfResult = {
  /** Partners whose commission is non-zero under either program, sorted by id. */
  readonly rows: readonly WhatIfRow[];
  readonly totals: { readonly current: Money; readonly proposed: Money; readonly delta: Money };
  /** Deals or partners a program cannot pay (ambiguous rules, missing FX…): fix before publishing. */
  readonly issues: {
    readonly current: readonly LedgerIssue[];
    readonly proposed: readonly LedgerIssue[];
  };
};

/**
 * Replays closed deals under the current and a proposed program, from an empty ledger each, and
 * compares commissions per partner as of `asOf` (clawbacks and recurring months included). Each
 * partner keeps its recorded tier history: a change of tier thresholds shows in tier evaluation,
 * while a change of rates, rules or attribution model shows here.
 */
export function simulateProgramChange(input: {
  readonly deals: readonly Deal[];
  readonly tags: readonly PartnerTag[];
  readonly partners: readonly Partner[];
  readonly fx: FxTable;
  readonly currentProgram: Program;
  readonly proposedProgram: Program;
  readonly asOf: IsoDate;
}): Result<WhatIfResult, CurrencyMismatchError> {
  const currency = input.currentProgram.currency;
  if (input.proposedProgram.currency !== currency) {
    return fail(currencyMismatch(currency, input.proposedProgram.currency));
  }
  const replay = (program: Program) => {
    const { lines, issues } = reconcileLedger({ ...input, program, existing: [] });
    const byPartner = new Map<PartnerId, number>();
    for (const line of lines) {
      byPartner.set(line.partnerId, (byPartner.get(line.partnerId) ?? 0) + line.amount.amountMinor);
    }
    return { byPartner, issues };
  };
  const current = replay(input.currentProgram);
  const proposed = replay(input.proposedProgram);
  const partnerIds = [...new Set([...current.byPartner.keys(), ...proposed.byPartner.keys()])].sort(
    (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  );
  let currentTotal = 0;
  let proposedTotal = 0;
  const rows: WhatIfRow[] = [];
  for (const partnerId of partnerIds) {
    const before = current.byPartner.get(partnerId) ?? 0;
    const after = proposed.byPartner.get(partnerId) ?? 0;
    currentTotal += before;
    proposedTotal += after;
    if (before === 0 && after === 0) continue;
    rows.push({
      partnerId,
      current: money(before, currency),
      proposed: money(after, currency),
      delta: money(after - before, currency),
    });
  }
  return ok({
    rows,
    totals: {
      current: money(currentTotal, currency),
      proposed: money(proposedTotal, currency),
      delta: money(proposedTotal - currentTotal, currency),
    },
    issues: { current: current.issues, proposed: proposed.issues },
  });
}
