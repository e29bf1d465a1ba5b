import { z } from 'zod';
import type { Session } from '../auth/sessions.ts';
import { type ApiWriteSource, type DmlSession, transact, type WriteContext } from '../dml/dml.ts';
import { jsonParserError } from '../errors.ts';
import type { SandboxState } from '../sandbox-state.ts';
import type { Org } from '../store/org.ts';

// REST resources under `/services/data/vXX.X` are plain functions from an ApiRequest to an
// ApiResponse, so that the express router and `POST /composite` run exactly the same code.

export type ApiContext = {
  state: SandboxState;
  org: Org;
  session: Session;
  /** `62.0` */
  apiVersion: string;
  /** `/services/data/v62.0` */
  basePath: string;
  now: number;
  headers: Readonly<Record<string, string | undefined>>;
  /** `client` from `Sforce-Call-Options`. */
  callOptionsClient: string | null;
  /** Set while running inside `POST /composite`: writes join its transaction. */
  composite?: { session: DmlSession; allOrNone: boolean };
};

export type ApiRequest = {
  method: string;
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string | undefined>>;
  body: unknown;
  context: ApiContext;
};

export type ApiResponse = {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as text with this content type instead of JSON. */
  contentType?: string;
};

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type ApiRoute = {
  method: HttpMethod;
  /** Relative to `/services/data/vXX.X`, with `:param` segments. */
  path: string;
  /** Synchronous on purpose: a transaction never spans an await, so requests never interleave. */
  handler: (request: ApiRequest) => ApiResponse;
};

/** Matches `path` against a route pattern; returns the params or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const strip = (p: string) =>
    p
      .replace(/\/+$/, '')
      .split('/')
      .filter((s) => s !== '');
  const want = strip(pattern);
  const have = strip(path);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] ?? '';
    const value = have[i] ?? '';
    if (segment.startsWith(':')) params[segment.slice(1)] = decodeURIComponent(value);
    else if (segment.toLowerCase() !== value.toLowerCase()) return undefined;
  }
  return params;
}

export function writeContext(context: ApiContext, collection: boolean): WriteContext {
  const source: ApiWriteSource = {
    kind: 'rest',
    apiVersion: context.apiVersion,
    client: context.callOptionsClient,
    clientInChangeOrigin: !collection || context.state.config.callOptionsOnCollections,
  };
  return { org: context.org, userId: context.session.userId, now: context.now, source };
}

/**
 * Runs writes atomically: in their own transaction, or inside the running `POST /composite`.
 * When `keep` says no (an allOrNone collection with a failure) the writes are undone.
 */
export function runWrites<T>(
  context: ApiContext,
  collection: boolean,
  work: (session: DmlSession) => T,
  keep: (result: T) => boolean = () => true,
): T {
  const composite = context.composite;
  if (composite !== undefined) {
    return composite.session.atomically(() => work(composite.session), keep);
  }
  return transact(writeContext(context, collection), (session) =>
    session.atomically(() => work(session), keep),
  );
}

/** Parses a request body with a zod schema, answering JSON_PARSER_ERROR like Salesforce. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where =
      issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    throw jsonParserError(`Cannot deserialize the request body${where}: ${issue?.message ?? ''}`);
  }
  return result.data;
}

export const recordBodySchema = z.record(z.string(), z.unknown());

export const json = (status: number, body: unknown): ApiResponse => ({ status, body });
