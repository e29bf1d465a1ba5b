import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import * as api from './schema/api.ts';
import * as audit from './schema/audit.ts';
import * as deals from './schema/deals.ts';
import * as installations from './schema/installations.ts';
import * as ledger from './schema/ledger.ts';
import * as partners from './schema/partners.ts';
import * as program from './schema/program.ts';
import * as sync from './schema/sync.ts';

/** Every table, for drizzle's relational queries (`db.query.<table>`). */
export const schema = {
  ...installations,
  ...partners,
  ...deals,
  ...program,
  ...ledger,
  ...sync,
  ...audit,
  ...api,
};
export type Schema = typeof schema;

/** The drizzle database both drivers produce; repositories take this type. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** A transaction handle, for repository functions that must run inside one. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Either the database or a transaction: what repository functions accept. */
export type Executor = Database | Transaction;

export type OpenDatabase = {
  readonly db: Database;
  readonly driver: 'pglite' | 'postgres';
  /** Applies the committed migrations (idempotent; serialized across processes on Postgres). */
  migrate(): Promise<void>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

export const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../drizzle',
);

// Any constant works; it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK_KEY = 7_412_205_031;

/** Opens PGlite (file-backed or in-memory) or a node-postgres pool, per the configuration. */
export async function openDatabase(config: DatabaseConfig): Promise<OpenDatabase> {
  if (config.kind === 'pglite') {
    if (config.dir !== undefined) mkdirSync(config.dir, { recursive: true });
    const client = config.dir === undefined ? new PGlite() : new PGlite(config.dir);
    await client.waitReady;
    const db = drizzlePglite(client, { schema });
    return {
      db,
      driver: 'pglite',
      migrate: () => migratePglite(db, { migrationsFolder }),
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => client.close(),
    };
  }

  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = drizzleNodePg(pool, { schema });
  return {
    db,
    driver: 'postgres',
    migrate: async () => {
      // Several web/worker processes may start at once: one migrates, the others wait and then
      // find nothing left to apply.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          await migrateNodePg(drizzleNodePg(client, { schema }), { migrationsFolder });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => pool.end(),
  };
}

/** Runs raw SQL and returns its rows (both drivers answer `{ rows }`). */
export async function queryRows<TRow>(db: Executor, query: SQL): Promise<TRow[]> {
  const result = (await db.execute(query)) as unknown as { rows: TRow[] };
  return result.rows;
}
