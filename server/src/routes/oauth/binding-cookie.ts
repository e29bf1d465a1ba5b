import type { Request } from 'express';
import type { Config } from '../../config.ts';
import { readCookie, serializeCookie } from '../../http/cookies.ts';
import { BROWSER_BINDING_COOKIE, OAUTH_STATE_TTL_MS } from '../../installs/oauth-states.ts';

/** Set-Cookie for the browser binding of an OAuth flow (scoped to /oauth/). */
export function bindingCookie(config: Pick<Config, 'publicBaseUrl'>, value: string): string {
  return serializeCookie(BROWSER_BINDING_COOKIE, value, {
    maxAgeSeconds: OAUTH_STATE_TTL_MS / 1000,
    path: '/oauth/',
    secure: config.publicBaseUrl.startsWith('https://'),
  });
}

export function clearBindingCookie(config: Pick<Config, 'publicBaseUrl'>): string {
  return serializeCookie(BROWSER_BINDING_COOKIE, '', {
    maxAgeSeconds: 0,
    path: '/oauth/',
    secure: config.publicBaseUrl.startsWith('https://'),
  });
}

export function readBindingCookie(req: Request): string | undefined {
  return readCookie(req, BROWSER_BINDING_COOKIE);
}
