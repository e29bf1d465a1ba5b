// Salesforce record ids: 15 case-sensitive characters, or 18 with a 3-character checksum that
// makes them case-insensitive. The API answers 18; people and other systems often store 15.

const idPattern = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const suffixAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

function checksum(id15: string): string {
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

/** The 18-character form of a 15- or 18-character id, or undefined when it is not an id. */
export function toId18(id: string): string | undefined {
  if (!idPattern.test(id)) return undefined;
  const id15 = id.slice(0, 15);
  const suffix = checksum(id15);
  if (id.length === 18 && id.slice(15).toUpperCase() !== suffix) return undefined;
  return id15 + suffix;
}

/** Whether `id` is a well-formed id of the object with this key prefix (`006` Opportunity…). */
export function isIdOf(id: string, keyPrefix: string): boolean {
  return toId18(id) !== undefined && id.slice(0, 3) === keyPrefix;
}

/** Two ids name the same record (15 vs 18 characters, 18-character case differences). */
export function sameId(a: string, b: string): boolean {
  const left = toId18(a);
  return left !== undefined && left === toId18(b);
}
