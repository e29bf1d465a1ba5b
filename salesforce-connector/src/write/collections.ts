import { InvariantError } from '@partnerbridge/shared';
import { z } from 'zod';
import { restRequest, type SalesforceContext } from '../api/api-calls.ts';
import { isIdOf, toId18 } from '../api/ids.ts';
import { classifyRecordErrors, classifySalesforceError, SalesforceError } from '../errors.ts';
import type { WritableFields } from '../objects/fields.ts';
import {
  backoffDelay,
  COLLECTION_LIMIT,
  defaultSleep,
  packChunks,
  type RetryPolicy,
} from './chunking.ts';

// Writes through sObject Collections: ≤ 200 records a call, `allOrNone: false` so one bad record
// never fails its neighbours, results per record in input order. Records locked by another
// transaction (UNABLE_TO_LOCK_ROW) are retried — only that subset, with jittered backoff — and
// after the last retry come back as retry_later. A call that fails as a whole gives every record
// in it that error; after auth_expired or rate_limited nothing more is sent (those records come
// back with the same error, marked not attempted). Salesforce errors never throw: only
// programmer errors (empty writes, read-only or missing keys) do, before anything is sent.

export type WriteResult =
  | { readonly ok: true; readonly id: string; readonly created: boolean }
  | { readonly ok: false; readonly error: SalesforceError };

/** One record to upsert: our external id (the HubSpot id) and only the fields that changed. */
export type UpsertRecord = {
  readonly externalId: string;
  readonly fields: WritableFields;
  /** The parent the write locks (Opportunity → its AccountId), when not among `fields`. */
  readonly parentId?: string | null;
};

export type UpdateRecord = {
  readonly id: string;
  readonly fields: WritableFields;
  readonly parentId?: string | null;
};

type WriteTarget = {
  readonly sobject: string;
  readonly keyPrefix: string;
  readonly parentField: string | null;
};

export type CollectionWriteOptions = SalesforceContext & {
  readonly object: WriteTarget;
  readonly retry?: RetryPolicy;
};

const saveResultsSchema = z.array(
  z.looseObject({
    id: z.string().nullish(),
    success: z.boolean(),
    created: z.boolean().optional(),
    errors: z.array(z.unknown()).optional(),
  }),
);
type SaveResult = z.infer<typeof saveResultsSchema>[number];

export function isLockError(error: SalesforceError): boolean {
  return error.errorCode === 'UNABLE_TO_LOCK_ROW' || error.message.includes('UNABLE_TO_LOCK_ROW');
}

function notAttempted(cause: SalesforceError): SalesforceError {
  return new SalesforceError(cause.code, {
    errorCode: cause.errorCode,
    message: `not attempted: an earlier call failed with ${cause.errorCode}: ${cause.message}`,
    reason: cause.reason,
    cause,
  });
}

function afterRetries(error: SalesforceError, attempts: number): SalesforceError {
  return new SalesforceError('retry_later', {
    errorCode: error.errorCode,
    message: `${error.message} (still locked after ${attempts} attempts)`,
    fields: error.fields,
    reason: error.reason,
    cause: error,
  });
}

/**
 * The shared engine: packs `items` by parent into ≤ 200-record calls, sends them one after the
 * other, retries lock failures, and returns one result per item in order.
 */
async function writeInChunks<T>(
  options: CollectionWriteOptions,
  items: readonly T[],
  parentOf: (item: T) => string | null | undefined,
  send: (chunk: readonly T[]) => Promise<unknown>,
  toResult: (item: T, result: SaveResult) => WriteResult,
): Promise<WriteResult[]> {
  const results: (WriteResult | undefined)[] = items.map(() => undefined);
  const policy = options.retry ?? {};
  const maxRetries = policy.maxRetries ?? 3;
  let pending = items.map((_, index) => index);
  let stop: SalesforceError | undefined;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const chunks = packChunks(
      pending.map((index) => parentOf(items[index] as T)),
      COLLECTION_LIMIT,
    ).map((chunk) => chunk.map((position) => pending[position] as number));
    const locked: number[] = [];
    for (const chunk of chunks) {
      if (stop !== undefined) {
        for (const index of chunk) results[index] = { ok: false, error: notAttempted(stop) };
        continue;
      }
      let answer: SaveResult[];
      try {
        const parsed = saveResultsSchema.safeParse(
          await send(chunk.map((index) => items[index] as T)),
        );
        if (!parsed.success || parsed.data.length !== chunk.length) {
          throw new SalesforceError('retry_later', {
            errorCode: 'UNEXPECTED_RESPONSE',
            message: 'Salesforce answered a collection call without one result per record',
          });
        }
        answer = parsed.data;
      } catch (thrown) {
        const error = classifySalesforceError(thrown);
        if (error.code === 'auth_expired' || error.code === 'rate_limited') stop = error;
        for (const index of chunk) results[index] = { ok: false, error };
        continue;
      }
      chunk.forEach((index, position) => {
        const result = answer[position] as SaveResult;
        const written = toResult(items[index] as T, result);
        results[index] = written;
        if (!written.ok && isLockError(written.error)) locked.push(index);
      });
    }
    if (locked.length === 0 || stop !== undefined) break;
    if (attempt >= maxRetries) {
      for (const index of locked) {
        const result = results[index];
        if (result !== undefined && !result.ok) {
          results[index] = { ok: false, error: afterRetries(result.error, attempt + 1) };
        }
      }
      break;
    }
    await (policy.sleep ?? defaultSleep)(backoffDelay(attempt, policy));
    pending = locked;
  }
  return results.map(
    (result) =>
      result ?? {
        ok: false,
        error: new SalesforceError('retry_later', {
          errorCode: 'UNEXPECTED_RESPONSE',
          message: 'no result for this record',
        }),
      },
  );
}

function saveResult(result: SaveResult, fallbackId?: string): WriteResult {
  if (result.success) {
    const id = result.id ?? fallbackId;
    if (id === undefined || id === null) {
      return {
        ok: false,
        error: new SalesforceError('retry_later', {
          errorCode: 'UNEXPECTED_RESPONSE',
          message: 'Salesforce reported success without a record id',
        }),
      };
    }
    return { ok: true, id: toId18(id) ?? id, created: result.created === true };
  }
  return { ok: false, error: classifyRecordErrors(result.errors ?? []) };
}

function checkFields(sobject: string, key: string, fields: WritableFields, forbidden: string[]) {
  const names = Object.keys(fields);
  if (names.length === 0) {
    throw new InvariantError(
      `${sobject} ${key}: nothing to write (pass only records with changes)`,
    );
  }
  for (const name of names) {
    if (forbidden.some((f) => f.toLowerCase() === name.toLowerCase())) {
      throw new InvariantError(`${sobject} ${key}: ${name} cannot be among the written fields`);
    }
  }
}

type Merged<T> = { readonly item: T; readonly inputs: number[] };

/** Merges records with the same key (later fields win): one write each, one result for all. */
function mergeByKey<
  T extends { readonly fields: WritableFields; readonly parentId?: string | null },
>(records: readonly T[], keyOf: (record: T) => string): Merged<T>[] {
  const byKey = new Map<string, { item: T; inputs: number[] }>();
  records.forEach((record, index) => {
    const key = keyOf(record);
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, { item: record, inputs: [index] });
      return;
    }
    existing.item = {
      ...existing.item,
      ...record,
      fields: { ...existing.item.fields, ...record.fields },
      parentId: record.parentId ?? existing.item.parentId ?? null,
    };
    existing.inputs.push(index);
  });
  return [...byKey.values()];
}

function spread<T>(merged: readonly Merged<T>[], results: readonly WriteResult[], count: number) {
  const out: WriteResult[] = new Array(count);
  merged.forEach((entry, position) => {
    for (const index of entry.inputs) out[index] = results[position] as WriteResult;
  });
  return out;
}

function parentFrom(
  object: WriteTarget,
  record: { fields: WritableFields; parentId?: string | null },
) {
  if (record.parentId !== undefined && record.parentId !== null) return record.parentId;
  const value = object.parentField === null ? undefined : record.fields[object.parentField];
  return typeof value === 'string' ? value : null;
}

/**
 * Upserts by our external id (`PATCH /composite/sobjects/{Type}/{ExternalIdField}`): creates the
 * record or updates the one holding that HubSpot id. Results in input order; the same external
 * id twice is written once (fields merged, later wins) and both get its result.
 */
export async function upsertCollections(
  options: CollectionWriteOptions & {
    readonly externalIdField: string;
    readonly records: readonly UpsertRecord[];
  },
): Promise<WriteResult[]> {
  const { object, externalIdField } = options;
  for (const record of options.records) {
    if (record.externalId.trim() === '')
      throw new InvariantError(`${object.sobject}: empty external id`);
    checkFields(object.sobject, record.externalId, record.fields, ['Id', externalIdField]);
  }
  const merged = mergeByKey(options.records, (r) => r.externalId.toLowerCase());
  const results = await writeInChunks(
    options,
    merged,
    (entry) => parentFrom(object, entry.item),
    (chunk) =>
      restRequest(
        options,
        'upsert',
        'PATCH',
        `/composite/sobjects/${object.sobject}/${externalIdField}`,
        {
          allOrNone: false,
          records: chunk.map(({ item }) => ({
            attributes: { type: object.sobject },
            ...item.fields,
            [externalIdField]: item.externalId,
          })),
        },
      ),
    (_, result) => saveResult(result),
  );
  return spread(merged, results, options.records.length);
}

const malformed = (id: string) =>
  new SalesforceError('permanent', {
    errorCode: 'MALFORMED_ID',
    message: `${id} is not a valid id for this object`,
  });

/** Updates records by id (`PATCH /composite/sobjects`), same guarantees as the upsert. */
export async function updateByIds(
  options: CollectionWriteOptions & { readonly records: readonly UpdateRecord[] },
): Promise<WriteResult[]> {
  const { object } = options;
  for (const record of options.records)
    checkFields(object.sobject, record.id, record.fields, ['Id']);
  const out: WriteResult[] = new Array(options.records.length);
  const valid: { record: UpdateRecord; index: number }[] = [];
  options.records.forEach((record, index) => {
    if (isIdOf(record.id, object.keyPrefix)) valid.push({ record, index });
    else out[index] = { ok: false, error: malformed(record.id) };
  });
  const merged = mergeByKey(
    valid.map((v) => v.record),
    (r) => toId18(r.id) ?? r.id,
  );
  const results = spread(
    merged,
    await writeInChunks(
      options,
      merged,
      (entry) => parentFrom(object, entry.item),
      (chunk) =>
        restRequest(options, 'update', 'PATCH', '/composite/sobjects', {
          allOrNone: false,
          records: chunk.map(({ item }) => ({
            attributes: { type: object.sobject },
            ...item.fields,
            id: item.id,
          })),
        }),
      ({ item }, result) => saveResult(result, item.id),
    ),
    valid.length,
  );
  valid.forEach(({ index }, position) => {
    out[index] = results[position] as WriteResult;
  });
  return out;
}

/**
 * Deletes records by id (`DELETE /composite/sobjects?ids=…`), ≤ 200 a call. A record that is
 * already deleted counts as deleted.
 */
export async function deleteByIds(
  options: CollectionWriteOptions & { readonly ids: readonly string[] },
): Promise<WriteResult[]> {
  const { object } = options;
  const out: WriteResult[] = new Array(options.ids.length);
  const valid: { id: string; index: number }[] = [];
  options.ids.forEach((id, index) => {
    if (isIdOf(id, object.keyPrefix)) valid.push({ id: toId18(id) ?? id, index });
    else out[index] = { ok: false, error: malformed(id) };
  });
  const unique = [...new Set(valid.map((v) => v.id))];
  const results = await writeInChunks(
    options,
    unique,
    () => null,
    (chunk) =>
      restRequest(
        options,
        'delete',
        'DELETE',
        `/composite/sobjects?ids=${chunk.join(',')}&allOrNone=false`,
      ),
    (id, result) => {
      const written = saveResult(result, id);
      if (!written.ok && written.error.errorCode === 'ENTITY_IS_DELETED') {
        return { ok: true, id, created: false };
      }
      return written;
    },
  );
  const byId = new Map(unique.map((id, position) => [id, results[position] as WriteResult]));
  for (const { id, index } of valid) out[index] = byId.get(id) as WriteResult;
  return out;
}
