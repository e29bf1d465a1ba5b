import { computeHubspotSignatureV3 } from '../../server/src/http/hubspot-signature.ts';

/**
 * Calls our API the way HubSpot does (`hubspot.fetch`): the request signed with the v3 signature
 * over the API URL + path and query + body + timestamp. `path` already carries HubSpot's query
 * parameters (portalId, …).
 */
export function signedHubspotFetch(input: {
  apiUrl: string;
  path: string;
  method: string;
  /** JSON text, sent as application/json. */
  body?: string;
  clientSecret: string;
}): Promise<Response> {
  const timestamp = String(Date.now());
  const signature = computeHubspotSignatureV3({
    method: input.method,
    uri: `${input.apiUrl}${input.path}`,
    body: input.body ?? '',
    timestamp,
    clientSecret: input.clientSecret,
  });
  return fetch(`${input.apiUrl}${input.path}`, {
    method: input.method,
    headers: {
      'X-HubSpot-Signature-v3': signature,
      'X-HubSpot-Request-Timestamp': timestamp,
      ...(input.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(input.body === undefined ? {} : { body: input.body }),
  });
}
