import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError, UnauthorizedError } from '../errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isSameOrigin(origin: string, req: Request): boolean {
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The operator's token from `Authorization: Bearer …` or Basic (any user, token as password). */
function presentedToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (value === undefined) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

/**
 * Operator-only routes (admin API, /admin/queues). Without ADMIN_TOKEN they are closed to
 * everyone. Browsers get a Basic challenge so /admin/queues works from an address bar.
 */
export function requireOperator(
  adminToken: string | undefined,
  realm = 'Partnerbridge',
): RequestHandler {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return (req, res, next) => {
    if (expected === undefined) {
      next(new AppError('forbidden', 'operator access is disabled (ADMIN_TOKEN is not set)'));
      return;
    }
    // Browsers resend Basic credentials to cross-site requests: refuse state changes that a
    // page on another origin started (they carry its Origin header).
    const origin = req.get('origin');
    if (!SAFE_METHODS.has(req.method) && origin !== undefined && !isSameOrigin(origin, req)) {
      next(new AppError('forbidden', 'cross-origin operator requests are not allowed'));
      return;
    }
    const token = presentedToken(req.get('authorization'));
    // Comparing digests keeps the comparison constant-time whatever the lengths.
    if (token === undefined || !timingSafeEqual(digest(token), expected)) {
      res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
      next(new UnauthorizedError('operator token required'));
      return;
    }
    next();
  };
}
