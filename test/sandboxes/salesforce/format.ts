// Salesforce's wire formats for dates and times. The REST API writes datetimes as
// `2024-05-20T20:49:32.000+0000`; it reads ISO 8601 with `Z`, `+0000` or `+00:00` offsets.

export const DAY_MS = 86_400_000;

/** `2024-05-20T20:49:32.000+0000`, the way the REST API renders datetimes. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `2024-05-20T20:49:32.000Z`, the way change events render datetimes. */
export function formatEventDateTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses an ISO 8601 date or datetime as Salesforce accepts it; undefined when malformed. */
export function parseDateTime(value: string): number | undefined {
  const match = dateTimePattern.exec(value.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '0', zone] = match;
  const ms = Math.round(Number(`0.${fraction}`) * 1000);
  let epoch = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    epoch -= sign * offset * 60_000;
  }
  return epoch;
}

/** Parses `YYYY-MM-DD` (a datetime is accepted and truncated, as the API does). */
export function parseDate(value: string): string | undefined {
  const ms = parseDateTime(value);
  return ms === undefined ? undefined : formatDate(ms);
}

/** UTC midnight of a `YYYY-MM-DD` date. */
export function dateToMs(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`);
}
