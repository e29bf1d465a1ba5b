import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ErrorCode, ErrorIssue } from '../errors.ts';
import { AppError, toIssues } from '../errors.ts';
import type { Installation } from '../installs/installations.ts';
import type { Logger } from '../logger.ts';
import type { AppDeps } from './app-deps.ts';
import type { VerifiedHubspotFetch, VerifiedHubspotWebhook } from './hubspot-signature.ts';
import type { ApiDocument } from './openapi.ts';
import { getRawBody } from './raw-body.ts';
import { Reply } from './reply.ts';

export const httpMethods = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof httpMethods)[number];

/**
 * Who may call a route:
 * - `public`: anyone (health, docs, OAuth redirects);
 * - `hubspot`: a `hubspot.fetch` call with a valid v3 signature from an installed portal;
 * - `hubspot-webhook`: a signed HubSpot webhook batch;
 * - `operator`: our own operators, with `Authorization: Bearer <ADMIN_TOKEN>`.
 */
export const routeAuths = ['public', 'hubspot', 'hubspot-webhook', 'operator'] as const;
export type RouteAuth = (typeof routeAuths)[number];

type AnySchema = z.ZodType;
type Infer<S> = S extends AnySchema ? z.output<S> : undefined;

type BaseContext = {
  readonly deps: AppDeps;
  /** The OpenAPI document of the app's routes (for /openapi.json and /docs). */
  readonly apiDocument: () => ApiDocument;
  /** Request-scoped logger (carries the request id). */
  readonly log: Logger;
  readonly req: Request;
  readonly res: Response;
};

/** What a handler knows besides its input; the tenant is only ever `installation`. */
export type RouteContext<A extends RouteAuth> = BaseContext &
  (A extends 'hubspot'
    ? { readonly hubspot: VerifiedHubspotFetch; readonly installation: Installation }
    : A extends 'hubspot-webhook'
      ? { readonly webhook: VerifiedHubspotWebhook }
      : Record<never, never>);

export type RouteInput<B, Q, P> = {
  readonly body: Infer<B>;
  readonly query: Infer<Q>;
  readonly params: Infer<P>;
};

// Without a response schema a handler returns nothing (204) or a Reply.
type HandlerResult<R> = (R extends AnySchema ? z.input<R> : undefined) | Reply;

export type RouteDefinition<
  A extends RouteAuth,
  B extends AnySchema | undefined,
  Q extends AnySchema | undefined,
  P extends AnySchema | undefined,
  R extends AnySchema | undefined,
> = {
  readonly method: HttpMethod;
  /** Express path (`/api/v1/deals/:dealId`); documented as `/api/v1/deals/{dealId}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly auth: A;
  readonly bodySchema?: B;
  readonly querySchema?: Q;
  readonly paramsSchema?: P;
  /** Output is parsed with it before sending (`z.object` drops extra fields; a mismatch is a 500). */
  readonly responseSchema?: R;
  readonly successStatus?: 200 | 201 | 202 | 204;
  readonly successDescription?: string;
  /** Extra error codes the route can answer with, for the API reference. */
  readonly errors?: readonly ErrorCode[];
  /** Hide from /openapi.json (internal or browser-only routes). */
  readonly hidden?: boolean;
  readonly handler: (input: RouteInput<B, Q, P>, ctx: RouteContext<A>) => Promise<HandlerResult<R>>;
};

/** A route with its types erased, as the app mounts it. */
export type Route = {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly description: string | undefined;
  readonly tags: readonly string[];
  readonly auth: RouteAuth;
  readonly bodySchema: AnySchema | undefined;
  readonly querySchema: AnySchema | undefined;
  readonly paramsSchema: AnySchema | undefined;
  readonly responseSchema: AnySchema | undefined;
  readonly successStatus: 200 | 201 | 202 | 204;
  readonly successDescription: string;
  readonly errors: readonly ErrorCode[];
  readonly hidden: boolean;
  readonly handler: (
    input: { body: unknown; query: unknown; params: unknown },
    ctx: RouteContext<RouteAuth>,
  ) => Promise<unknown>;
};

/** Declares one route (one per file). Validation, auth and documentation come from here. */
export function defineRoute<
  A extends RouteAuth,
  B extends AnySchema | undefined = undefined,
  Q extends AnySchema | undefined = undefined,
  P extends AnySchema | undefined = undefined,
  R extends AnySchema | undefined = undefined,
>(definition: RouteDefinition<A, B, Q, P, R>): Route {
  return {
    method: definition.method,
    path: definition.path,
    summary: definition.summary,
    description: definition.description,
    tags: definition.tags ?? [],
    auth: definition.auth,
    bodySchema: definition.bodySchema,
    querySchema: definition.querySchema,
    paramsSchema: definition.paramsSchema,
    responseSchema: definition.responseSchema,
    successStatus: definition.successStatus ?? 200,
    successDescription: definition.successDescription ?? 'Success',
    errors: definition.errors ?? [],
    hidden: definition.hidden ?? false,
    // The definition's handler is typed by its schemas; the mount validates before calling it.
    handler: definition.handler as Route['handler'],
  };
}

// Query parameters HubSpot appends to every hubspot.fetch call; routes never declare them.
const HUBSPOT_QUERY_PARAMS = ['portalId', 'appId', 'userId', 'userEmail'];

function describeIssues(issues: readonly ErrorIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${issue.path}: ${issue.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return `invalid request: ${shown.join('; ')}${more}`;
}

/** Validates params, query and body together so one 400 lists every problem. */
export function parseRouteInput(
  route: Route,
  req: Request,
): { body: unknown; query: unknown; params: unknown } {
  const issues: ErrorIssue[] = [];
  const parse = (location: string, schema: AnySchema | undefined, value: unknown): unknown => {
    if (schema === undefined) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    issues.push(...toIssues(location, result.error));
    return undefined;
  };

  const rawQuery: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
  if (route.auth === 'hubspot') {
    for (const key of HUBSPOT_QUERY_PARAMS) delete rawQuery[key];
  }
  const params = parse('params', route.paramsSchema, req.params);
  const query = parse('query', route.querySchema, rawQuery);

  const hasBody = getRawBody(req).length > 0;
  let body: unknown;
  if (route.bodySchema === undefined) {
    if (hasBody) issues.push({ path: 'body', message: 'this endpoint takes no request body' });
  } else if (hasBody && !/json/i.test(req.get('content-type') ?? '')) {
    throw new AppError('unsupported_media_type', 'request body must be application/json');
  } else {
    body = parse('body', route.bodySchema, req.body);
  }

  if (issues.length > 0) {
    throw new AppError('validation_failed', describeIssues(issues), { issues });
  }
  return { body, query, params };
}

/** Sends a handler's result: a Reply as is, anything else as JSON through the response schema. */
export function sendResult(route: Route, res: Response, result: unknown): void {
  if (result instanceof Reply) {
    res.set(result.headers);
    const body = result.body;
    switch (body.kind) {
      case 'json':
        res.status(result.status).json(body.value);
        return;
      case 'redirect':
        res.redirect(result.status, body.location);
        return;
      case 'text':
        res.status(result.status).type(body.contentType).send(body.text);
        return;
      case 'empty':
        res.status(result.status).end();
        return;
      default:
        assertNever(body);
    }
  }
  if (route.responseSchema === undefined) {
    res.status(204).end();
    return;
  }
  const output = route.responseSchema.safeParse(result);
  if (!output.success) {
    // The handler broke its own contract: a server bug, never the caller's fault.
    throw new AppError('internal', 'internal error', { cause: output.error });
  }
  res.status(route.successStatus).json(output.data);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

/** Express path params (`:id`) as OpenAPI templates (`{id}`). */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
