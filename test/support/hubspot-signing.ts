// Signs requests the way HubSpot does (v3), written independently of the server's verifier:
// WebCrypto instead of node:crypto's createHmac, and its own reading of the decoding rule.
// Tests use it as HubSpot's stand-in, so a bug in the verifier cannot hide behind itself.

const DECODED = ":/?@!$'()*,;";

/** HubSpot decodes exactly these percent-escapes in the URI before signing. */
function decodeForSigning(uri: string): string {
  let out = uri;
  for (const char of DECODED) {
    const hex = char.charCodeAt(0).toString(16).toUpperCase();
    out = out.split(`%${hex}`).join(char).split(`%${hex.toLowerCase()}`).join(char);
  }
  return out;
}

export async function hubspotSignatureV3(input: {
  method: string;
  uri: string;
  body: string;
  timestamp: string;
  clientSecret: string;
}): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(input.clientSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const source = `${input.method}${decodeForSigning(input.uri)}${input.body}${input.timestamp}`;
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(source));
  return Buffer.from(mac).toString('base64');
}

export type SignedRequest = {
  /** Path and query as sent (the public origin is prepended only for signing). */
  readonly path: string;
  readonly method?: string;
  readonly body?: unknown;
  readonly portalId?: string | number;
  readonly appId?: string | number;
  readonly userId?: string;
  readonly extraQuery?: Readonly<Record<string, string>>;
  readonly timestamp?: number;
  readonly clientSecret: string;
  /** The public origin HubSpot signs (PUBLIC_BASE_URL). */
  readonly publicBaseUrl: string;
};

/**
 * Builds what `hubspot.fetch` sends: HubSpot appends userId, userEmail, appId and portalId to
 * the query, sends the body as JSON and signs the whole thing.
 */
export async function signHubspotFetch(request: SignedRequest): Promise<{
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}> {
  const method = request.method ?? 'GET';
  const [pathname, existing] = request.path.split('?', 2);
  const query = new URLSearchParams(existing);
  for (const [name, value] of Object.entries(request.extraQuery ?? {})) query.set(name, value);
  if (request.userId !== undefined) query.set('userId', request.userId);
  query.set('userEmail', 'rep@example.com');
  if (request.appId !== undefined) query.set('appId', String(request.appId));
  if (request.portalId !== undefined) query.set('portalId', String(request.portalId));
  const path = `${pathname}?${query.toString()}`;
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const timestamp = String(request.timestamp ?? Date.now());
  const signature = await hubspotSignatureV3({
    method,
    uri: `${request.publicBaseUrl}${path}`,
    body: body ?? '',
    timestamp,
    clientSecret: request.clientSecret,
  });
  return {
    path,
    method,
    body,
    headers: {
      'X-HubSpot-Signature-v3': signature,
      'X-HubSpot-Request-Timestamp': timestamp,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
  };
}
