import { createHash, createHmac } from 'node:crypto';

// How HubSpot signs the requests it sends to an app (webhooks, and hubspot.fetch calls).

// Percent-escapes a receiver must decode before verifying (HubSpot's request-validation docs);
// the signature is computed over the URI with these characters in plain form.
const decodedEscapes: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function decodeSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (encoded) => decodedEscapes[encoded.toUpperCase()] ?? encoded,
  );
}

/**
 * v3: base64 HMAC-SHA256, keyed with the app's client secret, over
 * `method + uri + body + timestamp` (timestamp in milliseconds, as sent in
 * `X-HubSpot-Request-Timestamp`).
 */
export function signV3(input: {
  clientSecret: string;
  method: string;
  uri: string;
  body: string;
  timestamp: number;
}): string {
  return createHmac('sha256', input.clientSecret)
    .update(`${input.method}${decodeSignedUri(input.uri)}${input.body}${input.timestamp}`, 'utf8')
    .digest('base64');
}

/** v1 (legacy, still sent with webhooks): hex SHA-256 of `clientSecret + body`. */
export function signV1(clientSecret: string, body: string): string {
  return createHash('sha256').update(`${clientSecret}${body}`, 'utf8').digest('hex');
}
