import type { NextFunction, Request, Response } from 'express';
import { type AuthRegistry, assertScopes, type RequestAuth, requestAuth } from './auth.ts';
import type { CrmStore, Portal, WriteOptions } from './crm-store.ts';
import { invalidAuthentication } from './errors.ts';
import { type ObjectTypeName, objectTypes } from './object-types.ts';
import type { RateLimiter } from './rate-limit.ts';

/** What every route module needs. */
export type SandboxContext = {
  store: CrmStore;
  auth: AuthRegistry;
  limiter: RateLimiter;
  clock: () => number;
  /** The sandbox's own base URL (for `paging.next.link`). */
  baseUrl: () => string;
};

export type Caller = { auth: RequestAuth; portal: Portal };

/** The authenticated caller and its portal. */
export function callerOf(ctx: SandboxContext, res: Response): Caller {
  const auth = requestAuth(res);
  const portal = ctx.store.portal(auth.portalId);
  if (portal === undefined) throw invalidAuthentication();
  return { auth, portal };
}

/** Writes made with an app's token: `changeSource` INTEGRATION, `sourceId` the app id. */
export function integrationWrite(auth: RequestAuth): WriteOptions {
  return {
    source: { changeSource: 'INTEGRATION', sourceId: String(auth.appId), userId: undefined },
  };
}

export function objectScope(type: ObjectTypeName, access: 'read' | 'write'): string {
  return `crm.objects.${objectTypes[type].plural}.${access}`;
}

export function schemaScope(type: ObjectTypeName, access: 'read' | 'write'): string {
  return `crm.schemas.${objectTypes[type].plural}.${access}`;
}

export function requireObjectScope(caller: Caller, type: ObjectTypeName, access: 'read' | 'write') {
  assertScopes(caller.auth, [objectScope(type, access)]);
}

/** Rate-limit middleware: the ten-second/daily budget, or search's own secondly limit. */
export function rateLimited(ctx: SandboxContext, kind: 'standard' | 'search') {
  return (_req: Request, res: Response, next: NextFunction) => {
    try {
      const { auth, portal } = callerOf(ctx, res);
      if (kind === 'search') ctx.limiter.admitSearch(portal.id, portal.limits);
      else ctx.limiter.admit(res, auth.appId, portal.id, portal.limits);
      next();
    } catch (error) {
      next(error);
    }
  };
}
