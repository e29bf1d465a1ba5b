import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorStatuses } from '../../server/src/errors.ts';

// docs/server.md's error table is what integrators read: every code the API can answer with is
// listed there, on the row of its status.

const doc = readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8');

function documentedStatuses(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of doc.split('\n')) {
    const row = /^\| (.+) \| (\d{3}) \|$/.exec(line);
    if (row === null) continue;
    for (const code of row[1]?.matchAll(/`([a-z_]+)`/g) ?? []) {
      out.set(code[1] ?? '', Number(row[2]));
    }
  }
  return out;
}

describe('docs/server.md error table', () => {
  it('lists every error code with its status', () => {
    const documented = documentedStatuses();
    for (const [code, status] of Object.entries(errorStatuses)) {
      expect({ code, status: documented.get(code) }).toEqual({ code, status });
    }
  });
});
