import {
  type AttributionModel,
  addDays,
  allocateByLargestRemainder,
  attributeDeal,
  type Deal,
  defaultProgram,
  type LedgerLine,
  money,
  type PartnerTag,
  qualifyingTier,
  reconcileLedger,
} from '@partnerbridge/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aDeal, aPartner, aProgram, aRule, aTag, usd } from './builders.ts';

const day = (offset: number) => addDays('2024-01-01', offset);

const since2023 = (tier: string) => [{ tier, since: '2023-06-01' }];
const partners = [
  aPartner({ id: 'reseller', tierHistory: since2023('gold') }),
  aPartner({ id: 'agency', subtype: 'agency', tierHistory: since2023('bronze') }),
  aPartner({ id: 'crm', type: 'technology', subtype: 'crm' }),
  aPartner({ id: 'podcast', type: 'content', subtype: 'podcast' }),
  aPartner({ id: 'integrator', subtype: 'system_integrator' }),
  aPartner({ id: 'registered' }),
];

const modelArbitrary: fc.Arbitrary<AttributionModel> = fc.oneof(
  fc.constant({ kind: 'sourced_takes_all' as const }),
  fc.constant({ kind: 'even_split' as const }),
  fc.constant({ kind: 'first_touch' as const }),
  fc.constant({ kind: 'last_touch' as const }),
  fc
    .integer({ min: 1, max: 365 })
    .map((halfLifeDays) => ({ kind: 'time_decay' as const, halfLifeDays })),
  fc
    .tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }))
    .filter(([first, last]) => first + last > 0)
    .map(([first, last]) => ({
      kind: 'position_based' as const,
      firstWeight: (first / 100).toFixed(2),
      lastWeight: (last / 100).toFixed(2),
    })),
);

const tagsArbitrary = (dealId: string) =>
  fc
    .uniqueArray(
      fc.record({
        // weighted toward partners and motions that earn, so most runs produce ledger lines
        partnerId: fc.constantFrom(
          'reseller',
          'agency',
          'crm',
          'podcast',
          'reseller',
          'agency',
          'crm',
          'integrator',
          'registered',
        ),
        role: fc.constantFrom('sourced' as const, 'sourced' as const, 'influenced' as const),
        motion: fc.constantFrom(
          'referral' as const,
          'co_sell' as const,
          'white_label' as const,
          'referral' as const,
          'enterprise' as const,
        ),
        touchedDay: fc.integer({ min: 0, max: 400 }),
        touchedHour: fc.integer({ min: 0, max: 23 }),
      }),
      { selector: (tag) => tag.partnerId, minLength: 1, maxLength: 4 },
    )
    .map((records) =>
      records.map((r) =>
        aTag({
          dealId,
          partnerId: r.partnerId,
          role: r.role,
          motion: r.motion,
          touchedAt: `${day(r.touchedDay)}T${String(r.touchedHour).padStart(2, '0')}:00:00Z`,
        }),
      ),
    );

const dealArbitrary = (id: string) =>
  fc
    .record({
      dollars: fc.integer({ min: 1, max: 5_000_000 }),
      cents: fc.integer({ min: 0, max: 99 }),
      closeDay: fc.integer({ min: 0, max: 400 }),
      stage: fc.constantFrom('won' as const, 'won' as const, 'lost' as const, 'open' as const),
      contractMonths: fc.option(fc.integer({ min: 1, max: 24 }), { nil: undefined }),
      projectDollars: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
      reversal: fc.option(
        fc.record({
          reason: fc.constantFrom('lost' as const, 'refunded' as const, 'churned' as const),
          after: fc.integer({ min: 0, max: 200 }),
        }),
        { nil: undefined },
      ),
    })
    .chain((shape) =>
      tagsArbitrary(id).map((tags) => {
        const closeDate = day(shape.closeDay);
        const deal = aDeal({
          id,
          customerId: `customer-${id}`,
          amount: money(shape.dollars * 100 + shape.cents, 'USD'),
          stage: shape.stage,
          probability: shape.stage === 'open' ? '0.5' : '1',
          createdOn: '2024-01-01',
          closeDate,
          ...(shape.contractMonths === undefined ? {} : { contractMonths: shape.contractMonths }),
          ...(shape.projectDollars === undefined
            ? {}
            : { projectValue: usd(shape.projectDollars) }),
          ...(shape.reversal === undefined || shape.stage === 'open'
            ? {}
            : {
                reversal: {
                  reason: shape.reversal.reason,
                  on: addDays(closeDate, shape.reversal.after),
                },
              }),
        });
        return { deal, tags };
      }),
    );

type Book = { deals: Deal[]; tags: PartnerTag[] };

const bookArbitrary: fc.Arbitrary<Book> = fc
  .integer({ min: 2, max: 8 })
  .chain((count) =>
    fc.tuple(...Array.from({ length: count }, (_, i) => dealArbitrary(`deal-${i}`))),
  )
  .map((entries) => ({ deals: entries.map((e) => e.deal), tags: entries.flatMap((e) => e.tags) }));

/** What can happen to a book later: amounts edited, deals lost, refunded or churned, tags removed. */
const changesArbitrary = (book: Book): fc.Arbitrary<Book> =>
  fc
    .tuple(
      ...book.deals.map((deal) =>
        fc
          .record({
            percent: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
            reversal: fc.option(
              fc.record({
                reason: fc.constantFrom('lost' as const, 'refunded' as const, 'churned' as const),
                after: fc.integer({ min: 0, max: 150 }),
              }),
              { nil: undefined },
            ),
            untag: fc.boolean(),
          })
          .map((change) => ({ deal, change })),
      ),
    )
    .map((changes) => ({
      deals: changes.map(({ deal, change }) =>
        aDeal({
          ...deal,
          ...(change.percent === undefined
            ? {}
            : {
                amount: money(Math.floor((deal.amount.amountMinor * change.percent) / 100), 'USD'),
              }),
          ...(change.reversal === undefined || deal.stage === 'open'
            ? {}
            : {
                stage: change.reversal.reason === 'lost' ? 'lost' : deal.stage,
                reversal: {
                  reason: change.reversal.reason,
                  on: addDays(deal.closeDate, change.reversal.after),
                },
              }),
        }),
      ),
      tags: book.tags.filter(
        (tag) => !changes.some(({ deal, change }) => change.untag && deal.id === tag.dealId),
      ),
    }));

function reconcile(
  deals: Deal[],
  tags: PartnerTag[],
  existing: LedgerLine[],
  asOf: string,
  program = defaultProgram,
) {
  return reconcileLedger({
    program,
    partners,
    fx: { byPair: new Map() },
    deals,
    tags,
    existing,
    asOf,
  }).lines;
}

describe('properties', () => {
  it('allocation parts always sum to the whole, for any amount and any shares', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e15, max: 1e15 }),
        fc
          .array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 1, maxLength: 30 })
          .filter((w) => w.some((x) => x > 0n)),
        (amount, weights) => {
          const parts = allocateByLargestRemainder(money(amount, 'USD'), weights);
          expect(parts.reduce((sum, part) => sum + part.amountMinor, 0)).toBe(amount);
          // no part strays more than one minor unit from its exact share
          const total = weights.reduce((a, b) => a + b, 0n);
          parts.forEach((part, index) => {
            const exact = (Number(weights[index]) / Number(total)) * amount;
            expect(Math.abs(part.amountMinor - exact)).toBeLessThanOrEqual(
              1 + Math.abs(amount) * 1e-12,
            );
          });
        },
      ),
    );
  });

  it('credited parts sum exactly to the deal amount under every model (or to zero)', () => {
    fc.assert(
      fc.property(dealArbitrary('deal-x'), modelArbitrary, ({ deal, tags }, model) => {
        const result = attributeDeal(deal, tags, model);
        if (!result.success) throw new Error(result.error.message);
        const sum = result.data.credits.reduce(
          (total, credit) => total + credit.credited.amountMinor,
          0,
        );
        const nobodySourced =
          model.kind === 'sourced_takes_all' && !tags.some((tag) => tag.role === 'sourced');
        expect(sum).toBe(tags.length === 0 || nobodySourced ? 0 : deal.amount.amountMinor);
        for (const credit of result.data.credits)
          expect(credit.credited.amountMinor).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('reconciling is idempotent, through any sequence of changes', () => {
    const scenario = bookArbitrary.chain((before) =>
      changesArbitrary(before).map((after) => ({ before, after })),
    );
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 100, max: 700 }),
        fc.integer({ min: 0, max: 300 }),
        ({ before, after }, firstDay, laterBy) => {
          const first = reconcile(before.deals, before.tags, [], day(firstDay));
          expect(reconcile(before.deals, before.tags, first, day(firstDay))).toEqual([]);
          const second = reconcile(after.deals, after.tags, first, day(firstDay + laterBy));
          const ledger = [...first, ...second];
          expect(reconcile(after.deals, after.tags, ledger, day(firstDay + laterBy))).toEqual([]);
          expect(new Set(ledger.map((line) => line.id)).size).toBe(ledger.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('more revenue never lowers a tier', () => {
    fc.assert(
      fc.property(
        fc.record({
          certifiedSalespeople: fc.integer({ min: 0, max: 15 }),
          customers: fc.integer({ min: 0, max: 150 }),
          revenue: fc.integer({ min: 0, max: 80_000_000 }),
          extra: fc.integer({ min: 0, max: 80_000_000 }),
          trainingLevel: fc.constantFrom(
            'none' as const,
            'basic' as const,
            'advanced' as const,
            'expert' as const,
          ),
          strategicAgreementSigned: fc.boolean(),
        }),
        ({ revenue, extra, ...facts }) => {
          const rank = (tier: string) => defaultProgram.tiers.findIndex((t) => t.id === tier);
          const lower = qualifyingTier(defaultProgram.tiers, {
            ...facts,
            trailingRevenue: money(revenue, 'USD'),
          });
          const higher = qualifyingTier(defaultProgram.tiers, {
            ...facts,
            trailingRevenue: money(revenue + extra, 'USD'),
          });
          expect(rank(higher)).toBeGreaterThanOrEqual(rank(lower));
        },
      ),
    );
  });

  it('a rule edit effective later never changes the commissions of deals closed before it', () => {
    fc.assert(
      fc.property(
        bookArbitrary,
        fc.constantFrom(...defaultProgram.rules.map((rule) => rule.id)),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 200 }),
        (book, ruleId, percent, afterLastClose) => {
          const lastClose =
            book.deals
              .map((deal) => deal.closeDate)
              .sort()
              .at(-1) ?? '2024-01-01';
          const editedOn = addDays(lastClose, afterLastClose);
          const current = defaultProgram.rules.find((rule) => rule.id === ruleId);
          if (current === undefined) throw new Error(ruleId);
          const edit = aRule({
            ...current,
            version: 2,
            effectiveFrom: editedOn,
            payout: { kind: 'percent', rate: (percent / 100).toFixed(2) },
            cap: usd(1),
          });
          const edited = aProgram({ rules: [...defaultProgram.rules, edit] });
          const asOf = addDays(editedOn, 400);
          expect(reconcile(book.deals, book.tags, [], asOf, edited)).toEqual(
            reconcile(book.deals, book.tags, [], asOf),
          );
        },
      ),
    );
  });
});
