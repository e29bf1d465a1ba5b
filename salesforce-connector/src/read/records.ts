import { createHash } from 'node:crypto';
import type { IsoInstant } from '@partnerbridge/shared';
import { z } from 'zod';
import { restRequest, type SalesforceContext } from '../api/api-calls.ts';
import { toId18 } from '../api/ids.ts';
import type {
  BaseRecord,
  SalesforceObject,
  SyncedObjectName,
  ToDomainOptions,
} from '../objects/declaration.ts';
import type { FieldValues } from '../objects/fields.ts';
import { normalizeInstant } from '../objects/values.ts';

// Shared by the readers: parsing raw records into the views callers use, content hashes, and
// plain SOQL paging for lookups that need no checkpoint.

/** A record as every reader returns it: raw (parsed), typed snapshot, normalised values, hash. */
export type ReadRecord<TRecord, TSnapshot> = {
  /** 18-character id. */
  readonly id: string;
  readonly modstamp: IsoInstant;
  readonly deleted: boolean;
  /** Content hash of (Id, SystemModstamp, field values): equal hashes mean nothing changed. */
  readonly hash: string;
  readonly record: TRecord;
  readonly snapshot: TSnapshot;
  readonly values: FieldValues;
};

/** A raw record that did not match the declaration (surfaced, never silently dropped). */
export type RejectedRecord = {
  readonly id: string | null;
  readonly modstamp: IsoInstant | null;
  readonly reason: string;
  readonly raw: unknown;
};

/** Any declaration, whatever its record and snapshot types. */
export type ObjectOf<TRecord extends BaseRecord, TSnapshot> = SalesforceObject<
  SyncedObjectName,
  TRecord,
  TSnapshot,
  never
>;

/** sha-256 over a canonical JSON of the id, the modstamp and the sorted field values (128 bits kept). */
export function recordHash(id: string, modstamp: string, values: FieldValues): string {
  const entries = Object.keys(values)
    .sort()
    .map((key) => [key, values[key] ?? null]);
  return createHash('sha256')
    .update(JSON.stringify([id, modstamp, entries]))
    .digest('hex')
    .slice(0, 32);
}

export function toReadRecord<TRecord extends BaseRecord, TSnapshot>(
  object: ObjectOf<TRecord, TSnapshot>,
  raw: unknown,
  options: ToDomainOptions = {},
): { ok: true; value: ReadRecord<TRecord, TSnapshot> } | { ok: false; rejected: RejectedRecord } {
  const rawId =
    typeof raw === 'object' && raw !== null && typeof (raw as { Id?: unknown }).Id === 'string'
      ? ((raw as { Id: string }).Id as string)
      : null;
  const rawModstamp =
    normalizeInstant(
      typeof raw === 'object' && raw !== null
        ? (raw as { SystemModstamp?: unknown }).SystemModstamp
        : undefined,
    ) ?? null;
  const parsed = object.recordSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      rejected: { id: rawId, modstamp: rawModstamp, reason: z.prettifyError(parsed.error), raw },
    };
  }
  const record = parsed.data;
  const modstamp = normalizeInstant(record.SystemModstamp);
  if (modstamp === undefined) {
    return {
      ok: false,
      rejected: { id: rawId, modstamp: null, reason: 'SystemModstamp is not a datetime', raw },
    };
  }
  const id = toId18(record.Id) ?? record.Id;
  const values = object.fieldValues(record);
  return {
    ok: true,
    value: {
      id,
      modstamp,
      deleted: record.IsDeleted === true,
      hash: recordHash(id, modstamp, values),
      record,
      snapshot: object.toDomain(record, options),
      values,
    },
  };
}

export const queryResponseSchema = z.looseObject({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.unknown()),
});
export type QueryResponse = z.infer<typeof queryResponseSchema>;

export function selectClause(object: { readonly fields: readonly { name: string }[] }): string {
  return object.fields.map((f) => f.name).join(', ');
}

/** Runs a SOQL query (not queryAll) and follows `nextRecordsUrl` to the end. */
export async function queryEveryPage(context: SalesforceContext, soql: string): Promise<unknown[]> {
  const records: unknown[] = [];
  let page = queryResponseSchema.parse(
    await restRequest<unknown>(context, 'query', 'GET', `/query?q=${encodeURIComponent(soql)}`),
  );
  records.push(...page.records);
  while (!page.done && page.nextRecordsUrl !== undefined) {
    page = queryResponseSchema.parse(
      await restRequest<unknown>(context, 'query_more', 'GET', page.nextRecordsUrl),
    );
    records.push(...page.records);
  }
  return records;
}
