import { type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, check, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Shared column builders and constraints for the schema files (no tables here). */
export const id = () => uuid('id').primaryKey().defaultRandom();

export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

function literalList(values: readonly string[]): SQL {
  // Our own constant vocabularies, never user input: inlined so drizzle-kit emits plain SQL.
  return sql.raw(values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', '));
}

/** A CHECK that keeps a text column inside a closed `as const` vocabulary. */
export function oneOf(name: string, column: AnyPgColumn, values: readonly string[]) {
  return check(name, sql`${column} in (${literalList(values)})`);
}

/** ISO 4217 codes: three upper-case letters. */
export function currencyCode(name: string, column: AnyPgColumn) {
  return check(name, sql`${column} ~ '^[A-Z]{3}$'`);
}

/** An exact decimal in [0, 1] (shares, probabilities), as the core's fraction strings. */
export function fraction(name: string, column: AnyPgColumn) {
  return check(name, sql`${column} is null or (${column} >= 0 and ${column} <= 1)`);
}
