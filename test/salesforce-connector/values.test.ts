import {
  canonicalDecimal,
  decimalToMinorUnits,
  minorUnitsToDecimal,
  normalizeDate,
  normalizeDomain,
  normalizeInstant,
  parseMoney,
  toId18,
} from '@partnerbridge/salesforce-connector';
import { describe, expect, it } from 'vitest';
import { chunkInLists, soqlDateTime, soqlString } from '../../salesforce-connector/src/api/soql.ts';

// Exact money, canonical decimals and instants, ids and SOQL literals.

describe(canonicalDecimal, () => {
  it.each([
    [1234.56, '1234.56'],
    ['1234.50', '1234.5'],
    ['001.000', '1'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    ['-0.00', '0'],
    [-12.3, '-12.3'],
    ['+7', '7'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalDecimal(input)).toBe(expected);
  });

  it('refuses what is not a number', () => {
    expect(canonicalDecimal('12a')).toBeUndefined();
    expect(canonicalDecimal(Number.NaN)).toBeUndefined();
    expect(canonicalDecimal('')).toBeUndefined();
  });
});

describe(decimalToMinorUnits, () => {
  it.each([
    ['JSON 1234.56 is exactly 123456 cents', 1234.56, 'USD', 123456n],
    ['a float that multiplies badly (1.15 × 100 = 114.99…)', 1.15, 'USD', 115n],
    ['4.35 × 100 = 434.99… in floats', 4.35, 'EUR', 435n],
    ['decimal text', '19.99', 'GBP', 1999n],
    ['yen have no minor unit: .5 on an odd number rounds up to even', 1234567.5, 'JPY', 1234568n],
    ['yen .5 on an even number stays', 2.5, 'JPY', 2n],
    ['dinars have three digits', '1.2345', 'KWD', 1234n],
    ['dinars tie rounds to even', '1.2355', 'KWD', 1236n],
    ['negative amounts', -10.01, 'USD', -1001n],
    ['big amounts beyond float cents', '90071992547409.91', 'USD', 9007199254740991n],
  ] as const)('%s', (_, value, currency, expected) => {
    expect(decimalToMinorUnits(value, currency)).toBe(expected);
  });

  it('parses money and refuses blanks', () => {
    expect(parseMoney(5604.31, 'USD')).toEqual({ amountMinor: 560431, currency: 'USD' });
    expect(parseMoney('', 'USD')).toBeUndefined();
    expect(parseMoney('n/a', 'USD')).toBeUndefined();
    expect(parseMoney(null, 'USD')).toBeUndefined();
  });

  it('writes money back as decimal text', () => {
    expect(minorUnitsToDecimal({ amountMinor: 123456, currency: 'USD' })).toBe('1234.56');
    expect(minorUnitsToDecimal({ amountMinor: 5, currency: 'USD' })).toBe('0.05');
    expect(minorUnitsToDecimal({ amountMinor: -100, currency: 'EUR' })).toBe('-1');
    expect(minorUnitsToDecimal({ amountMinor: 1234568, currency: 'JPY' })).toBe('1234568');
    expect(minorUnitsToDecimal({ amountMinor: 1234, currency: 'KWD' })).toBe('1.234');
  });
});

describe(normalizeInstant, () => {
  it.each([
    ['2026-01-02T03:04:05.000+0000', '2026-01-02T03:04:05.000Z'],
    ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.000Z'],
    ['2026-01-02T03:04:05.123456Z', '2026-01-02T03:04:05.123Z'],
    ['2026-01-02T08:34:05.000+0530', '2026-01-02T03:04:05.000Z'],
    ['2026-01-01T22:04:05.000-05:00', '2026-01-02T03:04:05.000Z'],
    [1767323045000, '2026-01-02T03:04:05.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeInstant(input)).toBe(expected);
  });

  it('refuses other shapes', () => {
    expect(normalizeInstant('2026-01-02')).toBeUndefined();
    expect(normalizeInstant('yesterday')).toBeUndefined();
    expect(normalizeInstant(null)).toBeUndefined();
  });
});

describe(normalizeDate, () => {
  it('accepts real calendar dates only', () => {
    expect(normalizeDate('2026-02-28')).toBe('2026-02-28');
    expect(normalizeDate('2026-02-30')).toBeUndefined();
    expect(normalizeDate('2026-2-3')).toBeUndefined();
  });
});

describe(normalizeDomain, () => {
  it.each([
    ['https://www.Acme.com/about', 'acme.com'],
    ['acme.com', 'acme.com'],
    ['http://shop.acme.co.uk:8080/?q=1', 'shop.acme.co.uk'],
    ['www2.acme.com.', 'acme.com'],
    ['sales@acme.com', 'acme.com'],
    ['  ', null],
    [null, null],
  ])('%s → %s', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });
});

describe(toId18, () => {
  it('adds the checksum to 15-character ids and checks 18-character ones', () => {
    expect(toId18('001A10000000009')).toBe('001A10000000009IAA');
    expect(toId18('001A10000000009IAA')).toBe('001A10000000009IAA');
    expect(toId18('001a10000000009iaa')).toBeUndefined();
    expect(toId18('001A10000000009XXX')).toBeUndefined();
    expect(toId18('not-an-id')).toBeUndefined();
  });
});

describe('SOQL text', () => {
  it('escapes string literals and formats datetimes in whole seconds', () => {
    expect(soqlString('O\'Brien \\ "Co"\n')).toBe("'O\\'Brien \\\\ \\\"Co\\\"\\n'");
    expect(soqlDateTime(Date.parse('2026-01-02T03:04:05.999Z'))).toBe('2026-01-02T03:04:05Z');
  });

  it('chunks IN lists under the encoded length budget', () => {
    const literals = Array.from({ length: 1_000 }, (_, i) => soqlString(`hs-${i}`));
    const wrap = (list: string) =>
      `SELECT Id FROM Opportunity WHERE PB_HubSpot_Deal_Id__c IN (${list})`;
    const chunks = chunkInLists(literals, wrap, 2_000);
    expect(chunks.flat()).toEqual(literals);
    for (const chunk of chunks) {
      expect(encodeURIComponent(wrap(chunk.join(','))).length).toBeLessThanOrEqual(2_000);
    }
    expect(chunks.length).toBeGreaterThan(4);
    expect(() => chunkInLists([soqlString('x'.repeat(3_000))], wrap, 2_000)).toThrow(/longer than/);
  });
});
