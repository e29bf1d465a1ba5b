import {
  type AttributionModel,
  attributeDeal,
  compareTouches,
  InvariantError,
  type PartnerTag,
} from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { aDeal, aTag, cents, usd } from './builders.ts';

const deal = aDeal({ amount: usd(80_000), closeDate: '2025-03-01' });

function credits(model: AttributionModel, tags: PartnerTag[], amount = deal.amount) {
  const result = attributeDeal({ ...deal, amount }, tags, model);
  if (!result.success) throw new Error(result.error.message);
  return result.data.credits.map((credit) => [
    credit.partnerId,
    credit.credited.amountMinor,
    credit.explanation,
  ]);
}

const early = aTag({ partnerId: 'partner-a', touchedAt: '2025-01-05T10:00:00Z' });
const middle = aTag({
  partnerId: 'partner-b',
  touchedAt: '2025-02-01T10:00:00Z',
  role: 'influenced',
});
const late = aTag({
  partnerId: 'partner-c',
  touchedAt: '2025-02-20T10:00:00Z',
  role: 'influenced',
});

describe('attributeDeal', () => {
  describe('sourced takes all (the default)', () => {
    it('credits the sourced partner with everything and records influence at zero', () => {
      expect(credits({ kind: 'sourced_takes_all' }, [late, early])).toEqual([
        ['partner-a', 8_000_000, '100 % of $80,000.00 (sourced: takes all)'],
        [
          'partner-c',
          0,
          '0 % of $80,000.00 (influenced: recorded, no credit under sourced-takes-all)',
        ],
      ]);
    });

    it('gives everything to the first sourced partner when two claim it', () => {
      const second = aTag({ partnerId: 'partner-z', touchedAt: '2025-01-06T10:00:00Z' });
      expect(
        credits({ kind: 'sourced_takes_all' }, [second, early]).map(([id, amount]) => [id, amount]),
      ).toEqual([
        ['partner-a', 8_000_000],
        ['partner-z', 0],
      ]);
    });

    it('credits nobody when nobody sourced the deal', () => {
      expect(credits({ kind: 'sourced_takes_all' }, [middle]).map(([, amount]) => amount)).toEqual([
        0,
      ]);
    });
  });

  it('even split: equal parts, the odd cent to the earliest touch', () => {
    expect(credits({ kind: 'even_split' }, [late, middle, early], cents(100))).toEqual([
      ['partner-a', 34, '34 % of $1.00 (even split of 3 partners)'],
      ['partner-b', 33, '33 % of $1.00 (even split of 3 partners)'],
      ['partner-c', 33, '33 % of $1.00 (even split of 3 partners)'],
    ]);
  });

  it('explicit split: the shares the tags carry', () => {
    const tags = [aTag({ ...early, share: '0.7' }), aTag({ ...late, share: '0.3' })];
    expect(credits({ kind: 'explicit_split' }, tags)).toEqual([
      ['partner-a', 5_600_000, '70 % of $80,000.00 (explicit split)'],
      ['partner-c', 2_400_000, '30 % of $80,000.00 (explicit split)'],
    ]);
  });

  it('explicit split: shares must be present and add up to exactly 100 %', () => {
    const missing = attributeDeal(deal, [aTag({ ...early, share: '1' }), late], {
      kind: 'explicit_split',
    });
    expect(missing).toMatchObject({ success: false, error: { code: 'invalid_shares' } });
    const short = attributeDeal(
      deal,
      [aTag({ ...early, share: '0.5' }), aTag({ ...late, share: '0.49' })],
      {
        kind: 'explicit_split',
      },
    );
    expect(short).toMatchObject({
      success: false,
      error: {
        code: 'invalid_shares',
        message: 'deal deal-1: explicit shares must add up to exactly 100 %',
      },
    });
  });

  it('first touch: the earliest touch takes all', () => {
    expect(
      credits({ kind: 'first_touch' }, [late, early]).map(([id, amount]) => [id, amount]),
    ).toEqual([
      ['partner-a', 8_000_000],
      ['partner-c', 0],
    ]);
  });

  it('last touch: the latest touch takes all', () => {
    expect(credits({ kind: 'last_touch' }, [late, early])).toEqual([
      ['partner-a', 0, '0 % of $80,000.00 (last touch went to another partner)'],
      ['partner-c', 8_000_000, '100 % of $80,000.00 (last touch)'],
    ]);
  });

  it('time decay: a touch one half-life older weighs half as much', () => {
    const recent = aTag({ partnerId: 'partner-r', touchedAt: '2025-02-27T00:00:00Z' });
    const older = aTag({ partnerId: 'partner-o', touchedAt: '2025-01-28T00:00:00Z' });
    expect(credits({ kind: 'time_decay', halfLifeDays: 30 }, [recent, older], cents(300))).toEqual([
      [
        'partner-o',
        100,
        '33.33 % of $3.00 (time decay, half-life 30 days: touched 32 days before close)',
      ],
      [
        'partner-r',
        200,
        '66.67 % of $3.00 (time decay, half-life 30 days: touched 2 days before close)',
      ],
    ]);
  });

  it('time decay: touches after the close date count as touching at close', () => {
    const after = aTag({ partnerId: 'partner-x', touchedAt: '2025-03-05T00:00:00Z' });
    const atClose = aTag({ partnerId: 'partner-y', touchedAt: '2025-03-01T00:00:00Z' });
    expect(
      credits({ kind: 'time_decay', halfLifeDays: 7 }, [after, atClose], cents(10)).map(
        ([, a]) => a,
      ),
    ).toEqual([5, 5]);
  });

  it('position-based: 40 % first, 40 % last, the rest shared by the middle', () => {
    const extra = aTag({ partnerId: 'partner-d', touchedAt: '2025-02-10T10:00:00Z' });
    const model: AttributionModel = {
      kind: 'position_based',
      firstWeight: '0.4',
      lastWeight: '0.4',
    };
    expect(credits(model, [early, middle, extra, late], usd(1_000))).toEqual([
      ['partner-a', 40_000, '40 % of $1,000.00 (position-based: first touch)'],
      ['partner-b', 10_000, '10 % of $1,000.00 (position-based: middle touch)'],
      ['partner-d', 10_000, '10 % of $1,000.00 (position-based: middle touch)'],
      ['partner-c', 40_000, '40 % of $1,000.00 (position-based: last touch)'],
    ]);
  });

  it('position-based: two touches share in the ratio of the end weights; one takes all', () => {
    const model: AttributionModel = {
      kind: 'position_based',
      firstWeight: '0.3',
      lastWeight: '0.1',
    };
    expect(credits(model, [early, late], usd(100)).map(([, a]) => a)).toEqual([7_500, 2_500]);
    expect(credits(model, [late], usd(100))).toEqual([
      ['partner-c', 10_000, '100 % of $100.00 (position-based: only touch)'],
    ]);
  });

  it('breaks equal touch times by partner id, whatever the input order', () => {
    const sameTime = '2025-01-05T10:00:00.000Z';
    const b = aTag({ partnerId: 'partner-b', touchedAt: sameTime });
    const a = aTag({ partnerId: 'partner-a', touchedAt: '2025-01-05T10:00:00Z' });
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      expect(credits({ kind: 'first_touch' }, order).map(([id, amount]) => [id, amount])).toEqual([
        ['partner-a', 8_000_000],
        ['partner-b', 0],
      ]);
      expect(credits({ kind: 'last_touch' }, order).map(([, amount]) => amount)).toEqual([
        8_000_000, 0,
      ]);
    }
  });

  it('exposes its tie-break as a comparator for anyone listing tags', () => {
    const sameTime = aTag({ partnerId: 'partner-0', touchedAt: early.touchedAt });
    expect([late, early, sameTime].sort(compareTouches).map((tag) => tag.partnerId)).toEqual([
      'partner-0',
      'partner-a',
      'partner-c',
    ]);
  });

  it('credits nothing on a deal without tags', () => {
    expect(credits({ kind: 'even_split' }, [])).toEqual([]);
  });

  it('refuses a partner tagged twice on one deal', () => {
    expect(
      attributeDeal(deal, [early, aTag({ ...early, role: 'influenced' })], { kind: 'even_split' }),
    ).toEqual({
      success: false,
      error: {
        code: 'duplicate_partner_tag',
        message: 'partner partner-a is tagged more than once on deal deal-1',
        dealId: 'deal-1',
        partnerId: 'partner-a',
      },
    });
  });

  it('treats a tag of another deal as a caller bug', () => {
    expect(() => attributeDeal(deal, [aTag({ dealId: 'deal-2' })], { kind: 'even_split' })).toThrow(
      InvariantError,
    );
  });
});
