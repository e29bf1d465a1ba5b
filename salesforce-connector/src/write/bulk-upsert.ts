import { InvariantError } from '@partnerbridge/shared';
import { callSalesforce, type SalesforceContext } from '../api/api-calls.ts';
import { toId18 } from '../api/ids.ts';
import { classifySalesforceError, codeForSalesforceErrorCode, SalesforceError } from '../errors.ts';
import type { WritableFields } from '../objects/fields.ts';
import { canonicalDecimal } from '../objects/values.ts';
import { defaultSleep } from './chunking.ts';
import type { UpsertRecord, WriteResult } from './collections.ts';

// Bulk API 2.0 upsert for back-fills (Salesforce suggests Bulk above ~2,000 records). We build the
// CSV ourselves rather than let jsforce derive the header from the first record: every row gets
// the same columns, a column a record does not change stays empty (Bulk 2.0 leaves the field
// alone), and `null` becomes `#N/A` (set to null). Results come back unordered, so they are
// matched to the input by the external id column. Each HTTP request is counted: open, upload,
// close, one per status poll, and the three result downloads.

export type BulkOptions = {
  /** Status poll interval. Default 2 s. */
  readonly pollIntervalMs?: number;
  /** Give up waiting after this long (the job keeps running in Salesforce). Default 10 min. */
  readonly pollTimeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
};

export const NULL_CELL = '#N/A';

function cell(value: string | number | boolean | null | undefined): string {
  if (value === undefined) return '';
  if (value === null || value === '') return NULL_CELL;
  const text =
    typeof value === 'number' ? (canonicalDecimal(value) ?? String(value)) : String(value);
  return /[",\r\n]/.test(text) || text.trim() !== text ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The upload CSV: external id first, then every field any record writes, LF line endings. */
export function bulkUpsertCsv(externalIdField: string, records: readonly UpsertRecord[]): string {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r.fields)))].sort();
  const header = [externalIdField, ...columns].join(',');
  const rows = records.map((record) =>
    [
      cell(record.externalId),
      ...columns.map((c) => cell((record.fields as WritableFields)[c])),
    ].join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

/** `CODE:message:Field1,Field2 --` (Bulk 2.0 sf__Error) as a SalesforceError. */
export function parseBulkError(text: string): SalesforceError {
  const colon = text.indexOf(':');
  const errorCode = colon > 0 ? text.slice(0, colon) : 'UNKNOWN_ERROR';
  let rest = colon > 0 ? text.slice(colon + 1) : text;
  rest = rest.replace(/\s*--\s*$/, '');
  let fields: string[] = [];
  const last = rest.lastIndexOf(':');
  if (last >= 0 && /^[A-Za-z0-9_,]*$/.test(rest.slice(last + 1))) {
    fields = rest
      .slice(last + 1)
      .split(',')
      .filter((f) => f !== '');
    rest = rest.slice(0, last);
  }
  const code = /^[A-Z_]+$/.test(errorCode) ? codeForSalesforceErrorCode(errorCode) : 'permanent';
  return new SalesforceError(
    errorCode === 'UNABLE_TO_LOCK_ROW' || rest.includes('UNABLE_TO_LOCK_ROW')
      ? 'retry_later'
      : code,
    { errorCode, message: rest.trim() === '' ? text : rest.trim(), fields },
  );
}

type ResultRow = Record<string, unknown>;

function rowsOf(value: unknown): ResultRow[] {
  return Array.isArray(value)
    ? value.filter((row): row is ResultRow => typeof row === 'object' && row !== null)
    : [];
}

/**
 * Upserts through one Bulk API 2.0 ingest job. Results in input order; Salesforce errors never
 * throw (a failed job fails every record, an unfinished one leaves them retry_later).
 */
export async function bulkUpsert(
  options: SalesforceContext & {
    readonly object: { readonly sobject: string };
    readonly externalIdField: string;
    readonly records: readonly UpsertRecord[];
    readonly bulk?: BulkOptions;
  },
): Promise<WriteResult[]> {
  const { connection, object, externalIdField } = options;
  const bulk = options.bulk ?? {};
  const sleep = bulk.sleep ?? defaultSleep;
  const now = bulk.now ?? Date.now;
  const count = options.records.length;
  if (count === 0) return [];
  // One row per external id: duplicates merged, later fields win.
  const byKey = new Map<string, { record: UpsertRecord; inputs: number[] }>();
  options.records.forEach((record, index) => {
    if (record.externalId.trim() === '')
      throw new InvariantError(`${object.sobject}: empty external id`);
    if (Object.keys(record.fields).length === 0) {
      throw new InvariantError(`${object.sobject} ${record.externalId}: nothing to write`);
    }
    const key = record.externalId.toLowerCase();
    const existing = byKey.get(key);
    if (existing === undefined) byKey.set(key, { record, inputs: [index] });
    else {
      existing.record = { ...record, fields: { ...existing.record.fields, ...record.fields } };
      existing.inputs.push(index);
    }
  });
  const everyone = (error: SalesforceError): WriteResult[] =>
    options.records.map(() => ({ ok: false, error }));

  const job = connection.bulk2.createJob({
    object: object.sobject,
    operation: 'upsert',
    externalIdFieldName: externalIdField,
    lineEnding: 'LF',
  });
  try {
    await callSalesforce(options, 'bulk', () => job.open());
    const csv = bulkUpsertCsv(
      externalIdField,
      [...byKey.values()].map((entry) => entry.record),
    );
    await callSalesforce(options, 'bulk', () => job.uploadData(csv));
    await callSalesforce(options, 'bulk', () => job.close());
    const deadline = now() + (bulk.pollTimeoutMs ?? 600_000);
    for (;;) {
      const info = await callSalesforce(options, 'bulk', () => job.check());
      if (info.state === 'JobComplete') break;
      if (info.state === 'Failed') {
        return everyone(
          new SalesforceError('permanent', {
            errorCode: 'BULK_JOB_FAILED',
            message: `Bulk API job ${job.id} failed: ${info.errorMessage ?? 'no reason given'}`,
          }),
        );
      }
      if (info.state === 'Aborted') {
        return everyone(
          new SalesforceError('retry_later', {
            errorCode: 'BULK_JOB_ABORTED',
            message: `Bulk API job ${job.id} was aborted`,
          }),
        );
      }
      if (now() >= deadline) {
        return everyone(
          new SalesforceError('retry_later', {
            errorCode: 'JobPollingTimeout',
            message: `Bulk API job ${job.id} did not finish in time; it keeps running in Salesforce`,
          }),
        );
      }
      await sleep(bulk.pollIntervalMs ?? 2_000);
    }
    const successful = rowsOf(
      await callSalesforce(options, 'bulk', () => job.getSuccessfulResults()),
    );
    const failed = rowsOf(await callSalesforce(options, 'bulk', () => job.getFailedResults()));
    const unprocessed = rowsOf(
      await callSalesforce(options, 'bulk', () => job.getUnprocessedRecords()),
    );

    const results: (WriteResult | undefined)[] = new Array(count);
    const assign = (row: ResultRow, result: WriteResult) => {
      const key = String(row[externalIdField] ?? '').toLowerCase();
      for (const index of byKey.get(key)?.inputs ?? []) results[index] = result;
    };
    for (const row of successful) {
      const id = String(row.sf__Id ?? '');
      assign(row, { ok: true, id: toId18(id) ?? id, created: String(row.sf__Created) === 'true' });
    }
    for (const row of failed)
      assign(row, { ok: false, error: parseBulkError(String(row.sf__Error ?? '')) });
    const unfinished = new SalesforceError('retry_later', {
      errorCode: 'BULK_RESULT_MISSING',
      message: `Bulk API job ${job.id} did not process this record`,
    });
    for (const row of unprocessed) assign(row, { ok: false, error: unfinished });
    return results.map((result) => result ?? { ok: false, error: unfinished });
  } catch (error) {
    return everyone(classifySalesforceError(error));
  }
}
