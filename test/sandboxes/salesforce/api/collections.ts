import { z } from 'zod';
import { type DmlSession, objectOrThrow } from '../dml/dml.ts';
import { type CollectionError, SalesforceApiError } from '../errors.ts';
import { keyPrefixOf, normalizeId } from '../ids.ts';
import type { ObjectDef } from '../schema/fields.ts';
import { type ApiContext, type ApiRoute, json, parseBody, runWrites } from './api-route.ts';
import { renderRecord, selectedFields } from './sobjects.ts';

// sObject Collections: up to 200 records per call, one API call, HTTP 200 with per-record results
// in request order. allOrNone=false commits every record that succeeds; allOrNone=true rolls all
// of them back when one fails, and the records that were fine report
// ALL_OR_NONE_OPERATION_ROLLED_BACK.

export const MAX_COLLECTION_RECORDS = 200;
/** Retrieve is the exception: up to 2,000 ids per call (resources_composite_sobjects_collections_retrieve_post). */
export const MAX_RETRIEVE_IDS = 2000;

type SaveResult =
  | { id: string; success: true; errors: []; created?: boolean }
  | { id?: string; success: false; errors: CollectionError[] };

const tooManyRecords = () =>
  new SalesforceApiError(
    400,
    'EXCEEDED_ID_LIMIT',
    `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
  );

const rolledBack: CollectionError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message:
    'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

const recordsBodySchema = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

const retrieveBodySchema = z.object({
  ids: z.array(z.string()),
  fields: z.array(z.string()).min(1),
});

function failure(error: unknown, id?: string): SaveResult {
  if (!(error instanceof SalesforceApiError)) throw error;
  const errors = [error.toCollectionError()];
  return id === undefined ? { success: false, errors } : { id, success: false, errors };
}

function typeOf(context: ApiContext, record: Record<string, unknown>): ObjectDef {
  const attributes = record.attributes;
  const type =
    typeof attributes === 'object' && attributes !== null && 'type' in attributes
      ? (attributes as { type?: unknown }).type
      : undefined;
  if (typeof type !== 'string') {
    throw new SalesforceApiError(400, 'INVALID_TYPE', 'Must send a concrete entity type.', []);
  }
  const object = context.org.object(type);
  if (object === undefined || object.idFormat !== 'salesforce') {
    throw new SalesforceApiError(
      400,
      'INVALID_TYPE',
      `sObject type '${type}' is not supported.`,
      [],
    );
  }
  return object;
}

function withoutAttributes(record: Record<string, unknown>): Record<string, unknown> {
  const { attributes: _attributes, ...fields } = record;
  return fields;
}

/** Runs one operation per record with partial success or all-or-none semantics. */
function processAll(
  context: ApiContext,
  allOrNone: boolean,
  count: number,
  operation: (session: DmlSession, index: number) => SaveResult,
  mode: 'create' | 'existing' = 'existing',
): SaveResult[] {
  const effectiveAllOrNone = allOrNone || context.composite?.allOrNone === true;
  const results = runWrites(
    context,
    true,
    (session) =>
      Array.from({ length: count }, (_, index) =>
        session.atomically(
          () => operation(session, index),
          (result) => result.success,
        ),
      ),
    (all) => !effectiveAllOrNone || all.every((r) => r.success),
  );
  if (effectiveAllOrNone && !results.every((r) => r.success)) {
    // A rolled-back insert never existed; rolled-back updates and deletes keep their ids.
    return results.map((r) => {
      if (!r.success) return r;
      return mode === 'create' || r.created === true
        ? { success: false, errors: [rolledBack] }
        : { id: r.id, success: false, errors: [rolledBack] };
    });
  }
  return results;
}

function checkCount(count: number) {
  if (count > MAX_COLLECTION_RECORDS) throw tooManyRecords();
}

export const collectionRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/composite/sobjects',
    handler: ({ body, context }) => {
      const { allOrNone = false, records } = parseBody(recordsBodySchema, body);
      checkCount(records.length);
      return json(
        200,
        processAll(
          context,
          allOrNone,
          records.length,
          (session, index) => {
            const record = records[index] ?? {};
            try {
              const object = typeOf(context, record);
              const fields = withoutAttributes(record);
              if (Object.keys(fields).some((k) => k.toLowerCase() === 'id')) {
                throw new SalesforceApiError(
                  400,
                  'INVALID_FIELD',
                  'Id: cannot specify Id in an insert call',
                  ['Id'],
                );
              }
              return { id: session.create(object, fields), success: true, errors: [] };
            } catch (error) {
              return failure(error);
            }
          },
          'create',
        ),
      );
    },
  },
  {
    method: 'PATCH',
    path: '/composite/sobjects',
    handler: ({ body, context }) => {
      const { allOrNone = false, records } = parseBody(recordsBodySchema, body);
      checkCount(records.length);
      return json(
        200,
        processAll(context, allOrNone, records.length, (session, index) => {
          const record = records[index] ?? {};
          const rawId = Object.entries(record).find(([k]) => k.toLowerCase() === 'id')?.[1];
          const id = typeof rawId === 'string' ? normalizeId(rawId) : undefined;
          try {
            if (typeof rawId !== 'string' || rawId === '') {
              throw new SalesforceApiError(
                400,
                'MISSING_ARGUMENT',
                'Id not specified in an update call',
                [],
              );
            }
            const object = typeOf(context, record);
            if (id === undefined || keyPrefixOf(id) !== object.keyPrefix) {
              throw new SalesforceApiError(400, 'MALFORMED_ID', `malformed id ${rawId}`, ['Id']);
            }
            const fields = Object.fromEntries(
              Object.entries(withoutAttributes(record)).filter(([k]) => k.toLowerCase() !== 'id'),
            );
            session.update(object, id, fields);
            return { id, success: true, errors: [] };
          } catch (error) {
            return failure(error, id);
          }
        }),
      );
    },
  },
  {
    method: 'PATCH',
    path: '/composite/sobjects/:sobject/:field',
    handler: ({ params, body, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      const { allOrNone = false, records } = parseBody(recordsBodySchema, body);
      checkCount(records.length);
      const fieldName = params.field ?? '';
      const external = object.fields.find((f) => f.name.toLowerCase() === fieldName.toLowerCase());
      if (external === undefined || !(external.externalId || external.idLookup)) {
        throw new SalesforceApiError(
          404,
          'NOT_FOUND',
          `Provided external ID field does not exist or is not accessible: ${fieldName}`,
        );
      }
      const externalValueOf = (record: Record<string, unknown>) =>
        Object.entries(record).find(([k]) => k.toLowerCase() === fieldName.toLowerCase())?.[1];
      const seen = new Map<string, number>();
      for (const record of records) {
        const value = externalValueOf(record);
        if (typeof value === 'string' || typeof value === 'number') {
          const key = String(value).toLowerCase();
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      }
      return json(
        200,
        processAll(context, allOrNone, records.length, (session, index) => {
          const record = records[index] ?? {};
          try {
            const recordType = typeOf(context, record);
            if (recordType.name !== object.name) {
              throw new SalesforceApiError(
                400,
                'INVALID_TYPE',
                `Record type ${recordType.name} does not match the request type ${object.name}`,
                [],
              );
            }
            const def = session.externalIdFieldOrThrow(object, fieldName);
            const value = externalValueOf(record);
            if (value === undefined || value === null || value === '') {
              throw new SalesforceApiError(
                400,
                'MISSING_ARGUMENT',
                `${def.name} not specified`,
                [],
              );
            }
            if ((seen.get(String(value).toLowerCase()) ?? 0) > 1) {
              throw new SalesforceApiError(
                400,
                'DUPLICATE_EXTERNAL_ID',
                `Duplicate external id specified: ${String(value)}`,
                [def.name],
              );
            }
            const fields = withoutAttributes(record);
            const result = session.upsert(object, def.name, String(value), fields);
            return { id: result.id, success: true, errors: [], created: result.created };
          } catch (error) {
            return failure(error);
          }
        }),
      );
    },
  },
  {
    method: 'DELETE',
    path: '/composite/sobjects',
    handler: ({ query, context }) => {
      const ids = (query.ids ?? '').split(',').filter((id) => id !== '');
      checkCount(ids.length);
      const allOrNone = query.allOrNone === 'true';
      return json(
        200,
        processAll(context, allOrNone, ids.length, (session, index) => {
          const raw = ids[index] ?? '';
          const id = normalizeId(raw);
          try {
            const object = id === undefined ? undefined : context.org.objectForId(id);
            if (id === undefined || object === undefined) {
              throw new SalesforceApiError(400, 'MALFORMED_ID', `malformed id ${raw}`, []);
            }
            const existing = context.org.store.get(id);
            if (existing === undefined) {
              throw new SalesforceApiError(
                400,
                'INVALID_CROSS_REFERENCE_KEY',
                'invalid cross reference id',
                [],
              );
            }
            session.delete(object, id);
            return { id, success: true, errors: [] };
          } catch (error) {
            return failure(error, id ?? raw);
          }
        }),
      );
    },
  },
  {
    method: 'GET',
    path: '/composite/sobjects/:sobject',
    handler: ({ params, query, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      const ids = (query.ids ?? '').split(',').filter((id) => id !== '');
      return json(200, retrieveMany(context, object, ids, query.fields));
    },
  },
  {
    method: 'POST',
    path: '/composite/sobjects/:sobject',
    handler: ({ params, body, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      const { ids, fields } = parseBody(retrieveBodySchema, body);
      return json(200, retrieveMany(context, object, ids, fields.join(',')));
    },
  },
];

function retrieveMany(
  context: ApiContext,
  object: ObjectDef,
  ids: string[],
  fieldList: string | undefined,
): (Record<string, unknown> | null)[] {
  if (ids.length > MAX_RETRIEVE_IDS) {
    throw new SalesforceApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_RETRIEVE_IDS} records into this call`,
      [],
    );
  }
  const fields = selectedFields(object, fieldList);
  if (fields === undefined) {
    throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'fields must be specified', []);
  }
  return ids.map((raw) => {
    // Salesforce answers null for an id it cannot use (malformed, other object, no access).
    const id = normalizeId(raw);
    if (id === undefined || keyPrefixOf(id) !== object.keyPrefix) return null;
    const record = context.org.store.get(id);
    if (record === undefined || record.deletedAt !== null) return null;
    return renderRecord(context.basePath, object, record, fields);
  });
}
