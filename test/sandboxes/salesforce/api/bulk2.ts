import { z } from 'zod';
import { type DmlSession, transact, type WriteContext } from '../dml/dml.ts';
import { notFound, SalesforceApiError } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import { keyPrefixes, normalizeId } from '../ids.ts';
import { findField, type ObjectDef } from '../schema/fields.ts';
import type { BulkJob } from '../store/bulk-job.ts';
import { ingestOperations } from '../store/bulk-job.ts';
import type { Org } from '../store/org.ts';
import { type ApiContext, type ApiRoute, json, parseBody } from './api-route.ts';
import { type ColumnDelimiter, columnDelimiters, parseCsv, writeCsv } from './csv.ts';

// Bulk API 2.0 ingest, as jsforce's `bulk2` drives it: create a job, PUT one CSV upload, PATCH
// UploadComplete, poll the job, read successfulResults / failedResults / unprocessedrecords. The
// upload is processed when the job closes, 200 rows per transaction, each row on its own; a header
// naming an unknown field fails the whole job, as on the platform.

const CHUNK = 200;
const RECORDS_PER_BATCH = 10_000;

const createJobSchema = z.object({
  object: z.string().min(1),
  operation: z.enum(ingestOperations),
  externalIdFieldName: z.string().optional(),
  contentType: z.literal('CSV').optional(),
  lineEnding: z.enum(['LF', 'CRLF']).optional(),
  columnDelimiter: z
    .enum(Object.keys(columnDelimiters) as [ColumnDelimiter, ...ColumnDelimiter[]])
    .optional(),
  assignmentRuleId: z.string().optional(),
});

const patchJobSchema = z.object({ state: z.enum(['UploadComplete', 'Aborted']) });

const invalidJob = (message: string) => new SalesforceApiError(400, 'INVALIDJOB', message);
const invalidState = (message: string) => new SalesforceApiError(400, 'INVALIDJOBSTATE', message);

function jobInfo(job: BulkJob) {
  const delimiter = (Object.entries(columnDelimiters).find(
    ([, c]) => c === job.columnDelimiter,
  )?.[0] ?? 'COMMA') as ColumnDelimiter;
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatDateTime(job.createdDate),
    systemModstamp: formatDateTime(job.systemModstamp),
    state: job.state,
    ...(job.externalIdFieldName === undefined
      ? {}
      : { externalIdFieldName: job.externalIdFieldName }),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    jobType: 'V2Ingest',
    contentUrl: `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: delimiter,
    numberRecordsProcessed: job.successful.length + job.failed.length,
    numberRecordsFailed: job.failed.length,
    retries: 0,
    totalProcessingTime: 0,
    apiActiveProcessingTime: 0,
    apexProcessingTime: 0,
    ...(job.errorMessage === undefined ? {} : { errorMessage: job.errorMessage }),
  };
}

function jobOrThrow(org: Org, raw: string): BulkJob {
  const id = normalizeId(raw);
  const job = id === undefined ? undefined : org.bulkJobs.get(id);
  if (job === undefined) throw notFound();
  return job;
}

function errorText(error: SalesforceApiError): string {
  return `${error.errorCode}:${error.message}:${(error.fields ?? []).join(',')} --`;
}

/** Turns one CSV row into body fields: empty cells are left alone, `#N/A` sets null. */
function rowFields(object: ObjectDef, header: string[], row: string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  header.forEach((column, index) => {
    const cell = row[index] ?? '';
    if (cell === '') return;
    if (cell === '#N/A') {
      fields[column] = null;
      return;
    }
    fields[column] = findField(object, column)?.type === 'boolean' ? cell.toLowerCase() : cell;
  });
  return fields;
}

function processRow(
  session: DmlSession,
  job: BulkJob,
  object: ObjectDef,
  row: string[],
): { id: string; created: boolean } {
  const fields = rowFields(object, job.header, row);
  const idKey = Object.keys(fields).find((k) => k.toLowerCase() === 'id');
  const rawId = idKey === undefined ? undefined : fields[idKey];
  if (idKey !== undefined) delete fields[idKey];
  const requireId = () => {
    if (typeof rawId !== 'string') {
      throw new SalesforceApiError(
        400,
        'MISSING_ARGUMENT',
        `Id not specified in an ${job.operation} call`,
        [],
      );
    }
    const id = normalizeId(rawId);
    if (id === undefined || id.slice(0, 3) !== object.keyPrefix) {
      throw new SalesforceApiError(400, 'MALFORMED_ID', `malformed id ${rawId}`, ['Id']);
    }
    return id;
  };
  switch (job.operation) {
    case 'insert':
      return { id: session.create(object, fields), created: true };
    case 'update': {
      const id = requireId();
      session.update(object, id, fields);
      return { id, created: false };
    }
    case 'upsert': {
      const field = job.externalIdFieldName ?? 'Id';
      if (field.toLowerCase() === 'id') {
        const id = requireId();
        session.update(object, id, fields);
        return { id, created: false };
      }
      const key = Object.keys(fields).find((k) => k.toLowerCase() === field.toLowerCase());
      const value = key === undefined ? undefined : fields[key];
      if (typeof value !== 'string') {
        throw new SalesforceApiError(400, 'MISSING_ARGUMENT', `${field} not specified`, []);
      }
      return session.upsert(object, field, value, fields);
    }
    case 'delete':
    case 'hardDelete': {
      const id = requireId();
      session.delete(object, id);
      if (job.operation === 'hardDelete') session.context.org.store.purge(id);
      return { id, created: false };
    }
  }
}

function processJob(context: ApiContext, job: BulkJob): void {
  const { org } = context;
  const object = org.object(job.object);
  const data = job.data ?? '';
  job.data = undefined;
  job.processedAt = context.now;
  if (object === undefined) {
    job.state = 'Failed';
    job.errorMessage = `InvalidBatch : Unable to find object: ${job.object}`;
    return;
  }
  let rows: string[][];
  try {
    rows = parseCsv(data, job.columnDelimiter).filter((r) => !(r.length === 1 && r[0] === ''));
  } catch {
    job.state = 'Failed';
    job.errorMessage = 'InvalidBatch : Failed to parse CSV';
    return;
  }
  job.header = rows[0] ?? [];
  const unknown = job.header.find((column) => findField(object, column) === undefined);
  if (unknown !== undefined) {
    job.state = 'Failed';
    job.errorMessage = `InvalidBatch : Field name not found : ${unknown}`;
    job.unprocessed = rows.slice(1);
    return;
  }
  const records = rows.slice(1);
  const write: WriteContext = {
    org,
    userId: job.createdById,
    now: context.now,
    source: {
      kind: 'bulkapi',
      apiVersion: job.apiVersion,
      client: job.client,
      clientInChangeOrigin: true,
    },
  };
  for (let start = 0; start < records.length; start += CHUNK) {
    const chunk = records.slice(start, start + CHUNK);
    transact(write, (session) => {
      for (const row of chunk) {
        try {
          const result = session.atomically(() => processRow(session, job, object, row));
          job.successful.push([result.id, String(result.created), ...row]);
        } catch (error) {
          if (!(error instanceof SalesforceApiError)) throw error;
          const idColumn = job.header.findIndex((c) => c.toLowerCase() === 'id');
          job.failed.push([idColumn < 0 ? '' : (row[idColumn] ?? ''), errorText(error), ...row]);
        }
      }
    });
  }
  for (let i = 0; i < Math.max(1, Math.ceil(records.length / RECORDS_PER_BATCH)); i++) {
    org.bulkBatchTimes.push(context.now);
  }
  job.state = 'JobComplete';
  job.systemModstamp = context.now;
}

const csv = (body: string) => ({ status: 200, body, contentType: 'text/csv' });

export const bulkRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/jobs/ingest',
    handler: ({ body, context }) => {
      const input = parseBody(createJobSchema, body);
      const object = context.org.object(input.object);
      if (object === undefined || object.idFormat !== 'salesforce') {
        throw invalidJob(`Unable to find object: ${input.object}`);
      }
      if (input.operation === 'upsert') {
        if (input.externalIdFieldName === undefined) {
          throw invalidJob(
            `External ID was blank for ${object.name}. An External ID must be specified for upsert.`,
          );
        }
        const def = findField(object, input.externalIdFieldName);
        if (def === undefined || !(def.externalId || def.idLookup)) {
          throw invalidJob(
            `Field name provided, ${input.externalIdFieldName} is not an External ID or indexed field for ${object.name}`,
          );
        }
      }
      const job: BulkJob = {
        id: context.org.newId(keyPrefixes.BulkJob),
        object: object.name,
        operation: input.operation,
        externalIdFieldName: input.externalIdFieldName,
        columnDelimiter: columnDelimiters[input.columnDelimiter ?? 'COMMA'],
        lineEnding: input.lineEnding ?? 'LF',
        state: 'Open',
        createdById: context.session.userId,
        createdDate: context.now,
        systemModstamp: context.now,
        client: context.callOptionsClient,
        apiVersion: context.apiVersion,
        data: undefined,
        header: [],
        successful: [],
        failed: [],
        unprocessed: [],
        processedAt: undefined,
        errorMessage: undefined,
      };
      context.org.bulkJobs.set(job.id, job);
      return json(200, jobInfo(job));
    },
  },
  {
    method: 'GET',
    path: '/jobs/ingest',
    handler: ({ context }) =>
      json(200, {
        done: true,
        records: [...context.org.bulkJobs.values()].map(jobInfo),
        nextRecordsUrl: null,
      }),
  },
  {
    method: 'PUT',
    path: '/jobs/ingest/:id/batches',
    handler: ({ params, body, context }) => {
      const job = jobOrThrow(context.org, params.id ?? '');
      if (job.state !== 'Open') throw invalidState(`Job ${job.id} is not open for uploads`);
      if (job.data !== undefined) throw invalidState('Only one upload is allowed per job');
      if (typeof body !== 'string' || body === '') {
        throw new SalesforceApiError(400, 'INVALIDJOB', 'The request body must be CSV data');
      }
      job.data = body;
      return { status: 201 };
    },
  },
  {
    method: 'PATCH',
    path: '/jobs/ingest/:id',
    handler: ({ params, body, context }) => {
      const job = jobOrThrow(context.org, params.id ?? '');
      const { state } = parseBody(patchJobSchema, body);
      if (job.state !== 'Open') throw invalidState(`Job ${job.id} is ${job.state}`);
      job.systemModstamp = context.now;
      if (state === 'Aborted') {
        job.state = 'Aborted';
        job.unprocessed =
          job.data === undefined ? [] : parseCsv(job.data, job.columnDelimiter).slice(1);
        job.header =
          job.data === undefined ? [] : (parseCsv(job.data, job.columnDelimiter)[0] ?? []);
        job.data = undefined;
        return json(200, jobInfo(job));
      }
      job.state = 'UploadComplete';
      const answer = jobInfo(job);
      processJob(context, job);
      return json(200, answer);
    },
  },
  {
    method: 'GET',
    path: '/jobs/ingest/:id',
    handler: ({ params, context }) => json(200, jobInfo(jobOrThrow(context.org, params.id ?? ''))),
  },
  {
    method: 'DELETE',
    path: '/jobs/ingest/:id',
    handler: ({ params, context }) => {
      const job = jobOrThrow(context.org, params.id ?? '');
      if (job.state === 'Open' || job.state === 'InProgress') {
        throw invalidState(`Job ${job.id} must be closed or aborted before it is deleted`);
      }
      context.org.bulkJobs.delete(job.id);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/jobs/ingest/:id/successfulResults',
    handler: ({ params, context }) => {
      const job = jobOrThrow(context.org, params.id ?? '');
      return csv(writeCsv(['sf__Id', 'sf__Created', ...job.header], job.successful));
    },
  },
  {
    method: 'GET',
    path: '/jobs/ingest/:id/failedResults',
    handler: ({ params, context }) => {
      const job = jobOrThrow(context.org, params.id ?? '');
      return csv(writeCsv(['sf__Id', 'sf__Error', ...job.header], job.failed));
    },
  },
  {
    method: 'GET',
    path: '/jobs/ingest/:id/unprocessedrecords',
    handler: ({ params, context }) => {
      const job = jobOrThrow(context.org, params.id ?? '');
      return csv(writeCsv(job.header, job.unprocessed));
    },
  },
];
