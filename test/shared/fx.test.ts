import {
  convertAt,
  createFxTable,
  describeConversion,
  findFxRate,
  fxRatesSchema,
  InvariantError,
  money,
} from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { cents, eur, fxTable, usd } from './builders.ts';

const table = fxTable([
  { base: 'EUR', quote: 'USD', on: '2025-01-31', rate: '1.04' },
  { base: 'EUR', quote: 'USD', on: '2025-02-28', rate: '1.085' },
  { base: 'USD', quote: 'JPY', on: '2025-02-28', rate: '150.25' },
]);

describe('the dated FX table', () => {
  it('uses the latest rate on or before the date asked for, never a later one', () => {
    const result = findFxRate(table, 'EUR', 'USD', '2025-02-27');
    expect(result.success && result.data.quote.rate).toBe('1.04');
    const onTheDay = findFxRate(table, 'EUR', 'USD', '2025-02-28');
    expect(onTheDay.success && onTheDay.data.quote.rate).toBe('1.085');
  });

  it('reads a quote the other way round and says so', () => {
    const result = findFxRate(table, 'USD', 'EUR', '2025-03-01');
    expect(result.success && result.data).toMatchObject({
      inverted: true,
      quote: { rate: '1.085' },
    });
  });

  it('is an error value when no rate is known yet', () => {
    expect(findFxRate(table, 'EUR', 'USD', '2025-01-30')).toEqual({
      success: false,
      error: {
        code: 'fx_rate_missing',
        message: 'no EUR→USD rate on or before 2025-01-30',
        from: 'EUR',
        to: 'USD',
        on: '2025-01-30',
      },
    });
  });

  it('converts once, half-to-even, and records the rate used', () => {
    const result = convertAt(eur(10_000), 'USD', '2025-03-15', table);
    expect(result.success && result.data.amount).toEqual(usd(10_850));
    expect(result.success && result.data.fx).toMatchObject({
      from: 'EUR',
      to: 'USD',
      requestedOn: '2025-03-15',
      quote: { on: '2025-02-28', rate: '1.085' },
    });
  });

  it('accounts for minor units when the currencies differ in exponent', () => {
    const toYen = convertAt(cents(1_001), 'JPY', '2025-03-01', table);
    expect(toYen.success && toYen.data.amount).toEqual(money(1_504, 'JPY')); // $10.01 × 150.25 = ¥1,504.0025
    const toDollars = convertAt(money(15_025, 'JPY'), 'USD', '2025-03-01', table);
    expect(toDollars.success && toDollars.data.amount).toEqual(usd(100));
  });

  it('prefers the more recent of a direct and an inverse quote, and the direct one on a tie', () => {
    const both = fxTable([
      { base: 'EUR', quote: 'USD', on: '2025-03-01', rate: '1.1' },
      { base: 'USD', quote: 'EUR', on: '2025-03-05', rate: '0.9' },
    ]);
    const later = findFxRate(both, 'EUR', 'USD', '2025-03-10');
    expect(later.success && [later.data.quote.rate, later.data.inverted]).toEqual(['0.9', true]);
    const tie = fxTable([
      { base: 'EUR', quote: 'USD', on: '2025-03-01', rate: '1.1' },
      { base: 'USD', quote: 'EUR', on: '2025-03-01', rate: '0.9' },
    ]);
    const direct = findFxRate(tie, 'EUR', 'USD', '2025-03-10');
    expect(direct.success && [direct.data.quote.rate, direct.data.inverted]).toEqual([
      '1.1',
      false,
    ]);
  });

  it('needs no rate to stay in the same currency', () => {
    expect(convertAt(usd(5), 'USD', '1999-01-01', table)).toEqual({
      success: true,
      data: { amount: usd(5), fx: null },
    });
  });

  it('describes a conversion for explanations', () => {
    const result = findFxRate(table, 'EUR', 'USD', '2025-03-01');
    expect(result.success && describeConversion(result.data)).toBe(
      '1 EUR = 1.085 USD (rate of 2025-02-28)',
    );
  });

  it('refuses duplicate or meaningless quotes', () => {
    const duplicate = [
      { base: 'EUR', quote: 'USD', on: '2025-01-31', rate: '1.04' },
      { base: 'EUR', quote: 'USD', on: '2025-01-31', rate: '1.05' },
    ];
    expect(fxRatesSchema.safeParse(duplicate).success).toBe(false);
    expect(() => createFxTable(fxRatesSchema.element.array().parse(duplicate))).toThrow(
      InvariantError,
    );
    expect(
      fxRatesSchema.safeParse([{ base: 'EUR', quote: 'EUR', on: '2025-01-31', rate: '1' }]).success,
    ).toBe(false);
    expect(
      fxRatesSchema.safeParse([{ base: 'EUR', quote: 'USD', on: '2025-01-31', rate: '0' }]).success,
    ).toBe(false);
  });
});
