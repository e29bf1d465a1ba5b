import { describe, expect, it } from 'vitest';
import { parseCsv, writeCsv } from './api/csv.ts';
import { parseSalesforceCliArgs } from './cli.ts';
import { formatDateTime, parseDateTime } from './format.ts';
import { idChecksum, makeId, normalizeId } from './ids.ts';
import { dateLiteralRange } from './soql/date-literals.ts';
import { ApiUsage } from './store/api-usage.ts';

// Pure building blocks of the Salesforce sandbox, pinned without HTTP.

describe('record ids', () => {
  // Per 5-character block, bit i is set when character i is an upper-case letter.
  it.each([
    ['001A0000001aBcD', 'IAU'],
    ['003D000000QOBHb', 'IAP'],
    ['005000000000000', 'AAA'],
    ['ABCDEABCDEABCDE', '555'],
  ])('checksum of %s is %s', (id15, suffix) => {
    expect(idChecksum(id15)).toBe(suffix);
  });

  it('restores case from the checksum and refuses one that marks digits upper-case', () => {
    const id = makeId('006', 'A0', 123_456);
    expect(id).toHaveLength(18);
    expect(normalizeId(id.toLowerCase())).toBe(id);
    expect(normalizeId(id.slice(0, 15))).toBe(id);
    expect(normalizeId(`${id.slice(0, 15)}555`)).toBeUndefined();
    expect(normalizeId('006-not-an-id!!')).toBeUndefined();
  });
});

describe('date formats', () => {
  it('reads ISO offsets and writes +0000', () => {
    const ms = Date.parse('2026-01-02T03:04:05.006Z');
    expect(parseDateTime('2026-01-02T03:04:05.006Z')).toBe(ms);
    expect(parseDateTime('2026-01-02T05:04:05.006+0200')).toBe(ms);
    expect(parseDateTime('2026-01-02T01:04:05.006-02:00')).toBe(ms);
    expect(parseDateTime('2026-02-30')).toBeUndefined();
    expect(formatDateTime(ms)).toBe('2026-01-02T03:04:05.006+0000');
  });
});

describe('SOQL date literals', () => {
  const now = Date.parse('2026-03-04T12:00:00Z'); // a Wednesday
  const range = (literal: string) => {
    const r = dateLiteralRange(literal, now);
    return r === undefined
      ? undefined
      : [new Date(r.start).toISOString(), new Date(r.end).toISOString()];
  };
  it.each([
    ['TODAY', '2026-03-04', '2026-03-05'],
    ['YESTERDAY', '2026-03-03', '2026-03-04'],
    ['THIS_WEEK', '2026-03-01', '2026-03-08'],
    ['LAST_MONTH', '2026-02-01', '2026-03-01'],
    ['THIS_QUARTER', '2026-01-01', '2026-04-01'],
    ['NEXT_YEAR', '2027-01-01', '2028-01-01'],
    ['LAST_N_DAYS:7', '2026-02-25', '2026-03-05'],
    ['NEXT_N_DAYS:2', '2026-03-05', '2026-03-07'],
    ['N_DAYS_AGO:3', '2026-03-01', '2026-03-02'],
    ['LAST_N_MONTHS:2', '2026-01-01', '2026-03-01'],
    ['LAST_90_DAYS', '2025-12-04', '2026-03-05'],
  ])('%s covers [%s, %s)', (literal, start, end) => {
    expect(range(literal)).toEqual([`${start}T00:00:00.000Z`, `${end}T00:00:00.000Z`]);
  });

  it('does not know made-up literals', () => {
    expect(range('SOMEDAY')).toBeUndefined();
  });
});

describe('CSV', () => {
  it('round-trips quotes, delimiters and line breaks', () => {
    const text = writeCsv(['Name', 'Description'], [['Acme, "Inc"', 'two\nlines']]);
    expect(parseCsv(text)).toEqual([
      ['Name', 'Description'],
      ['Acme, "Inc"', 'two\nlines'],
    ]);
    expect(parseCsv('a;b\r\n1;2\r\n', ';')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});

describe('API usage window', () => {
  it('refuses calls beyond the limit until the oldest leave the rolling day', () => {
    const usage = new ApiUsage(2);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    expect(usage.tryConsume(t0)).toBe(true);
    expect(usage.tryConsume(t0 + 3_600_000)).toBe(true);
    expect(usage.tryConsume(t0 + 7_200_000)).toBe(false);
    expect(usage.used(t0 + 86_400_000 + 60_000)).toBe(1);
  });
});

describe('standalone runner arguments', () => {
  it('parses ports, sizes and the connected app', () => {
    expect(
      parseSalesforceCliArgs(['--port', '0', '--deals', '50', '--as-of', '2026-11-01']),
    ).toEqual({
      port: 0,
      deals: 50,
      seed: 2026,
      asOf: '2026-11-01T00:00:00.000Z',
      app: undefined,
    });
    expect(() => parseSalesforceCliArgs(['--client-id', 'x'])).toThrow('go together');
  });
});
