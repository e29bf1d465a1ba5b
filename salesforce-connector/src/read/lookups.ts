import type { IsoInstant } from '@partnerbridge/shared';
import { z } from 'zod';
import { restRequest, type SalesforceContext } from '../api/api-calls.ts';
import { isIdOf, toId18 } from '../api/ids.ts';
import { chunkInLists, soqlLikeContains, soqlString } from '../api/soql.ts';
import type { BaseRecord, ToDomainOptions } from '../objects/declaration.ts';
import { normalizeDomain, normalizeInstant } from '../objects/values.ts';
import {
  type ObjectOf,
  queryEveryPage,
  queryResponseSchema,
  type ReadRecord,
  selectClause,
  toReadRecord,
} from './records.ts';

// Batched lookups: records by id (sObject Collections retrieve, up to 2,000 ids a call), by our
// external id, identity candidates by name/website (one SOQL per chunk with IN/LIKE lists), and
// deletions from the delete log (getDeleted) for windows queryAll can no longer see.

/** Salesforce's documented maximum for `POST /composite/sobjects/{Type}` retrieves. */
export const RETRIEVE_CHUNK_SIZE = 2_000;

function lenientRead<TRecord extends BaseRecord, TSnapshot>(
  object: ObjectOf<TRecord, TSnapshot>,
  raw: unknown,
  options: ToDomainOptions | undefined,
): ReadRecord<TRecord, TSnapshot> | null {
  const read = toReadRecord(object, raw, options);
  return read.ok ? read.value : null;
}

/**
 * Records by id, aligned with `ids` (null for missing, deleted, inaccessible or malformed ids).
 * One call per `chunkSize` ids; malformed ids are answered locally without a call.
 */
export async function retrieveByIds<TRecord extends BaseRecord, TSnapshot>(
  options: SalesforceContext & {
    readonly object: ObjectOf<TRecord, TSnapshot>;
    readonly ids: readonly string[];
    readonly chunkSize?: number;
    readonly toDomainOptions?: ToDomainOptions;
  },
): Promise<(ReadRecord<TRecord, TSnapshot> | null)[]> {
  const { object } = options;
  const chunkSize = Math.min(
    RETRIEVE_CHUNK_SIZE,
    Math.max(1, options.chunkSize ?? RETRIEVE_CHUNK_SIZE),
  );
  const results: (ReadRecord<TRecord, TSnapshot> | null)[] = options.ids.map(() => null);
  const valid = options.ids
    .map((id, index) => ({ id, index }))
    .filter(({ id }) => isIdOf(id, object.keyPrefix));
  const fields = object.fields.map((f) => f.name);
  for (let start = 0; start < valid.length; start += chunkSize) {
    const chunk = valid.slice(start, start + chunkSize);
    const answer = z.array(z.unknown()).parse(
      await restRequest<unknown>(
        options,
        'retrieve',
        'POST',
        `/composite/sobjects/${object.sobject}`,
        {
          ids: chunk.map(({ id }) => id),
          fields,
        },
      ),
    );
    chunk.forEach(({ index }, position) => {
      const raw = answer[position];
      results[index] =
        raw === null || raw === undefined
          ? null
          : lenientRead(object, raw, options.toDomainOptions);
    });
  }
  return results;
}

/** Live records by our external id (the HubSpot id), keyed by the external id as requested. */
export async function findByExternalIds<TRecord extends BaseRecord, TSnapshot>(
  options: SalesforceContext & {
    readonly object: ObjectOf<TRecord, TSnapshot>;
    readonly externalIds: readonly string[];
    readonly toDomainOptions?: ToDomainOptions;
  },
): Promise<Map<string, ReadRecord<TRecord, TSnapshot>>> {
  const { object } = options;
  const field = object.externalIdField;
  // External ids are unique and case-insensitive (caseSensitive: false), as Salesforce matches them.
  const requested = new Map<string, string>();
  for (const externalId of options.externalIds) {
    if (externalId !== '') requested.set(externalId.toLowerCase(), externalId);
  }
  const found = new Map<string, ReadRecord<TRecord, TSnapshot>>();
  const wrap = (list: string) =>
    `SELECT ${selectClause(object)} FROM ${object.sobject} WHERE ${field} IN (${list})`;
  const chunks = chunkInLists([...requested.values()].map(soqlString), wrap);
  for (const chunk of chunks) {
    for (const raw of await queryEveryPage(options, wrap(chunk.join(',')))) {
      const read = lenientRead(object, raw, options.toDomainOptions);
      const value = read?.values[field];
      if (read === null || typeof value !== 'string') continue;
      const key = requested.get(value.toLowerCase());
      if (key !== undefined) found.set(key, read);
    }
  }
  return found;
}

export type IdentityCandidate<TRecord, TSnapshot> = ReadRecord<TRecord, TSnapshot> & {
  /** Why it is a candidate: the exact name (case-insensitive) and/or the website's domain. */
  readonly matchedOn: readonly ('name' | 'domain')[];
};

/**
 * Records that may be the same company as ours (identity matching before creating one): live
 * records whose name equals one of `names` (case-insensitive) or whose website has the domain of
 * one of `websites`. The engine decides; ambiguous matches should go to review, not be merged.
 */
export async function findCandidates<TRecord extends BaseRecord, TSnapshot>(
  options: SalesforceContext & {
    readonly object: ObjectOf<TRecord, TSnapshot>;
    readonly names?: readonly string[];
    readonly websites?: readonly string[];
    readonly toDomainOptions?: ToDomainOptions;
  },
): Promise<IdentityCandidate<TRecord, TSnapshot>[]> {
  const { object } = options;
  const names = new Set(
    (options.names ?? []).map((n) => n.trim().toLowerCase()).filter((n) => n !== ''),
  );
  const domains = new Set(
    (options.websites ?? []).map(normalizeDomain).filter((d): d is string => d !== null),
  );
  const base = `SELECT ${selectClause(object)} FROM ${object.sobject} WHERE `;
  const queries: string[] = [];
  if (names.size > 0) {
    const wrap = (list: string) => `${base}${object.nameField} IN (${list})`;
    const literals = [...(options.names ?? [])]
      .filter((n) => n.trim() !== '')
      .map((n) => soqlString(n.trim()));
    for (const chunk of chunkInLists([...new Set(literals)], wrap))
      queries.push(wrap(chunk.join(',')));
  }
  if (domains.size > 0 && object.websiteField !== null) {
    const websiteField = object.websiteField;
    const wrap = (list: string) => `${base}(${list})`;
    const conditions = [...domains].map((d) => `${websiteField} LIKE ${soqlLikeContains(d)}`);
    for (const chunk of chunkInLists(conditions, wrap)) queries.push(wrap(chunk.join(' OR ')));
  }
  const byId = new Map<string, IdentityCandidate<TRecord, TSnapshot>>();
  for (const soql of queries) {
    for (const raw of await queryEveryPage(options, soql)) {
      const read = lenientRead(object, raw, options.toDomainOptions);
      if (read === null || byId.has(read.id)) continue;
      const matchedOn: ('name' | 'domain')[] = [];
      const name = read.values[object.nameField];
      if (typeof name === 'string' && names.has(name.trim().toLowerCase())) matchedOn.push('name');
      const website = object.websiteField === null ? null : read.values[object.websiteField];
      const domain = typeof website === 'string' ? normalizeDomain(website) : null;
      // LIKE '%acme.com%' also finds notacme.com: keep exact domain matches only.
      if (domain !== null && domains.has(domain)) matchedOn.push('domain');
      if (matchedOn.length > 0) byId.set(read.id, { ...read, matchedOn });
    }
  }
  return [...byId.values()];
}

const deletionRowSchema = z.looseObject({
  Id: z.string(),
  IsDeleted: z.boolean(),
  SystemModstamp: z.string(),
});

/**
 * Which of these ids are in the recycle bin, and since when (their SystemModstamp, which a delete
 * moves): `queryAll … WHERE Id IN (…)`, one call per chunk of ids. Ids absent from the answer are
 * live, purged from the bin, or out of the user's reach: no deletion is on record for them.
 */
export async function findDeletedByIds(
  options: SalesforceContext & {
    readonly object: { readonly sobject: string; readonly keyPrefix: string };
    readonly ids: readonly string[];
  },
): Promise<Map<string, { readonly deletedAt: IsoInstant }>> {
  const ids = [
    ...new Set(
      options.ids
        .filter((id) => isIdOf(id, options.object.keyPrefix))
        .map((id) => toId18(id) ?? id),
    ),
  ];
  const out = new Map<string, { readonly deletedAt: IsoInstant }>();
  const wrap = (list: string) =>
    `SELECT Id, IsDeleted, SystemModstamp FROM ${options.object.sobject} WHERE Id IN (${list})`;
  for (const chunk of chunkInLists(ids.map(soqlString), wrap)) {
    let page = queryResponseSchema.parse(
      await restRequest<unknown>(
        options,
        'query',
        'GET',
        `/queryAll?q=${encodeURIComponent(wrap(chunk.join(',')))}`,
      ),
    );
    for (;;) {
      for (const raw of page.records) {
        const row = deletionRowSchema.safeParse(raw);
        if (!row.success || !row.data.IsDeleted) continue;
        const deletedAt = normalizeInstant(row.data.SystemModstamp);
        if (deletedAt !== undefined) out.set(toId18(row.data.Id) ?? row.data.Id, { deletedAt });
      }
      if (page.done || page.nextRecordsUrl === undefined) break;
      page = queryResponseSchema.parse(
        await restRequest<unknown>(options, 'query_more', 'GET', page.nextRecordsUrl),
      );
    }
  }
  return out;
}

const deletedResponseSchema = z.looseObject({
  deletedRecords: z.array(z.looseObject({ id: z.string(), deletedDate: z.string() })),
  earliestDateAvailable: z.string(),
  latestDateCovered: z.string(),
});

export type DeletedWindow = {
  readonly deletions: readonly { readonly id: string; readonly deletedAt: IsoInstant }[];
  /** Start the next window here. */
  readonly latestDateCovered: IsoInstant;
  readonly earliestDateAvailable: IsoInstant;
  /**
   * False when the delete log no longer reaches back to `start`: deletions before
   * `earliestDateAvailable` are lost, so run a full reconciliation of the object's ids.
   */
  readonly complete: boolean;
};

/** How far back the delete log is asked for (Salesforce keeps about 15 days). */
export const DELETE_LOG_DAYS = 14;

function replicationDate(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

/**
 * Deletions in [start, end) from the delete log (`GET /sobjects/{Type}/deleted`), for windows
 * where queryAll's recycle bin may have been emptied. Salesforce keeps about 15 days and works
 * in whole minutes; `end` must not be in the future. One call.
 */
export async function readDeleted(
  options: SalesforceContext & {
    readonly object: { readonly sobject: string };
    readonly start: IsoInstant;
    readonly end: IsoInstant;
  },
): Promise<DeletedWindow> {
  const end = Date.parse(options.end);
  // Salesforce keeps ~15 days of delete log and refuses windows starting earlier: clamp the start
  // and report the window incomplete so the caller reconciles instead.
  const requestedStart = Date.parse(options.start);
  const start = Math.max(requestedStart, end - DELETE_LOG_DAYS * 86_400_000);
  const url =
    `/sobjects/${options.object.sobject}/deleted/?start=${encodeURIComponent(replicationDate(start))}` +
    `&end=${encodeURIComponent(replicationDate(end))}`;
  const answer = deletedResponseSchema.parse(
    await restRequest<unknown>(options, 'get_deleted', 'GET', url),
  );
  const earliest = normalizeInstant(answer.earliestDateAvailable);
  const latest = normalizeInstant(answer.latestDateCovered);
  if (earliest === undefined || latest === undefined) {
    throw new Error('Salesforce getDeleted answered dates it could not parse');
  }
  return {
    deletions: answer.deletedRecords.map((entry) => ({
      id: toId18(entry.id) ?? entry.id,
      deletedAt: normalizeInstant(entry.deletedDate) ?? latest,
    })),
    latestDateCovered: latest,
    earliestDateAvailable: earliest,
    complete: start === requestedStart && Date.parse(earliest) <= requestedStart,
  };
}
