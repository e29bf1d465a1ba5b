import {
  type CurrencyCode,
  currencyCodes,
  currencyExponent,
  type IsoDate,
  type IsoInstant,
  type Money,
  money,
} from '@partnerbridge/shared';

// Value normalisation shared by the object declarations: exact decimals (never through float
// arithmetic), money in integer minor units, dates and instants in one canonical form, so that
// the same value read from Salesforce, from a change event or from HubSpot compares equal.

const plainDecimal = /^([+-]?)(\d+)(?:\.(\d+))?$/;
const exponentDecimal = /^([+-]?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/;

/**
 * The canonical decimal text of a JSON number or numeric string: no exponent, no leading zeros,
 * no trailing fraction zeros, no "-0" (`1234.50` → `1234.5`, `1e21` → `1000000000000000000000`).
 * A JS number is read through its shortest round-trip text, which is the text Salesforce sent.
 */
export function canonicalDecimal(value: number | string): string | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  const text = typeof value === 'number' ? String(value) : value.trim();
  let sign: string;
  let digits: string;
  let pointAt: number;
  const plain = plainDecimal.exec(text);
  if (plain !== null) {
    sign = plain[1] ?? '';
    const whole = plain[2] ?? '0';
    const fraction = plain[3] ?? '';
    digits = whole + fraction;
    pointAt = whole.length;
  } else {
    const exp = exponentDecimal.exec(text);
    if (exp === null) return undefined;
    sign = exp[1] ?? '';
    const whole = exp[2] ?? '0';
    const fraction = exp[3] ?? '';
    digits = whole + fraction;
    pointAt = whole.length + Number(exp[4]);
  }
  if (pointAt < 0) {
    digits = '0'.repeat(-pointAt) + digits;
    pointAt = 0;
  }
  if (pointAt > digits.length) digits += '0'.repeat(pointAt - digits.length);
  const whole = digits.slice(0, pointAt).replace(/^0+/, '') || '0';
  const fraction = digits.slice(pointAt).replace(/0+$/, '');
  const magnitude = fraction === '' ? whole : `${whole}.${fraction}`;
  return magnitude === '0' || sign !== '-' ? magnitude : `-${magnitude}`;
}

/**
 * Exact minor units of a decimal amount in `currency` (`1234.56` USD → 123456). Digits beyond
 * the currency's minor unit (a yen amount with cents) are rounded half-to-even, once.
 */
export function decimalToMinorUnits(value: number | string, currency: CurrencyCode): bigint {
  const canonical = canonicalDecimal(value);
  if (canonical === undefined) throw new RangeError(`not a decimal amount: ${String(value)}`);
  const negative = canonical.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? canonical.slice(1) : canonical).split('.');
  const exponent = currencyExponent(currency);
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  const rest = fraction.slice(exponent);
  let units = BigInt(whole + kept);
  if (rest !== '' && /[1-9]/.test(rest)) {
    const half = `5${'0'.repeat(rest.length - 1)}`;
    const above = rest > half;
    const tie = rest === half;
    if (above || (tie && units % 2n === 1n)) units += 1n;
  }
  return negative ? -units : units;
}

/** A JSON number or numeric string as Money; undefined when empty or not a number. */
export function parseMoney(value: unknown, currency: CurrencyCode): Money | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  if (canonicalDecimal(value) === undefined) return undefined;
  return money(decimalToMinorUnits(value, currency), currency);
}

/** Money as the decimal text Salesforce Currency fields take (`{ 123456, USD }` → `1234.56`). */
export function minorUnitsToDecimal(amount: Money): string {
  const exponent = currencyExponent(amount.currency);
  const negative = amount.amountMinor < 0;
  const digits = String(Math.abs(amount.amountMinor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  const text = exponent === 0 ? whole : `${whole}.${fraction}`;
  return canonicalDecimal(negative ? `-${text}` : text) ?? '0';
}

/** Money as a JSON number for a Salesforce Currency field; exact for up to 15 significant digits. */
export function moneyToSalesforceNumber(amount: Money): number {
  return Number(minorUnitsToDecimal(amount));
}

export function isCurrencyCode(value: unknown): value is CurrencyCode {
  return typeof value === 'string' && (currencyCodes as readonly string[]).includes(value);
}

const instantPattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A Salesforce datetime (`2026-01-02T03:04:05.000+0000`, CDC's `…Z`, any offset) or epoch
 * milliseconds as a UTC ISO instant with milliseconds (`2026-01-02T03:04:05.000Z`).
 */
export function normalizeInstant(value: unknown): IsoInstant | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value).toISOString() as IsoInstant;
  }
  if (typeof value !== 'string') return undefined;
  const match = instantPattern.exec(value.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = match;
  let ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(fraction.padEnd(3, '0').slice(0, 3)),
  );
  if (zone !== 'Z') {
    const offset = zone.replace(':', '');
    const minutes = Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5));
    ms -= (offset.startsWith('-') ? -1 : 1) * minutes * 60_000;
  }
  return Number.isFinite(ms) ? (new Date(ms).toISOString() as IsoInstant) : undefined;
}

/** Epoch milliseconds of a Salesforce datetime. */
export function instantToMs(value: unknown): number | undefined {
  const instant = normalizeInstant(value);
  return instant === undefined ? undefined : Date.parse(instant);
}

/** A Salesforce date (`2026-06-30`) checked and returned as an ISO date. */
export function normalizeDate(value: unknown): IsoDate | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (match === null) return undefined;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value.trim() ? (value.trim() as IsoDate) : undefined;
}

/** Website or e-mail domain reduced for identity matching: `https://www.Acme.com/x` → `acme.com`. */
export function normalizeDomain(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let text = value.trim().toLowerCase();
  if (text === '') return null;
  text = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  text = text.replace(/^[^@/]*@/, '');
  text = text.split(/[/?#]/)[0] ?? '';
  text = text.replace(/:\d+$/, '').replace(/\.+$/, '');
  text = text.replace(/^www\d*\./, '');
  return text === '' ? null : text;
}
