import {
  deadLettersViewSchema,
  dryRunViewSchema,
  objectFieldsViewSchema,
  savedMappingViewSchema,
  syncHealthViewSchema,
  syncMappingsViewSchema,
} from '@partnerbridge/shared/api';
import { defaultMappingDocument } from '@partnerbridge/shared/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import {
  aSyncedDeal,
  descriptionMapping,
  eventually,
  HARNESS_ADMIN_USER_ID,
  opportunityFor,
  type SyncHarness,
  startSyncHarness,
} from '../sync/support/sync-harness.ts';
import { callCard } from './cards/support.ts';

// The settings page's sync routes against both sandboxes, signed as the portal's installer: the
// portal's real properties and the org's described fields, a mapping refused by field name, a
// dry run then a save as the signed user, health and a dead letter replayed.

type ErrorBody = { error: { code: string; message: string; issues?: { path: string }[] } };

describe('settings sync API against the sandboxes', () => {
  let h: SyncHarness;
  const call = <T>(request: { method?: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown }) =>
    callCard<T>(h.server, {
      ...request,
      portalId: String(h.portalId),
      userId: HARNESS_ADMIN_USER_ID,
    });

  beforeAll(async () => {
    h = await startSyncHarness({
      jobs: (options) => createSyncJobs(options, { pollEveryMs: 250 }),
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("lists an object pair's real HubSpot properties and Salesforce fields", async () => {
    const deal = await call({ path: '/api/v1/sync/fields?kind=deal' });
    expect(deal.status).toBe(200);
    const fields = objectFieldsViewSchema.parse(deal.body);
    expect(fields.hubspot.objectType).toBe('deals');
    expect(fields.hubspot.properties).toContainEqual(
      expect.objectContaining({ name: 'dealname', type: 'string', readOnly: false }),
    );
    expect(fields.hubspot.properties.find((p) => p.name === 'dealname')?.label).not.toBe('');
    expect(fields.salesforce.sobject).toBe('Opportunity');
    expect(fields.salesforce.fields).toContainEqual(
      expect.objectContaining({ name: 'Description', updateable: true }),
    );
    const partner = objectFieldsViewSchema.parse(
      (await call({ path: '/api/v1/sync/fields?kind=partner' })).body,
    );
    expect(partner).toMatchObject({
      kind: 'partner',
      hubspot: { objectType: 'companies' },
      salesforce: { sobject: 'Account' },
    });
    expect(partner.hubspot.properties.map((p) => p.name)).toContain('domain');
  });

  it('refuses a mapping naming fields that do not exist, by field, and saves nothing', async () => {
    const document = defaultMappingDocument();
    const index = document.objects[0]?.fields.length ?? 0;
    document.objects[0]?.fields.push({
      hubspot: 'dealname_typo',
      salesforce: 'Nope__c',
      transform: { kind: 'text' },
      direction: 'both',
      policy: 'most_recent',
    });
    for (const request of [
      { method: 'POST' as const, path: '/api/v1/sync/mappings/dry-run', body: { document } },
      { method: 'PUT' as const, path: '/api/v1/sync/mappings', body: { document, baseVersion: 0 } },
    ]) {
      const refused = await call<ErrorBody>(request);
      expect(refused.status, request.path).toBe(422);
      expect(refused.body.error.issues?.map((issue) => issue.path)).toEqual([
        `body.document.objects[0].fields[${index}].hubspot`,
        `body.document.objects[0].fields[${index}].salesforce`,
      ]);
      expect(refused.body.error.message).toContain('dealname_typo');
      expect(refused.body.error.message).toContain('Nope__c');
    }
    const mappings = syncMappingsViewSchema.parse(
      (await call({ path: '/api/v1/sync/mappings' })).body,
    );
    expect(mappings).toMatchObject({ version: 0, versions: [] });
  });

  it('previews a mapping change, then saves it as the signed user and back-fills', async () => {
    const deal = await aSyncedDeal(h, {
      dealname: 'Settings backfill',
      description: 'Written in HubSpot',
    });
    const document = descriptionMapping();
    const preview = await call({
      method: 'POST',
      path: '/api/v1/sync/mappings/dry-run',
      body: { document },
    });
    expect(preview.status).toBe(200);
    const dryRun = dryRunViewSchema.parse(preview.body);
    expect(dryRun.writes).toEqual({ hubspot: 0, salesforce: 1 });
    expect(dryRun.byField).toEqual([{ field: 'Description', side: 'salesforce', writes: 1 }]);
    expect(dryRun.examples[0]?.changes[0]).toMatchObject({
      hubspotField: 'description',
      action: 'write_salesforce',
      explanation: expect.stringContaining('Written in HubSpot'),
    });
    expect(opportunityFor(h, deal.id).Description ?? null).toBeNull();

    const saved = await call({
      method: 'PUT',
      path: '/api/v1/sync/mappings',
      body: { document, baseVersion: 0 },
    });
    expect(saved.status).toBe(201);
    expect(savedMappingViewSchema.parse(saved.body).version).toBe(1);
    await eventually(() =>
      expect(opportunityFor(h, deal.id).Description).toBe('Written in HubSpot'),
    );
    const mappings = syncMappingsViewSchema.parse(
      (await call({ path: '/api/v1/sync/mappings' })).body,
    );
    expect(mappings.version).toBe(1);
    expect(mappings.versions[0]?.createdBy).toBe('rep@example.com');
    const stale = await call<ErrorBody>({
      method: 'PUT',
      path: '/api/v1/sync/mappings',
      body: { document, baseVersion: 0 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('the mapping changed since you loaded it');
  });

  it('groups a failing record under its error type and replays its dead letter', async () => {
    const deal = await aSyncedDeal(h, { dealname: 'Settings will fail' });
    h.salesforce.control.addValidationRule({
      orgId: h.orgId,
      sobject: 'Opportunity',
      name: 'settings_no_huge',
      errorMessage: 'Amount too large',
      when: { field: 'Amount', equals: 888888 },
    });
    h.hubspot.control.userEdit(h.portalId, 'deal', deal.id, { amount: '888888' });
    let letterId = '';
    await eventually(async () => {
      const letters = deadLettersViewSchema.parse(
        (await call({ path: '/api/v1/sync/dead-letters?status=open&type=validation' })).body,
      );
      const letter = letters.deadLetters.find((l) => JSON.stringify(l.record).includes(deal.id));
      expect(letter).toMatchObject({ system: 'salesforce', status: 'open' });
      letterId = letter?.id ?? '';
    });
    const health = syncHealthViewSchema.parse((await call({ path: '/api/v1/sync/health' })).body);
    expect(health).toMatchObject({ hubspot: { connected: true }, salesforce: { connected: true } });
    expect(health.hubspot.apiUsage.calls).toBeGreaterThan(0);
    expect(
      health.errors.find((group) => group.type === 'validation')?.count,
    ).toBeGreaterThanOrEqual(1);

    h.salesforce.control.removeValidationRule({ orgId: h.orgId, name: 'settings_no_huge' });
    const replay = await call({
      method: 'POST',
      path: `/api/v1/sync/dead-letters/${letterId}/replay`,
    });
    expect(replay).toMatchObject({ status: 200, body: { replayed: true } });
    await eventually(() => expect(opportunityFor(h, deal.id).Amount).toBe(888888));
    const replayed = deadLettersViewSchema.parse(
      (await call({ path: '/api/v1/sync/dead-letters?status=replayed' })).body,
    );
    expect(replayed.deadLetters.find((l) => l.id === letterId)?.resolvedBy).toBe('rep@example.com');
  });
});
