import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import {
  jsonParserError,
  notFound,
  requestLimitExceeded,
  SalesforceApiError,
  sessionInvalid,
} from '../errors.ts';
import type { SandboxState } from '../sandbox-state.ts';
import type { ApiContext, ApiResponse, ApiRoute } from './api-route.ts';
import { matchPath } from './api-route.ts';
import { bulkRoutes } from './bulk2.ts';
import { collectionRoutes } from './collections.ts';
import { compositeRoutes, type Dispatch } from './composite.ts';
import { limitsRoutes } from './limits.ts';
import { queryRoutes } from './query.ts';
import { sobjectRoutes } from './sobjects.ts';
import { toolingRoutes } from './tooling.ts';

// `/services/data/vXX.X/…`: version check, `Authorization: Bearer|OAuth <token>`, the daily
// request allocation (403 REQUEST_LIMIT_EXCEEDED, `Sforce-Limit-Info` on every answer), then the
// resource. Errors leave as `[{ message, errorCode, fields }]` with Salesforce's status codes.

export const API_ROOT = '/services/data/:version';

function tokenFrom(header: string | undefined): string | undefined {
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

function sendApiResponse(res: Response, response: ApiResponse) {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (response.body === undefined || response.status === 204) {
    res.end();
    return;
  }
  if (response.contentType !== undefined) {
    res.setHeader('Content-Type', response.contentType);
    res.send(String(response.body));
    return;
  }
  res.setHeader('Content-Type', 'application/json;charset=UTF-8');
  res.send(JSON.stringify(response.body));
}

export function sendApiError(res: Response, error: SalesforceApiError) {
  sendApiResponse(res, { status: error.status, body: error.toBody() });
}

function callOptionsClient(header: string | undefined): string | null {
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (name?.toLowerCase() === 'client' && value !== undefined && value !== '') return value;
  }
  return null;
}

function headersOf(req: Request): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
  );
}

/** Every REST route, in matching order. */
export function apiRoutes(): ApiRoute[] {
  const routes: ApiRoute[] = [];
  const dispatch: Dispatch = (method, path, query, body, context) => {
    const route = routes.find((r) => r.method === method && matchPath(r.path, path) !== undefined);
    if (route === undefined) return { status: 404, body: notFound().toBody() };
    try {
      return route.handler({
        method,
        params: matchPath(route.path, path) ?? {},
        query,
        body,
        context,
      });
    } catch (error) {
      if (error instanceof SalesforceApiError)
        return { status: error.status, body: error.toBody() };
      throw error;
    }
  };
  routes.push(
    ...limitsRoutes,
    ...sobjectRoutes,
    ...collectionRoutes,
    ...compositeRoutes(dispatch),
    ...queryRoutes,
    ...toolingRoutes,
    ...bulkRoutes,
  );
  return routes;
}

export function createApiRouter(state: SandboxState): Router {
  const router = express.Router({ mergeParams: true });
  const routes = apiRoutes();
  const contexts = new WeakMap<Request, ApiContext>();

  // Runs as the first handler of every route (not as router middleware) so that refused requests
  // are still counted under their route pattern in the request log.
  const guard = (req: Request, res: Response, next: NextFunction) => {
    const version = String(req.params.version ?? '');
    const match = /^v(\d+\.\d)$/.exec(version);
    if (match === null || !state.supportsVersion(match[1] ?? '')) {
      sendApiError(res, notFound());
      return;
    }
    const token = tokenFrom(req.headers.authorization);
    const session = token === undefined ? undefined : state.sessions.authenticate(token);
    const org = session === undefined ? undefined : state.orgs.get(session.orgId);
    if (session === undefined || org === undefined) {
      sendApiError(res, sessionInvalid());
      return;
    }
    const now = state.now();
    const allowed = org.apiUsage.tryConsume(now);
    res.setHeader('Sforce-Limit-Info', `api-usage=${org.apiUsage.used(now)}/${org.apiUsage.limit}`);
    if (!allowed) {
      sendApiError(res, requestLimitExceeded());
      return;
    }
    const apiVersion = match[1] ?? state.config.apiVersion;
    contexts.set(req, {
      state,
      org,
      session,
      apiVersion,
      basePath: `/services/data/v${apiVersion}`,
      now,
      headers: headersOf(req),
      callOptionsClient: callOptionsClient(
        req.headers['sforce-call-options'] as string | undefined,
      ),
    });
    next();
  };
  const parsers = [
    express.json({ limit: '50mb', type: ['application/json', 'application/*+json'] }),
    express.text({ limit: '150mb', type: ['text/csv', 'text/plain'] }),
  ];

  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    router[method](route.path, guard, ...parsers, (req: Request, res: Response) => {
      const context = contexts.get(req);
      if (context === undefined) throw new Error('API context missing');
      const query = Object.fromEntries(
        Object.entries(req.query as Record<string, unknown>).map(([k, v]) => [
          k,
          Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v),
        ]),
      );
      sendApiResponse(
        res,
        route.handler({
          method: route.method,
          params: req.params as Record<string, string>,
          query,
          body: req.body,
          context,
        }),
      );
    });
  }

  router.all('/{*rest}', guard, (req: Request, res: Response) => {
    const path = req.path;
    const allowed = routes
      .filter((r) => matchPath(r.path, path) !== undefined)
      .map((r) => r.method);
    if (allowed.length > 0) {
      sendApiError(
        res,
        new SalesforceApiError(
          405,
          'METHOD_NOT_ALLOWED',
          `HTTP Method '${req.method}' not allowed. Allowed are ${[...new Set(allowed)].join(',')}`,
        ),
      );
      return;
    }
    sendApiError(res, notFound());
  });

  return router;
}

/** Renders errors thrown by API handlers (and body parser failures) the Salesforce way. */
export function apiErrorHandler(
  error: unknown,
  _req: Request,
  res: Response,
  next: (error?: unknown) => void,
) {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error instanceof SalesforceApiError) {
    sendApiError(res, error);
    return;
  }
  if (
    typeof error === 'object' &&
    error !== null &&
    'type' in error &&
    (error as { type?: unknown }).type === 'entity.parse.failed'
  ) {
    sendApiError(
      res,
      jsonParserError(
        `Unexpected character in the request body: ${String((error as { message?: unknown }).message)}`,
      ),
    );
    return;
  }
  next(error);
}
