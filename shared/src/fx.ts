import { z } from 'zod';
import { type IsoDate, isoDateSchema } from './calendar.ts';
import {
  decimalStringSchema,
  divide,
  multiply,
  ONE,
  parseDecimal,
  type Rational,
} from './decimal.ts';
import { fail, InvariantError, ok, type Result } from './errors.ts';
import {
  type CurrencyCode,
  currencyCodeSchema,
  currencyExponent,
  type Money,
  roundToMoney,
  toRational,
} from './money.ts';

/** One dated quote: on and after `on` (until the pair's next quote), 1 `base` = `rate` `quote`. */
export const fxRateSchema = z
  .strictObject({
    base: currencyCodeSchema,
    quote: currencyCodeSchema,
    on: isoDateSchema,
    rate: decimalStringSchema.refine(
      (rate) => parseDecimal(rate).num > 0n,
      'rate must be positive',
    ),
  })
  .refine((rate) => rate.base !== rate.quote, 'base and quote must differ');
export type FxRate = z.infer<typeof fxRateSchema>;

export const fxRatesSchema = z.array(fxRateSchema).superRefine((rates, context) => {
  const seen = new Set<string>();
  for (const [index, rate] of rates.entries()) {
    const key = `${rate.base}/${rate.quote}@${rate.on}`;
    if (seen.has(key))
      context.addIssue({ code: 'custom', message: `duplicate quote ${key}`, path: [index] });
    seen.add(key);
  }
});

/** The conversion actually applied, recorded next to every converted amount. */
export const fxConversionSchema = z.strictObject({
  from: currencyCodeSchema,
  to: currencyCodeSchema,
  /** The table row used; when it quotes the pair the other way round, `inverted` is true. */
  quote: fxRateSchema,
  inverted: z.boolean(),
  /** The date the conversion was asked for (e.g. the deal's close date). */
  requestedOn: isoDateSchema,
});
export type FxConversion = z.infer<typeof fxConversionSchema>;

export type FxRateMissingError = {
  readonly code: 'fx_rate_missing';
  readonly message: string;
  readonly from: CurrencyCode;
  readonly to: CurrencyCode;
  readonly on: IsoDate;
};

/** A dated rate table indexed by pair, each pair's quotes sorted by date. Build with `createFxTable`. */
export type FxTable = { readonly byPair: ReadonlyMap<string, readonly FxRate[]> };

/** Indexes validated quotes (see `fxRatesSchema`); a duplicate pair and date is a caller bug. */
export function createFxTable(rates: readonly FxRate[]): FxTable {
  const byPair = new Map<string, FxRate[]>();
  for (const rate of rates) {
    const key = pairKey(rate.base, rate.quote);
    const quotes = byPair.get(key) ?? [];
    quotes.push(rate);
    byPair.set(key, quotes);
  }
  for (const [pair, quotes] of byPair) {
    quotes.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
    for (let i = 1; i < quotes.length; i++) {
      if (quotes[i]?.on === quotes[i - 1]?.on) {
        throw new InvariantError(`duplicate FX quote for ${pair} on ${quotes[i]?.on}`);
      }
    }
  }
  return { byPair };
}

/**
 * The rate in force on `on`: the latest quote dated on or before it, direct or inverse (a direct
 * quote wins when both exist on the same day). FX is locked at the date asked for, never "today".
 */
export function findFxRate(
  table: FxTable,
  from: CurrencyCode,
  to: CurrencyCode,
  on: IsoDate,
): Result<FxConversion, FxRateMissingError> {
  const direct = latestOnOrBefore(table.byPair.get(pairKey(from, to)), on);
  const inverse = latestOnOrBefore(table.byPair.get(pairKey(to, from)), on);
  if (direct !== undefined && (inverse === undefined || direct.on >= inverse.on)) {
    return ok({ from, to, quote: direct, inverted: false, requestedOn: on });
  }
  if (inverse !== undefined)
    return ok({ from, to, quote: inverse, inverted: true, requestedOn: on });
  return fail({
    code: 'fx_rate_missing',
    message: `no ${from}→${to} rate on or before ${on}`,
    from,
    to,
    on,
  });
}

/** The exact factor turning minor units of `from` into minor units of `to`. */
export function fxFactor(conversion: FxConversion | null): Rational {
  if (conversion === null) return ONE;
  const rate = parseDecimal(conversion.quote.rate);
  const major = conversion.inverted ? divide(ONE, rate) : rate;
  const shift = currencyExponent(conversion.to) - currencyExponent(conversion.from);
  const scale = 10n ** BigInt(Math.abs(shift));
  return shift >= 0
    ? multiply(major, { num: scale, den: 1n })
    : divide(major, { num: scale, den: 1n });
}

/** The conversion to use on `on`, or `null` when no conversion is needed. */
export function conversionFor(
  table: FxTable,
  from: CurrencyCode,
  to: CurrencyCode,
  on: IsoDate,
): Result<FxConversion | null, FxRateMissingError> {
  return from === to ? ok(null) : findFxRate(table, from, to, on);
}

/** Converts at the rate in force on `on`, rounding once (half-to-even); returns the rate used. */
export function convertAt(
  amount: Money,
  to: CurrencyCode,
  on: IsoDate,
  table: FxTable,
): Result<{ amount: Money; fx: FxConversion | null }, FxRateMissingError> {
  const conversion = conversionFor(table, amount.currency, to, on);
  if (!conversion.success) return conversion;
  const converted = roundToMoney(multiply(toRational(amount), fxFactor(conversion.data)), to);
  return ok({ amount: converted, fx: conversion.data });
}

/** "1 EUR = 1.085 USD (rate of 2025-03-31)". */
export function describeConversion(conversion: FxConversion): string {
  const { base, quote, rate, on } = conversion.quote;
  return `1 ${base} = ${rate} ${quote} (rate of ${on})`;
}

function pairKey(base: CurrencyCode, quote: CurrencyCode): string {
  return `${base}/${quote}`;
}

function latestOnOrBefore(quotes: readonly FxRate[] | undefined, on: IsoDate): FxRate | undefined {
  if (quotes === undefined) return undefined;
  let low = 0;
  let high = quotes.length - 1;
  let found: FxRate | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const quote = quotes[middle] as FxRate;
    if (quote.on <= on) {
      found = quote;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
