import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { type AuthRegistry, type IssuedTokens, knownScopes } from './auth.ts';
import type { CrmStore, Portal } from './crm-store.ts';
import { errorBody, errorMiddleware, HubspotError } from './errors.ts';
import { routeParam } from './request-parsing.ts';

// OAuth: the consent screen (auto-consenting), the token endpoints (v1, which
// @hubspot/api-client wraps, and v3 with the same semantics), token metadata and revocation.

const tokenRequestSchema = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  redirect_uri: z.string().optional(),
  code: z.string().optional(),
  refresh_token: z.string().optional(),
});

/** OAuth errors carry the failure in `status` (e.g. BAD_REFRESH_TOKEN), not `category`. */
function oauthError(status: string, message: string, httpStatus = 400): HubspotError {
  return new HubspotError(httpStatus, {
    status,
    message,
    correlationId: randomUUID(),
    requestId: randomUUID(),
  });
}

function tokenBody(tokens: IssuedTokens): Record<string, unknown> {
  return {
    token_type: 'bearer',
    refresh_token: tokens.refreshToken,
    access_token: tokens.accessToken,
    expires_in: tokens.expiresIn,
  };
}

export function oauthRouter(deps: {
  auth: AuthRegistry;
  store: CrmStore;
  clock: () => number;
  /** The portal a consent without `portal_id` installs into (created when there is none). */
  defaultPortal: () => Portal;
}): Router {
  const { auth, store, clock } = deps;
  const router = Router();
  router.use(express.urlencoded({ extended: false }), express.json());

  const exchange = (req: Request): IssuedTokens => {
    const parsed = tokenRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success)
      throw oauthError('BAD_REQUEST', 'token request parameters must be strings');
    const body = parsed.data;
    if (body.client_id === undefined || body.client_id !== auth.app.clientId) {
      throw oauthError('BAD_CLIENT_ID', 'missing or unknown client id');
    }
    if (body.client_secret === undefined || body.client_secret !== auth.app.clientSecret) {
      throw oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret');
    }
    switch (body.grant_type) {
      case 'authorization_code': {
        if (body.redirect_uri === undefined || !auth.isRedirectUriAllowed(body.redirect_uri)) {
          throw oauthError(
            'BAD_REDIRECT_URI',
            'redirect_uri does not match the registered redirect URLs',
          );
        }
        const result = auth.exchangeCode(body.code ?? '', body.redirect_uri);
        if (result === 'BAD_AUTH_CODE') throw oauthError(result, 'missing or unknown auth code');
        if (result === 'EXPIRED_AUTH_CODE') throw oauthError(result, 'auth code is expired');
        if (result === 'BAD_REDIRECT_URI') {
          throw oauthError(result, 'redirect_uri does not match the one used to get the auth code');
        }
        return result;
      }
      case 'refresh_token': {
        const tokens = auth.refresh(body.refresh_token ?? '');
        if (tokens === undefined)
          throw oauthError('BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
        return tokens;
      }
      default:
        throw oauthError(
          'BAD_GRANT_TYPE',
          'grant_type must be authorization_code or refresh_token',
        );
    }
  };

  router.post('/v1/token', (req: Request, res: Response) => {
    res.json(tokenBody(exchange(req)));
  });

  // UNSURE: the v3 token response's extra fields; the sandbox adds hub_id, user_id and scopes.
  router.post('/v3/token', (req: Request, res: Response) => {
    const tokens = exchange(req);
    const record = auth.lookupRefresh(tokens.refreshToken);
    res.json({
      ...tokenBody(tokens),
      hub_id: record?.portalId,
      user_id: record?.userId,
      scopes: tokens.scopes,
    });
  });

  router.get('/v1/access-tokens/:token', (req: Request, res: Response) => {
    const lookup = auth.lookupAccess(routeParam(req, 'token'));
    if (lookup.kind !== 'valid') {
      throw new HubspotError(404, errorBody('OBJECT_NOT_FOUND', 'Token not found or expired'));
    }
    const { record } = lookup;
    const portal = store.portal(record.portalId);
    res.json({
      token: record.token,
      user: portal?.userEmail ?? '',
      hub_domain: portal?.domain ?? '',
      scopes: record.scopes,
      hub_id: record.portalId,
      app_id: record.appId,
      expires_in: Math.max(0, Math.floor((record.expiresAt - clock()) / 1000)),
      user_id: record.userId,
      token_type: 'access',
      is_private_distribution: false,
    });
  });

  router.get('/v1/refresh-tokens/:token', (req: Request, res: Response) => {
    const record = auth.lookupRefresh(routeParam(req, 'token'));
    if (record === undefined) {
      throw new HubspotError(404, errorBody('OBJECT_NOT_FOUND', 'Refresh token not found'));
    }
    const portal = store.portal(record.portalId);
    res.json({
      token: record.token,
      user: portal?.userEmail ?? '',
      hub_domain: portal?.domain ?? '',
      scopes: record.scopes,
      hub_id: record.portalId,
      client_id: auth.app.clientId,
      user_id: record.userId,
      token_type: 'refresh',
    });
  });

  router.delete('/v1/refresh-tokens/:token', (req: Request, res: Response) => {
    if (!auth.revokeRefresh(routeParam(req, 'token'))) {
      throw new HubspotError(404, errorBody('OBJECT_NOT_FOUND', 'Refresh token not found'));
    }
    res.status(204).end();
  });

  // The consent screen, reduced to "the user clicked Connect": validate, then redirect.
  router.get('/authorize', (req: Request, res: Response) => {
    const query = z
      .object({
        client_id: z.string(),
        redirect_uri: z.string(),
        scope: z.string().default(''),
        optional_scope: z.string().default(''),
        state: z.string().optional(),
        portal_id: z.coerce.number().int().optional(),
      })
      .safeParse(req.query);
    if (!query.success) {
      res.status(400).type('text/plain').send('client_id and redirect_uri are required');
      return;
    }
    const input = query.data;
    if (input.client_id !== auth.app.clientId) {
      res.status(400).type('text/plain').send(`Unknown client_id ${input.client_id}`);
      return;
    }
    if (!auth.isRedirectUriAllowed(input.redirect_uri)) {
      res
        .status(400)
        .type('text/plain')
        .send(`redirect_uri ${input.redirect_uri} is not registered for this app`);
      return;
    }
    const requested = input.scope.split(/[\s+]+/).filter((scope) => scope !== '');
    const optional = input.optional_scope.split(/[\s+]+/).filter((scope) => scope !== '');
    const unknown = requested.find((scope) => !(knownScopes as readonly string[]).includes(scope));
    if (unknown !== undefined) {
      res.status(400).type('text/plain').send(`Unknown scope ${unknown}`);
      return;
    }
    const portal =
      input.portal_id === undefined ? deps.defaultPortal() : store.portal(input.portal_id);
    if (portal === undefined) {
      res.status(400).type('text/plain').send(`Unknown portal ${input.portal_id}`);
      return;
    }
    const granted = [
      ...requested,
      ...optional.filter((scope) => (knownScopes as readonly string[]).includes(scope)),
    ];
    const code = auth.authorize({
      portalId: portal.id,
      userId: portal.defaultUserId,
      redirectUri: input.redirect_uri,
      scopes: granted,
    });
    const target = new URL(input.redirect_uri);
    target.searchParams.set('code', code);
    if (input.state !== undefined) target.searchParams.set('state', input.state);
    res.redirect(302, target.toString());
  });

  router.use(errorMiddleware);
  return router;
}
