import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../support/free-port.ts';
import { signHubspotFetch } from '../support/hubspot-signing.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'pb-start-'));

type Run = { summary: string; exitCode: number | null };

/** `npm run call -- …` (scripts/call.ts) against the running sandbox mode. */
async function call(...args: string[]): Promise<{ status: string; body: unknown }> {
  const result = await promisify(execFile)(
    process.execPath,
    [path.join(root, 'scripts/call.ts'), ...args],
    { cwd: root, env: { PATH: process.env.PATH, DATA_DIR: dataDir } },
  ).catch((error: { stdout: string; stderr: string }) => error);
  const body: unknown = result.stdout === '' ? undefined : JSON.parse(result.stdout);
  return { status: result.stderr.trim(), body };
}

/** Calls until the answer is not 404 (the initial import brings the deals in). */
async function callOnceSynced(...args: string[]): Promise<{ status: string; body: unknown }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await call(...args);
    if (!answer.status.endsWith('→ 404') || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function field(summary: string, name: string): string {
  const match = new RegExp(`${name}=(\\S+)`).exec(summary);
  if (match?.[1] === undefined) throw new Error(`${name} not in the summary:\n${summary}`);
  return match[1];
}

/** Runs `npm start`'s script until it prints its summary, checks it, then sends SIGTERM. */
async function runOnce(port: number, check: (summary: string) => Promise<void>): Promise<Run> {
  const child = spawn(process.execPath, [path.join(root, 'scripts/start.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DATA_DIR: dataDir,
      PORT: String(port),
      SANDBOX_DEMO_DEALS: '300',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    const deadline = Date.now() + 25_000;
    while (!output.includes('Press Ctrl+C')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`npm start did not come up:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await check(output);
    child.kill('SIGTERM');
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    return { summary: output, exitCode };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('npm start (sandbox mode)', () => {
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings everything up, installs and links the demo, prints the URLs, and restarts on its data', async () => {
    const port = await findFreePort();
    const api = `http://127.0.0.1:${port}`;
    let installationId = '';

    const first = await runOnce(port, async (summary) => {
      for (const url of [
        `${api}/docs`,
        `${api}/openapi.json`,
        `${api}/metrics`,
        `${api}/admin/queues`,
      ]) {
        expect(summary).toContain(url);
      }
      expect(summary).toMatch(/HubSpot sandbox\s+http:\/\/127\.0\.0\.1:\d+/);
      expect(summary).toMatch(/Salesforce sandbox\s+http:\/\/127\.0\.0\.1:\d+/);
      expect((await fetch(`${api}/readyz`)).status).toBe(200);

      const signed = await signHubspotFetch({
        path: '/api/v1/installation',
        portalId: field(summary, 'portalId'),
        clientSecret: field(summary, 'HUBSPOT_CLIENT_SECRET'),
        publicBaseUrl: field(summary, 'PUBLIC_BASE_URL'),
      });
      const response = await fetch(`${api}${signed.path}`, { headers: signed.headers });
      expect(response.status).toBe(200);
      const installation = (await response.json()) as {
        installationId: string;
        salesforce: { orgId: string } | null;
      };
      expect(installation.salesforce?.orgId).toMatch(/^00D/);
      installationId = installation.installationId;

      // The commands the summary suggests: real computed data from the seeded program.
      const dealId = /npm run call -- GET \/api\/v1\/deals\/(\d+)/.exec(summary)?.[1];
      expect(dealId).toBeDefined();
      const deal = await callOnceSynced('GET', `/api/v1/deals/${dealId}`);
      expect(deal.status).toBe(`GET /api/v1/deals/${dealId} → 200`);
      expect(deal.body).toMatchObject({
        tags: expect.arrayContaining([expect.objectContaining({ role: 'sourced' })]),
        commissions: expect.arrayContaining([
          expect.objectContaining({ explanation: expect.any(String) }),
        ]),
      });
      const unsigned = await fetch(`${api}/api/v1/deals/${dealId}?portalId=1`);
      expect(unsigned.status).toBe(401);
    });
    expect(first.exitCode).toBe(0);
    expect(statSync(path.join(dataDir, 'sandbox-secrets.json')).mode & 0o777).toBe(0o600);
    // Stopped: the runtime file is gone and `npm run call` says to start first.
    expect(existsSync(path.join(dataDir, 'sandbox-runtime.json'))).toBe(false);
    expect((await call('GET', '/api/v1/me')).status).toMatch(/start it with `npm start` first/);

    const second = await runOnce(port, async (summary) => {
      expect(summary).toContain(`Installation        ${installationId}`);
    });
    expect(second.exitCode).toBe(0);
  });
});
