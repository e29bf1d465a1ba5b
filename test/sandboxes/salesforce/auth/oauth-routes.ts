import { createHmac, randomBytes } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { sendApiError } from '../api/router.ts';
import { notFound, sessionInvalid } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import type { SandboxState } from '../sandbox-state.ts';
import type { ConnectedApp } from './connected-apps.ts';
import { verifyAssertion } from './connected-apps.ts';
import type { Session } from './sessions.ts';

// OAuth 2.0 endpoints of the login host: token (authorization code, refresh token, JWT bearer,
// client credentials), authorize (auto-consent, 302 back with a code), revoke, and identity.

const CODE_TTL_MS = 15 * 60_000;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

type OAuthError = { status: number; error: string; description: string };

const oauthError = (error: string, description: string, status = 400): OAuthError => ({
  status,
  error,
  description,
});

function sendOAuthError(res: Response, failure: OAuthError) {
  res.status(failure.status).json({ error: failure.error, error_description: failure.description });
}

const tokenRequestSchema = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  redirect_uri: z.string().optional(),
  code: z.string().optional(),
  refresh_token: z.string().optional(),
  assertion: z.string().optional(),
  code_verifier: z.string().optional(),
  format: z.string().optional(),
  scope: z.string().optional(),
});

export type TokenResponse = {
  access_token: string;
  refresh_token?: string;
  signature: string;
  scope: string;
  instance_url: string;
  id: string;
  token_type: 'Bearer';
  issued_at: string;
};

export function tokenResponse(
  state: SandboxState,
  app: ConnectedApp,
  session: Session,
  refreshToken: string | undefined,
): TokenResponse {
  const id = `${state.url}/id/${session.orgId}/${session.userId}`;
  const issuedAt = String(session.issuedAt);
  const signature = createHmac('sha256', app.clientSecret)
    .update(id + issuedAt)
    .digest('base64');
  return {
    access_token: session.accessToken,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    signature,
    scope: refreshToken === undefined ? 'api' : 'api refresh_token',
    instance_url: state.url,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  };
}

function clientOrError(
  state: SandboxState,
  clientId: string | undefined,
  clientSecret: string | undefined,
  secretRequired: boolean,
): ConnectedApp | OAuthError {
  const app = clientId === undefined ? undefined : state.apps.get(clientId);
  if (app === undefined) return oauthError('invalid_client_id', 'client identifier invalid');
  if ((secretRequired || clientSecret !== undefined) && clientSecret !== app.clientSecret) {
    return oauthError('invalid_client', 'invalid client credentials');
  }
  return app;
}

const isError = (value: unknown): value is OAuthError =>
  typeof value === 'object' && value !== null && 'error' in value && 'description' in value;

async function grant(
  state: SandboxState,
  input: z.infer<typeof tokenRequestSchema>,
): Promise<TokenResponse | OAuthError> {
  switch (input.grant_type) {
    case 'authorization_code': {
      const app = clientOrError(state, input.client_id, input.client_secret, true);
      if (isError(app)) return app;
      const code = input.code === undefined ? undefined : state.authCodes.get(input.code);
      if (input.code !== undefined) state.authCodes.delete(input.code);
      if (code === undefined || code.clientId !== app.clientId) {
        return oauthError('invalid_grant', 'invalid authorization code');
      }
      if (code.expiresAt < state.now())
        return oauthError('invalid_grant', 'expired authorization code');
      if (input.redirect_uri !== code.redirectUri) {
        return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
      }
      const refresh = state.sessions.issueRefreshToken({
        orgId: code.orgId,
        userId: code.userId,
        clientId: app.clientId,
      });
      const session = state.sessions.issue({
        orgId: code.orgId,
        userId: code.userId,
        clientId: app.clientId,
        refreshToken: refresh.token,
      });
      return tokenResponse(state, app, session, refresh.token);
    }
    case 'refresh_token': {
      const app = clientOrError(state, input.client_id, input.client_secret, false);
      if (isError(app)) return app;
      const current =
        input.refresh_token === undefined
          ? undefined
          : state.sessions.refreshGrant(input.refresh_token);
      if (current === undefined || current.clientId !== app.clientId) {
        return oauthError('invalid_grant', 'expired access/refresh token');
      }
      let token = current.token;
      let rotated: string | undefined;
      if (app.rotateRefreshTokens) {
        current.revoked = true;
        token = state.sessions.issueRefreshToken({
          orgId: current.orgId,
          userId: current.userId,
          clientId: current.clientId,
        }).token;
        rotated = token;
      }
      const session = state.sessions.issue({
        orgId: current.orgId,
        userId: current.userId,
        clientId: app.clientId,
        refreshToken: token,
      });
      return tokenResponse(state, app, session, rotated);
    }
    case JWT_BEARER: {
      if (input.assertion === undefined) return oauthError('invalid_grant', 'invalid assertion');
      const check = await verifyAssertion(input.assertion, state.apps, state.url, state.now());
      if (!check.ok) return oauthError(check.error, check.description);
      const app = state.apps.get(check.payload.iss);
      const user = state.findUser(check.payload.sub);
      if (app === undefined || user === undefined || !app.jwtUsers.has(user.userId)) {
        return oauthError('invalid_grant', "user hasn't approved this consumer");
      }
      const session = state.sessions.issue({
        orgId: user.org.id,
        userId: user.userId,
        clientId: app.clientId,
      });
      return tokenResponse(state, app, session, undefined);
    }
    case 'client_credentials': {
      const app = clientOrError(state, input.client_id, input.client_secret, true);
      if (isError(app)) return app;
      const runAs = app.clientCredentialsUser;
      if (runAs === undefined) {
        return oauthError('invalid_grant', 'no client credentials user enabled');
      }
      const session = state.sessions.issue({ ...runAs, clientId: app.clientId });
      return tokenResponse(state, app, session, undefined);
    }
    default:
      return oauthError('unsupported_grant_type', 'grant type not supported');
  }
}

/** Issues an authorization code for a user, as the consent screen would. */
export function issueAuthorizationCode(
  state: SandboxState,
  input: { orgId: string; userId: string; clientId: string; redirectUri: string },
): string {
  const code = `aPrx${randomBytes(36).toString('base64url')}`;
  state.authCodes.set(code, { ...input, expiresAt: state.now() + CODE_TTL_MS });
  return code;
}

export function createOAuthRouter(state: SandboxState): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false });

  router.post('/services/oauth2/token', form, async (req, res) => {
    const input = tokenRequestSchema.safeParse(req.body ?? {});
    if (!input.success) {
      sendOAuthError(res, oauthError('invalid_request', 'malformed token request'));
      return;
    }
    const result = await grant(state, input.data);
    if (isError(result)) sendOAuthError(res, result);
    else res.status(200).json(result);
  });

  router.get('/services/oauth2/authorize', (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    const app = query.client_id === undefined ? undefined : state.apps.get(query.client_id);
    if (app === undefined) {
      sendOAuthError(res, oauthError('invalid_client_id', 'client identifier invalid'));
      return;
    }
    const redirectUri = query.redirect_uri ?? '';
    if (
      redirectUri === '' ||
      (app.redirectUris !== undefined && !app.redirectUris.includes(redirectUri))
    ) {
      sendOAuthError(
        res,
        oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration'),
      );
      return;
    }
    const target = new URL(redirectUri);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    if (query.response_type !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
      target.searchParams.set('error_description', 'response type not supported');
      res.redirect(302, target.toString());
      return;
    }
    const hinted = query.login_hint === undefined ? undefined : state.findUser(query.login_hint);
    const org = hinted?.org ?? state.orgs.get(state.defaultOrgId);
    if (org === undefined) {
      sendOAuthError(res, oauthError('invalid_request', 'no org to authorize'));
      return;
    }
    const code = issueAuthorizationCode(state, {
      orgId: org.id,
      userId: hinted?.userId ?? org.users.integration,
      clientId: app.clientId,
      redirectUri,
    });
    target.searchParams.set('code', code);
    res.redirect(302, target.toString());
  });

  const revoke = (token: string | undefined, res: Response) => {
    if (token === undefined || !state.sessions.revoke(token)) {
      res
        .status(400)
        .type('application/x-www-form-urlencoded')
        .send('error=unsupported_token_type&error_description=this+token+type+is+not+supported');
      return;
    }
    res.status(200).end();
  };
  router.post('/services/oauth2/revoke', form, (req, res) => {
    revoke((req.body as { token?: string } | undefined)?.token, res);
  });
  router.get('/services/oauth2/revoke', (req, res) => {
    revoke((req.query as { token?: string }).token, res);
  });

  router.get('/id/:orgId/:userId', (req, res) => {
    const header = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = header ?? (req.query as { oauth_token?: string }).oauth_token;
    const session = token === undefined ? undefined : state.sessions.authenticate(token);
    if (session === undefined) {
      sendApiError(res, sessionInvalid());
      return;
    }
    const org = state.orgs.get(session.orgId);
    const user = org?.store.get(String(req.params.userId));
    if (
      org === undefined ||
      req.params.orgId !== org.id ||
      user === undefined ||
      user.sobject !== 'User'
    ) {
      sendApiError(res, notFound());
      return;
    }
    const base = `${state.url}/services/data/v{version}`;
    res.json({
      id: `${state.url}/id/${org.id}/${user.id}`,
      asserted_user: session.userId === user.id,
      user_id: user.id,
      organization_id: org.id,
      username: user.values.Username,
      nick_name: String(user.values.Username).split('@')[0],
      display_name: user.values.Name,
      email: user.values.Email,
      email_verified: true,
      first_name: user.values.FirstName,
      last_name: user.values.LastName,
      timezone: 'GMT',
      active: user.values.IsActive,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      last_modified_date: formatDateTime(Number(user.values.LastModifiedDate)),
      is_app_installed: true,
      urls: {
        rest: `${base}/`,
        sobjects: `${base}/sobjects/`,
        query: `${base}/query/`,
        limits: `${base}/limits/`,
        tooling_rest: `${base}/tooling/`,
        profile: `${state.url}/${user.id}`,
      },
    });
  });

  return router;
}
