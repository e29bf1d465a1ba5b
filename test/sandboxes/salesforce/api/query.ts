import { malformedQuery } from '../errors.ts';
import type { QueryPage } from '../soql/cursors.ts';
import { type QuerySource, runSoql } from '../soql/engine.ts';
import type { Org } from '../store/org.ts';
import { type ApiContext, type ApiRoute, json } from './api-route.ts';
import { recordUrl } from './sobjects.ts';

// `query` / `queryAll` and `queryMore` through locators. `Sforce-Query-Options: batchSize=N`
// picks the page size (200–2000, default 2000); `nextRecordsUrl` is
// `/services/data/vXX.X/query/<locator>-<offset>` for both, as Salesforce answers.

const DEFAULT_BATCH = 2000;
const MIN_BATCH = 200;

/** The org's data as a SOQL source (recycle-bin rows only for queryAll). */
export function orgQuerySource(org: Org, basePath: string): QuerySource {
  return {
    object: (name) => {
      const object = org.object(name);
      return object?.idFormat === 'salesforce' ? object : undefined;
    },
    allObjects: () => org.allObjects().filter((o) => o.idFormat === 'salesforce'),
    rows: (object, includeDeleted) => org.store.list(object.name, includeDeleted),
    row: (object, id, includeDeleted) => {
      const record = org.store.get(id);
      if (record === undefined || record.sobject !== object.name) return undefined;
      if (record.deletedAt !== null && !includeDeleted) return undefined;
      return record;
    },
    recordUrl: (object, id) => recordUrl(basePath, object, id),
  };
}

export function batchSizeFrom(context: ApiContext): number {
  const header = context.headers['sforce-query-options'] ?? '';
  const match = /batchSize\s*=\s*(\d+)/i.exec(header);
  if (match === null) return DEFAULT_BATCH;
  return Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, Number(match[1])));
}

/** Runs `q` against `source` and opens a locator when the result spans more than one batch. */
export function answerQuery(
  context: ApiContext,
  source: QuerySource,
  q: string | undefined,
  includeDeleted: boolean,
  basePath: string,
): QueryPage {
  if (q === undefined || q.trim() === '')
    throw malformedQuery('A query string has to be specified');
  const result = runSoql(q, source, { includeDeleted, now: context.now });
  return context.state.cursors.open({
    orgId: context.org.id,
    records: result.records,
    totalSize: result.totalSize,
    batchSize: batchSizeFrom(context),
    basePath,
  });
}

export const queryRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/query',
    handler: ({ query, context }) =>
      json(
        200,
        answerQuery(
          context,
          orgQuerySource(context.org, context.basePath),
          query.q,
          false,
          `${context.basePath}/query`,
        ),
      ),
  },
  {
    method: 'GET',
    path: '/queryAll',
    handler: ({ query, context }) =>
      json(
        200,
        answerQuery(
          context,
          orgQuerySource(context.org, context.basePath),
          query.q,
          true,
          `${context.basePath}/query`,
        ),
      ),
  },
  {
    method: 'GET',
    path: '/query/:locator',
    handler: ({ params, context }) =>
      json(200, context.state.cursors.next(context.org.id, params.locator ?? '')),
  },
  {
    method: 'GET',
    path: '/queryAll/:locator',
    handler: ({ params, context }) =>
      json(200, context.state.cursors.next(context.org.id, params.locator ?? '')),
  },
];
