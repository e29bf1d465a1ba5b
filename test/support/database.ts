import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type OpenDatabase, openDatabase } from '../../server/src/db/database.ts';

export type DatabaseDriver = OpenDatabase['driver'];

/** PGlite always; server Postgres too when the run has TEST_DATABASE_URL. */
export function testDatabaseDrivers(): DatabaseDriver[] {
  return inject('databaseUrl') === undefined ? ['pglite'] : ['pglite', 'postgres'];
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * An empty database of its own on the server named by TEST_DATABASE_URL; `drop()` removes it.
 * For tests that start the whole server with DATABASE_URL (it migrates at start).
 */
export async function createEmptyPostgresDatabase(): Promise<{
  url: string;
  drop(): Promise<void>;
}> {
  const serverUrl = inject('databaseUrl');
  if (serverUrl === undefined) throw new Error('TEST_DATABASE_URL is not set');
  // Database names are identifiers we generate: lowercase hex, no quoting issues.
  const name = `pb_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `create database ${name}`);
  return {
    url: withDatabase(serverUrl, name),
    drop: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

/**
 * A fresh, migrated database: in-memory PGlite, or a database of its own on the server named by
 * TEST_DATABASE_URL (created here, dropped by `close()`), so tests never share rows.
 */
export async function createTestDatabase(driver: DatabaseDriver = 'pglite'): Promise<OpenDatabase> {
  if (driver === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dir: undefined });
    await database.migrate();
    return database;
  }
  const empty = await createEmptyPostgresDatabase();
  const database = await openDatabase({ kind: 'postgres', url: empty.url, poolMax: 4 });
  await database.migrate();
  return {
    ...database,
    close: async () => {
      await database.close();
      await empty.drop();
    },
  };
}

/**
 * Runs a suite once per available driver, with one migrated database per driver shared by the
 * suite's tests (give each test its own installation to keep them apart).
 */
export function describeEachDatabase(
  name: string,
  body: (context: { database: () => OpenDatabase; driver: DatabaseDriver }) => void,
): void {
  for (const driver of testDatabaseDrivers()) {
    describe(`${name} [${driver}]`, () => {
      let database: OpenDatabase | undefined;
      beforeAll(async () => {
        database = await createTestDatabase(driver);
      });
      afterAll(async () => {
        await database?.close();
      });
      body({
        driver,
        database: () => {
          if (database === undefined) throw new Error('database not ready (used outside a test?)');
          return database;
        },
      });
    });
  }
}
