import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { AppError, ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { Installation } from '../installs/installations.ts';
import { getRawBody } from './raw-body.ts';

/** HubSpot rejects anything older than five minutes; we also refuse as far into the future. */
export const SIGNATURE_MAX_AGE_MS = 5 * 60 * 1000;

export const SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';

// HubSpot's request-validation docs: these escapes are decoded before signing, nothing else.
const DECODED_ESCAPES: Readonly<Record<string, string>> = {
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

/** Applies HubSpot's decoding table to a full request URI. */
export function normalizeSignedUri(uri: string): string {
  return uri.replace(
    /%[0-9A-Fa-f]{2}/g,
    (sequence) => DECODED_ESCAPES[sequence.toUpperCase()] ?? sequence,
  );
}

export type SignatureInput = {
  readonly method: string;
  /** The full public URI: scheme, host, path and query exactly as sent. */
  readonly uri: string;
  readonly body: string;
  readonly timestamp: string;
  readonly clientSecret: string;
};

/** base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)) */
export function computeHubspotSignatureV3(input: SignatureInput): string {
  const source = `${input.method.toUpperCase()}${normalizeSignedUri(input.uri)}${input.body}${input.timestamp}`;
  return createHmac('sha256', input.clientSecret).update(source, 'utf8').digest('base64');
}

export type SignatureFailure =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'invalid_timestamp'
  | 'stale_timestamp'
  | 'bad_signature';

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure };

/** Pure v3 check: timestamp window first, then a constant-time comparison. */
export function checkHubspotSignatureV3(input: {
  readonly method: string;
  readonly uri: string;
  readonly body: string;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly clientSecret: string;
  readonly now: number;
}): SignatureCheck {
  if (input.signature === undefined || input.signature === '') {
    return { ok: false, reason: 'missing_signature' };
  }
  if (input.timestamp === undefined || input.timestamp === '') {
    return { ok: false, reason: 'missing_timestamp' };
  }
  if (!/^\d{1,15}$/.test(input.timestamp)) return { ok: false, reason: 'invalid_timestamp' };
  if (Math.abs(input.now - Number(input.timestamp)) > SIGNATURE_MAX_AGE_MS) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  const expected = Buffer.from(
    computeHubspotSignatureV3({
      method: input.method,
      uri: input.uri,
      body: input.body,
      timestamp: input.timestamp,
      clientSecret: input.clientSecret,
    }),
    'utf8',
  );
  const given = Buffer.from(input.signature, 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  return { ok: true };
}

const failureMessages: Record<SignatureFailure, string> = {
  missing_signature: 'missing X-HubSpot-Signature-v3 header',
  missing_timestamp: 'missing X-HubSpot-Request-Timestamp header',
  invalid_timestamp: 'X-HubSpot-Request-Timestamp is not a millisecond timestamp',
  stale_timestamp: 'request timestamp is outside the 5-minute window',
  bad_signature: 'signature does not match',
};

/** What a verified card request (`hubspot.fetch`) tells us, all of it from signed data. */
export type VerifiedHubspotFetch = {
  readonly kind: 'fetch';
  readonly portalId: string;
  readonly appId: string | undefined;
  readonly userId: string | undefined;
  readonly userEmail: string | undefined;
  readonly installation: Installation;
};

const webhookEventSchema = z.looseObject({
  portalId: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]),
  appId: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]),
  subscriptionType: z.string().min(1),
  objectId: z.union([z.number(), z.string()]).optional(),
  eventId: z.union([z.number(), z.string()]).optional(),
  occurredAt: z.number().optional(),
});
export type HubspotWebhookEvent = z.infer<typeof webhookEventSchema>;

/** A verified webhook batch, with the installation of each portal it concerns. */
export type VerifiedHubspotWebhook = {
  readonly kind: 'webhook';
  readonly events: readonly HubspotWebhookEvent[];
  /** Installations by portal id; events of portals without one are left out of `events`. */
  readonly installations: ReadonlyMap<string, Installation>;
  readonly ignoredEvents: number;
};

export type InstallationLookup = (portalId: string) => Promise<Installation | undefined>;

export type HubspotVerifierDeps = {
  readonly clientSecret: string;
  readonly appId: string;
  /** The public origin (and path prefix) HubSpot signs; never the Host header. */
  readonly publicBaseUrl: string;
  readonly clock: Clock;
  readonly findInstallation: InstallationLookup;
};

const verifiedKey = Symbol('verifiedHubspot');
type WithVerified = Request & { [verifiedKey]?: VerifiedHubspotFetch | VerifiedHubspotWebhook };

export function getVerifiedFetch(req: Request): VerifiedHubspotFetch {
  const verified = (req as WithVerified)[verifiedKey];
  if (verified?.kind !== 'fetch') throw new Error('route is not behind verifyHubspotFetch');
  return verified;
}

export function getVerifiedWebhook(req: Request): VerifiedHubspotWebhook {
  const verified = (req as WithVerified)[verifiedKey];
  if (verified?.kind !== 'webhook') throw new Error('route is not behind verifyHubspotWebhook');
  return verified;
}

function singleQueryValue(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function verifySignatureOrThrow(deps: HubspotVerifierDeps, req: Request): void {
  const check = checkHubspotSignatureV3({
    method: req.method,
    // originalUrl is the path and query exactly as received (before any router rewrites).
    uri: `${deps.publicBaseUrl}${req.originalUrl}`,
    body: getRawBody(req).toString('utf8'),
    signature: req.get(SIGNATURE_HEADER),
    timestamp: req.get(TIMESTAMP_HEADER),
    clientSecret: deps.clientSecret,
    now: deps.clock.now(),
  });
  if (!check.ok) throw new UnauthorizedError(failureMessages[check.reason], 'invalid_signature');
}

function asyncHandler(
  fn: (req: Request, res: Response) => Promise<void>,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    fn(req, res).then(() => next(), next);
  };
}

/**
 * Verifies a `hubspot.fetch` call from a card or settings page and resolves its installation
 * from the signed `portalId` query parameter. Nothing the caller sends unsigned is trusted.
 */
export function verifyHubspotFetch(deps: HubspotVerifierDeps): RequestHandler {
  return asyncHandler(async (req) => {
    verifySignatureOrThrow(deps, req);
    const portalId = singleQueryValue(req.query.portalId);
    if (portalId === undefined || !/^\d+$/.test(portalId)) {
      throw new UnauthorizedError('signed request names no portalId');
    }
    const appId = singleQueryValue(req.query.appId);
    if (appId !== undefined && appId !== deps.appId) {
      throw new UnauthorizedError('request is for another app');
    }
    const installation = await deps.findInstallation(portalId);
    if (installation === undefined) {
      throw new ForbiddenError(
        `portal ${portalId} has not installed Partnerbridge`,
        'not_installed',
      );
    }
    const verified: VerifiedHubspotFetch = {
      kind: 'fetch',
      portalId,
      appId,
      userId: singleQueryValue(req.query.userId),
      userEmail: singleQueryValue(req.query.userEmail),
      installation,
    };
    (req as WithVerified)[verifiedKey] = verified;
  });
}

/**
 * Verifies a HubSpot webhook batch and resolves the installation of each portal in it. A batch
 * for another app is refused; a batch whose portals have no installation is a 403.
 */
export function verifyHubspotWebhook(deps: HubspotVerifierDeps): RequestHandler {
  return asyncHandler(async (req) => {
    verifySignatureOrThrow(deps, req);
    const parsed = z.array(webhookEventSchema).max(1000).safeParse(req.body);
    if (!parsed.success) {
      throw new AppError('validation_failed', 'webhook body is not a HubSpot event batch', {
        issues: parsed.error.issues.map((issue) => ({
          path: ['body', ...issue.path.map(String)].join('.'),
          message: issue.message,
        })),
      });
    }
    const events = parsed.data;
    if (events.some((event) => String(event.appId) !== deps.appId)) {
      throw new UnauthorizedError('webhook batch contains events of another app');
    }
    const installations = new Map<string, Installation>();
    for (const portalId of new Set(events.map((event) => String(event.portalId)))) {
      const installation = await deps.findInstallation(portalId);
      if (installation !== undefined) installations.set(portalId, installation);
    }
    if (events.length > 0 && installations.size === 0) {
      throw new ForbiddenError(
        'no portal in this batch has installed Partnerbridge',
        'not_installed',
      );
    }
    const kept = events.filter((event) => installations.has(String(event.portalId)));
    const verified: VerifiedHubspotWebhook = {
      kind: 'webhook',
      events: kept,
      installations,
      ignoredEvents: events.length - kept.length,
    };
    (req as WithVerified)[verifiedKey] = verified;
  });
}
