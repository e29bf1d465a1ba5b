import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = path.resolve(import.meta.dirname, 'cli.ts');

// `npm run sandbox` must print ready-to-use env lines: the URLs answer and the tokens authorise.
describe('npm run sandbox', () => {
  it('serves both seeded sandboxes and prints their URLs and working tokens', async () => {
    const child = spawn(
      process.execPath,
      [
        cli,
        '--hubspot-port',
        '0',
        '--salesforce-port',
        '0',
        '--deals',
        '200',
        '--as-of',
        '2026-11-01',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          output += chunk;
          if (output.includes('SALESFORCE_SANDBOX_ORG_ID=')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`sandbox exited early with ${code}`)));
      });
      const env = Object.fromEntries(
        output
          .trim()
          .split('\n')
          .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
      );
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([
          'HUBSPOT_SANDBOX_URL',
          'SALESFORCE_SANDBOX_URL',
          'HUBSPOT_SANDBOX_TOKEN',
          'SALESFORCE_SANDBOX_TOKEN',
        ]),
      );

      const deals = await fetch(`${env.HUBSPOT_SANDBOX_URL}/crm/v3/objects/deals?limit=5`, {
        headers: { authorization: `Bearer ${env.HUBSPOT_SANDBOX_TOKEN}` },
      });
      expect(deals.status).toBe(200);
      expect(((await deals.json()) as { results: unknown[] }).results).toHaveLength(5);

      const query = encodeURIComponent('SELECT Id, Name FROM Opportunity LIMIT 5');
      const opportunities = await fetch(
        `${env.SALESFORCE_SANDBOX_URL}/services/data/v62.0/query?q=${query}`,
        { headers: { authorization: `Bearer ${env.SALESFORCE_SANDBOX_TOKEN}` } },
      );
      expect(opportunities.status).toBe(200);
      expect(((await opportunities.json()) as { totalSize: number }).totalSize).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
