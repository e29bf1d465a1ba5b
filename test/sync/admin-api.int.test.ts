import { defaultMappingDocument } from '@partnerbridge/shared/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { TEST_ADMIN_TOKEN } from '../support/server.ts';
import {
  aSyncedDeal,
  descriptionMapping,
  eventually,
  opportunityFor,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

describe('sync admin API', () => {
  let h: SyncHarness;
  let base: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await h.server.fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => null)) as Record<string, unknown>,
    };
  };

  beforeAll(async () => {
    h = await startSyncHarness({
      jobs: (options) => createSyncJobs(options, { pollEveryMs: 250 }),
    });
    base = `/admin/api/installations/${h.installationId}/sync`;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a mapping naming a field that does not exist is refused by name', async () => {
    const document = defaultMappingDocument();
    document.objects[0]?.fields.push({
      hubspot: 'dealname_typo',
      salesforce: 'Nope__c',
      transform: { kind: 'text' },
      direction: 'both',
      policy: 'most_recent',
    });
    const answer = await call('PUT', '/mappings', { document, baseVersion: 0, createdBy: 'admin' });
    expect(answer.status).toBe(422);
    const message = JSON.stringify(answer.body);
    expect(message).toContain('dealname_typo');
    expect(message).toContain('Nope__c');
  });

  it('a new mapping shows its dry-run diff, then back-fills the affected records', async () => {
    const deal = await aSyncedDeal(h, {
      dealname: 'Backfill me',
      description: 'Written in HubSpot',
    });
    const document = descriptionMapping();
    const preview = await call('POST', '/mappings/dry-run', { document });
    expect(preview.status).toBe(200);
    expect(preview.body.writes, JSON.stringify(preview.body.examples)).toEqual({
      hubspot: 0,
      salesforce: 1,
    });
    expect(JSON.stringify(preview.body.examples)).toContain('Written in HubSpot');
    // The dry run wrote nothing.
    expect(opportunityFor(h, deal.id).Description ?? null).toBeNull();

    const saved = await call('PUT', '/mappings', { document, baseVersion: 0, createdBy: 'admin' });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ version: 1 });
    await eventually(() =>
      expect(opportunityFor(h, deal.id).Description).toBe('Written in HubSpot'),
    );
    const stale = await call('PUT', '/mappings', { document, baseVersion: 0, createdBy: 'admin' });
    expect(stale.status).toBe(409);

    const audit = await call('GET', `/records/deal/${deal.id}/audit`);
    expect(JSON.stringify(audit.body)).toContain('hubspot_wins');
  });

  it('health groups errors by type; a dead letter can be replayed', async () => {
    const deal = await aSyncedDeal(h, { dealname: 'Will fail' });
    h.salesforce.control.addValidationRule({
      orgId: h.orgId,
      sobject: 'Opportunity',
      name: 'no_huge',
      errorMessage: 'Amount too large',
      when: { field: 'Amount', equals: 999999 },
    });
    h.hubspot.control.userEdit(h.portalId, 'deal', deal.id, { amount: '999999' });
    let letterId = '';
    await eventually(async () => {
      const health = await call('GET', '/health');
      expect(health.status).toBe(200);
      const errors = health.body.errors as {
        type: string;
        count: number;
        examples: { id: string }[];
      }[];
      const validation = errors.find((e) => e.type === 'validation');
      expect(validation?.count).toBeGreaterThanOrEqual(1);
      letterId = validation?.examples[0]?.id ?? '';
      expect(letterId).not.toBe('');
    });
    const health = await call('GET', '/health');
    expect(health.body).toMatchObject({
      hubspot: { connected: true },
      salesforce: { connected: true },
    });
    expect((health.body.hubspot as { apiUsage: { calls: number } }).apiUsage.calls).toBeGreaterThan(
      0,
    );

    h.salesforce.control.removeValidationRule({ orgId: h.orgId, name: 'no_huge' });
    const replay = await call('POST', `/dead-letters/${letterId}/replay`);
    expect(replay.status).toBe(200);
    await eventually(() => expect(opportunityFor(h, deal.id).Amount).toBe(999999));
    const open = await call('GET', '/dead-letters?type=validation');
    expect(open.body.deadLetters).toEqual([]);
  });
});
