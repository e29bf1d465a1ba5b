import {
  addDays,
  addMonths,
  daysBetween,
  isoDateSchema,
  isoInstantSchema,
  quarterBounds,
} from '@partnerbridge/shared';
import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { instantToMs } from '../../shared/src/calendar.ts';

describe('calendar dates', () => {
  it('agree with the platform calendar for every day from 1900 to 2400', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 182_000 }), (offset) => {
        const expected = new Date(Date.UTC(1900, 0, 1 + offset)).toISOString().slice(0, 10);
        expect(addDays('1900-01-01', offset)).toBe(expected);
        expect(daysBetween('1900-01-01', expected)).toBe(offset);
      }),
    );
  });

  test.each([
    { from: '2025-01-31', months: 1, expected: '2025-02-28' },
    { from: '2024-01-31', months: 1, expected: '2024-02-29' },
    { from: '2025-03-31', months: -1, expected: '2025-02-28' },
    { from: '2025-11-15', months: 2, expected: '2026-01-15' },
    { from: '2025-01-15', months: -13, expected: '2023-12-15' },
    { from: '2000-02-29', months: 12, expected: '2001-02-28' },
  ])(
    '$from + $months months = $expected (clamped to the month end)',
    ({ from, months, expected }) => {
      expect(addMonths(from, months)).toBe(expected);
    },
  );

  it('knows the quarters', () => {
    expect(quarterBounds(2025, 1)).toEqual({ from: '2025-01-01', to: '2025-03-31' });
    expect(quarterBounds(2024, 4)).toEqual({ from: '2024-10-01', to: '2024-12-31' });
  });

  it('accepts real calendar days only', () => {
    expect(isoDateSchema.safeParse('2025-02-29').success).toBe(false);
    expect(isoDateSchema.safeParse('1899-12-31').success).toBe(false);
    expect(isoDateSchema.safeParse('2025-3-1').success).toBe(false);
  });
});

describe('instants', () => {
  it('parse to the same epoch milliseconds as the platform, whatever the precision', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 182_000 }),
        fc.integer({ min: 0, max: 86_399_999 }),
        fc.constantFrom('seconds', '1', '3', '6'),
        (offset, msOfDay, precision) => {
          const iso = new Date(Date.UTC(1900, 0, 1 + offset) + msOfDay).toISOString();
          const text =
            precision === 'seconds'
              ? `${iso.slice(0, 19)}Z`
              : `${iso.slice(0, 20)}${iso.slice(20, 23).padEnd(Number(precision), '7').slice(0, Number(precision))}Z`;
          expect(isoInstantSchema.safeParse(text).success).toBe(true);
          expect(instantToMs(text)).toBe(Date.parse(text));
        },
      ),
    );
  });
});
