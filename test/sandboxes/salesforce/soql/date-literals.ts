import { DAY_MS } from '../format.ts';

// SOQL date literals as half-open UTC ranges [start, end) around the sandbox clock. The sandbox
// org's time zone is UTC, weeks start on Sunday (en_US) and the fiscal year is the calendar year.

export type DateRange = { start: number; end: number };

const startOfDay = (ms: number) => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);

function startOfWeek(ms: number): number {
  const day = startOfDay(ms);
  return day - new Date(day).getUTCDay() * DAY_MS;
}

function monthStart(ms: number, offsetMonths = 0): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offsetMonths, 1);
}

function quarterStart(ms: number, offsetQuarters = 0): number {
  const date = new Date(ms);
  const month = Math.floor(date.getUTCMonth() / 3) * 3;
  return Date.UTC(date.getUTCFullYear(), month + offsetQuarters * 3, 1);
}

function yearStart(ms: number, offsetYears = 0): number {
  return Date.UTC(new Date(ms).getUTCFullYear() + offsetYears, 0, 1);
}

type Unit = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

/** Start of the unit containing `now`, shifted by `offset` units. */
function unitStart(unit: Unit, now: number, offset: number): number {
  switch (unit) {
    case 'DAY':
      return startOfDay(now) + offset * DAY_MS;
    case 'WEEK':
      return startOfWeek(now) + offset * 7 * DAY_MS;
    case 'MONTH':
      return monthStart(now, offset);
    case 'QUARTER':
      return quarterStart(now, offset);
    case 'YEAR':
      return yearStart(now, offset);
  }
}

const unitRange = (unit: Unit, now: number, offset: number, count = 1): DateRange => ({
  start: unitStart(unit, now, offset),
  end: unitStart(unit, now, offset + count),
});

const fixed: Record<string, [Unit, number]> = {
  YESTERDAY: ['DAY', -1],
  TODAY: ['DAY', 0],
  TOMORROW: ['DAY', 1],
  LAST_WEEK: ['WEEK', -1],
  THIS_WEEK: ['WEEK', 0],
  NEXT_WEEK: ['WEEK', 1],
  LAST_MONTH: ['MONTH', -1],
  THIS_MONTH: ['MONTH', 0],
  NEXT_MONTH: ['MONTH', 1],
  LAST_QUARTER: ['QUARTER', -1],
  THIS_QUARTER: ['QUARTER', 0],
  NEXT_QUARTER: ['QUARTER', 1],
  LAST_YEAR: ['YEAR', -1],
  THIS_YEAR: ['YEAR', 0],
  NEXT_YEAR: ['YEAR', 1],
  LAST_FISCAL_QUARTER: ['QUARTER', -1],
  THIS_FISCAL_QUARTER: ['QUARTER', 0],
  NEXT_FISCAL_QUARTER: ['QUARTER', 1],
  LAST_FISCAL_YEAR: ['YEAR', -1],
  THIS_FISCAL_YEAR: ['YEAR', 0],
  NEXT_FISCAL_YEAR: ['YEAR', 1],
};

const unitOf: Record<string, Unit> = {
  DAYS: 'DAY',
  WEEKS: 'WEEK',
  MONTHS: 'MONTH',
  QUARTERS: 'QUARTER',
  FISCAL_QUARTERS: 'QUARTER',
  YEARS: 'YEAR',
  FISCAL_YEARS: 'YEAR',
};

/** The range of a date literal (`TODAY`, `LAST_N_DAYS:30`…), or undefined when unknown. */
export function dateLiteralRange(literal: string, now: number): DateRange | undefined {
  const upper = literal.toUpperCase();
  const known = fixed[upper];
  if (known !== undefined) return unitRange(known[0], now, known[1]);
  if (upper === 'LAST_90_DAYS') return dateLiteralRange('LAST_N_DAYS:90', now);
  if (upper === 'NEXT_90_DAYS') return dateLiteralRange('NEXT_N_DAYS:90', now);
  const match = /^(LAST_N|NEXT_N|N)_([A-Z_]+?)(?:_AGO)?:(\d+)$/.exec(upper);
  if (match === null) return undefined;
  const [, kind, unitName = '', digits] = match;
  const unit = unitOf[unitName];
  const n = Number(digits);
  if (unit === undefined) return undefined;
  if (kind === 'N' && !upper.includes('_AGO:')) return undefined;
  switch (kind) {
    // LAST_N_DAYS:n covers the past n days and today; longer units stop before the current one.
    case 'LAST_N':
      return unit === 'DAY'
        ? { start: unitStart('DAY', now, -n), end: unitStart('DAY', now, 1) }
        : unitRange(unit, now, -n, n);
    // NEXT_N_DAYS:n starts tomorrow; longer units start with the next one.
    case 'NEXT_N':
      return unitRange(unit, now, 1, n);
    case 'N':
      return unitRange(unit, now, -n);
    default:
      return undefined;
  }
}
