import { type IsoInstant, isoInstantSchema } from '@partnerbridge/shared';
import { z } from 'zod';
import { restRequest, type SalesforceContext } from '../api/api-calls.ts';
import { soqlDateTime } from '../api/soql.ts';
import { SalesforceError } from '../errors.ts';
import type { BaseRecord, ToDomainOptions } from '../objects/declaration.ts';
import {
  type ObjectOf,
  type QueryResponse,
  queryResponseSchema,
  type ReadRecord,
  type RejectedRecord,
  selectClause,
  toReadRecord,
} from './records.ts';

// Incremental reads by SystemModstamp (which moves on user, automation and delete changes):
//   queryAll  SELECT … WHERE SystemModstamp >= :cursor - overlap ORDER BY SystemModstamp, Id
// paged with queryMore. The overlap re-reads a window before the cursor so that late commits and
// same-millisecond ties are never missed; the re-read rows are recognised by their content hash
// and skipped. `onPage` gets each page with the checkpoint that covers it: the caller stores both
// in one transaction, and only then does the next page load. A crash resumes from the stored
// checkpoint (mid-query through nextRecordsUrl, or by re-querying from the cursor when the query
// locator has expired); nothing is lost, and nothing is processed twice beyond the overlap.

export const boundaryEntrySchema = z.strictObject({
  modstamp: isoInstantSchema,
  hash: z.string().min(1),
});

/** Where an incremental read stands: persist it with the records of the page it came with. */
export const readCheckpointSchema = z.strictObject({
  /** SystemModstamp of the last record processed; null before the first read (full read). */
  cursor: isoInstantSchema.nullable(),
  /** Hashes of the processed records in the overlap window behind the cursor. */
  boundaryHashes: z.array(boundaryEntrySchema),
  /** Present while a query is paged part-way: the next page to load. */
  nextRecordsUrl: z.string().min(1).optional(),
});
export type ReadCheckpoint = z.infer<typeof readCheckpointSchema>;

export const initialReadCheckpoint: ReadCheckpoint = { cursor: null, boundaryHashes: [] };

export type ChangePage<TRecord, TSnapshot> = {
  /** New or changed records (deleted ones carry `deleted: true`), in SystemModstamp, Id order. */
  readonly changes: readonly ReadRecord<TRecord, TSnapshot>[];
  /** Records that did not match the declaration: dead-letter them, the cursor moves past them. */
  readonly rejected: readonly RejectedRecord[];
  /** Overlap rows recognised as already processed. */
  readonly skipped: number;
  /** The checkpoint once this page is processed: store it with the page's records. */
  readonly checkpoint: ReadCheckpoint;
};

export type ReadChangesOptions<TRecord extends BaseRecord, TSnapshot> = SalesforceContext & {
  readonly object: ObjectOf<TRecord, TSnapshot>;
  readonly checkpoint: ReadCheckpoint;
  /** How far behind the cursor to re-read. Default 2 minutes. */
  readonly overlapMs?: number;
  /** Records per page (Salesforce: 200–2,000, not guaranteed). Default 2,000. */
  readonly pageSize?: number;
  /** Extra de-duplication, e.g. against the engine's shadow of what it already applied. */
  readonly seen?: (entry: { readonly id: string; readonly hash: string }) => boolean;
  /** Stop after this many pages (the checkpoint then carries nextRecordsUrl). */
  readonly maxPages?: number;
  readonly toDomainOptions?: ToDomainOptions;
  readonly onPage: (page: ChangePage<TRecord, TSnapshot>) => Promise<void> | void;
};

export type ReadChangesResult = {
  readonly checkpoint: ReadCheckpoint;
  readonly pages: number;
  readonly changes: number;
  /** False when `maxPages` stopped the read before the end of the query. */
  readonly done: boolean;
};

export const DEFAULT_OVERLAP_MS = 120_000;

/** The SOQL of an incremental read from `cursor` (exported for tests and docs). */
export function incrementalQuery(
  object: { readonly sobject: string; readonly fields: readonly { name: string }[] },
  cursor: IsoInstant | null,
  overlapMs: number,
): string {
  const where =
    cursor === null
      ? ''
      : ` WHERE SystemModstamp >= ${soqlDateTime(Date.parse(cursor) - overlapMs)}`;
  return `SELECT ${selectClause(object)} FROM ${object.sobject}${where} ORDER BY SystemModstamp ASC, Id ASC`;
}

function laterOf(a: IsoInstant | null, b: IsoInstant | null): IsoInstant | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

export async function readChanges<TRecord extends BaseRecord, TSnapshot>(
  options: ReadChangesOptions<TRecord, TSnapshot>,
): Promise<ReadChangesResult> {
  const { object } = options;
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  const pageSize = Math.min(2_000, Math.max(200, options.pageSize ?? 2_000));
  const headers = { 'Sforce-Query-Options': `batchSize=${pageSize}` };
  let checkpoint = readCheckpointSchema.parse(options.checkpoint);
  let pages = 0;
  let changeCount = 0;

  const startQuery = async (): Promise<QueryResponse> => {
    const soql = incrementalQuery(object, checkpoint.cursor, overlapMs);
    return queryResponseSchema.parse(
      await restRequest<unknown>(
        options,
        'query',
        'GET',
        `/queryAll?q=${encodeURIComponent(soql)}`,
        undefined,
        headers,
      ),
    );
  };
  const loadMore = async (url: string): Promise<QueryResponse> => {
    try {
      return queryResponseSchema.parse(
        await restRequest<unknown>(options, 'query_more', 'GET', url, undefined, headers),
      );
    } catch (error) {
      // Locators expire after ~15 idle minutes: start over from the cursor; the hashes of the
      // overlap window make the re-read rows no-ops.
      if (error instanceof SalesforceError && error.errorCode === 'INVALID_QUERY_LOCATOR') {
        checkpoint = { cursor: checkpoint.cursor, boundaryHashes: checkpoint.boundaryHashes };
        return startQuery();
      }
      throw error;
    }
  };

  let response =
    checkpoint.nextRecordsUrl === undefined
      ? await startQuery()
      : await loadMore(checkpoint.nextRecordsUrl);

  for (;;) {
    const known = new Set(checkpoint.boundaryHashes.map((entry) => entry.hash));
    const changes: ReadRecord<TRecord, TSnapshot>[] = [];
    const rejected: RejectedRecord[] = [];
    const processed: { modstamp: IsoInstant; hash: string }[] = [];
    let skipped = 0;
    let cursor = checkpoint.cursor;
    for (const raw of response.records) {
      const read = toReadRecord(object, raw, options.toDomainOptions);
      if (!read.ok) {
        rejected.push(read.rejected);
        cursor = laterOf(cursor, read.rejected.modstamp);
        continue;
      }
      const record = read.value;
      cursor = laterOf(cursor, record.modstamp);
      processed.push({ modstamp: record.modstamp, hash: record.hash });
      if (known.has(record.hash) || options.seen?.({ id: record.id, hash: record.hash }) === true) {
        skipped++;
        continue;
      }
      known.add(record.hash);
      changes.push(record);
    }
    const windowStart = cursor === null ? 0 : Date.parse(cursor) - overlapMs;
    const boundary = new Map<string, { modstamp: IsoInstant; hash: string }>();
    for (const entry of [...checkpoint.boundaryHashes, ...processed]) {
      if (Date.parse(entry.modstamp) >= windowStart) boundary.set(entry.hash, entry);
    }
    const more = !response.done && response.nextRecordsUrl !== undefined;
    checkpoint = {
      cursor,
      boundaryHashes: [...boundary.values()],
      ...(more && response.nextRecordsUrl !== undefined
        ? { nextRecordsUrl: response.nextRecordsUrl }
        : {}),
    };
    await options.onPage({ changes, rejected, skipped, checkpoint });
    pages++;
    changeCount += changes.length;
    if (!more || checkpoint.nextRecordsUrl === undefined) {
      return { checkpoint, pages, changes: changeCount, done: true };
    }
    if (options.maxPages !== undefined && pages >= options.maxPages) {
      return { checkpoint, pages, changes: changeCount, done: false };
    }
    response = await loadMore(checkpoint.nextRecordsUrl);
  }
}
