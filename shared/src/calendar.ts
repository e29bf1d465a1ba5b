import { z } from 'zod';

// Two representations, used consistently across the core:
// - calendar dates (`IsoDate`, "2025-03-31"): close dates, effective dates, `asOf`, payable dates.
//   Business rules count whole days, so they carry no time of day and no time zone.
// - instants (`IsoInstant`, "2025-03-31T14:05:00Z", UTC only): when a partner touched a deal,
//   which needs sub-day order for tie-breaks and time decay.
// Both stay strings in every schema and output (JSON-friendly); arithmetic converts to day numbers
// or epoch milliseconds internally, with integer calendar math (no Date, no clock).

// Years before 1900 are refused: no business date needs them.
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
  return daysFromCivil(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)),
    Number(date.slice(8, 10)),
  );
}

export function fromDayNumber(day: number): IsoDate {
  const { year, month, day: dayOfMonth } = civilFromDays(day);
  return `${year}-${month < 10 ? '0' : ''}${month}-${dayOfMonth < 10 ? '0' : ''}${dayOfMonth}`;
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
  const monthIndex = Number(date.slice(5, 7)) - 1 + months;
  const year = Number(date.slice(0, 4)) + Math.floor(monthIndex / 12);
  const month = (((monthIndex % 12) + 12) % 12) + 1;
  const lastDay =
    daysFromCivil(year + (month === 12 ? 1 : 0), (month % 12) + 1, 1) -
    daysFromCivil(year, month, 1);
  return fromDayNumber(daysFromCivil(year, month, Math.min(Number(date.slice(8, 10)), lastDay)));
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

/**
 * Epoch milliseconds of a validated instant ("YYYY-MM-DDTHH:MM:SS[.fraction]Z"), digits beyond
 * milliseconds dropped like `Date.parse` does; parsed by hand because it runs for every tag.
 */
export function instantToMs(instant: IsoInstant): number {
  const millis = instant[19] === '.' ? Number(instant.slice(20, -1).slice(0, 3).padEnd(3, '0')) : 0;
  return (
    toDayNumber(instant) * msPerDay +
    Number(instant.slice(11, 13)) * 3_600_000 +
    Number(instant.slice(14, 16)) * 60_000 +
    Number(instant.slice(17, 19)) * 1_000 +
    millis
  );
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
  const from = fromDayNumber(daysFromCivil(year, (quarter - 1) * 3 + 1, 1));
  return { from, to: addDays(addMonths(from, 3), -1) };
}

// Proleptic Gregorian calendar <-> day count, in integer arithmetic (H. Hinnant's algorithms):
// an order of magnitude faster than going through Date and toISOString, and exact for any year.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1_460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1,
  };
}
