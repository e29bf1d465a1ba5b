import type { Program } from '@partnerbridge/shared';
import type { PartnerSearchQuery, PartnerSearchResult } from '@partnerbridge/shared/api';
import { and, asc, eq, ilike, isNull, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/database.ts';
import { partners } from '../db/schema/partners.ts';
import { AppError } from '../errors.ts';
import { partnerRef } from './views.ts';

// The tag picker: active partners by name, type and tier, in name order, paged by a cursor.

const cursorSchema = z.strictObject({ name: z.string(), id: z.uuid() });

function encodeCursor(row: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify({ name: row.name, id: row.id })).toString('base64url');
}

function decodeCursor(cursor: string): { name: string; id: string } {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError(
      'validation_failed',
      'invalid request: query.cursor: not a cursor we issued',
      {
        issues: [{ path: 'query.cursor', message: 'pass the nextCursor of a previous page' }],
      },
    );
  }
}

/** `%` and `_` in the user's text are literal, not wildcards. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export async function searchPartners(
  db: Executor,
  installationId: string,
  query: PartnerSearchQuery,
  program: Pick<Program, 'tiers'>,
): Promise<PartnerSearchResult> {
  const conditions: SQL[] = [
    eq(partners.installationId, installationId),
    eq(partners.status, 'active'),
    isNull(partners.archivedAt),
  ];
  if (query.q !== undefined && query.q !== '') {
    conditions.push(ilike(partners.name, likePattern(query.q)));
  }
  if (query.type !== undefined) conditions.push(eq(partners.type, query.type));
  if (query.tier !== undefined) conditions.push(eq(partners.tier, query.tier));
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    conditions.push(sql`(${partners.name}, ${partners.id}) > (${after.name}, ${after.id}::uuid)`);
  }
  const rows = await db
    .select()
    .from(partners)
    .where(and(...conditions))
    .orderBy(asc(partners.name), asc(partners.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    partners: page.map((row) => partnerRef(row, program)),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last) : null,
  };
}
