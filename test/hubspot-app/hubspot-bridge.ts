import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hubspot } from '@hubspot/ui-extensions';
import { vi } from 'vitest';
import type { Clock } from '../../server/src/clock.ts';
import { signHubspotFetch } from '../support/hubspot-signing.ts';
import { TEST_HUBSPOT_APP, type TestServer } from '../support/server.ts';

// HubSpot's side of `hubspot.fetch`, for contract tests against the real server: the card asks
// for an absolute URL under the permitted origin; "HubSpot" appends userId, userEmail, appId and
// portalId, sends the body as JSON, signs method + full public URL + body + timestamp (v3) with
// the app's client secret, and forwards to the server, which sits behind that origin on loopback.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The deploy profile the app is uploaded with: the one place that names the API origin. */
export function productionProfile(): { accountId: number; variables: { API_ORIGIN: string } } {
  return JSON.parse(
    readFileSync(path.join(root, 'hubspot-app/src/hsprofile.production.json'), 'utf8'),
  );
}

export type BridgeOptions = {
  readonly origin: string;
  readonly portalId: string;
  readonly userId: string;
  readonly clock: Clock;
};

export function bridgeHubspotFetch(server: TestServer, options: BridgeOptions) {
  const refused: string[] = [];
  const forwarded: { method: string; url: string; status: number }[] = [];
  const spy = vi.spyOn(hubspot, 'fetch').mockImplementation(async (input, init = {}) => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    // What HubSpot itself refuses: other origins than permittedUrls.fetch, custom headers.
    if (url.origin !== options.origin) {
      refused.push(`${method} ${String(input)}: not in permittedUrls.fetch`);
      throw new Error('URL not permitted');
    }
    if (init.headers !== undefined) {
      refused.push(`${method} ${String(input)}: custom headers`);
      throw new Error('Only the Authorization header is allowed');
    }
    const signed = await signHubspotFetch({
      path: `${url.pathname}${url.search}`,
      method,
      ...(init.body === undefined ? {} : { body: init.body }),
      portalId: options.portalId,
      appId: TEST_HUBSPOT_APP.appId,
      userId: options.userId,
      clientSecret: server.config.hubspot.clientSecret,
      publicBaseUrl: options.origin,
      timestamp: options.clock.now(),
    });
    const response = await fetch(`${server.url}${signed.path}`, {
      method: signed.method,
      headers: signed.headers,
      ...(signed.body === undefined ? {} : { body: signed.body }),
    });
    forwarded.push({ method, url: String(input), status: response.status });
    return response;
  });
  return { spy, refused, forwarded };
}
