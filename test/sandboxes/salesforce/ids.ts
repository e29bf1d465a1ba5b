// Salesforce record ids: 15 case-sensitive characters (3-character key prefix, 2-character pod,
// 1 reserved, 9-character base-62 counter), plus a 3-character checksum that makes the 18-character
// form case-insensitive. The API always answers with 18 characters and accepts both.

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const suffixAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export const keyPrefixes = {
  Account: '001',
  Opportunity: '006',
  User: '005',
  Organization: '00D',
  CustomField: '00N',
  QueryLocator: '01g',
  BulkJob: '750',
} as const;

function toBase62(value: number, width: number): string {
  let rest = value;
  let out = '';
  for (let i = 0; i < width; i++) {
    out = (base62[rest % 62] ?? '0') + out;
    rest = Math.floor(rest / 62);
  }
  if (rest > 0) throw new Error(`id counter overflow: ${value}`);
  return out;
}

/** The three checksum characters of a 15-character id. */
export function idChecksum(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const char = id15.charAt(block * 5 + i);
      if (char >= 'A' && char <= 'Z') bits |= 1 << i;
    }
    suffix += suffixAlphabet.charAt(bits);
  }
  return suffix;
}

/** Builds an 18-character id from a key prefix, a 2-character pod and a counter. */
export function makeId(prefix: string, pod: string, counter: number): string {
  const id15 = `${prefix}${pod}0${toBase62(counter, 9)}`;
  return id15 + idChecksum(id15);
}

/** A two-character pod segment for the n-th org of a sandbox, so ids never collide across orgs. */
export function podFor(orgIndex: number): string {
  return toBase62(orgIndex + 62 * 10, 2);
}

const idShape = /^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/;

/** Whether a string has the shape of a 15- or 18-character id (not whether its checksum is right). */
export function looksLikeId(value: string): boolean {
  return idShape.test(value);
}

/**
 * Normalises a 15- or 18-character id to its canonical 18-character form, restoring letter case
 * from the checksum of an 18-character id. Returns undefined for anything malformed.
 */
export function normalizeId(value: string): string | undefined {
  if (!looksLikeId(value)) return undefined;
  if (value.length === 15) return value + idChecksum(value);
  const suffix = value.slice(15).toUpperCase();
  let restored = '';
  for (let block = 0; block < 3; block++) {
    const bits = suffixAlphabet.indexOf(suffix.charAt(block));
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const char = value.charAt(block * 5 + i);
      restored += bits & (1 << i) ? char.toUpperCase() : char.toLowerCase();
    }
  }
  if (idChecksum(restored) !== suffix) return undefined;
  return restored + suffix;
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}
