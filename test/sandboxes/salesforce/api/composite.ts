import { z } from 'zod';
import { DmlSession } from '../dml/dml.ts';
import { SalesforceApiError } from '../errors.ts';
import {
  type ApiContext,
  type ApiResponse,
  type ApiRoute,
  json,
  parseBody,
  writeContext,
} from './api-route.ts';

// `POST /composite`: up to 25 subrequests in one call and one transaction, `@{ref.path}`
// references to earlier results, and allOrNone (which also forces allOrNone on collection
// subrequests). Subrequests run through the same handlers as top-level requests.

const MAX_SUBREQUESTS = 25;
const MAX_QUERY_OR_COLLECTION_SUBREQUESTS = 5;

export type Dispatch = (
  method: string,
  path: string,
  query: Record<string, string | undefined>,
  body: unknown,
  context: ApiContext,
) => ApiResponse;

const compositeSchema = z.object({
  allOrNone: z.boolean().optional(),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z.array(
    z.object({
      method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
      url: z.string().min(1),
      referenceId: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
      body: z.unknown().optional(),
      httpHeaders: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

const halted = () => [
  {
    errorCode: 'PROCESSING_HALTED',
    message:
      'The transaction was rolled back since another operation in the same transaction failed.',
  },
];

type SubResponse = {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
};

function lookup(results: ReadonlyMap<string, unknown>, reference: string): unknown {
  const [head = '', ...rest] = reference.split('.');
  const match = /^([^[]+)(.*)$/.exec(head);
  if (match === null || !results.has(match[1] ?? '')) return undefined;
  let value: unknown = results.get(match[1] ?? '');
  const segments = [
    ...[...(match[2] ?? '').matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])),
    ...rest.flatMap((part) => {
      const [name = '', ...indexes] = part.split('[');
      return [name, ...indexes.map((i) => Number(i.replace(']', '')))];
    }),
  ];
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

class UnresolvedReference extends Error {}

function substitute(value: unknown, results: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([^}]+)\}$/.exec(value);
    if (whole !== null) {
      const resolved = lookup(results, whole[1] ?? '');
      if (resolved === undefined) throw new UnresolvedReference(whole[1]);
      return resolved;
    }
    return value.replace(/@\{([^}]+)\}/g, (_, reference: string) => {
      const resolved = lookup(results, reference);
      if (resolved === undefined) throw new UnresolvedReference(reference);
      return String(resolved);
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, results));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, results)]),
    );
  }
  return value;
}

export function compositeRoutes(dispatch: Dispatch): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/composite',
      handler: ({ body, context }) => {
        const input = parseBody(compositeSchema, body);
        const requests = input.compositeRequest;
        if (requests.length > MAX_SUBREQUESTS) {
          throw new SalesforceApiError(
            400,
            'LIMIT_EXCEEDED',
            `Composite request may contain at most ${MAX_SUBREQUESTS} subrequests`,
          );
        }
        const heavy = requests.filter((r) =>
          /\/(query|queryAll|composite\/sobjects)(\/|\?|$)/.test(r.url),
        );
        if (heavy.length > MAX_QUERY_OR_COLLECTION_SUBREQUESTS) {
          throw new SalesforceApiError(
            400,
            'LIMIT_EXCEEDED',
            `Composite request may contain at most ${MAX_QUERY_OR_COLLECTION_SUBREQUESTS} query or sObject Collections subrequests`,
          );
        }
        const allOrNone = input.allOrNone === true;
        const responses = runSubrequests(dispatch, context, requests, allOrNone);
        return json(200, { compositeResponse: responses });
      },
    },
  ];
}

function runSubrequests(
  dispatch: Dispatch,
  context: ApiContext,
  requests: z.infer<typeof compositeSchema>['compositeRequest'],
  allOrNone: boolean,
): SubResponse[] {
  const session = new DmlSession(writeContext(context, true));
  const responses: SubResponse[] = [];
  const results = new Map<string, unknown>();
  let failed = false;
  context.org.store.transaction(
    () => {
      for (const request of requests) {
        if (failed && allOrNone) {
          responses.push({
            body: halted(),
            httpHeaders: {},
            httpStatusCode: 400,
            referenceId: request.referenceId,
          });
          continue;
        }
        const response = runSubrequest(dispatch, context, request, results, session, allOrNone);
        if (response.status >= 400) failed = true;
        else results.set(request.referenceId, response.body);
        responses.push({
          body: response.body ?? null,
          httpHeaders: response.headers ?? {},
          httpStatusCode: response.status,
          referenceId: request.referenceId,
        });
      }
    },
    () => !(failed && allOrNone),
  );
  if (failed && allOrNone) {
    return responses.map((r) =>
      r.httpStatusCode < 400 ? { ...r, body: halted(), httpStatusCode: 400 } : r,
    );
  }
  session.commit();
  return responses;
}

function runSubrequest(
  dispatch: Dispatch,
  context: ApiContext,
  request: z.infer<typeof compositeSchema>['compositeRequest'][number],
  results: ReadonlyMap<string, unknown>,
  session: DmlSession,
  allOrNone: boolean,
): ApiResponse {
  try {
    const url = String(substitute(request.url, results));
    const body = substitute(request.body, results);
    const match = /^\/services\/data\/v(\d+\.\d)(\/[^?]*)(?:\?(.*))?$/.exec(url);
    const path = match?.[2] ?? '';
    if (match === null || path === '/composite' || path.startsWith('/composite/tree')) {
      throw new SalesforceApiError(400, 'INVALID_URL', `Invalid subrequest url: ${url}`);
    }
    const version = match[1] ?? context.apiVersion;
    const headers = Object.fromEntries(
      Object.entries(request.httpHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    return dispatch(
      request.method,
      path,
      Object.fromEntries(new URLSearchParams(match[3] ?? '')),
      body,
      {
        ...context,
        apiVersion: version,
        basePath: `/services/data/v${version}`,
        headers: { ...context.headers, ...headers },
        composite: { session, allOrNone },
      },
    );
  } catch (error) {
    if (error instanceof UnresolvedReference) {
      const [referenceId = ''] = error.message.split('.');
      return {
        status: 400,
        body: [
          {
            errorCode: 'PROCESSING_HALTED',
            message: `Invalid reference specified. No value for ${error.message} found in ${referenceId}.`,
          },
        ],
      };
    }
    if (error instanceof SalesforceApiError) return { status: error.status, body: error.toBody() };
    throw error;
  }
}
