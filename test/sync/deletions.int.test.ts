import { defaultMappingDocument, type ObjectMapping } from '@partnerbridge/shared/sync';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, deadLetters } from '../../server/src/db/schema/audit.ts';
import { deals } from '../../server/src/db/schema/deals.ts';
import { idLinks } from '../../server/src/db/schema/sync.ts';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { saveMappingVersion } from '../../server/src/sync/sync-store.ts';
import {
  aSyncedDeal,
  eventually,
  opportunityFor,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

// Deletions across the sandboxes: a linked record deleted on one side is deleted on the other
// under `deletes: 'propagate'` (deals), only unlinked under `unlink` and for accounts, kept when
// it was edited after the deletion, and never bounces back as a change.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deletions through the sandboxes', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness({
      sync: { archivedPollEveryMs: 0 },
      jobs: (options) => createSyncJobs(options, { pollEveryMs: 250 }),
    });
  });
  afterEach(async () => {
    h.hubspot.control.clearWebhookFaults();
    await useDeletes('unlink');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const db = () => h.server.services.db;

  const useDeletes = async (deletes: ObjectMapping['deletes']) => {
    const document = defaultMappingDocument();
    for (const object of document.objects) object.deletes = deletes;
    await saveMappingVersion(db(), h.installationId, document, 'test', undefined);
  };

  /** A deal synced and quiet: its currency came back (else that write lands in a later count). */
  const createDeal = async (dealname: string) => {
    const deal = await aSyncedDeal(h, { dealname, amount: '700' });
    await eventually(async () => {
      const opportunity = opportunityFor(h, deal.id);
      expect(
        h.hubspot.control.getRecord(h.portalId, 'deal', deal.id)?.properties
          .pb_salesforce_opportunity_id,
      ).toBe(opportunity.Id);
      const [row] = await db()
        .select()
        .from(deals)
        .where(and(eq(deals.installationId, h.installationId), eq(deals.hubspotDealId, deal.id)));
      expect(row?.salesforceOpportunityId).toBe(opportunity.Id);
    });
    return { dealId: deal.id, opportunityId: String(opportunityFor(h, deal.id).Id) };
  };

  const opportunityLive = (id: string) =>
    h.salesforce.control.getRecord(h.orgId, 'Opportunity', id)?.IsDeleted === false;
  const dealLive = (id: string) =>
    h.hubspot.control.getRecord(h.portalId, 'deal', id) !== undefined;

  const deletionAudit = async (hubspotId: string) =>
    db()
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.installationId, h.installationId),
          eq(auditLog.hubspotId, hubspotId),
          eq(auditLog.action, 'sync.deleted'),
        ),
      );

  const linkOf = async (hubspotId: string) =>
    (
      await db()
        .select()
        .from(idLinks)
        .where(and(eq(idLinks.installationId, h.installationId), eq(idLinks.hubspotId, hubspotId)))
    )[0];

  /** Writes each side received (sandbox logs), deletes and archives included. */
  const writeCounts = () => ({
    salesforce: h.salesforce.control.writeLog(h.orgId).filter((entry) => entry.source === 'rest')
      .length,
    hubspot: Object.entries(h.hubspot.control.requests().counts)
      .filter(([endpoint]) => /batch\/(update|create|archive)|DELETE/.test(endpoint))
      .reduce((sum, [, n]) => sum + n, 0),
  });

  const expectQuiet = async () => {
    await sleep(1_200);
    const before = writeCounts();
    await sleep(1_500);
    expect(writeCounts()).toEqual(before);
  };

  it('a deal archived in HubSpot deletes its opportunity under propagate, and nothing bounces', async () => {
    await useDeletes('propagate');
    const { dealId, opportunityId } = await createDeal('Propagated from HubSpot');
    h.hubspot.control.userArchive(h.portalId, 'deal', dealId);
    await eventually(() => expect(opportunityLive(opportunityId)).toBe(false));
    const deletes = h.salesforce.control
      .writeLog(h.orgId)
      .filter((e) => e.operation === 'delete' && e.id === opportunityId);
    expect(deletes).toMatchObject([{ source: 'rest', client: 'partnerbridge' }]);
    await eventually(async () => {
      const [audit] = await deletionAudit(dealId);
      expect(audit?.decision).toEqual({
        deletes: 'propagate',
        applied: 'propagate',
        reason: 'propagated',
      });
      expect((await linkOf(dealId))?.deletedAt).not.toBeNull();
    });
    const [row] = await db()
      .select()
      .from(deals)
      .where(and(eq(deals.installationId, h.installationId), eq(deals.hubspotDealId, dealId)));
    expect(row?.archivedAt).not.toBeNull();
    await expectQuiet();
    expect(await deletionAudit(dealId)).toHaveLength(1);
    expect(dealLive(dealId)).toBe(false);
  });

  it('under unlink a deal archived in HubSpot only unlinks: the opportunity stays', async () => {
    const { dealId, opportunityId } = await createDeal('Unlinked from HubSpot');
    h.hubspot.control.userArchive(h.portalId, 'deal', dealId);
    await eventually(async () => {
      const [audit] = await deletionAudit(dealId);
      expect(audit?.decision).toEqual({
        deletes: 'unlink',
        applied: 'unlink',
        reason: 'policy_unlink',
      });
    });
    expect((await linkOf(dealId))?.deletedAt).not.toBeNull();
    await expectQuiet();
    expect(opportunityLive(opportunityId)).toBe(true);
  });

  it('a won deal deleted in HubSpot leaves our books: archived, and reversed as lost that day', async () => {
    const { dealId } = await createDeal('Won then deleted');
    h.hubspot.control.userEdit(h.portalId, 'deal', dealId, {
      dealstage: 'closedwon',
      closedate: '2026-01-15T00:00:00.000Z',
    });
    const row = async () =>
      (
        await db()
          .select()
          .from(deals)
          .where(and(eq(deals.installationId, h.installationId), eq(deals.hubspotDealId, dealId)))
      )[0];
    await eventually(async () => expect((await row())?.stageCategory).toBe('won'));
    h.hubspot.control.userArchive(h.portalId, 'deal', dealId);
    await eventually(async () => {
      const archived = await row();
      expect(archived?.archivedAt).not.toBeNull();
      expect(archived).toMatchObject({
        reversalReason: 'lost',
        reversalOn: archived?.archivedAt?.toISOString().slice(0, 10),
      });
    });
  });

  it('an opportunity deleted in Salesforce archives its deal under propagate, and nothing bounces', async () => {
    await useDeletes('propagate');
    const { dealId, opportunityId } = await createDeal('Propagated from Salesforce');
    h.salesforce.control.userDelete(h.orgId, 'Opportunity', opportunityId);
    await eventually(() => expect(dealLive(dealId)).toBe(false));
    expect(
      h.hubspot.control.getRecord(h.portalId, 'deal', dealId, { archived: true }),
    ).toBeDefined();
    await eventually(async () => {
      const [audit] = await deletionAudit(dealId);
      expect(audit).toMatchObject({
        origin: 'salesforce',
        decision: { deletes: 'propagate', applied: 'propagate', reason: 'propagated' },
      });
    });
    await expectQuiet();
    expect(await deletionAudit(dealId)).toHaveLength(1);
    expect(opportunityLive(opportunityId)).toBe(false);
  });

  it('a deal deleted on both sides at once settles once, without errors or writes', async () => {
    await useDeletes('propagate');
    const { dealId, opportunityId } = await createDeal('Deleted twice');
    const before = writeCounts();
    h.hubspot.control.setWebhookFaults({ duplicateRate: 1 });
    h.salesforce.control.userDelete(h.orgId, 'Opportunity', opportunityId);
    h.hubspot.control.userArchive(h.portalId, 'deal', dealId);
    await eventually(async () => {
      const [audit] = await deletionAudit(dealId);
      expect(audit?.decision).toMatchObject({ applied: 'unlink', reason: 'already_deleted' });
    });
    await expectQuiet();
    expect(writeCounts()).toEqual(before);
    expect(await deletionAudit(dealId)).toHaveLength(1);
    const letters = await db()
      .select()
      .from(deadLetters)
      .where(and(eq(deadLetters.installationId, h.installationId), eq(deadLetters.status, 'open')));
    expect(letters.filter((l) => JSON.stringify(l.payload).includes(dealId))).toEqual([]);
  });

  it('a lost deletion webhook is caught by the archived poll', async () => {
    await useDeletes('propagate');
    const { dealId, opportunityId } = await createDeal('Webhook lost');
    h.hubspot.control.setWebhookFaults({ dropRate: 1 });
    h.hubspot.control.userArchive(h.portalId, 'deal', dealId);
    await eventually(() => expect(opportunityLive(opportunityId)).toBe(false));
  });

  it('an opportunity edited after its deal was archived is kept and unlinked (the edit wins)', async () => {
    await useDeletes('propagate');
    const { dealId, opportunityId } = await createDeal('Edited after delete');
    h.hubspot.control.setWebhookFaults({ dropRate: 1 });
    h.hubspot.control.userArchive(h.portalId, 'deal', dealId);
    await sleep(5);
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, { Amount: 901 });
    await eventually(async () => {
      const [audit] = await deletionAudit(dealId);
      expect(audit?.decision).toEqual({
        deletes: 'propagate',
        applied: 'unlink',
        reason: 'edited_after_delete',
      });
    });
    await expectQuiet();
    expect(opportunityLive(opportunityId)).toBe(true);
    expect(h.salesforce.control.getRecord(h.orgId, 'Opportunity', opportunityId)?.Amount).toBe(901);
  });

  it('a deal merged into another is not a deletion: its opportunity stays, unlinked', async () => {
    await useDeletes('propagate');
    const kept = await createDeal('Merge survivor');
    const merged = await createDeal('Merged away');
    h.hubspot.control.userMerge(h.portalId, 'deal', kept.dealId, merged.dealId);
    await eventually(async () => {
      const [audit] = await deletionAudit(merged.dealId);
      expect(audit?.decision).toEqual({
        deletes: 'propagate',
        applied: 'unlink',
        reason: 'merged',
      });
    });
    await expectQuiet();
    expect(opportunityLive(merged.opportunityId)).toBe(true);
    expect(opportunityLive(kept.opportunityId)).toBe(true);
  });

  it('an opportunity deleted and restored in Salesforce is linked again (unlink)', async () => {
    const { dealId, opportunityId } = await createDeal('Restored');
    h.salesforce.control.userDelete(h.orgId, 'Opportunity', opportunityId);
    await eventually(async () => expect((await linkOf(dealId))?.deletedAt).not.toBeNull());
    h.salesforce.control.userUndelete(h.orgId, 'Opportunity', opportunityId);
    await eventually(async () => {
      expect((await linkOf(dealId))?.deletedAt).toBeNull();
      const [row] = await db()
        .select()
        .from(deals)
        .where(and(eq(deals.installationId, h.installationId), eq(deals.hubspotDealId, dealId)));
      expect(row?.salesforceOpportunityId).toBe(opportunityId);
    });
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, { Amount: 777 });
    await eventually(() =>
      expect(h.hubspot.control.getRecord(h.portalId, 'deal', dealId)?.properties.amount).toBe(
        '777',
      ),
    );
  });

  it('an opportunity restored after its deal was archived stays unlinked and is not re-created', async () => {
    await useDeletes('propagate');
    const { dealId, opportunityId } = await createDeal('Restored alone');
    h.salesforce.control.userDelete(h.orgId, 'Opportunity', opportunityId);
    await eventually(() => expect(dealLive(dealId)).toBe(false));
    const deals = () =>
      h.hubspot.control
        .listRecords(h.portalId, 'deal')
        .filter((d) => d.properties.dealname === 'Restored alone');
    h.salesforce.control.userUndelete(h.orgId, 'Opportunity', opportunityId);
    await expectQuiet();
    expect(deals()).toEqual([]);
    expect((await linkOf(dealId))?.deletedAt).not.toBeNull();
  });

  it('accounts are only unlinked, even under propagate', async () => {
    await useDeletes('propagate');
    const company = h.hubspot.control.userCreate(h.portalId, 'company', {
      name: 'Short-lived customer',
      domain: 'short-lived.example',
    });
    let accountId = '';
    await eventually(() => {
      const stamped = h.hubspot.control.getRecord(h.portalId, 'company', company.id)?.properties
        .pb_salesforce_account_id;
      expect(stamped).toBeTruthy();
      accountId = String(stamped);
    });
    h.salesforce.control.userDelete(h.orgId, 'Account', accountId);
    await eventually(async () => {
      const [audit] = await deletionAudit(company.id);
      expect(audit?.decision).toEqual({
        deletes: 'propagate',
        applied: 'unlink',
        reason: 'accounts_unlink',
      });
    });
    await expectQuiet();
    expect(h.hubspot.control.getRecord(h.portalId, 'company', company.id)).toBeDefined();
  });
});
