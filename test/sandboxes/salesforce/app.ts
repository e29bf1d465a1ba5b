import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { FaultInjector } from '../common/faults.ts';
import type { RequestLog } from '../common/request-log.ts';
import { generateDemoProgram } from '../seed/demo-program.ts';
import { API_ROOT, apiErrorHandler, createApiRouter, sendApiError } from './api/router.ts';
import { createOAuthRouter } from './auth/oauth-routes.ts';
import type { BayeuxServer } from './cdc/bayeux.ts';
import type { SalesforceSandboxControl } from './control/control.ts';
import { createControlRouter } from './control/control-routes.ts';
import { notFound, requestLimitExceeded, unknownException } from './errors.ts';
import type { SandboxState } from './sandbox-state.ts';

// The express application: request log, fault injection, control API, OAuth, REST, CometD.

const seasons = ['Winter', 'Spring', 'Summer'] as const;

/** `Winter '25` for 62.0: three releases a year, Winter '25 being 62.0. */
export function releaseLabel(major: number): string {
  const n = major - 62;
  const season = seasons[((n % 3) + 3) % 3] ?? 'Winter';
  const year = 25 + Math.floor(n / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function buildApp(deps: {
  state: SandboxState;
  control: SalesforceSandboxControl;
  faults: FaultInjector;
  requestLog: RequestLog;
  bayeux: BayeuxServer;
  /** Bugs in the sandbox itself: answered as UNKNOWN_EXCEPTION and reported here. */
  onError: (error: unknown) => void;
}): Express {
  const { state } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(deps.requestLog.middleware);
  app.use(
    deps.faults.middleware({
      rateLimit: (res) => sendApiError(res, requestLimitExceeded()),
      serverError: (res) => sendApiError(res, unknownException()),
    }),
  );
  app.use(
    createControlRouter(deps.control, (input) =>
      generateDemoProgram({
        asOf: input.asOf ?? new Date(state.now()).toISOString(),
        seed: input.seed ?? state.config.seed,
        ...(input.deals === undefined ? {} : { deals: input.deals }),
      }),
    ),
  );
  app.use(createOAuthRouter(state));
  app.get('/services/data', (_req, res) => {
    const latest = Number.parseInt(state.config.apiVersion, 10);
    const versions = [];
    for (let major = 31; major <= latest; major++) {
      versions.push({
        label: releaseLabel(major),
        url: `/services/data/v${major}.0`,
        version: `${major}.0`,
      });
    }
    res.json(versions);
  });
  app.use(API_ROOT, createApiRouter(state));
  app.use(deps.bayeux.router());
  app.use((_req: Request, res: Response) => sendApiError(res, notFound()));
  app.use(apiErrorHandler);
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.onError(error);
    if (!res.headersSent) sendApiError(res, unknownException());
  });
  return app;
}
