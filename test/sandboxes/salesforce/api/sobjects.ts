import { z } from 'zod';
import { idForObjectOrThrow, objectOrThrow } from '../dml/dml.ts';
import { readValue, renderValue } from '../dml/values.ts';
import { invalidField, notFound, SalesforceApiError } from '../errors.ts';
import { formatDateTime, parseDateTime } from '../format.ts';
import { looksLikeId } from '../ids.ts';
import { describeGlobalEntry, describeObject } from '../schema/describe.ts';
import { type FieldDef, findField, type ObjectDef } from '../schema/fields.ts';
import type { Org } from '../store/org.ts';
import type { StoredRecord } from '../store/record-store.ts';
import {
  type ApiContext,
  type ApiRequest,
  type ApiRoute,
  json,
  parseBody,
  recordBodySchema,
  runWrites,
} from './api-route.ts';

// Single-record resources: describe, create, retrieve, update, delete, upsert by external id,
// and the replication resources getUpdated / getDeleted.

const DELETED_RETENTION_MS = 15 * 86_400_000;
const UPDATED_WINDOW_MS = 30 * 86_400_000;
const MINUTE_MS = 60_000;

export function recordUrl(basePath: string, object: ObjectDef, id: string): string {
  return `${basePath}/sobjects/${object.name}/${id}`;
}

/** A record as `GET /sobjects/{Type}/{id}` renders it: attributes, then fields in describe order. */
export function renderRecord(
  basePath: string,
  object: ObjectDef,
  record: StoredRecord,
  fields?: readonly FieldDef[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: object.name, url: recordUrl(basePath, object, record.id) },
  };
  for (const def of fields ?? object.fields) {
    out[def.name] = renderValue(def, readValue(object, def, record.values));
  }
  return out;
}

/** `fields=a,b` → field definitions, answering INVALID_FIELD for unknown names. */
export function selectedFields(
  object: ObjectDef,
  list: string | undefined,
): FieldDef[] | undefined {
  if (list === undefined || list.trim() === '') return undefined;
  return list.split(',').map((name) => {
    const def = findField(object, name.trim());
    if (def === undefined) {
      throw invalidField(
        `No such column '${name.trim()}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    return def;
  });
}

const externalIdNotFound = (segment: string) =>
  new SalesforceApiError(
    404,
    'NOT_FOUND',
    `Provided external ID field does not exist or is not accessible: ${segment}`,
  );

/** An id from the URL: id-shaped segments must be valid ids of the type; others are not ids. */
function pathId(object: ObjectDef, segment: string): string {
  if (!looksLikeId(segment)) throw externalIdNotFound(segment);
  return idForObjectOrThrow(object, segment);
}

function liveRecord(org: Org, object: ObjectDef, id: string): StoredRecord {
  const record = org.store.get(id);
  if (record === undefined || record.sobject !== object.name || record.deletedAt !== null) {
    throw notFound();
  }
  return record;
}

function parseReplicationRange(request: ApiRequest): { start: number; end: number } {
  const start = parseDateTime(request.query.start ?? '');
  const end = parseDateTime(request.query.end ?? '');
  if (start === undefined || end === undefined) {
    throw new SalesforceApiError(
      400,
      'INVALID_REPLICATION_DATE',
      'start and end must be valid ISO 8601 dates',
    );
  }
  if (end < start) {
    throw new SalesforceApiError(
      400,
      'INVALID_REPLICATION_DATE',
      'EndDate can not be before StartDate',
    );
  }
  return { start, end };
}

const floorMinute = (ms: number) => ms - (ms % MINUTE_MS);

function upsertStatus(context: ApiContext): boolean {
  return Number.parseFloat(context.apiVersion) >= 46;
}

const updateOnlySchema = z.enum(['true', 'false']).optional();

export const sobjectRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/sobjects',
    handler: ({ context }) =>
      json(200, {
        encoding: 'UTF-8',
        maxBatchSize: 200,
        sobjects: context.org
          .allObjects()
          .filter((o) => o.idFormat === 'salesforce')
          .map((o) => describeGlobalEntry(o, context.basePath)),
      }),
  },
  {
    method: 'GET',
    path: '/sobjects/:sobject',
    handler: ({ params, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      return json(200, {
        objectDescribe: describeGlobalEntry(object, context.basePath),
        recentItems: [],
      });
    },
  },
  {
    method: 'POST',
    path: '/sobjects/:sobject',
    handler: ({ params, body, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      const fields = parseBody(recordBodySchema, body);
      const id = runWrites(context, false, (session) => session.create(object, fields));
      return json(201, { id, success: true, errors: [] });
    },
  },
  {
    method: 'GET',
    path: '/sobjects/:sobject/describe',
    handler: ({ params, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      return json(200, describeObject(object, context.org.allObjects(), context.basePath));
    },
  },
  {
    method: 'GET',
    path: '/sobjects/:sobject/updated',
    handler: (request) => {
      const { context } = request;
      const object = objectOrThrow(context.org, request.params.sobject ?? '');
      const range = parseReplicationRange(request);
      if (range.start < context.now - UPDATED_WINDOW_MS) {
        throw new SalesforceApiError(
          400,
          'INVALID_REPLICATION_DATE',
          'startDate must be within the last 30 days',
        );
      }
      // Whole minutes only: [start, end) rounded down, never past the current minute.
      const start = floorMinute(range.start);
      const end = floorMinute(Math.min(range.end, context.now));
      const ids = context.org.store
        .list(object.name)
        .filter((r) => {
          const stamp = r.values.SystemModstamp;
          return typeof stamp === 'number' && stamp >= start && stamp < end;
        })
        .map((r) => r.id);
      return json(200, { ids, latestDateCovered: formatDateTime(end) });
    },
  },
  {
    method: 'GET',
    path: '/sobjects/:sobject/deleted',
    handler: (request) => {
      const { context } = request;
      const object = objectOrThrow(context.org, request.params.sobject ?? '');
      const range = parseReplicationRange(request);
      const earliest = Math.max(context.org.createdAt, context.now - DELETED_RETENTION_MS);
      if (range.start < floorMinute(earliest) - MINUTE_MS) {
        throw new SalesforceApiError(
          400,
          'INVALID_REPLICATION_DATE',
          'startDate is before the earliest date available',
        );
      }
      const start = floorMinute(range.start);
      const end = floorMinute(Math.min(range.end, context.now));
      const deletedRecords = context.org.store
        .list(object.name, true)
        .filter((r) => r.deletedAt !== null && r.deletedAt >= start && r.deletedAt < end)
        .map((r) => ({ id: r.id, deletedDate: formatDateTime(r.deletedAt ?? 0) }));
      return json(200, {
        deletedRecords,
        earliestDateAvailable: formatDateTime(floorMinute(earliest)),
        latestDateCovered: formatDateTime(end),
      });
    },
  },
  {
    method: 'GET',
    path: '/sobjects/:sobject/:id',
    handler: ({ params, query, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      const id = pathId(object, params.id ?? '');
      const record = liveRecord(context.org, object, id);
      return json(
        200,
        renderRecord(context.basePath, object, record, selectedFields(object, query.fields)),
      );
    },
  },
  {
    method: 'PATCH',
    path: '/sobjects/:sobject/:id',
    handler: ({ params, body, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      const id = pathId(object, params.id ?? '');
      const fields = parseBody(recordBodySchema, body);
      runWrites(context, false, (session) => session.update(object, id, fields));
      return { status: 204 };
    },
  },
  {
    method: 'DELETE',
    path: '/sobjects/:sobject/:id',
    handler: ({ params, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      const id = pathId(object, params.id ?? '');
      runWrites(context, false, (session) => session.delete(object, id));
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/sobjects/:sobject/:field/:value',
    handler: ({ params, query, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      const def = findField(object, params.field ?? '');
      if (def === undefined || !(def.externalId || def.idLookup)) {
        throw externalIdNotFound(params.field ?? '');
      }
      const value = params.value ?? '';
      const matches =
        def.name === 'Id'
          ? [liveRecord(context.org, object, pathId(object, value))]
          : context.org.store.findByField(object.name, def.name, value, def.caseSensitive);
      if (matches.length === 0) throw notFound();
      if (matches.length > 1) {
        return json(
          300,
          matches.map((m) => recordUrl(context.basePath, object, m.id)),
        );
      }
      const [record] = matches;
      if (record === undefined) throw notFound();
      return json(
        200,
        renderRecord(context.basePath, object, record, selectedFields(object, query.fields)),
      );
    },
  },
  {
    method: 'PATCH',
    path: '/sobjects/:sobject/:field/:value',
    handler: ({ params, query, body, context }) => {
      const object = objectOrThrow(context.org, params.sobject ?? '');
      const fields = parseBody(recordBodySchema, body);
      const updateOnly = parseBody(updateOnlySchema, query.updateOnly) === 'true';
      const field = params.field ?? '';
      const value = params.value ?? '';
      try {
        const result = runWrites(context, false, (session) => {
          const def = session.externalIdFieldOrThrow(object, field);
          if (updateOnly && def.name !== 'Id') {
            const existing = context.org.store.findByField(
              object.name,
              def.name,
              value,
              def.caseSensitive,
            );
            if (existing.length === 0) throw notFound();
          }
          return session.upsert(object, field, value, fields);
        });
        if (result.created) {
          return json(201, { id: result.id, success: true, errors: [], created: true });
        }
        if (!upsertStatus(context)) return { status: 204 };
        return json(200, { id: result.id, success: true, errors: [], created: false });
      } catch (error) {
        if (error instanceof SalesforceApiError && error.status === 300) {
          const def = findField(object, field);
          const matches =
            def === undefined
              ? []
              : context.org.store.findByField(object.name, def.name, value, def.caseSensitive);
          return json(
            300,
            matches.map((m) => recordUrl(context.basePath, object, m.id)),
          );
        }
        throw error;
      }
    },
  },
];
