import {
  addMoney,
  allocateByLargestRemainder,
  currencyExponent,
  formatMoney,
  formatRate,
  InvariantError,
  money,
  moneySchema,
  multiplyByRate,
  negateMoney,
  roundHalfToEven,
  subtractMoney,
  sumMoney,
  toFixedDecimal,
} from '@partnerbridge/shared';
import { describe, expect, it, test } from 'vitest';
import { toIntegerWeights, toRatio } from '../../shared/src/decimal.ts';
import { cents, eur, usd } from './builders.ts';

describe('roundHalfToEven', () => {
  test.each([
    { label: 'exact integers stay', num: 4n, den: 2n, expected: 2n },
    { label: '0.4 rounds down', num: 2n, den: 5n, expected: 0n },
    { label: '0.6 rounds up', num: 3n, den: 5n, expected: 1n },
    { label: '0.5¢ rounds to even: 0.5 → 0', num: 1n, den: 2n, expected: 0n },
    { label: '1.5 → 2 (even neighbour above)', num: 3n, den: 2n, expected: 2n },
    { label: '2.5 → 2 (even neighbour below)', num: 5n, den: 2n, expected: 2n },
    { label: '3.5 → 4', num: 7n, den: 2n, expected: 4n },
    { label: '-2.5 → -2 (symmetric)', num: -5n, den: 2n, expected: -2n },
    { label: '-3.5 → -4', num: -7n, den: 2n, expected: -4n },
    { label: '-0.6 → -1', num: -3n, den: 5n, expected: -1n },
    { label: '-0.4 → 0', num: -2n, den: 5n, expected: 0n },
    {
      label: 'just above half rounds up: 2.5000001',
      num: 25_000_001n,
      den: 10_000_000n,
      expected: 3n,
    },
  ])('$label', ({ num, den, expected }) => {
    expect(roundHalfToEven({ num, den })).toBe(expected);
  });
});

describe('multiplyByRate', () => {
  test.each([
    { label: '15 % of $40,000.00', amount: usd(40_000), rate: '0.15', expected: 600_000 },
    { label: '0.4¢ stays 0 (below half a cent)', amount: cents(2), rate: '0.2', expected: 0 },
    { label: '0.5¢ rounds to even: 2.5 → 2', amount: cents(25), rate: '0.1', expected: 2 },
    { label: '3.5¢ rounds to even: 3.5 → 4', amount: cents(35), rate: '0.1', expected: 4 },
    { label: 'a rate of 0 pays nothing', amount: usd(1_000), rate: '0', expected: 0 },
    {
      label: 'many decimals stay exact',
      amount: cents(333_333),
      rate: '0.123456789',
      expected: 41_152,
    },
    { label: 'yen have no minor unit', amount: cents(4_001, 'JPY'), rate: '0.15', expected: 600 },
    {
      label: 'dinars have three decimals',
      amount: cents(1_005, 'KWD'),
      rate: '0.5',
      expected: 502,
    },
    {
      label: 'beyond float precision: 2^52 × 0.3 is exact',
      amount: cents(2 ** 52),
      rate: '0.3',
      expected: 1_351_079_888_211_149,
    },
  ])('$label', ({ amount, rate, expected }) => {
    expect(multiplyByRate(amount, rate)).toEqual(money(expected, amount.currency));
  });
});

describe('allocateByLargestRemainder', () => {
  it('gives the leftover cent to the largest remainder', () => {
    expect(allocateByLargestRemainder(cents(100), [1n, 1n, 1n]).map((m) => m.amountMinor)).toEqual([
      34, 33, 33,
    ]);
  });

  it('breaks equal remainders by position, so callers decide ties by order', () => {
    expect(allocateByLargestRemainder(cents(2), [1n, 1n, 1n]).map((m) => m.amountMinor)).toEqual([
      1, 1, 0,
    ]);
  });

  it('follows the weights when they leave remainders of different sizes', () => {
    // exact shares 1.1, 2.6 and 6.3: floors 1 + 2 + 6 = 9, the cent goes to the 0.6 remainder
    expect(
      allocateByLargestRemainder(cents(10), [11n, 26n, 63n]).map((m) => m.amountMinor),
    ).toEqual([1, 3, 6]);
  });

  it('splits negative totals symmetrically', () => {
    expect(allocateByLargestRemainder(cents(-100), [1n, 1n, 1n]).map((m) => m.amountMinor)).toEqual(
      [-34, -33, -33],
    );
  });

  it('gives zero-weight parts nothing', () => {
    expect(allocateByLargestRemainder(cents(99), [0n, 3n]).map((m) => m.amountMinor)).toEqual([
      0, 99,
    ]);
  });

  it('refuses weights that cannot split anything', () => {
    expect(() => allocateByLargestRemainder(cents(1), [0n, 0n])).toThrow(InvariantError);
    expect(() => allocateByLargestRemainder(cents(1), [])).toThrow(InvariantError);
    expect(() => allocateByLargestRemainder(cents(1), [2n, -1n])).toThrow(InvariantError);
  });
});

describe('adding money', () => {
  it('adds amounts of one currency', () => {
    expect(addMoney(usd(1), cents(50))).toEqual({ success: true, data: cents(150) });
    expect(subtractMoney(usd(1), cents(150))).toEqual({ success: true, data: cents(-50) });
  });

  it('refuses to add different currencies instead of converting them', () => {
    const result = addMoney(usd(1), eur(1));
    expect(result).toEqual({
      success: false,
      error: {
        code: 'currency_mismatch',
        message: 'cannot combine USD with EUR without a conversion',
        currencies: ['USD', 'EUR'],
      },
    });
  });

  it('sums a list in its declared currency', () => {
    expect(sumMoney('USD', [usd(1), usd(2)])).toEqual({ success: true, data: usd(3) });
    expect(sumMoney('USD', [usd(1), eur(2)]).success).toBe(false);
  });

  it('never produces a negative zero', () => {
    expect(Object.is(negateMoney(usd(0)).amountMinor, 0)).toBe(true);
  });

  it('refuses amounts outside the safe integer range', () => {
    expect(() => money(2n ** 53n, 'USD')).toThrow(InvariantError);
    expect(moneySchema.safeParse({ amountMinor: 1.5, currency: 'USD' }).success).toBe(false);
    expect(moneySchema.safeParse({ amountMinor: 1, currency: 'XYZ' }).success).toBe(false);
  });

  it('knows each currency minor unit', () => {
    expect([currencyExponent('USD'), currencyExponent('JPY'), currencyExponent('KWD')]).toEqual([
      2, 0, 3,
    ]);
  });
});

describe('formatMoney', () => {
  test.each([
    { amount: usd(40_000), expected: '$40,000.00' },
    { amount: cents(123_456_789, 'EUR'), expected: '€1,234,567.89' },
    { amount: cents(5, 'GBP'), expected: '£0.05' },
    { amount: cents(4_000, 'JPY'), expected: '¥4,000' },
    { amount: cents(4_000_000, 'CHF'), expected: 'CHF 40,000.00' },
    { amount: cents(1_234, 'KWD'), expected: 'KWD 1.234' },
    { amount: cents(-1_500), expected: '-$15.00' },
    { amount: cents(0), expected: '$0.00' },
  ])('$expected', ({ amount, expected }) => {
    expect(formatMoney(amount)).toBe(expected);
  });
});

describe('decimals', () => {
  test.each([
    { rate: '0.15', expected: '15 %' },
    { rate: '0.125', expected: '12.5 %' },
    { rate: '0.2', expected: '20 %' },
    { rate: '1', expected: '100 %' },
    { rate: '0', expected: '0 %' },
  ])('formats rate $rate as $expected', ({ rate, expected }) => {
    expect(formatRate(rate)).toBe(expected);
  });

  it('writes fixed decimals with half-to-even rounding', () => {
    expect(toFixedDecimal({ num: 1n, den: 8n }, 2)).toBe('0.12');
    expect(toFixedDecimal({ num: -3n, den: 8n }, 2)).toBe('-0.38');
    expect(toFixedDecimal({ num: 7n, den: 2n }, 0)).toBe('4');
  });

  it('reports ratios to four decimals, and none for a zero denominator', () => {
    expect(toRatio({ num: 1n, den: 3n }, { num: 1n, den: 1n })).toBe('0.3333');
    expect(toRatio({ num: 1n, den: 1n }, { num: 0n, den: 1n })).toBeNull();
  });

  it('scales rationals to integer weights with the same proportions', () => {
    expect(
      toIntegerWeights([
        { num: 1n, den: 4n },
        { num: 1n, den: 6n },
        { num: 7n, den: 12n },
      ]),
    ).toEqual([3n, 2n, 7n]);
  });
});
