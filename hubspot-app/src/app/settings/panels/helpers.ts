import type { BaseDate } from '@hubspot/ui-extensions';
import { type CurrencyCode, currencyExponent } from '../vendor/shared/money.ts';

// Small conversions between what inputs hold (numbers, date parts) and what the contract sends
// (exact decimal strings, integer minor units, ISO days).

/** A percentage typed by an admin (two decimals at most) as an exact decimal rate: 15 → "0.15". */
export function rateFromPercent(percent: number): string | undefined {
  if (!Number.isFinite(percent) || percent < 0) return undefined;
  const basisPoints = Math.round(percent * 100);
  const whole = Math.floor(basisPoints / 10_000);
  const fraction = String(basisPoints % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}

/** An exact decimal rate as a percentage for an input: "0.15" → 15. */
export function percentFromRate(rate: string): number {
  return Math.round(Number(rate) * 1_000_000) / 10_000;
}

/** Major units typed by an admin as integer minor units of the currency. */
export function minorFromMajor(major: number, currency: CurrencyCode): number {
  return Math.round(major * 10 ** currencyExponent(currency));
}

export function majorFromMinor(minor: number, currency: CurrencyCode): number {
  return minor / 10 ** currencyExponent(currency);
}

export function isoOf(date: BaseDate): string {
  return `${date.year}-${String(date.month + 1).padStart(2, '0')}-${String(date.date).padStart(2, '0')}`;
}

export function baseDateOf(iso: string): BaseDate {
  const [year = 0, month = 1, day = 1] = iso.split('-').map(Number);
  return { year, month: month - 1, date: day };
}
