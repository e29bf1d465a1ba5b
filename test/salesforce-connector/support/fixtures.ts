import { readFileSync } from 'node:fs';

// Recorded Salesforce JSON (see fixtures/): query pages, change event messages.

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export type QueryPage = { records: Record<string, unknown>[] };
