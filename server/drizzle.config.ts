import { defineConfig } from 'drizzle-kit';

// Generation only (`npm run db:generate -w server`); migrations are applied at start-up by
// drizzle's migrator (see src/db/database.ts), never by drizzle-kit push.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/*.ts',
  out: './drizzle',
  strict: true,
  verbose: true,
});
