import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Executor } from '../db/database.ts';
import { idempotencyKeys } from '../db/schema/api.ts';
import { AppError } from '../errors.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type IdempotentResponse = { readonly status: number; readonly body: unknown };

/** JSON with object keys sorted, so equal requests hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('base64url');
}

/**
 * Runs a mutation at most once per (installation, key): the first call runs `mutate` and stores
 * its response; a retry with the same request gets the stored response (`replayed: true`); the
 * same key with a different request, or while the first is still running, is a 409. A failed
 * mutation frees the key so the caller can retry. `hubspot.fetch` sends no custom headers, so
 * cards put the key in the body.
 */
export async function runIdempotent(
  options: {
    db: Executor;
    clock: Clock;
    installationId: string;
    key: string;
    /** What identifies the request (method, route, params, body). */
    request: unknown;
    ttlMs?: number;
  },
  mutate: () => Promise<IdempotentResponse>,
): Promise<IdempotentResponse & { replayed: boolean }> {
  const { db, installationId, key } = options;
  const hash = requestHash(options.request);
  const now = options.clock.now();
  const where = and(
    eq(idempotencyKeys.installationId, installationId),
    eq(idempotencyKeys.key, key),
  );

  const claim = () =>
    db
      .insert(idempotencyKeys)
      .values({
        installationId,
        key,
        requestHash: hash,
        createdAt: new Date(now),
        expiresAt: new Date(now + (options.ttlMs ?? IDEMPOTENCY_TTL_MS)),
      })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });

  let claimed = await claim();
  if (claimed.length === 0) {
    const [existing] = await db.select().from(idempotencyKeys).where(where);
    if (existing !== undefined && existing.expiresAt.getTime() <= now) {
      await db
        .delete(idempotencyKeys)
        .where(and(where, eq(idempotencyKeys.requestHash, existing.requestHash)));
      claimed = await claim();
    } else if (existing !== undefined) {
      if (existing.requestHash !== hash) {
        throw new AppError(
          'idempotency_conflict',
          'this idempotency key was already used for a different request',
        );
      }
      if (existing.completedAt === null || existing.responseStatus === null) {
        throw new AppError(
          'idempotency_conflict',
          'a request with this idempotency key is still running',
        );
      }
      return { status: existing.responseStatus, body: existing.responseBody, replayed: true };
    }
    if (claimed.length === 0) {
      throw new AppError(
        'idempotency_conflict',
        'a request with this idempotency key is still running',
      );
    }
  }

  let response: IdempotentResponse;
  try {
    response = await mutate();
  } catch (error) {
    await db.delete(idempotencyKeys).where(where);
    throw error;
  }
  await db
    .update(idempotencyKeys)
    .set({
      responseStatus: response.status,
      responseBody: response.body ?? null,
      completedAt: new Date(options.clock.now()),
    })
    .where(where);
  return { ...response, replayed: false };
}
