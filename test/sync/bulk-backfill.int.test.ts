import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetters } from '../../server/src/db/schema/audit.ts';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { TEST_ADMIN_TOKEN } from '../support/server.ts';
import {
  dealSubscriptions,
  descriptionMapping,
  eventually,
  opportunitiesOf,
  opportunityFor,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

// Large back-fills (the initial import, a new mapping's back-fill) reach Salesforce through Bulk
// API 2.0: the sandbox's request log shows the ingest job and no collections for those records.
// The threshold is lowered to 50 to keep this fast (production: 2,000 in batches of 4,000; the
// sync bench's back-fill phase measures those).

const DEALS = 120;
const THRESHOLD = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('bulk back-fills', () => {
  let h: SyncHarness;

  const requests = () => h.salesforce.control.requests().byEndpoint;
  const count = (counts: Record<string, number>, pattern: RegExp) =>
    Object.entries(counts)
      .filter(([endpoint]) => pattern.test(endpoint))
      .reduce((sum, [, n]) => sum + n, 0);
  const INGEST = /jobs\/ingest/;
  // Collection writes (create, update, upsert); `POST …/sobjects/:sobject` is a retrieve.
  const COLLECTION_WRITES = /^(PATCH .*composite\/sobjects|POST .*composite\/sobjects$)/;
  const dealIds: string[] = [];

  const quietWrites = async () => {
    // Polls every 250 ms and change events run meanwhile: our Bulk writes must not come back.
    await sleep(2_000);
    const writes = h.salesforce.control.writeLog(h.orgId).length;
    const hubspotWrites = count(
      h.hubspot.control.requests().counts,
      /^(POST|PATCH) .*\/(batch\/update|batch\/create)/,
    );
    await sleep(2_000);
    expect(h.salesforce.control.writeLog(h.orgId).length).toBe(writes);
    expect(
      count(h.hubspot.control.requests().counts, /^(POST|PATCH) .*\/(batch\/update|batch\/create)/),
    ).toBe(hubspotWrites);
  };

  beforeAll(async () => {
    h = await startSyncHarness({
      sync: {
        backfill: {
          maxBatch: 1_000,
          lingerMs: 300,
          bulkThreshold: THRESHOLD,
          bulkPollIntervalMs: 50,
          bulkPollTimeoutMs: 30_000,
        },
      },
      jobs: (options) => createSyncJobs(options, { pollEveryMs: 250 }),
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('the initial import of more deals than the threshold creates them through Bulk; a failed job is retried', async () => {
    // No webhooks: the deals reach us through the import scan only (HubSpot has never been seen).
    h.hubspot.control.clearWebhookTarget();
    h.salesforce.control.resetRequests();
    // The first job's close fails (a PATCH: jsforce does not retry it): its records are retried.
    h.salesforce.control.faults.set({
      script: [
        {
          match: { method: 'PATCH', path: 'jobs/ingest/' },
          action: { kind: 'status', status: 503 },
          times: 1,
        },
      ],
    });
    for (let i = 0; i < DEALS; i++) {
      const deal = h.hubspot.control.userCreate(h.portalId, 'deal', {
        dealname: `Imported ${i}`,
        amount: String(100 + i),
        dealstage: 'qualifiedtobuy',
        closedate: '2026-12-01T00:00:00.000Z',
        description: i === 7 ? 'Refuse me' : `Description ${i}`,
      });
      dealIds.push(deal.id);
    }
    await eventually(() => {
      expect(opportunitiesOf(h).filter((o) => o.PB_HubSpot_Deal_Id__c !== null)).toHaveLength(
        DEALS,
      );
      for (const id of dealIds) {
        const deal = h.hubspot.control.getRecord(h.portalId, 'deal', id);
        expect(deal?.properties.pb_salesforce_opportunity_id ?? '').not.toBe('');
        expect(deal?.properties.deal_currency_code).toBe('USD');
      }
    }, 60_000);
    h.salesforce.control.faults.clear();
    // Every record exactly once, though the first job failed.
    expect(opportunitiesOf(h)).toHaveLength(DEALS);
    const counts = requests();
    expect(count(counts, /^POST .*jobs\/ingest$/), JSON.stringify(counts)).toBeGreaterThanOrEqual(
      2,
    );
    expect(count(counts, COLLECTION_WRITES), JSON.stringify(counts)).toBe(0);
    const creates = h.salesforce.control
      .writeLog(h.orgId)
      .filter((w) => w.sobject === 'Opportunity' && w.operation === 'create');
    expect(creates).toHaveLength(DEALS);
    // Marked as ours: Bulk API with our Sforce-Call-Options client (changeOrigin carries it).
    expect(new Set(creates.map((w) => `${w.source} ${w.client}`))).toEqual(
      new Set(['bulkapi partnerbridge']),
    );
    await quietWrites();
  });

  it('a new mapping back-fills through one Bulk upsert; a refused record is a dead letter, its neighbours land, nothing echoes', async () => {
    h.hubspot.control.setWebhookTarget({
      targetUrl: `${h.env.PUBLIC_BASE_URL}/hubspot/webhooks`,
      subscriptions: dealSubscriptions.map((s) => ({ ...s })),
    });
    h.salesforce.control.addValidationRule({
      orgId: h.orgId,
      sobject: 'Opportunity',
      name: 'no_refusals',
      errorMessage: 'Refusals are refused',
      when: { field: 'Description', equals: 'Refuse me' },
    });
    h.salesforce.control.resetRequests();
    const updatesBefore = h.salesforce.control
      .writeLog(h.orgId)
      .filter((w) => w.operation === 'update').length;
    const saved = await h.server.fetch(
      `/admin/api/installations/${h.installationId}/sync/mappings`,
      {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          document: descriptionMapping(),
          baseVersion: 0,
          createdBy: 'admin',
        }),
      },
    );
    expect(saved.status).toBe(201);
    const refused = dealIds[7] as string;
    await eventually(async () => {
      for (const id of dealIds) {
        if (id === refused) continue;
        expect(opportunityFor(h, id).Description).toBe(`Description ${dealIds.indexOf(id)}`);
      }
      const letters = await h.server.services.db
        .select()
        .from(deadLetters)
        .where(
          and(eq(deadLetters.installationId, h.installationId), eq(deadLetters.status, 'open')),
        );
      expect(letters).toHaveLength(1);
      expect(letters[0]?.reason).toContain('Refusals are refused');
      expect(JSON.stringify(letters[0]?.payload)).toContain(refused);
    }, 60_000);
    expect(opportunityFor(h, refused).Description ?? null).toBeNull();
    const counts = requests();
    expect(count(counts, /^POST .*jobs\/ingest$/), JSON.stringify(counts)).toBe(1);
    expect(count(counts, COLLECTION_WRITES), JSON.stringify(counts)).toBe(0);
    const updates = h.salesforce.control
      .writeLog(h.orgId)
      .filter((w) => w.operation === 'update')
      .slice(updatesBefore);
    expect(updates).toHaveLength(DEALS - 1);
    expect(new Set(updates.map((w) => w.source))).toEqual(new Set(['bulkapi']));
    await quietWrites();
  });

  it('a live change still goes through sObject Collections', async () => {
    h.salesforce.control.resetRequests();
    const id = dealIds[3] as string;
    h.hubspot.control.userEdit(h.portalId, 'deal', id, { description: 'Edited live' });
    await eventually(() => expect(opportunityFor(h, id).Description).toBe('Edited live'));
    const counts = requests();
    expect(count(counts, COLLECTION_WRITES), JSON.stringify(counts)).toBeGreaterThanOrEqual(1);
    expect(count(counts, INGEST), JSON.stringify(counts)).toBe(0);
  });
});
