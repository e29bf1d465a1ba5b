import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { createFaultInjector, type FaultRenderers } from '../common/faults.ts';
import { listen } from '../common/http-server.ts';
import { createRequestLog } from '../common/request-log.ts';
import { generateDemoProgram } from '../seed/demo-program.ts';
import { associationsBatchRouter, recordAssociationsRouter } from './associations-routes.ts';
import { AuthRegistry, type SandboxApp } from './auth.ts';
import { batchRouter } from './batch-routes.ts';
import type { SandboxContext } from './context.ts';
import { createControl, type HubspotSandboxControl } from './control.ts';
import { controlRouter } from './control-routes.ts';
import { CrmStore, type PortalLimits } from './crm-store.ts';
import type { DemoSeedResult } from './demo-seed.ts';
import { errorBody, errorMiddleware, unknownRoute, validationError } from './errors.ts';
import { oauthRouter } from './oauth-routes.ts';
import { objectTypeAliases, objectTypeNames, otherObjectType } from './object-types.ts';
import { objectsRouter } from './objects-routes.ts';
import { propertiesRouter } from './properties-routes.ts';
import { RateLimiter, rateLimitBody, TEN_SECONDS_MS } from './rate-limit.ts';
import { routeParam } from './request-parsing.ts';
import { searchRouter } from './search.ts';
import { WebhookDispatcher, type WebhookRetryOptions } from './webhooks.ts';

// Wires the HubSpot sandbox together: one express app, one in-memory CRM shared by every portal,
// and the control handle.

export type HubspotSandboxOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Seeds the fault dice, webhook faults and the default demo program. Default 1. */
  seed?: number;
  /** Milliseconds; token expiry, rate windows and every timestamp follow it. Default Date.now. */
  clock?: () => number;
  /** The registered app; a default test app is used when omitted. */
  app?: { appId: number; clientId: string; clientSecret: string; redirectUris?: string[] };
  /** Seed a demo portal at start (`npm run sandbox` and `npm start` do). Default: none. */
  demo?: false | { deals?: number; asOf?: string };
  limits?: { tenSecondly?: number; daily?: number | null; searchPerSecond?: number };
  webhookRetry?: WebhookRetryOptions;
  /** How long writes take to become visible to search. Default 0. */
  searchIndexDelayMs?: number;
  /** Test tap: called after every API exchange (control calls excluded). */
  onExchange?: (exchange: HubspotExchange) => void;
};

export type HubspotExchange = {
  method: string;
  /** Path without the query string, as requested. */
  path: string;
  query: string;
  status: number;
  requestContentType: string | undefined;
  requestBody: unknown;
  /** The JSON body sent back, or undefined for empty responses. */
  responseBody: unknown;
  responseHeaders: Record<string, unknown>;
};

export type HubspotSandbox = {
  url: string;
  control: HubspotSandboxControl;
  /** The demo portal seeded at start, when `demo` was given. */
  demo: (DemoSeedResult & { portalId: number }) | undefined;
  stop(): Promise<void>;
};

export const defaultTestApp: SandboxApp = {
  appId: 3_100_001,
  clientId: '6f1c2e0a-5b7d-4c3e-9a8f-5a4db0c00001',
  clientSecret: 'sandbox-client-secret-0001',
  redirectUris: undefined,
};

const defaultLimits: PortalLimits = { tenSecondly: 110, daily: null, searchPerSecond: 5 };

function hubspotRenderers(): FaultRenderers {
  return {
    rateLimit(res) {
      res.setHeader('X-HubSpot-RateLimit-Interval-Milliseconds', String(TEN_SECONDS_MS));
      res.setHeader('X-HubSpot-RateLimit-Remaining', '0');
      res.status(429).json(rateLimitBody('TEN_SECONDLY_ROLLING'));
    },
    serverError(res) {
      res
        .status(500)
        .json(errorBody('INTERNAL_ERROR', 'An internal error occurred. Please try again later.'));
    },
  };
}

function exchangeTap(onExchange: (exchange: HubspotExchange) => void) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/_control')) {
      next();
      return;
    }
    const [path = '', query = ''] = req.originalUrl.split('?');
    let responseBody: unknown;
    let reported = false;
    const report = () => {
      if (reported) return;
      reported = true;
      onExchange({
        method: req.method,
        path,
        query,
        status: res.statusCode,
        requestContentType: req.get('content-type'),
        requestBody: req.body as unknown,
        responseBody,
        responseHeaders: res.getHeaders(),
      });
    };
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      responseBody = body;
      const sent = json(body);
      // A client that went away (a killed worker) never sees 'finish', but the request was
      // still applied: the tap must see it.
      if (req.socket.destroyed) report();
      return sent;
    };
    res.once('finish', report);
    next();
  };
}

/** Routers answer their own errors so the request log still sees the matched route. */
function withErrors(router: Router): Router {
  router.use(errorMiddleware);
  return router;
}

export async function startHubspotSandbox(
  options: HubspotSandboxOptions = {},
): Promise<HubspotSandbox> {
  const clock = options.clock ?? Date.now;
  const seed = options.seed ?? 1;
  const app: SandboxApp =
    options.app === undefined
      ? defaultTestApp
      : { ...options.app, redirectUris: options.app.redirectUris };
  const auth = new AuthRegistry(app, clock);
  const limiter = new RateLimiter(clock);
  const requestLog = createRequestLog();
  const faults = createFaultInjector({ seed, exempt: /^\/(_control|oauth)(\/|$)/ });
  const webhooks = new WebhookDispatcher({
    app: { appId: app.appId, clientSecret: app.clientSecret },
    clock,
    isSubscribedPortal: (portalId, readScope) => auth.hasInstalledScope(portalId, readScope),
    retry: options.webhookRetry,
    seed,
  });
  const store = new CrmStore({
    clock,
    searchIndexDelayMs: options.searchIndexDelayMs ?? 0,
    defaultLimits: {
      tenSecondly: options.limits?.tenSecondly ?? defaultLimits.tenSecondly,
      daily: options.limits?.daily === undefined ? defaultLimits.daily : options.limits.daily,
      searchPerSecond: options.limits?.searchPerSecond ?? defaultLimits.searchPerSecond,
    },
    onChange: (change) => webhooks.handle(change),
  });
  const control = createControl({ store, auth, limiter, requestLog, faults, webhooks, seed });

  let baseUrl = '';
  const ctx: SandboxContext = { store, auth, limiter, clock, baseUrl: () => baseUrl };

  const server = express();
  server.disable('x-powered-by');
  server.set('etag', false);
  server.use(requestLog.middleware);
  if (options.onExchange !== undefined) server.use(exchangeTap(options.onExchange));
  server.use(faults.middleware(hubspotRenderers()));
  server.use('/_control', controlRouter(control));
  server.use(
    '/oauth',
    oauthRouter({
      auth,
      store,
      clock,
      defaultPortal: () => store.listPortals()[0] ?? store.createPortal({}),
    }),
  );
  server.use('/crm', express.json({ limit: '10mb' }), auth.middleware());
  for (const type of objectTypeNames) {
    for (const alias of objectTypeAliases[type]) {
      server.use(`/crm/v3/objects/${alias}`, withErrors(searchRouter(ctx, type)));
      server.use(`/crm/v3/objects/${alias}`, withErrors(batchRouter(ctx, type)));
      server.use(`/crm/v3/objects/${alias}`, withErrors(objectsRouter(ctx, type)));
      server.use(`/crm/v3/properties/${alias}`, withErrors(propertiesRouter(ctx, type)));
      server.use(`/crm/v4/objects/${alias}`, withErrors(recordAssociationsRouter(ctx, type)));
      const other = otherObjectType(type);
      for (const toAlias of objectTypeAliases[other]) {
        server.use(
          `/crm/v4/associations/${alias}/${toAlias}`,
          withErrors(associationsBatchRouter(ctx, type)),
        );
      }
    }
  }
  const unknownObjectType = (req: Request, _res: Response, next: NextFunction) => {
    next(validationError(`Unable to infer object type from: ${routeParam(req, 'objectType')}`));
  };
  server.use('/crm/v3/objects/:objectType', unknownObjectType);
  server.use('/crm/v3/properties/:objectType', unknownObjectType);
  server.use(unknownRoute);
  server.use(errorMiddleware);

  let demo: HubspotSandbox['demo'];
  if (options.demo !== undefined && options.demo !== false) {
    const portalId = control.createPortal({ name: 'Partnerbridge demo portal' });
    const result = control.seedDemo(
      portalId,
      generateDemoProgram({
        deals: options.demo.deals ?? 3000,
        seed,
        asOf: options.demo.asOf ?? `${new Date(clock()).toISOString().slice(0, 10)}T00:00:00.000Z`,
      }),
    );
    demo = { portalId, ...result };
  }

  const running = await listen(server, options.port ?? 0);
  baseUrl = running.url;
  return {
    url: running.url,
    control,
    demo,
    async stop() {
      webhooks.stop();
      await running.close();
    },
  };
}
