import { describe, expect, it } from 'vitest';
import {
  actualVendoredFiles,
  expectedVendoredFiles,
  sharedClosure,
} from '../../scripts/vendor-shared-for-hubspot.ts';

// HubSpot builds hubspot-app/ alone, so the contract and the shared client code are copied into
// each extension package. The committed copies must be exactly what the generator writes.

describe('vendored copies for the HubSpot build', () => {
  it('vendors the closure of the API contract: shared modules that import only zod', () => {
    const closure = sharedClosure();
    expect(closure).toContain('shared/src/api/index.ts');
    expect(closure).toContain('shared/src/api/deal-view.ts');
    expect(closure).toContain('shared/src/sync-mapping.ts');
    // settings.ts builds on the core's program schemas, so the core comes along.
    expect(closure).toContain('shared/src/index.ts');
    expect(closure.every((file) => file.startsWith('shared/src/'))).toBe(true);
  });

  it('has no drift: the committed copies are what `npm run vendor:hubspot` writes', () => {
    const expected = expectedVendoredFiles();
    const actual = actualVendoredFiles();
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    const drifted = [...expected].filter(([file, content]) => actual.get(file) !== content);
    expect(
      drifted.map(([file]) => file),
      'these copies differ from their source; run `npm run vendor:hubspot`',
    ).toEqual([]);
  });
});
