import { z } from 'zod';
import { InvariantError } from './errors.ts';

/**
 * A non-negative exact decimal written as a string ("0.15", "1.0834"): rates, shares and
 * probabilities never pass through binary floating point.
 */
export const decimalStringSchema = z
  .string()
  .regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'expected a non-negative decimal such as "0.15"');
export type DecimalString = z.infer<typeof decimalStringSchema>;

/** A decimal in [0, 1]: attribution shares and deal probabilities. */
export const fractionSchema = decimalStringSchema.refine(
  (value) => compareRational(parseDecimal(value), ONE) <= 0,
  'expected a fraction between 0 and 1',
);

/** A signed decimal with four fraction digits ("0.1250", "-0.0300"): the ratios metrics report. */
export const ratioSchema = z.string().regex(/^-?\d+\.\d{4}$/);
export type Ratio = z.infer<typeof ratioSchema>;

/** An exact fraction of two bigints; the denominator is always positive. */
export type Rational = { readonly num: bigint; readonly den: bigint };

export const ZERO: Rational = { num: 0n, den: 1n };
export const ONE: Rational = { num: 1n, den: 1n };

export function rational(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new InvariantError('a rational needs a non-zero denominator');
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

export function parseDecimal(value: DecimalString): Rational {
  const dot = value.indexOf('.');
  if (dot === -1) return { num: BigInt(value), den: 1n };
  const fraction = value.slice(dot + 1);
  return { num: BigInt(value.slice(0, dot) + fraction), den: 10n ** BigInt(fraction.length) };
}

export function multiply(a: Rational, b: Rational): Rational {
  return { num: a.num * b.num, den: a.den * b.den };
}

export function divide(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den, a.den * b.num);
}

export function add(a: Rational, b: Rational): Rational {
  return a.den === b.den
    ? { num: a.num + b.num, den: a.den }
    : { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

export function subtract(a: Rational, b: Rational): Rational {
  return add(a, { num: -b.num, den: b.den });
}

export function compareRational(a: Rational, b: Rational): -1 | 0 | 1 {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function minRational(a: Rational, b: Rational): Rational {
  return compareRational(a, b) <= 0 ? a : b;
}

/**
 * Rounds to the nearest integer, ties to the even neighbour (2.5 → 2, 3.5 → 4, -2.5 → -2).
 * This is the core's only rounding: every amount is computed exactly and rounded here, once.
 * Half-to-even has no upward bias over many lines, which matters for a ledger summed per partner.
 */
export function roundHalfToEven(value: Rational): bigint {
  const { num, den } = value;
  const quotient = num / den;
  const remainder = num % den;
  if (remainder === 0n) return quotient;
  const twiceRemainder = 2n * (remainder < 0n ? -remainder : remainder);
  const awayFromZero = twiceRemainder > den || (twiceRemainder === den && quotient % 2n !== 0n);
  if (!awayFromZero) return quotient;
  return num < 0n ? quotient - 1n : quotient + 1n;
}

/** Writes a rational as a signed decimal with exactly `places` fraction digits (half-to-even). */
export function toFixedDecimal(value: Rational, places: number): string {
  const scaled = roundHalfToEven(multiply(value, { num: 10n ** BigInt(places), den: 1n }));
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = places === 0 ? '' : `.${digits.slice(digits.length - places)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** The ratio rounded to basis-point precision, as metrics report it; `null` when undefined. */
export function toRatio(numerator: Rational, denominator: Rational): Ratio | null {
  if (denominator.num === 0n) return null;
  return toFixedDecimal(divide(numerator, denominator), 4);
}

/** Scales rationals to integer weights with the same proportions (for largest-remainder splits). */
export function toIntegerWeights(values: readonly Rational[]): bigint[] {
  let common = 1n;
  for (const { den } of values) common = (common / gcd(common, den)) * den;
  return values.map(({ num, den }) => num * (common / den));
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}
