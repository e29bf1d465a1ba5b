import { type IdentityReviewView, identityReviewsViewSchema } from '@partnerbridge/shared/api';
import { defaultMappingDocument, type MappingDocument } from '@partnerbridge/shared/sync';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../server/src/db/schema/audit.ts';
import { idLinks, syncCheckpoints } from '../../server/src/db/schema/sync.ts';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { saveMappingVersion } from '../../server/src/sync/sync-store.ts';
import type { HubspotExchange } from '../sandboxes/hubspot/index.ts';
import { callCard } from '../server/cards/support.ts';
import {
  eventually,
  HARNESS_ADMIN_USER_ID,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

// Identity for accounts born in Salesforce: before a HubSpot company is created for one, HubSpot
// is searched by domain, then exact name. One match links, several wait for review, none creates.
// HubSpot companies here never get a Salesforce twin of their own (create.inSalesforce off), so
// only the Salesforce side looks for twins. Reviews are then resolved as the settings page does
// (signed, as the portal's admin): a Salesforce account linked to one of its HubSpot candidates
// or given a new company, a HubSpot company linked to one of its Salesforce candidates.

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
    mapping = document;
  });
  let mapping: MappingDocument;
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
    await jobsDone(companyIds);
  };

  /** No record job of these records is waiting or running. */
  const jobsDone = (ids: readonly string[]) =>
    eventually(async () => {
      const pending = await h.server.services.queues
        .queue('sync-record')
        .getJobs(['waiting', 'delayed', 'active', 'prioritized']);
      expect(pending.filter((job) => ids.includes((job.data as { id?: string }).id ?? ''))).toEqual(
        [],
      );
    });

  /** Two HubSpot companies of one domain (left alone), then an account matching both. */
  const accountMatchingTwo = async (
    names: readonly [string, string],
    domain: string,
    account: { Name: string; Website: string },
  ) => {
    const first = await hubspotCompany(names[0], domain);
    const second = await hubspotCompany(names[1], domain);
    await settleHubspot(first, second);
    const accountId = h.salesforce.control.userCreate(h.orgId, 'Account', account);
    return { first, second, accountId };
  };

  /** Each record carries the other's id: the link was written to both sides. */
  const expectStamped = (companyId: string, accountId: string) =>
    eventually(() => {
      expect(
        h.salesforce.control.getRecord(h.orgId, 'Account', accountId)?.PB_HubSpot_Company_Id__c,
      ).toBe(companyId);
      expect(
        h.hubspot.control.getRecord(h.portalId, 'company', companyId)?.properties
          .pb_salesforce_account_id,
      ).toBe(accountId);
    });

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
    await expectStamped(companyId, accountId);
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
    const { first, second, accountId } = await accountMatchingTwo(
      ['Initech', 'Initech EMEA'],
      'initech.example',
      { Name: 'Initech', Website: 'initech.example' },
    );
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

  const signed = <T>(request: { method?: 'GET' | 'POST'; path: string; body?: unknown }) =>
    callCard<T>(h.server, {
      ...request,
      portalId: String(h.portalId),
      userId: HARNESS_ADMIN_USER_ID,
    });

  /** The review of a record, as the settings page lists it. */
  const reviewOf = async (recordId: string) => {
    let review: IdentityReviewView | undefined;
    await eventually(async () => {
      const list = await signed({ path: '/api/v1/sync/reviews' });
      expect(list.status).toBe(200);
      review = identityReviewsViewSchema
        .parse(list.body)
        .reviews.find((r) => r.record.id === recordId);
      expect(review).toBeDefined();
    });
    return review as IdentityReviewView;
  };

  const resolve = (review: IdentityReviewView, body: unknown) =>
    signed<{ resolved?: true; error?: { message: string } }>({
      method: 'POST',
      path: `/api/v1/sync/reviews/${review.id}/resolve`,
      body,
    });

  const linkOf = async (column: 'hubspotId' | 'salesforceId', id: string) => {
    const [link] = await h.server.services.db
      .select()
      .from(idLinks)
      .where(and(eq(idLinks.installationId, h.installationId), eq(idLinks[column], id)));
    return link;
  };

  it("resolves a Salesforce account's review by linking one of its HubSpot candidates, which then sync", async () => {
    const { first, second, accountId } = await accountMatchingTwo(
      ['Umbrella', 'Umbrella Labs'],
      'umbrella.example',
      { Name: 'Umbrella Corporation', Website: 'https://umbrella.example' },
    );
    const review = await reviewOf(accountId);
    expect(review).toMatchObject({
      side: 'salesforce',
      reason: 'several HubSpot companies match this account',
      record: {
        system: 'salesforce',
        name: 'Umbrella Corporation',
        domain: 'https://umbrella.example',
      },
    });
    expect(review.candidates.map((c) => [c.system, c.id, c.name, c.domain])).toEqual(
      [
        ['hubspot', first, 'Umbrella', 'umbrella.example'],
        ['hubspot', second, 'Umbrella Labs', 'umbrella.example'],
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    );

    expect(await resolve(review, { action: 'link', hubspotId: first })).toMatchObject({
      status: 200,
      body: { resolved: true },
    });
    await expectStamped(first, accountId);
    expect(await linkOf('salesforceId', accountId)).toMatchObject({
      status: 'linked',
      hubspotId: first,
      review: null,
    });
    expect(companiesWithDomain('umbrella.example')).toHaveLength(2);
    expect((await resolve(review, { action: 'keep_apart' })).status).toBe(409);
    const [audit] = await h.server.services.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.salesforceId, accountId), eq(auditLog.action, 'sync.identity_resolved')),
      );
    expect(audit).toMatchObject({
      origin: 'admin',
      hubspotId: first,
      after: { action: 'link', hubspotId: first },
    });
  });

  it("resolves a Salesforce account's review with create: exactly one new company", async () => {
    const { accountId } = await accountMatchingTwo(
      ['Cyberdyne', 'Cyberdyne Systems'],
      'cyberdyne.example',
      { Name: 'Cyberdyne', Website: 'cyberdyne.example' },
    );
    const review = await reviewOf(accountId);
    expect((await resolve(review, { action: 'create' })).status).toBe(200);
    await eventually(() => {
      const twins = h.hubspot.control
        .listRecords(h.portalId, 'company')
        .filter((c) => c.properties.pb_salesforce_account_id === accountId);
      expect(twins.map((c) => c.properties.name)).toEqual(['Cyberdyne']);
    });
    await sleep(800);
    expect(companiesWithDomain('cyberdyne.example')).toHaveLength(3);
    expect(await linkOf('salesforceId', accountId)).toMatchObject({
      status: 'linked',
      hubspotId: expect.any(String),
    });
  });

  it("resolves a HubSpot company's review by linking one of its Salesforce candidates", async () => {
    // Accounts that stay alone (no company created for them), then a company matching both.
    const alone = structuredClone(mapping);
    for (const object of alone.objects) {
      if (object.kind !== 'deal') object.create = { inHubspot: false, inSalesforce: false };
    }
    const db = h.server.services.db;
    await saveMappingVersion(db, h.installationId, alone, 'test', undefined);
    try {
      const accounts = ['Stark', 'Stark Industries'].map((name) =>
        h.salesforce.control.userCreate(h.orgId, 'Account', {
          Name: name,
          Website: 'stark.example',
        }),
      );
      // The accounts have looked for a company (and found none) before there is one: they do not
      // look again, so only the company looks for twins.
      await eventually(() => expect(JSON.stringify(identitySearches())).toContain('stark.example'));
      await jobsDone(accounts);
      await sleep(500);
      const companyId = await hubspotCompany('Stark', 'stark.example');
      const review = await reviewOf(companyId);
      expect(review).toMatchObject({
        side: 'hubspot',
        reason: 'several Salesforce accounts match this company',
        record: { system: 'hubspot', name: 'Stark', domain: 'stark.example' },
      });
      expect(review.candidates.map((c) => c.id).sort()).toEqual([...accounts].sort());
      expect(review.candidates.every((c) => c.system === 'salesforce')).toBe(true);

      const refused = await resolve(review, { action: 'create' });
      expect(refused.status).toBe(409);
      expect(refused.body.error?.message).toContain('does not create Salesforce accounts');
      const [chosen] = accounts;
      expect((await resolve(review, { action: 'link', salesforceId: chosen })).status).toBe(200);
      await expectStamped(companyId, chosen as string);
      expect(await linkOf('hubspotId', companyId)).toMatchObject({
        status: 'linked',
        salesforceId: chosen,
      });
      expect(companiesWithDomain('stark.example')).toHaveLength(1);
    } finally {
      await saveMappingVersion(db, h.installationId, mapping, 'test', undefined);
    }
  });
});
