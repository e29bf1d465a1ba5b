import { defaultMappingDocument } from '@partnerbridge/shared/sync';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../server/src/db/schema/audit.ts';
import { idLinks, syncCheckpoints } from '../../server/src/db/schema/sync.ts';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { saveMappingVersion } from '../../server/src/sync/sync-store.ts';
import type { HubspotExchange } from '../sandboxes/hubspot/index.ts';
import { eventually, type SyncHarness, startSyncHarness } from './support/sync-harness.ts';

// Identity for accounts born in Salesforce: before a HubSpot company is created for one, HubSpot
// is searched by domain, then exact name. One match links, several wait for review, none creates.
// HubSpot companies here never get a Salesforce twin of their own (create.inSalesforce off), so
// only the Salesforce side looks for twins.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('identity of Salesforce-only accounts', () => {
  let h: SyncHarness;
  const searches: Record<string, unknown>[] = [];
  beforeAll(async () => {
    h = await startSyncHarness({
      // A short overlap (see `settleHubspot`).
      sync: { pollOverlapMs: 200 },
      jobs: (options) => createSyncJobs(options, { pollEveryMs: 250 }),
      onHubspotExchange: (exchange: HubspotExchange) => {
        if (exchange.path.endsWith('/companies/search'))
          searches.push(exchange.requestBody as Record<string, unknown>);
      },
    });
    const document = defaultMappingDocument();
    for (const object of document.objects) {
      if (object.kind !== 'deal') object.create = { inHubspot: true, inSalesforce: false };
    }
    await saveMappingVersion(h.server.services.db, h.installationId, document, 'test', undefined);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const companiesWithDomain = (domain: string) =>
    h.hubspot.control
      .listRecords(h.portalId, 'company')
      .filter((c) => c.properties.domain === domain);

  /** A HubSpot company the sync will leave alone (no twin, no create in Salesforce). */
  const hubspotCompany = async (name: string, domain: string) => {
    const company = h.hubspot.control.userCreate(h.portalId, 'company', { name, domain });
    await sleep(250);
    return company.id;
  };

  /**
   * The HubSpot poll re-reads the newest changes (its overlap window starts at the newest change
   * seen), and an unlinked company re-read after the account exists may find it from its side
   * first (a valid link too). A newer unrelated company moves the window past the test's
   * companies (the poll's stored cursor says when); once their last jobs are done, only the
   * Salesforce side looks for twins.
   */
  let fillers = 0;
  const settleHubspot = async (...companyIds: string[]) => {
    fillers++;
    const filler = h.hubspot.control.userCreate(h.portalId, 'company', {
      name: `Filler ${fillers}`,
      domain: `filler-${fillers}.example`,
    });
    const fillerAt = Date.parse(filler.createdAt);
    await eventually(async () => {
      const [row] = await h.server.services.db
        .select({ cursor: syncCheckpoints.cursor })
        .from(syncCheckpoints)
        .where(
          and(
            eq(syncCheckpoints.installationId, h.installationId),
            eq(syncCheckpoints.system, 'hubspot'),
            eq(syncCheckpoints.objectKind, 'partner'),
          ),
        );
      expect((row?.cursor as { since?: number } | undefined)?.since).toBeGreaterThan(
        fillerAt - 250,
      );
    });
    const queue = h.server.services.queues.queue('sync-record');
    await eventually(async () => {
      const pending = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
      expect(
        pending.filter((job) => companyIds.includes((job.data as { id?: string }).id ?? '')),
      ).toEqual([]);
    });
  };

  /** The audit of an identity match for an account (written with the batch's bookkeeping). */
  const identityAudit = async (accountId: string) => {
    let found: unknown;
    await eventually(async () => {
      [found] = await h.server.services.db
        .select()
        .from(auditLog)
        .where(
          and(eq(auditLog.salesforceId, accountId), eq(auditLog.action, 'sync.identity_matched')),
        );
      expect(found).toBeDefined();
    });
    return found;
  };

  /** Identity searches (domain or name filter groups), as HubSpot received them. */
  const identitySearches = () =>
    searches.filter((body) =>
      JSON.stringify(body.filterGroups).match(/"propertyName":"(domain|name)","operator":"IN"/),
    );

  it('links an account to its one HubSpot match by domain instead of creating a second company', async () => {
    const companyId = await hubspotCompany('Globex', 'globex.example');
    await settleHubspot(companyId);
    const accountId = h.salesforce.control.userCreate(h.orgId, 'Account', {
      Name: 'Globex Corporation',
      Website: 'https://www.globex.example/',
    });
    await eventually(() => {
      expect(
        h.salesforce.control.getRecord(h.orgId, 'Account', accountId)?.PB_HubSpot_Company_Id__c,
      ).toBe(companyId);
      expect(
        h.hubspot.control.getRecord(h.portalId, 'company', companyId)?.properties
          .pb_salesforce_account_id,
      ).toBe(accountId);
    });
    expect(companiesWithDomain('globex.example')).toHaveLength(1);
    expect(await identityAudit(accountId)).toMatchObject({
      origin: 'salesforce',
      hubspotId: companyId,
      decision: { matchedOn: 'domain' },
    });
  });

  it('links by exact name when no company has the domain', async () => {
    const companyId = await hubspotCompany('Vandelay Industries', '');
    await settleHubspot(companyId);
    const accountId = h.salesforce.control.userCreate(h.orgId, 'Account', {
      Name: 'vandelay industries',
    });
    await eventually(() =>
      expect(
        h.salesforce.control.getRecord(h.orgId, 'Account', accountId)?.PB_HubSpot_Company_Id__c,
      ).toBe(companyId),
    );
    expect(
      h.hubspot.control
        .listRecords(h.portalId, 'company')
        .filter((c) => c.properties.name?.toLowerCase() === 'vandelay industries'),
    ).toHaveLength(1);
    expect(await identityAudit(accountId)).toMatchObject({
      origin: 'salesforce',
      decision: { matchedOn: 'name' },
    });
  });

  it('holds an account with two HubSpot matches for review and creates nothing', async () => {
    const first = await hubspotCompany('Initech', 'initech.example');
    const second = await hubspotCompany('Initech EMEA', 'initech.example');
    await settleHubspot(first, second);
    const accountId = h.salesforce.control.userCreate(h.orgId, 'Account', {
      Name: 'Initech',
      Website: 'initech.example',
    });
    await eventually(async () => {
      const [link] = await h.server.services.db
        .select()
        .from(idLinks)
        .where(
          and(eq(idLinks.installationId, h.installationId), eq(idLinks.salesforceId, accountId)),
        );
      expect(link).toMatchObject({ status: 'pending_review', hubspotId: null });
      expect(link?.review).toMatchObject({
        reason: 'several HubSpot companies match this account',
        candidates: [
          { hubspotId: [first, second].sort()[0], matchedOn: ['domain'] },
          { hubspotId: [first, second].sort()[1], matchedOn: ['domain'] },
        ],
      });
    });
    await sleep(800);
    expect(companiesWithDomain('initech.example')).toHaveLength(2);
    expect(
      h.salesforce.control.getRecord(h.orgId, 'Account', accountId)?.PB_HubSpot_Company_Id__c,
    ).toBeNull();
    for (const id of [first, second]) {
      expect(
        h.hubspot.control.getRecord(h.portalId, 'company', id)?.properties.pb_salesforce_account_id,
      ).toBeFalsy();
    }
  });

  it('creates the company when nothing matches, searching once for several accounts', async () => {
    const before = identitySearches().length;
    const names = ['Hooli', 'Pied Piper', 'Aviato'];
    const ids = names.map((name) =>
      h.salesforce.control.userCreate(h.orgId, 'Account', {
        Name: name,
        Website: `${name.toLowerCase().replace(' ', '')}.example`,
      }),
    );
    await eventually(() => {
      for (const [index, id] of ids.entries()) {
        const twin = h.hubspot.control
          .listRecords(h.portalId, 'company')
          .filter((c) => c.properties.pb_salesforce_account_id === id);
        expect(twin.map((c) => c.properties.name)).toEqual([names[index]]);
      }
    });
    // The three accounts came in one poll page and one batch: one search asked for all of them.
    const asked = identitySearches().slice(before);
    expect(asked.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(asked[0])).toContain('hooli.example');
    expect(JSON.stringify(asked[0])).toContain('aviato.example');
  });
});
