import { readFileSync } from 'node:fs';
import {
  apiUsageOf,
  createApiCallCounter,
  createSalesforceConnection,
  fetchLimits,
  initialReadCheckpoint,
  opportunityObject,
  provisionPartnerbridgeFields,
  readChanges,
  requestJwtBearerToken,
  retrieveByIds,
  SalesforceError,
  summarizeWriteResults,
  type UpsertRecord,
  upsertByExternalId,
} from '@partnerbridge/salesforce-connector';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConnectedApp } from '../sandboxes/salesforce/index.ts';
import {
  baseOpportunity,
  connectTo,
  type SalesforceSandbox,
  startSandbox,
} from './support/sandbox.ts';

// Sessions and budgets: a 401 refreshes and replays inside every helper (web-server and JWT
// bearer), a dead grant is auth_expired, the org's usage and limits are reported, and the calls
// per record are the minimum.

const jwtFixture = (name: string) =>
  readFileSync(new URL(`../sandboxes/salesforce/fixtures/${name}`, import.meta.url), 'utf8');

let sandbox: SalesforceSandbox;
let orgId: string;
let connection: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({
    connectedApp: { ...defaultConnectedApp, certificatePem: jwtFixture('jwt-test-cert.pem') },
  });
  orgId = sandbox.control.createOrg({ name: 'Sessions', demo: false }).orgId;
  connection = connectTo(sandbox, orgId).connection;
  await provisionPartnerbridgeFields({ connection });
});

afterAll(async () => {
  await sandbox.stop();
});

const deals = (count: number, prefix: string): UpsertRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    externalId: `${prefix}-${i}`,
    fields: { ...baseOpportunity, Name: `${prefix} ${i}` },
  }));

describe('an expired session', () => {
  it('refreshes once and replays inside reads and writes (web-server tokens)', async () => {
    const own = connectTo(sandbox, orgId);
    sandbox.control.expireSessions({ orgId });
    const meter = createApiCallCounter();
    const written = await upsertByExternalId({
      connection: own.connection,
      meter,
      object: opportunityObject,
      records: deals(3, 'Expired'),
    });
    expect(summarizeWriteResults(written).ok).toBe(3);
    expect(own.refreshed).toHaveLength(1);
    sandbox.control.expireSessions({ orgId });
    const pages: number[] = [];
    await readChanges({
      connection: own.connection,
      meter,
      object: opportunityObject,
      checkpoint: initialReadCheckpoint,
      onPage: (page) => void pages.push(page.changes.length),
    });
    expect(pages).toEqual([3]);
    expect(own.refreshed).toHaveLength(2);
    // Refused 401s are not counted by Salesforce, nor by us.
    expect(meter.byOperation()).toEqual({ upsert: 1, query: 1 });
  });

  it('refreshes JWT bearer sessions with a new assertion', async () => {
    const { username } = sandbox.control.registerJwtUser({
      orgId,
      username: 'jwt.sync@sessions.sandbox',
    });
    const app = {
      clientId: defaultConnectedApp.clientId,
      loginUrl: sandbox.url,
      apiVersion: '62.0',
      jwtPrivateKeyPem: jwtFixture('jwt-test-key.pem'),
    };
    const tokens = await requestJwtBearerToken(app, { username, now: Date.now() });
    const minted: string[] = [];
    const jwt = createSalesforceConnection({
      app,
      credentials: {
        kind: 'jwt_bearer',
        accessToken: tokens.accessToken,
        instanceUrl: tokens.instanceUrl,
        username,
      },
      onTokens: async (next) => void minted.push(next.accessToken),
    });
    sandbox.control.expireSessions({ orgId });
    const [record] = await retrieveByIds({
      connection: jwt,
      object: opportunityObject,
      ids: [
        (
          await upsertByExternalId({
            connection: jwt,
            object: opportunityObject,
            records: deals(1, 'Jwt'),
          })
        ).map((r) => (r.ok ? r.id : ''))[0] ?? '',
      ],
    });
    expect(record?.snapshot.name).toBe('Jwt 0');
    expect(minted).toHaveLength(1);
  });

  it('is auth_expired when the grant is gone: reads throw it, writes answer it per record', async () => {
    const own = connectTo(sandbox, orgId);
    await fetch(`${sandbox.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: own.token.refreshToken }).toString(),
    });
    const meter = createApiCallCounter();
    const results = await upsertByExternalId({
      connection: own.connection,
      meter,
      object: opportunityObject,
      records: deals(250, 'Revoked'),
    });
    expect(summarizeWriteResults(results)).toEqual({
      ok: 0,
      created: 0,
      failed: { auth_expired: 250 },
    });
    expect(meter.total()).toBe(1);
    const error = await readChanges({
      connection: own.connection,
      object: opportunityObject,
      checkpoint: initialReadCheckpoint,
      onPage: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceError);
    expect(error).toMatchObject({ code: 'auth_expired' });
  });
});

describe('a token endpoint outage', () => {
  it('is retry_later, not a dead grant', async () => {
    const own = connectTo(sandbox, orgId);
    sandbox.control.expireSessions({ orgId });
    sandbox.control.faults.set({
      script: [
        { match: { path: '^/services/oauth2/token$' }, action: { kind: 'server-error' }, times: 1 },
      ],
    });
    const results = await upsertByExternalId({
      connection: own.connection,
      object: opportunityObject,
      records: deals(2, 'Outage'),
    });
    sandbox.control.faults.clear();
    expect(summarizeWriteResults(results).failed).toEqual({ retry_later: 2 });
    const failed = results[0];
    expect(!failed?.ok && failed?.error.errorCode).toBe('REFRESH_FAILED');
    // The next attempt refreshes and succeeds.
    const retried = await upsertByExternalId({
      connection: own.connection,
      object: opportunityObject,
      records: deals(2, 'Outage'),
    });
    expect(summarizeWriteResults(retried).ok).toBe(2);
  });
});

describe('budgets', () => {
  it('reports usage after each call and the org limits', async () => {
    const meter = createApiCallCounter();
    await upsertByExternalId({
      connection,
      meter,
      object: opportunityObject,
      records: deals(1, 'Usage'),
    });
    const usage = sandbox.control.apiUsage(orgId);
    expect(meter.lastUsage()).toEqual(usage);
    expect(apiUsageOf(connection)).toEqual(usage);
    const limits = await fetchLimits({ connection, meter });
    expect(limits.dailyApiRequests).toEqual({
      max: usage.limit,
      remaining: usage.limit - usage.used - 1,
    });
    expect(Object.keys(limits.all)).toContain('DailyBulkApiBatches');
    expect(meter.byOperation()).toEqual({ upsert: 1, limits: 1 });
  });

  it('spends the minimum calls per record: ⌈n/200⌉ to write, ⌈n/2000⌉ to read', async () => {
    const meter = createApiCallCounter();
    const before = sandbox.control.apiUsage(orgId).used;
    const written = await upsertByExternalId({
      connection,
      meter,
      object: opportunityObject,
      records: deals(1_000, 'Budget'),
    });
    expect(summarizeWriteResults(written).ok).toBe(1_000);
    expect(meter.total()).toBe(5);
    expect(sandbox.control.apiUsage(orgId).used - before).toBe(5);
    meter.reset();
    let read = 0;
    await readChanges({
      connection,
      meter,
      object: opportunityObject,
      checkpoint: initialReadCheckpoint,
      onPage: (page) => {
        read += page.changes.length;
      },
    });
    expect(read).toBeGreaterThanOrEqual(1_000);
    expect(meter.total()).toBe(Math.ceil(read / 2_000));
  });
});
