// RFC 4180 CSV as Bulk API 2.0 reads and writes it: quoted fields with doubled quotes, LF or CRLF
// line endings, a configurable delimiter.

export const columnDelimiters = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
} as const;
export type ColumnDelimiter = keyof typeof columnDelimiters;

/** Parses CSV text into rows of fields; throws on an unterminated quote. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const char = text.charAt(i);
    if (quoted) {
      if (char === '"') {
        if (text.charAt(i + 1) === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += char;
      i += 1;
      continue;
    }
    if (char === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (char === delimiter) {
      endField();
      i += 1;
    } else if (char === '\r' && text.charAt(i + 1) === '\n') {
      endRow();
      i += 2;
    } else if (char === '\n') {
      endRow();
      i += 1;
    } else {
      field += char;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;

/** Writes rows as CSV with every field quoted and LF line endings. */
export function writeCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(quote).join(','));
  return `${lines.join('\n')}\n`;
}
