import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The core must stay pure and deterministic: it imports zod and its own files, and reads no
// clock, randomness, environment or console. A scan is cheaper than a lint plugin.
const sourceDir = join(import.meta.dirname, '../../shared/src');
const sources = readdirSync(sourceDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(join(sourceDir, file), 'utf8') }));

describe('the shared core', () => {
  it.each(sources)('$file imports only zod and sibling modules', ({ text }) => {
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    for (const specifier of imports) expect(specifier).toMatch(/^(zod|\.\/[a-z-]+\.ts)$/);
  });

  it.each(sources)('$file reads no clock, randomness, environment or console', ({ text }) => {
    expect(text).not.toMatch(/Date\.now|new Date\(\)|Math\.random|process\.|console\.|crypto\./);
  });
});
