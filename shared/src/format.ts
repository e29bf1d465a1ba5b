import {
  type DecimalString,
  multiply,
  parseDecimal,
  type Rational,
  toFixedDecimal,
} from './decimal.ts';
import { type CurrencyCode, currencyExponent, type Money } from './money.ts';

// Human-readable pieces of explanations. Deliberately locale-free and deterministic: a symbol (or
// the ISO code) plus a comma-grouped amount with the currency's own number of decimals.
const currencySymbols: Partial<Record<CurrencyCode, string>> = {
  USD: '$',
  EUR: '€',
  GBP: '£',
  JPY: '¥',
};

/** "$40,000.00", "€1,234.50", "¥4,000", "CHF 40,000.00", "-$15.00". */
export function formatMoney(amount: Money): string {
  return formatMinorUnits(BigInt(amount.amountMinor), amount.currency);
}

function formatMinorUnits(minor: bigint, currency: CurrencyCode): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = exponent === 0 ? '' : `.${digits.slice(digits.length - exponent)}`;
  const symbol = currencySymbols[currency];
  const body =
    symbol === undefined ? `${currency} ${whole}${fraction}` : `${symbol}${whole}${fraction}`;
  return negative ? `-${body}` : body;
}

/** A rate as a percentage without trailing zeros: "0.15" → "15 %", "0.125" → "12.5 %". */
export function formatRate(rate: DecimalString | Rational, maxFractionDigits = 4): string {
  const value = typeof rate === 'string' ? parseDecimal(rate) : rate;
  const percent = toFixedDecimal(multiply(value, { num: 100n, den: 1n }), maxFractionDigits);
  return `${percent.includes('.') ? percent.replace(/\.?0+$/, '') : percent} %`;
}

/** A share for display, at most two decimals: 1/3 → "33.33 %". */
export function formatShare(share: Rational): string {
  return formatRate(share, 2);
}
