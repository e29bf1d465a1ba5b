import { z } from 'zod';
import {
  type DecimalString,
  multiply,
  parseDecimal,
  type Rational,
  rational,
  roundHalfToEven,
} from './decimal.ts';
import { fail, InvariantError, ok, type Result } from './errors.ts';

export const currencyCodes = [
  'USD',
  'EUR',
  'GBP',
  'CHF',
  'CAD',
  'AUD',
  'NZD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'BRL',
  'MXN',
  'INR',
  'CNY',
  'SGD',
  'HKD',
  'ZAR',
  'JPY',
  'KRW',
  'KWD',
  'BHD',
] as const;
/** The ISO 4217 currencies the core supports. */
export type CurrencyCode = (typeof currencyCodes)[number];
export const currencyCodeSchema = z.enum(currencyCodes);

// Minor-unit exponents from ISO 4217: yen and won have none, the dinars three.
const currencyExponents: Record<CurrencyCode, number> = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  BRL: 2,
  MXN: 2,
  INR: 2,
  CNY: 2,
  SGD: 2,
  HKD: 2,
  ZAR: 2,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  BHD: 3,
};

/** Digits after the decimal point in the currency's minor unit (cents: 2, yen: 0). */
export function currencyExponent(currency: CurrencyCode): number {
  return currencyExponents[currency];
}

/** An amount of money: integer minor units (cents, yen) of one ISO 4217 currency. Never a float. */
export const moneySchema = z.strictObject({
  amountMinor: z.int(),
  currency: currencyCodeSchema,
});
export type Money = z.infer<typeof moneySchema>;

export const nonNegativeMoneySchema = moneySchema.refine(
  (value) => value.amountMinor >= 0,
  'amount must not be negative',
);

export type CurrencyMismatchError = {
  readonly code: 'currency_mismatch';
  readonly message: string;
  readonly currencies: readonly [CurrencyCode, CurrencyCode];
};

/** Builds Money from minor units; throws when the amount is not a safe integer (a bug upstream). */
export function money(amountMinor: number | bigint, currency: CurrencyCode): Money {
  const amount = Number(amountMinor);
  if (!Number.isSafeInteger(amount)) {
    throw new InvariantError(`${amountMinor} ${currency} is outside the safe integer range`);
  }
  return { amountMinor: amount, currency };
}

export function zeroMoney(currency: CurrencyCode): Money {
  return { amountMinor: 0, currency };
}

/** Adds two amounts of the same currency; different currencies are an error, never converted. */
export function addMoney(a: Money, b: Money): Result<Money, CurrencyMismatchError> {
  if (a.currency !== b.currency) return fail(currencyMismatch(a.currency, b.currency));
  return ok(money(a.amountMinor + b.amountMinor, a.currency));
}

export function subtractMoney(a: Money, b: Money): Result<Money, CurrencyMismatchError> {
  return addMoney(a, negateMoney(b));
}

/** Sums amounts that must all be in `currency`. */
export function sumMoney(
  currency: CurrencyCode,
  amounts: Iterable<Money>,
): Result<Money, CurrencyMismatchError> {
  let total = 0;
  for (const amount of amounts) {
    if (amount.currency !== currency) return fail(currencyMismatch(currency, amount.currency));
    total += amount.amountMinor;
  }
  return ok(money(total, currency));
}

export function negateMoney(amount: Money): Money {
  return {
    amountMinor: amount.amountMinor === 0 ? 0 : -amount.amountMinor,
    currency: amount.currency,
  };
}

/** Exact minor units as a rational, for computations that round once at the end. */
export function toRational(amount: Money): Rational {
  return { num: BigInt(amount.amountMinor), den: 1n };
}

/** Rounds an exact amount of minor units (half-to-even) into Money. */
export function roundToMoney(minorUnits: Rational, currency: CurrencyCode): Money {
  return money(roundHalfToEven(minorUnits), currency);
}

/** `amount × rate`, computed exactly and rounded once, half-to-even. */
export function multiplyByRate(amount: Money, rate: DecimalString): Money {
  return roundToMoney(multiply(toRational(amount), parseDecimal(rate)), amount.currency);
}

/**
 * Splits `total` into parts proportional to `weights` so that the parts always sum to the total:
 * each part gets the floor of its exact share, then the leftover minor units go one by one to the
 * largest remainders; equal remainders go to the earlier index, so callers decide ties by order.
 */
export function allocateByLargestRemainder(total: Money, weights: readonly bigint[]): Money[] {
  const weightSum = weights.reduce((sum, weight) => {
    if (weight < 0n) throw new InvariantError('allocation weights must not be negative');
    return sum + weight;
  }, 0n);
  if (weightSum === 0n) throw new InvariantError('allocation needs at least one positive weight');
  const sign = total.amountMinor < 0 ? -1n : 1n;
  const magnitude = BigInt(total.amountMinor) * sign;
  const floors: bigint[] = [];
  const remainders: bigint[] = [];
  let leftover = magnitude;
  for (const weight of weights) {
    const exact = magnitude * weight;
    const floor = exact / weightSum;
    floors.push(floor);
    remainders.push(exact % weightSum);
    leftover -= floor;
  }
  const order = weights.map((_, index) => index);
  order.sort((a, b) => {
    const byRemainder = (remainders[b] ?? 0n) - (remainders[a] ?? 0n);
    return byRemainder > 0n ? 1 : byRemainder < 0n ? -1 : a - b;
  });
  for (let i = 0; i < Number(leftover); i++) {
    const index = order[i] as number;
    floors[index] = (floors[index] ?? 0n) + 1n;
  }
  return floors.map((part) => money(part * sign, total.currency));
}

/** Minor units of `amount` expressed as a share of `whole` (for explanations and weights). */
export function shareOf(amount: Money, whole: Money): Rational {
  return whole.amountMinor === 0
    ? { num: 0n, den: 1n }
    : rational(BigInt(amount.amountMinor), BigInt(whole.amountMinor));
}

export function currencyMismatch(left: CurrencyCode, right: CurrencyCode): CurrencyMismatchError {
  return {
    code: 'currency_mismatch',
    message: `cannot combine ${left} with ${right} without a conversion`,
    currencies: [left, right],
  };
}
