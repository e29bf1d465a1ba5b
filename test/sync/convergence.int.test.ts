import { defaultMappingDocument } from '@partnerbridge/shared/sync';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, deadLetters } from '../../server/src/db/schema/audit.ts';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { syncHealth } from '../../server/src/sync/admin.ts';
import { saveMappingVersion } from '../../server/src/sync/sync-store.ts';
import {
  eventually,
  fastSyncOptions,
  opportunitiesOf,
  opportunityFor,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Retry-After of the scripted 429: longer than the harness's pause after HubSpot's own. */
const RETRY_AFTER_MS = 1_000;

/** A HubSpot API exchange as it ended (CRM calls only), for timing checks. */
type Exchange = { at: number; method: string; path: string; status: number; retryAfter?: string };

describe('two-way deal sync through the sandboxes', () => {
  let h: SyncHarness;
  const exchanges: Exchange[] = [];
  beforeAll(async () => {
    h = await startSyncHarness({
      jobs: (options) => createSyncJobs(options, { pollEveryMs: 250 }),
      onHubspotExchange: ({ method, path, status, responseHeaders }) => {
        if (!path.startsWith('/crm/')) return;
        const retryAfter = responseHeaders['retry-after'];
        exchanges.push({
          at: Date.now(),
          method,
          path,
          status,
          ...(retryAfter === undefined ? {} : { retryAfter: String(retryAfter) }),
        });
      },
    });
  });
  afterEach(() => {
    h.hubspot.control.faults.clear();
    h.hubspot.control.clearWebhookFaults();
    h.salesforce.control.faults.clear();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const createDeal = async (dealname: string) => {
    const deal = h.hubspot.control.userCreate(h.portalId, 'deal', {
      dealname,
      amount: '1200.50',
      dealstage: 'qualifiedtobuy',
      closedate: '2026-12-01T00:00:00.000Z',
    });
    await eventually(() => {
      expect(opportunityFor(h, deal.id).Name).toBe(dealname);
      const record = h.hubspot.control.getRecord(h.portalId, 'deal', deal.id);
      expect(record?.properties.pb_salesforce_opportunity_id).toBe(opportunityFor(h, deal.id).Id);
      expect(record?.properties.deal_currency_code).toBe('USD');
    });
    return deal.id;
  };

  /** Writes each side received (sandbox logs), for loop checks. */
  const writeCounts = () => ({
    salesforce: h.salesforce.control.writeLog(h.orgId).filter((entry) => entry.source === 'rest')
      .length,
    hubspot: Object.entries(h.hubspot.control.requests().counts)
      .filter(([endpoint]) => /batch\/(update|create)/.test(endpoint))
      .reduce((sum, [, n]) => sum + n, 0),
  });

  it('a deal created in HubSpot becomes an opportunity, and edits on either side follow', async () => {
    const dealId = await createDeal('Acme expansion');
    expect(opportunityFor(h, dealId)).toMatchObject({
      Amount: 1200.5,
      StageName: 'Qualification',
      CloseDate: '2026-12-01',
    });
    h.hubspot.control.userEdit(h.portalId, 'deal', dealId, { dealname: 'Acme expansion II' });
    await eventually(() => expect(opportunityFor(h, dealId).Name).toBe('Acme expansion II'));

    const opportunityId = String(opportunityFor(h, dealId).Id);
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, {
      Amount: 990,
      StageName: 'Closed Won',
    });
    await eventually(() => {
      const record = h.hubspot.control.getRecord(h.portalId, 'deal', dealId);
      expect(record?.properties).toMatchObject({ amount: '990', dealstage: 'closedwon' });
    });
  });

  it('our own writes never come back as changes (no loop)', async () => {
    const dealId = await createDeal('Loop check');
    h.hubspot.control.userEdit(h.portalId, 'deal', dealId, { amount: '5000' });
    await eventually(() => expect(opportunityFor(h, dealId).Amount).toBe(5000));
    await sleep(1_500);
    const before = writeCounts();
    await sleep(2_000);
    expect(writeCounts()).toEqual(before);
  });

  it('an opportunity created in Salesforce becomes a deal', async () => {
    const id = h.salesforce.control.userCreate(h.orgId, 'Opportunity', {
      Name: 'Born in Salesforce',
      StageName: 'Prospecting',
      CloseDate: '2027-01-15',
      Amount: 300,
    });
    await eventually(() => {
      const deal = h.hubspot.control
        .listRecords(h.portalId, 'deal')
        .find((d) => d.properties.pb_salesforce_opportunity_id === id);
      expect(deal?.properties).toMatchObject({
        dealname: 'Born in Salesforce',
        dealstage: 'appointmentscheduled',
        amount: '300',
      });
      expect(
        h.salesforce.control.getRecord(h.orgId, 'Opportunity', id)?.PB_HubSpot_Deal_Id__c,
      ).toBe(deal?.id);
    });
  });

  it('concurrent conflicting edits resolve per policy (most recent; then HubSpot wins)', async () => {
    const dealId = await createDeal('Conflict');
    const opportunityId = String(opportunityFor(h, dealId).Id);
    h.hubspot.control.userEdit(h.portalId, 'deal', dealId, { dealname: 'From HubSpot' });
    await sleep(5);
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, {
      Name: 'From Salesforce',
    });
    await eventually(() => {
      expect(opportunityFor(h, dealId).Name).toBe('From Salesforce');
      expect(h.hubspot.control.getRecord(h.portalId, 'deal', dealId)?.properties.dealname).toBe(
        'From Salesforce',
      );
    });

    const document = defaultMappingDocument();
    const deal = document.objects.find((o) => o.kind === 'deal');
    const name = deal?.fields.find((f) => f.hubspot === 'dealname');
    if (name === undefined) throw new Error('no dealname mapping');
    name.policy = 'hubspot_wins';
    await saveMappingVersion(h.server.services.db, h.installationId, document, 'test', undefined);
    h.hubspot.control.userEdit(h.portalId, 'deal', dealId, { dealname: 'HubSpot owns it' });
    await sleep(5);
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, {
      Name: 'Salesforce tries',
    });
    await eventually(() => {
      expect(opportunityFor(h, dealId).Name).toBe('HubSpot owns it');
      expect(h.hubspot.control.getRecord(h.portalId, 'deal', dealId)?.properties.dealname).toBe(
        'HubSpot owns it',
      );
    });
    await eventually(async () => {
      const decisions = await h.server.services.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.installationId, h.installationId), eq(auditLog.hubspotId, dealId)));
      expect(JSON.stringify(decisions.map((d) => d.decision))).toContain('hubspot_wins');
    });
    await saveMappingVersion(
      h.server.services.db,
      h.installationId,
      defaultMappingDocument(),
      'test',
      undefined,
    );
  });

  it('duplicated and out-of-order webhooks converge without duplicate writes', async () => {
    const dealId = await createDeal('Noisy');
    h.hubspot.control.setWebhookFaults({ duplicateRate: 1, reorder: true });
    const before = writeCounts().salesforce;
    for (const amount of ['101', '102', '103']) {
      h.hubspot.control.userEdit(h.portalId, 'deal', dealId, { amount });
    }
    await eventually(() => expect(opportunityFor(h, dealId).Amount).toBe(103));
    await sleep(1_500);
    // At most one write per edit, never one per delivery.
    expect(writeCounts().salesforce - before).toBeLessThanOrEqual(3);
    expect(opportunityFor(h, dealId).Amount).toBe(103);
  });

  it('a storm of 429s and a burst of 5xx delay the work but lose nothing', async () => {
    const dealId = await createDeal('Stormy');
    const opportunityId = String(opportunityFor(h, dealId).Id);
    const hubspotFaults = h.hubspot.control.faults.injected();
    const salesforceFaults = h.salesforce.control.faults.injected();
    const usage = (await syncHealth(h.server.services, h.installationId)).hubspot.apiUsage;
    const deals = h.hubspot.control.listRecords(h.portalId, 'deal').length;
    const opportunities = opportunitiesOf(h).length;
    const writesBefore = h.salesforce.control.writeLog(h.orgId).length;
    const stormStart = exchanges.length;
    h.hubspot.control.faults.set({
      // HubSpot's own 429 (interval header, no Retry-After) on half the calls…
      rates: { rateLimitRate: 0.5 },
      // …and once one that tells how long to wait.
      script: [
        {
          match: { method: 'POST', path: '/batch/read$' },
          action: {
            kind: 'status',
            status: 429,
            headers: { 'Retry-After': String(RETRY_AFTER_MS / 1000) },
            body: { status: 'error', errorType: 'RATE_LIMIT', message: 'Slow down' },
          },
        },
      ],
    });
    h.salesforce.control.faults.set({
      script: [
        {
          match: { method: 'PATCH', path: 'composite/sobjects' },
          action: { kind: 'server-error' },
          // A burst shorter than the harness's 4 attempts: one job may meet every error of it.
          times: 3,
        },
      ],
    });
    for (const name of ['Stormy 1', 'Stormy 2']) {
      h.hubspot.control.userEdit(h.portalId, 'deal', dealId, { dealname: name });
      await sleep(20);
    }
    await eventually(() => expect(opportunityFor(h, dealId).Name).toBe('Stormy 2'), 30_000);

    // The faults happened: the scripted ones exactly and used up, the dice at least once.
    const injected = (now: Record<string, number>, before: Record<string, number>, kind: string) =>
      (now[kind] ?? 0) - (before[kind] ?? 0);
    const hubspotStorm = h.hubspot.control.faults.injected();
    expect(injected(hubspotStorm, hubspotFaults, 'status')).toBe(1);
    expect(injected(hubspotStorm, hubspotFaults, 'rate-limit')).toBeGreaterThan(0);
    expect(injected(h.salesforce.control.faults.injected(), salesforceFaults, 'server-error')).toBe(
      3,
    );
    expect(h.hubspot.control.faults.current().script?.[0]?.times).toBe(0);
    expect(h.salesforce.control.faults.current().script?.[0]?.times).toBe(0);

    // The engine met every 429 the portal answered and counted it (health view, api_usage),
    // counted once the storm is over.
    h.hubspot.control.faults.clear();
    const tooManyRequests = () => exchanges.slice(stormStart).filter((e) => e.status === 429);
    await eventually(async () => {
      const now = (await syncHealth(h.server.services, h.installationId)).hubspot.apiUsage;
      expect(now.rateLimited - usage.rateLimited).toBe(tooManyRequests().length);
    });
    const storm = exchanges.slice(stormStart);
    const tooMany = tooManyRequests();
    const hubspotNow = h.hubspot.control.faults.injected();
    expect(tooMany).toHaveLength(
      injected(hubspotNow, hubspotFaults, 'status') +
        injected(hubspotNow, hubspotFaults, 'rate-limit'),
    );

    // It waited as told: nothing reached the portal while it was paused (Retry-After when
    // given, else the interval, capped by the harness's pause). Searches' 429s pause no one.
    const paused = tooMany
      .filter((e) => !e.path.endsWith('/search'))
      .map((e) => ({
        from: e.at,
        ms: e.retryAfter === undefined ? fastSyncOptions.hubspot.rateLimitPauseMs : RETRY_AFTER_MS,
      }));
    expect(paused.some((p) => p.ms === RETRY_AFTER_MS)).toBe(true);
    for (const pause of paused) {
      // Margins: a call sent just before the 429 came back, and timer slack.
      const inside = storm.filter(
        (e) => e.at > pause.from + 100 && e.at < pause.from + pause.ms - 50,
      );
      expect(inside, `calls within ${pause.ms} ms after a 429`).toEqual([]);
    }

    // Nothing lost, nothing doubled: no dead letter, no new record, one write per edit at most.
    const letters = await h.server.services.db
      .select()
      .from(deadLetters)
      .where(and(eq(deadLetters.installationId, h.installationId), eq(deadLetters.status, 'open')));
    expect(letters.filter((l) => l.errorType === 'transient_exhausted')).toEqual([]);
    expect(h.hubspot.control.listRecords(h.portalId, 'deal')).toHaveLength(deals);
    expect(opportunitiesOf(h)).toHaveLength(opportunities);
    const writes = h.salesforce.control
      .writeLog(h.orgId)
      .slice(writesBefore)
      .filter((w) => w.source === 'rest' && w.id === opportunityId);
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(writes.length).toBeLessThanOrEqual(2);
  });

  it('a permanent failure is a dead letter with the provider message; replay after the fix syncs it', async () => {
    const dealId = await createDeal('Validated');
    h.salesforce.control.addValidationRule({
      orgId: h.orgId,
      sobject: 'Opportunity',
      name: 'no_blocked',
      errorMessage: 'Blocked names are not allowed',
      when: { field: 'Name', equals: 'Blocked' },
    });
    h.hubspot.control.userEdit(h.portalId, 'deal', dealId, { dealname: 'Blocked' });
    await eventually(async () => {
      const letters = await h.server.services.db
        .select()
        .from(deadLetters)
        .where(
          and(eq(deadLetters.installationId, h.installationId), eq(deadLetters.status, 'open')),
        );
      const letter = letters.find((l) => JSON.stringify(l.payload).includes(dealId));
      expect(letter?.errorType).toBe('validation');
      expect(letter?.reason).toContain('Blocked names are not allowed');
    });
    h.salesforce.control.removeValidationRule({ orgId: h.orgId, name: 'no_blocked' });
    h.hubspot.control.userEdit(h.portalId, 'deal', dealId, { dealname: 'Unblocked' });
    await eventually(() => expect(opportunityFor(h, dealId).Name).toBe('Unblocked'));
  });

  it('a deal deleted in HubSpot tombstones its link and is not re-created', async () => {
    const dealId = await createDeal('Short lived');
    h.hubspot.control.userArchive(h.portalId, 'deal', dealId);
    await eventually(async () => {
      const rows = await h.server.services.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.hubspotId, dealId), eq(auditLog.action, 'sync.deleted')));
      expect(rows).toHaveLength(1);
    });
    await sleep(800);
    expect(
      h.hubspot.control
        .listRecords(h.portalId, 'deal')
        .some((d) => d.properties.dealname === 'Short lived'),
    ).toBe(false);
  });
});
