import type { NextFunction, Request, Response } from 'express';

/** Counts requests per endpoint (method + route pattern) and per status, for tests and benches. */
export type RequestLog = {
  middleware(req: Request, res: Response, next: NextFunction): void;
  /** `{ 'POST /crm/v3/objects/deals/batch/upsert': 3, … }` */
  counts(): Record<string, number>;
  /** Responses by status code. */
  statuses(): Record<string, number>;
  total(): number;
  reset(): void;
};

export function createRequestLog(options: { ignore?: RegExp } = {}): RequestLog {
  const ignore = options.ignore ?? /^\/_control(\/|$)/;
  const byEndpoint = new Map<string, number>();
  const byStatus = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  return {
    middleware(req, res, next) {
      if (ignore.test(req.path)) {
        next();
        return;
      }
      res.on('close', () => {
        // The matched route pattern keeps ids out of the key; unmatched requests keep their path.
        const route = req.route as { path?: unknown } | undefined;
        // A router's root route ('/') is keyed by its mount path alone, without a trailing slash.
        const pattern =
          typeof route?.path !== 'string'
            ? req.path
            : route.path === '/' && req.baseUrl !== ''
              ? req.baseUrl
              : `${req.baseUrl}${route.path}`;
        bump(byEndpoint, `${req.method} ${pattern}`);
        bump(byStatus, res.headersSent ? String(res.statusCode) : 'dropped');
      });
      next();
    },
    counts: () => Object.fromEntries([...byEndpoint].sort(([a], [b]) => a.localeCompare(b))),
    statuses: () => Object.fromEntries(byStatus),
    total: () => [...byEndpoint.values()].reduce((sum, n) => sum + n, 0),
    reset() {
      byEndpoint.clear();
      byStatus.clear();
    },
  };
}
