import { describe, expect, it } from 'vitest';
import {
  checkHubspotSignatureV3,
  computeHubspotSignatureV3,
  normalizeSignedUri,
  SIGNATURE_MAX_AGE_MS,
} from '../../server/src/http/hubspot-signature.ts';
import { hubspotSignatureV3 } from '../support/hubspot-signing.ts';

const secret = 'test-client-secret';
const timestamp = '1700000000000';
const now = 1_700_000_000_000;

// Expected values computed outside the code base:
//   printf '%s' "<method><uri><body><timestamp>" | openssl dgst -sha256 -hmac "$secret" -binary | base64
const vectors = [
  {
    name: 'hubspot.fetch GET with the query HubSpot appends',
    method: 'GET',
    uri: 'https://pb.example.test/api/v1/installation?userId=7&userEmail=rep@example.com&appId=4242&portalId=62515',
    body: '',
    expected: '6Xd4JbvbdshAxi1jr/MdMQAdqa3RglVoaWRMgs8DMV4=',
  },
  {
    name: 'webhook POST with a JSON body',
    method: 'POST',
    uri: 'https://pb.example.test/webhooks/hubspot',
    body: '[{"portalId":62515,"appId":4242,"subscriptionType":"deal.propertyChange"}]',
    expected: '5SBbQ0xDc+An22cBJOumGQ3A+X7MUjsdUE+/cV+h/p8=',
  },
  {
    name: 'percent-escapes decoded per HubSpot’s table, %20 kept',
    method: 'GET',
    uri: 'https://pb.example.test/api/v1/search?q=a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm%20n',
    body: '',
    expected: 'ztyCqSSA4WpYo0ivyZ3cIOay6Ckq+zrZ9AuiqXM/OJQ=',
  },
];

describe(computeHubspotSignatureV3, () => {
  it.each(vectors)('matches the openssl vector: $name', ({ method, uri, body, expected }) => {
    expect(computeHubspotSignatureV3({ method, uri, body, timestamp, clientSecret: secret })).toBe(
      expected,
    );
  });

  it.each(vectors)('agrees with an independent WebCrypto signer: $name', async (vector) => {
    const independent = await hubspotSignatureV3({ ...vector, timestamp, clientSecret: secret });
    expect(independent).toBe(vector.expected);
  });
});

describe(normalizeSignedUri, () => {
  it('decodes only the listed escapes, in either case', () => {
    expect(normalizeSignedUri('/x?a=%3a%3A%2f%40%2C%20%25%C3%A9')).toBe('/x?a=::/@,%20%25%C3%A9');
  });
});

describe(checkHubspotSignatureV3, () => {
  const base = vectors[1] ?? vectors[0];
  if (base === undefined) throw new Error('no vector');
  const request = {
    method: base.method,
    uri: base.uri,
    body: base.body,
    signature: base.expected,
    timestamp,
    clientSecret: secret,
    now,
  };

  it('accepts a valid signature inside the window', () => {
    expect(checkHubspotSignatureV3(request)).toEqual({ ok: true });
    expect(checkHubspotSignatureV3({ ...request, now: now + SIGNATURE_MAX_AGE_MS })).toEqual({
      ok: true,
    });
  });

  it.each([
    ['a tampered body', { body: base.body.replace('62515', '62516') }],
    ['a tampered URL', { uri: `${base.uri}?portalId=1` }],
    ['another method', { method: 'PUT' }],
    ['another secret', { clientSecret: 'someone-else' }],
    ['a truncated signature', { signature: base.expected.slice(0, 20) }],
  ])('rejects %s', (_name, change) => {
    expect(checkHubspotSignatureV3({ ...request, ...change })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it.each([
    ['stale', now + SIGNATURE_MAX_AGE_MS + 1],
    ['from the future', now - SIGNATURE_MAX_AGE_MS - 1],
  ])('rejects a timestamp %s', (_name, clock) => {
    expect(checkHubspotSignatureV3({ ...request, now: clock })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
  });

  it('reports missing and malformed headers', () => {
    expect(checkHubspotSignatureV3({ ...request, signature: undefined })).toMatchObject({
      reason: 'missing_signature',
    });
    expect(checkHubspotSignatureV3({ ...request, timestamp: undefined })).toMatchObject({
      reason: 'missing_timestamp',
    });
    expect(checkHubspotSignatureV3({ ...request, timestamp: '17e11' })).toMatchObject({
      reason: 'invalid_timestamp',
    });
  });
});
