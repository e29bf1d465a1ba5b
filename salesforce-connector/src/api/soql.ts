// SOQL text built safely: quoted literals, datetime literals, and IN lists chunked so that one
// GET request stays well under Salesforce's 16,384-byte limit for URI plus headers.

/** A SOQL string literal: backslash, quotes and control characters escaped. */
export function soqlString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}

/** A pattern for LIKE: `%` and `_` in the value match themselves. */
export function soqlLikeContains(value: string): string {
  return soqlString(`%${value.replace(/[%_]/g, (c) => `\\${c}`)}%`);
}

/** An unquoted SOQL datetime literal in UTC, whole seconds (`2026-01-02T03:04:05Z`). */
export function soqlDateTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Default budget for one encoded `?q=` query string (leaves room for the path and headers). */
export const MAX_ENCODED_QUERY_LENGTH = 8_000;

/**
 * Splits SOQL literals into IN lists so that `wrap(list)` — the whole query around one
 * comma-separated list — encodes to at most `maxEncodedLength` characters. Linear in the input.
 */
export function chunkInLists(
  literals: readonly string[],
  wrap: (inList: string) => string,
  maxEncodedLength = MAX_ENCODED_QUERY_LENGTH,
): string[][] {
  const base = encodeURIComponent(wrap('')).length;
  const comma = encodeURIComponent(',').length;
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = base;
  for (const literal of literals) {
    const cost = encodeURIComponent(literal).length + (current.length === 0 ? 0 : comma);
    if (base + encodeURIComponent(literal).length > maxEncodedLength) {
      throw new Error(`one value alone makes the query longer than ${maxEncodedLength} characters`);
    }
    if (length + cost > maxEncodedLength) {
      chunks.push(current);
      current = [];
      length = base;
    }
    length += encodeURIComponent(literal).length + (current.length === 0 ? 0 : comma);
    current.push(literal);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
