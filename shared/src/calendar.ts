import { z } from 'zod';

// Two representations, used consistently across the core:
// - calendar dates (`IsoDate`, "2025-03-31"): close dates, effective dates, `asOf`, payable dates.
//   Business rules count whole days, so they carry no time of day and no time zone.
// - instants (`IsoInstant`, "2025-03-31T14:05:00Z", UTC only): when a partner touched a deal,
//   which needs sub-day order for tie-breaks and time decay.
// Both stay strings in every schema and output (JSON-friendly); arithmetic converts to day numbers
// or epoch milliseconds internally through `Date.UTC`/`Date.parse`, which read no clock.

// Years before 1900 are refused: no business date needs them, and it keeps `Date.UTC` exact.
export const isoDateSchema = z.iso
  .date()
  .refine((date) => date >= '1900-01-01', 'date before 1900');
export type IsoDate = z.infer<typeof isoDateSchema>;

export const isoInstantSchema = z.iso
  .datetime()
  .refine((instant) => instant >= '1900-01-01', 'instant before 1900');
export type IsoInstant = z.infer<typeof isoInstantSchema>;

const msPerDay = 86_400_000;

/** Days since 1970-01-01. */
export function toDayNumber(date: IsoDate): number {
  return utcDay(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

export function fromDayNumber(day: number): IsoDate {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** Same day of month `months` later; clamps to the month's last day (Jan 31 + 1 month = Feb 28). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const year = Number(date.slice(0, 4));
  const monthIndex = Number(date.slice(5, 7)) - 1 + months;
  const targetYear = year + Math.floor(monthIndex / 12);
  const targetMonth = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(Number(date.slice(8, 10)), lastDay);
  return fromDayNumber(utcDay(targetYear, targetMonth, day));
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

export function instantToMs(instant: IsoInstant): number {
  return Date.parse(instant);
}

/** Midnight UTC at the start of `date`, in epoch milliseconds. */
export function dateToMs(date: IsoDate): number {
  return toDayNumber(date) * msPerDay;
}

export function msToDays(ms: number): number {
  return ms / msPerDay;
}

/** First and last day of a calendar quarter. */
export function quarterBounds(
  year: number,
  quarter: 1 | 2 | 3 | 4,
): { from: IsoDate; to: IsoDate } {
  const from = fromDayNumber(utcDay(year, (quarter - 1) * 3, 1));
  return { from, to: addDays(addMonths(from, 3), -1) };
}

function utcDay(year: number, monthIndex: number, day: number): number {
  return Date.UTC(year, monthIndex, day) / msPerDay;
}
