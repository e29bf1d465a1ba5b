import {
  type Deal,
  defaultProgram,
  exportIdSchema,
  exportPayableCommissions,
  type LedgerLine,
  lineStatus,
  linesForDeal,
  type Partner,
  type PartnerTag,
  type Payment,
  type Program,
  reconcileLedger,
  summarizeCommissions,
} from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { aDeal, aPartnerAt, aProgram, aRule, aTag, eur, fxTable, noFx, usd } from './builders.ts';

const gold = aPartnerAt('gold');
const agency = aPartnerAt('silver', { id: 'agency-1', subtype: 'agency' });

type Inputs = {
  deals: Deal[];
  tags?: PartnerTag[];
  partners?: Partner[];
  program?: Program;
  existing?: LedgerLine[];
  asOf: string;
  fx?: ReturnType<typeof fxTable>;
};

function reconcile({
  deals,
  tags = [aTag()],
  partners = [gold, agency],
  program = defaultProgram,
  existing = [],
  asOf,
  fx = noFx,
}: Inputs) {
  return reconcileLedger({ program, partners, fx, deals, tags, existing, asOf });
}

/** Reconciles and checks that reconciling again with the result appended adds nothing. */
function step(inputs: Inputs): LedgerLine[] {
  const { lines } = reconcile(inputs);
  const ledger = [...(inputs.existing ?? []), ...lines];
  expect(reconcile({ ...inputs, existing: ledger }).lines).toEqual([]);
  return lines;
}

const won = aDeal({ amount: usd(80_000), closeDate: '2025-03-01' });

describe('reconcileLedger', () => {
  it('accrues a won deal once, with everything needed to audit it', () => {
    expect(step({ deals: [won], asOf: '2025-03-01' })).toEqual([
      {
        id: 'deal-1:partner-1:1:0',
        dealId: 'deal-1',
        partnerId: 'partner-1',
        ruleId: 'channel-tier-commission',
        ruleVersion: 1,
        kind: 'accrual',
        period: 1,
        periods: 1,
        effectiveOn: '2025-03-01',
        payableOn: '2025-03-31',
        clawbackUntil: '2025-05-30',
        base: usd(80_000),
        rate: '0.15',
        fx: null,
        amount: usd(12_000),
        explanation: 'Gold tier 15 % of $80,000.00 credited (100 % of $80,000.00) = $12,000.00',
      },
    ]);
  });

  it('accrues nothing for open deals, lost deals, or deals closing after asOf', () => {
    const open = aDeal({ stage: 'open', probability: '0.5' });
    const lost = aDeal({ stage: 'lost' });
    expect(step({ deals: [open], asOf: '2025-06-01' })).toEqual([]);
    expect(step({ deals: [lost], asOf: '2025-06-01' })).toEqual([]);
    expect(step({ deals: [won], asOf: '2025-02-28' })).toEqual([]);
  });

  it('records the FX rate locked at the close date on a multi-currency deal', () => {
    const fx = fxTable([{ base: 'EUR', quote: 'USD', on: '2025-02-28', rate: '1.085' }]);
    const [line] = step({ deals: [aDeal({ amount: eur(10_000) })], asOf: '2025-03-10', fx });
    expect(line).toMatchObject({
      base: eur(10_000),
      amount: usd(1_627.5),
      fx: {
        from: 'EUR',
        to: 'USD',
        requestedOn: '2025-03-01',
        quote: { on: '2025-02-28', rate: '1.085' },
      },
    });
  });

  it('adjusts, never rewrites, when a won deal changes', () => {
    const accrued = step({ deals: [won], asOf: '2025-03-01' });
    const bigger = step({
      deals: [aDeal({ amount: usd(100_000) })],
      existing: accrued,
      asOf: '2025-03-20',
    });
    expect(bigger).toMatchObject([
      {
        id: 'deal-1:partner-1:1:1',
        kind: 'adjustment',
        amount: usd(3_000),
        effectiveOn: '2025-03-20',
        payableOn: '2025-03-31',
        explanation:
          'Adjusted by +$3,000.00 to $15,000.00: Gold tier 15 % of $100,000.00 credited (100 % of $100,000.00) = $15,000.00',
      },
    ]);
    const smaller = step({
      deals: [aDeal({ amount: usd(60_000) })],
      existing: [...accrued, ...bigger],
      asOf: '2025-04-10',
    });
    expect(smaller).toMatchObject([
      {
        id: 'deal-1:partner-1:1:2',
        kind: 'adjustment',
        amount: usd(-6_000),
        payableOn: '2025-04-10',
      },
    ]);
  });

  describe('clawbacks', () => {
    const accrued = () => step({ deals: [won], asOf: '2025-03-01' });

    it('reverses a refund inside the clawback window', () => {
      const refunded = aDeal({ reversal: { reason: 'refunded', on: '2025-05-30' } });
      expect(step({ deals: [refunded], existing: accrued(), asOf: '2025-06-15' })).toMatchObject([
        {
          id: 'deal-1:partner-1:1:1',
          kind: 'reversal',
          amount: usd(-12_000),
          effectiveOn: '2025-05-30',
          explanation:
            'Reversed $12,000.00: deal refunded on 2025-05-30, inside the clawback window (until 2025-05-30).',
        },
      ]);
    });

    it('reverses a won deal later lost, as of the day it was lost', () => {
      const lost = aDeal({
        stage: 'lost',
        rawStage: 'closedlost',
        reversal: { reason: 'lost', on: '2025-04-02' },
      });
      expect(step({ deals: [lost], existing: accrued(), asOf: '2025-04-02' })).toMatchObject([
        { kind: 'reversal', amount: usd(-12_000), payableOn: '2025-04-02' },
      ]);
    });

    it('keeps the commission after the window and records why', () => {
      const late = aDeal({ reversal: { reason: 'refunded', on: '2025-05-31' } });
      expect(step({ deals: [late], existing: accrued(), asOf: '2025-07-01' })).toMatchObject([
        {
          id: 'deal-1:partner-1:1:1',
          kind: 'retained',
          amount: usd(0),
          explanation:
            'Kept $12,000.00: deal refunded on 2025-05-31, after the clawback window closed on 2025-05-30.',
        },
      ]);
    });

    it('takes nothing back from a change noticed after the window either', () => {
      const smaller = aDeal({ amount: usd(40_000) });
      expect(step({ deals: [smaller], existing: accrued(), asOf: '2025-06-01' })).toMatchObject([
        {
          kind: 'retained',
          explanation:
            'Kept $12,000.00: the amount dropped on 2025-06-01, after the clawback window closed on 2025-05-30.',
        },
      ]);
    });

    it('adjusts to zero when a partner is untagged inside the window, and says why', () => {
      expect(
        step({ deals: [won], tags: [], existing: accrued(), asOf: '2025-03-15' }),
      ).toMatchObject([
        {
          kind: 'adjustment',
          amount: usd(-12_000),
          explanation:
            'Adjusted by -$12,000.00 to $0.00: partner partner-1 earns nothing for period 1 of deal deal-1 any more',
        },
      ]);
    });

    it('adjusts to zero when a deal is reopened inside the window', () => {
      const reopened = aDeal({ stage: 'open', probability: '0.9' });
      expect(step({ deals: [reopened], existing: accrued(), asOf: '2025-03-15' })).toMatchObject([
        {
          kind: 'adjustment',
          amount: usd(-12_000),
          explanation: 'Adjusted by -$12,000.00 to $0.00: deal deal-1 is no longer won',
        },
      ]);
    });

    it('explains the rule when a partner stops earning through no credit', () => {
      const influencedNow = [aTag({ role: 'influenced' })];
      expect(
        step({ deals: [won], tags: influencedNow, existing: accrued(), asOf: '2025-03-15' })[0]
          ?.explanation,
      ).toBe(
        'Adjusted by -$12,000.00 to $0.00: No credit, no commission: 0 % of $80,000.00 (influenced: recorded, no credit under sourced-takes-all)',
      );
    });
  });

  describe('a recurring agency commission over 12 months', () => {
    const contract = aDeal({ amount: usd(12_000), contractMonths: 12, closeDate: '2025-01-15' });
    const tags = [aTag({ partnerId: 'agency-1' })];

    it('accrues each month as it starts, each payable after its month plus the holding period', () => {
      const first = step({ deals: [contract], tags, asOf: '2025-03-20' });
      expect(
        first.map((line) => [line.id, line.effectiveOn, line.payableOn, line.amount.amountMinor]),
      ).toEqual([
        ['deal-1:agency-1:1:0', '2025-01-15', '2025-03-17', 20_000],
        ['deal-1:agency-1:2:0', '2025-02-15', '2025-04-14', 20_000],
        ['deal-1:agency-1:3:0', '2025-03-15', '2025-05-15', 20_000],
      ]);
      const rest = step({ deals: [contract], tags, existing: first, asOf: '2026-01-15' });
      const ledger = [...first, ...rest];
      expect(ledger).toHaveLength(12);
      expect(ledger.reduce((sum, line) => sum + line.amount.amountMinor, 0)).toBe(240_000);
      expect(ledger.at(-1)).toMatchObject({ period: 12, periods: 12, payableOn: '2026-02-14' });
    });

    it('stops at a churn: later months are never earned, earlier ones outside the window are kept', () => {
      const ledger = step({ deals: [contract], tags, asOf: '2025-06-20' });
      expect(ledger).toHaveLength(6);
      const churned = aDeal({ ...contract, reversal: { reason: 'churned', on: '2025-05-01' } });
      const after = step({ deals: [churned], tags, existing: ledger, asOf: '2025-09-01' });
      expect(after.map((line) => [line.period, line.kind, line.amount.amountMinor])).toEqual([
        [1, 'retained', 0],
        [2, 'retained', 0],
        [3, 'retained', 0],
        [4, 'retained', 0],
        [5, 'reversal', -20_000],
        [6, 'reversal', -20_000],
      ]);
      expect(after[4]?.explanation).toBe(
        'Reversed $200.00: deal churned on 2025-05-01, before this period started.',
      );
    });

    it('claws every month back when the customer churns inside the window', () => {
      const ledger = step({ deals: [contract], tags, asOf: '2025-03-20' });
      const churned = aDeal({ ...contract, reversal: { reason: 'churned', on: '2025-04-01' } });
      const after = step({ deals: [churned], tags, existing: ledger, asOf: '2025-12-01' });
      expect(after.map((line) => [line.period, line.kind])).toEqual([
        [1, 'reversal'],
        [2, 'reversal'],
        [3, 'reversal'],
      ]);
    });
  });

  it('leaves a slot alone and reports why when its rule is ambiguous', () => {
    const accrued = step({ deals: [won], asOf: '2025-03-01' });
    const twin = aRule({ id: 'twin-a', name: 'Twin A', match: { partnerSubtype: 'reseller' } });
    const other = aRule({ id: 'twin-b', name: 'Twin B', match: { partnerSubtype: 'reseller' } });
    const program = aProgram({ rules: [...defaultProgram.rules, twin, other] });
    const result = reconcile({ deals: [won], existing: accrued, program, asOf: '2025-03-15' });
    expect(result.lines).toEqual([]);
    expect(result.issues).toMatchObject([
      { dealId: 'deal-1', partnerId: 'partner-1', error: { code: 'ambiguous_rules' } },
    ]);
  });

  it('reports a deal whose tags cannot be attributed, without touching its lines', () => {
    const accrued = step({ deals: [won], asOf: '2025-03-01' });
    const result = reconcile({
      deals: [won],
      tags: [aTag(), aTag()],
      existing: accrued,
      asOf: '2025-03-15',
    });
    expect(result).toMatchObject({ lines: [], issues: [{ dealId: 'deal-1', partnerId: null }] });
  });

  it('only reconciles the deals it is given', () => {
    const accrued = step({ deals: [won], asOf: '2025-03-01' });
    const another = aDeal({ id: 'deal-2' });
    expect(step({ deals: [another], tags: [], existing: accrued, asOf: '2025-04-01' })).toEqual([]);
    expect(linesForDeal(accrued, won.id)).toHaveLength(1);
  });
});

describe('payable, paid and the tier card totals', () => {
  const deals = [won, aDeal({ id: 'deal-2', amount: usd(20_000), closeDate: '2025-04-20' })];
  const tags = [aTag(), aTag({ dealId: 'deal-2' })];
  const ledger = reconcile({ deals, tags, asOf: '2025-05-01' }).lines;
  const exportId = exportIdSchema.parse('export-2025-05');

  it('derives each line status from its payable date and payments', () => {
    const [first, second] = ledger;
    if (first === undefined || second === undefined) throw new Error('missing lines');
    const paid = new Set([first.id]);
    expect(lineStatus(first, paid, '2025-05-01')).toBe('paid');
    expect(lineStatus(second, paid, '2025-05-01')).toBe('pending');
    expect(lineStatus(second, paid, '2025-05-20')).toBe('payable');
  });

  it('exports payable lines once, and the totals follow', () => {
    const exported = exportPayableCommissions({
      lines: ledger,
      payments: [],
      exportId,
      asOf: '2025-05-01',
    });
    expect(exported).toEqual({
      payments: [{ lineId: 'deal-1:partner-1:1:0', exportId, paidOn: '2025-05-01' }],
      totals: [{ partnerId: 'partner-1', amount: usd(12_000) }],
    });
    const again = exportPayableCommissions({
      lines: ledger,
      payments: exported.payments,
      exportId,
      asOf: '2025-05-01',
    });
    expect(again).toEqual({ payments: [], totals: [] });
    expect(
      summarizeCommissions({
        lines: ledger,
        payments: exported.payments,
        currency: 'USD',
        asOf: '2025-05-01',
      }),
    ).toEqual([
      {
        partnerId: 'partner-1',
        earned: usd(15_000),
        pending: usd(3_000),
        payable: usd(0),
        paid: usd(12_000),
      },
    ]);
  });

  it('carries a negative balance to a later export instead of paying it', () => {
    const payments: Payment[] = exportPayableCommissions({
      lines: ledger,
      payments: [],
      exportId,
      asOf: '2025-05-01',
    }).payments;
    const refunded = aDeal({ reversal: { reason: 'refunded', on: '2025-05-10' } });
    const reversal = reconcile({
      deals: [refunded, deals[1] as Deal],
      tags,
      existing: ledger,
      asOf: '2025-05-10',
    }).lines;
    const all = [...ledger, ...reversal];
    expect(
      summarizeCommissions({ lines: all, payments, currency: 'USD', asOf: '2025-05-10' }),
    ).toEqual([
      {
        partnerId: 'partner-1',
        earned: usd(3_000),
        pending: usd(3_000),
        payable: usd(-12_000),
        paid: usd(12_000),
      },
    ]);
    const nextExport = exportIdSchema.parse('export-2025-05-b');
    expect(
      exportPayableCommissions({ lines: all, payments, exportId: nextExport, asOf: '2025-05-10' })
        .totals,
    ).toEqual([]);
    const stillNegative = exportPayableCommissions({
      lines: all,
      payments,
      exportId: nextExport,
      asOf: '2025-06-30',
    });
    expect(stillNegative.totals).toEqual([]);
  });
});
