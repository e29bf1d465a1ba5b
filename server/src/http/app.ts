import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { AppError } from '../errors.ts';
import { findActiveInstallationByPortal } from '../installs/installations.ts';
import { type Logger, redactUrl } from '../logger.ts';
import type { AppDeps } from './app-deps.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import {
  getVerifiedFetch,
  getVerifiedWebhook,
  type HubspotVerifierDeps,
  verifyHubspotFetch,
  verifyHubspotWebhook,
} from './hubspot-signature.ts';
import { type ApiDocument, createApiDocument } from './openapi.ts';
import { requireOperator } from './operator-auth.ts';
import { bodyParser } from './raw-body.ts';
import { parseRouteInput, type Route, type RouteContext, sendResult } from './route.ts';

/** hubspot.fetch allows 1 MB payloads; webhook batches are far smaller. */
const BODY_LIMIT = '1mb';
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export type CreateAppOptions = {
  readonly routes: readonly Route[];
  /** Shown in the API reference. */
  readonly version: string;
};

function requestLogger(req: Request, fallback: Logger): Logger {
  return (req as Request & { log?: Logger }).log ?? fallback;
}

function httpMetrics(deps: AppDeps): RequestHandler {
  return (req, res, next) => {
    const end = deps.metrics.httpRequestDuration.startTimer();
    res.on('finish', () => {
      const route =
        req.route === undefined
          ? req.originalUrl.startsWith('/admin/queues')
            ? '/admin/queues'
            : 'unmatched'
          : `${req.baseUrl}${String(req.route.path)}`;
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

function rateLimited(message: string) {
  return (_req: Request, _res: Response, next: NextFunction) =>
    next(new AppError('rate_limited', message));
}

function mountBullBoard(app: Express, deps: AppDeps): void {
  // Never open: without ADMIN_TOKEN the board is not mounted at all.
  if (deps.config.security.adminToken === undefined) return;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({
    queues: deps.queues.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: false })),
    serverAdapter,
  });
  app.use(
    '/admin/queues',
    requireOperator(deps.config.security.adminToken, 'Partnerbridge queues'),
    // The board's UI is a bundled React app with inline bootstrapping; only here is CSP relaxed.
    helmet({ contentSecurityPolicy: false }),
    serverAdapter.getRouter() as RequestHandler,
  );
}

/**
 * Builds the express app from its dependencies and routes. Everything stateful comes in
 * through `deps`, so tests build the same app against their own database and Redis.
 */
export function createApp(deps: AppDeps, options: CreateAppOptions): Express {
  const { config, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.http.trustProxy);
  app.set('query parser', 'simple');

  app.use(httpMetrics(deps));
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && /^[\w.-]{1,100}$/.test(incoming)
            ? incoming
            : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has(req.url ?? '') },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  mountBullBoard(app, deps);
  app.use(helmet());
  app.use((req, res, next) => {
    if (/^\/(api|oauth|admin)\//.test(req.path)) res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(...bodyParser({ limit: BODY_LIMIT }));

  const rateLimitLogger = {
    error: (error: unknown, message?: string) =>
      log.error({ err: error }, message ?? 'rate limiter'),
    warn: (error: unknown, message?: string) => log.warn({ err: error }, message ?? 'rate limiter'),
  };
  // Browser-facing OAuth endpoints: per client IP.
  const oauthLimiter = rateLimit({
    windowMs: 60_000,
    limit: 60,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    logger: rateLimitLogger,
    handler: rateLimited('too many OAuth requests; wait a minute'),
  });
  // Card and settings calls: per installation (the tenant), after the signature check.
  const installationLimiter = rateLimit({
    windowMs: 60_000,
    limit: config.http.rateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    logger: rateLimitLogger,
    keyGenerator: (req) => getVerifiedFetch(req).installation.id,
    handler: rateLimited('too many requests for this portal; slow down'),
  });

  const verifierDeps: HubspotVerifierDeps = {
    clientSecret: config.hubspot.clientSecret,
    appId: config.hubspot.appId,
    publicBaseUrl: config.publicBaseUrl,
    clock: deps.clock,
    findInstallation: (portalId) => findActiveInstallationByPortal(deps.db, portalId),
  };
  const guards: Record<Route['auth'], RequestHandler[]> = {
    public: [],
    hubspot: [verifyHubspotFetch(verifierDeps), installationLimiter],
    'hubspot-webhook': [verifyHubspotWebhook(verifierDeps)],
    operator: [requireOperator(config.security.adminToken)],
  };

  let document: ApiDocument | undefined;
  const apiDocument = () => {
    document ??= createApiDocument(options.routes, {
      version: options.version,
      serverUrl: config.publicBaseUrl,
    });
    return document;
  };

  for (const route of options.routes) {
    const handlers: RequestHandler[] = [...guards[route.auth]];
    if (route.path.startsWith('/oauth/')) handlers.unshift(oauthLimiter);
    handlers.push((req, res, next) => {
      const run = async () => {
        const input = parseRouteInput(route, req);
        const base = { deps, apiDocument, log: requestLogger(req, log), req, res };
        let ctx: RouteContext<Route['auth']> = base;
        if (route.auth === 'hubspot') {
          const hubspot = getVerifiedFetch(req);
          ctx = { ...base, hubspot, installation: hubspot.installation };
        } else if (route.auth === 'hubspot-webhook') {
          ctx = { ...base, webhook: getVerifiedWebhook(req) };
        }
        sendResult(route, res, await route.handler(input, ctx));
      };
      run().catch(next);
    });
    app[route.method](route.path, ...handlers);
  }

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
