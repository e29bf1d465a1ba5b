import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, deadLetters } from '../../server/src/db/schema/audit.ts';
import { deals, partnerTags } from '../../server/src/db/schema/deals.ts';
import { partners } from '../../server/src/db/schema/partners.ts';
import { localChanges } from '../../server/src/db/schema/sync.ts';
import { cardJobs } from '../../server/src/jobs/card-jobs.ts';
import { createSyncJobs } from '../../server/src/jobs/sync-jobs.ts';
import { replayDeadLetter } from '../../server/src/sync/admin.ts';
import { notifyLocalChanges } from '../../server/src/sync/outbox-trigger.ts';
import {
  aSyncedDeal,
  eventually,
  HARNESS_ADMIN_USER_ID,
  opportunityFor,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

// The outbox: tags, commissions and tiers made in Partnerbridge reach both CRMs (fields and
// labelled associations), only what changed is written, the echoes stay quiet; and tags set in a
// CRM come in as the tags a card would make, then reach the other CRM.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('outbox: Partnerbridge changes written to both CRMs', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness({
      env: { LOG_LEVEL: 'error' },
      jobs: (options) => [
        ...createSyncJobs(options, { pollEveryMs: 250, outboxEveryMs: 300 }),
        ...cardJobs,
      ],
    });
  });
  afterEach(() => {
    h.salesforce.control.faults.clear();
    h.hubspot.control.faults.clear();
    try {
      h.salesforce.control.removeValidationRule({ orgId: h.orgId, name: 'no_partner_role' });
    } catch {
      // Only the dead-letter test adds it (and removes it when it passes).
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  const db = () => h.server.services.db;

  /** A technology partner (10 % on referrals by default) synced to Salesforce and to us. */
  const createPartner = async (name: string) => {
    const company = h.hubspot.control.userCreate(h.portalId, 'company', {
      name,
      domain: `${name.toLowerCase().replace(/\W+/g, '')}.example`,
      pb_is_partner: 'true',
      pb_partner_type: 'technology',
    });
    let partnerId = '';
    let accountId = '';
    await eventually(async () => {
      const [row] = await db()
        .select()
        .from(partners)
        .where(
          and(
            eq(partners.installationId, h.installationId),
            eq(partners.hubspotCompanyId, company.id),
          ),
        );
      expect(row?.salesforceAccountId).toBeTruthy();
      partnerId = row?.id ?? '';
      accountId = row?.salesforceAccountId ?? '';
    });
    return { companyId: company.id, partnerId, accountId };
  };

  /** A deal synced and quiet: its currency came back (else that write lands in a later count). */
  const createDeal = async (dealname: string) => {
    const deal = await aSyncedDeal(h, {
      dealname,
      amount: '10000',
      closedate: '2026-06-01T00:00:00.000Z',
    });
    let localId = '';
    await eventually(async () => {
      const [row] = await db()
        .select()
        .from(deals)
        .where(and(eq(deals.installationId, h.installationId), eq(deals.hubspotDealId, deal.id)));
      expect(row?.salesforceOpportunityId).toBeTruthy();
      localId = row?.id ?? '';
    });
    return { dealId: deal.id, localId };
  };

  const tagOnCard = async (dealId: string, partnerId: string, role = 'sourced') => {
    const response = await h.server.fetchSigned({
      path: `/api/v1/deals/${dealId}/tags`,
      method: 'POST',
      portalId: String(h.portalId),
      appId: '4242',
      userId: HARNESS_ADMIN_USER_ID,
      body: { idempotencyKey: `k-${dealId}-${partnerId}`, partnerId, role, motion: 'referral' },
    });
    expect(response.status, await response.clone().text()).toBe(201);
  };

  const labelsOf = (dealId: string) =>
    h.hubspot.control
      .associations(h.portalId, 'deal', dealId)
      .flatMap((a) =>
        a.associationTypes
          .filter((t) => t.category === 'USER_DEFINED')
          .map((t) => `${a.toObjectId}:${t.label}`),
      )
      .sort();

  const pending = async () =>
    db()
      .select()
      .from(localChanges)
      .where(
        and(eq(localChanges.installationId, h.installationId), isNull(localChanges.processedAt)),
      );

  const writeCounts = () => ({
    salesforce: h.salesforce.control.writeLog(h.orgId).filter((entry) => entry.source === 'rest')
      .length,
    hubspot: Object.entries(h.hubspot.control.requests().counts)
      .filter(([endpoint]) => /batch\/(update|create|labels\/archive)/.test(endpoint))
      .reduce((sum, [, n]) => sum + n, 0),
  });

  it('a card tag reaches both CRMs; the won deal’s commission and explanation follow; then all is quiet', async () => {
    const partner = await createPartner('Globex Apps');
    const deal = await createDeal('Globex rollout');
    await tagOnCard(deal.dealId, partner.partnerId);

    await eventually(() => {
      const properties = h.hubspot.control.getRecord(h.portalId, 'deal', deal.dealId)?.properties;
      expect(properties).toMatchObject({
        pb_partner_company_id: partner.companyId,
        pb_partner_role: 'sourced',
        pb_partner_motion: 'referral',
      });
      expect(labelsOf(deal.dealId)).toEqual([`${partner.companyId}:Sourced partner`]);
      expect(opportunityFor(h, deal.dealId)).toMatchObject({
        PB_Partner_Account__c: partner.accountId,
        PB_Partner_Role__c: 'sourced',
        PB_Partner_Motion__c: 'referral',
      });
    });
    await eventually(async () => expect(await pending()).toEqual([]));

    // Won in Salesforce: the sync brings the stage, the ledger accrues, the outbox writes it back.
    h.salesforce.control.userUpdate(
      h.orgId,
      'Opportunity',
      String(opportunityFor(h, deal.dealId).Id),
      {
        StageName: 'Closed Won',
      },
    );
    await eventually(() => {
      const properties = h.hubspot.control.getRecord(h.portalId, 'deal', deal.dealId)?.properties;
      expect(properties?.dealstage).toBe('closedwon');
      expect(properties?.pb_partner_commission).toBe('1000');
      expect(properties?.pb_commission_explanation).toContain('Globex Apps: $1,000.00');
      const opportunity = opportunityFor(h, deal.dealId);
      expect(opportunity.PB_Partner_Commission__c).toBe(1000);
      expect(opportunity.PB_Commission_Explanation__c).toBe(properties?.pb_commission_explanation);
    }, 30_000);
    const audit = await db()
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.installationId, h.installationId),
          eq(auditLog.action, 'sync.outbox_applied'),
        ),
      );
    expect(audit.some((a) => a.hubspotId === deal.dealId)).toBe(true);

    // Our write-back does not come back as a change: nothing more is written once quiet.
    await sleep(1_500);
    const before = writeCounts();
    await sleep(2_000);
    expect(writeCounts()).toEqual(before);
    const [tag] = await db()
      .select()
      .from(partnerTags)
      .where(and(eq(partnerTags.dealId, deal.localId), isNull(partnerTags.removedAt)));
    expect(tag?.source).toBe('hubspot_card');
  });

  it('only changed values are written: a second outbox row for an unchanged deal writes nothing', async () => {
    const partner = await createPartner('Initech Cloud');
    const deal = await createDeal('Initech pilot');
    await tagOnCard(deal.dealId, partner.partnerId);
    await eventually(() =>
      expect(opportunityFor(h, deal.dealId).PB_Partner_Account__c).toBe(partner.accountId),
    );
    await eventually(async () => expect(await pending()).toEqual([]));
    await sleep(500);
    const before = writeCounts();
    await db().insert(localChanges).values({
      installationId: h.installationId,
      objectKind: 'deal',
      localId: deal.localId,
      reason: 'test',
    });
    await notifyLocalChanges(h.server.services, h.installationId);
    await eventually(async () => expect(await pending()).toEqual([]));
    expect(writeCounts()).toEqual(before);
  });

  it('a new tier reaches the partner company and the partner account', async () => {
    const partner = await createPartner('Hooli Labs');
    await db().update(partners).set({ tier: 'gold' }).where(eq(partners.id, partner.partnerId));
    await db().insert(localChanges).values({
      installationId: h.installationId,
      objectKind: 'partner',
      localId: partner.partnerId,
      reason: 'tier_changed',
    });
    await eventually(() => {
      expect(
        h.hubspot.control.getRecord(h.portalId, 'company', partner.companyId)?.properties
          .pb_partner_tier,
      ).toBe('gold');
      expect(
        h.salesforce.control.getRecord(h.orgId, 'Account', partner.accountId)?.PB_Partner_Tier__c,
      ).toBe('gold');
    });
  });

  it('a refused write is a dead letter (row processed); replay writes it once the cause is fixed', async () => {
    const partner = await createPartner('Vandelay Industries');
    const deal = await createDeal('Vandelay imports');
    const opportunityId = String(opportunityFor(h, deal.dealId).Id);
    h.salesforce.control.addValidationRule({
      orgId: h.orgId,
      sobject: 'Opportunity',
      name: 'no_partner_role',
      errorMessage: 'Partner roles are locked',
      when: { field: 'PB_Partner_Role__c', equals: 'influenced' },
    });
    await tagOnCard(deal.dealId, partner.partnerId, 'influenced');
    let letterId = '';
    await eventually(async () => {
      const letters = await db()
        .select()
        .from(deadLetters)
        .where(
          and(
            eq(deadLetters.installationId, h.installationId),
            eq(deadLetters.queue, 'sync-outbox'),
          ),
        );
      const letter = letters.find((l) => JSON.stringify(l.payload).includes(deal.localId));
      expect(letter?.reason).toContain('Partner roles are locked');
      letterId = letter?.id ?? '';
      expect(await pending()).toEqual([]);
    });
    // HubSpot took its part; Salesforce did not.
    expect(
      h.hubspot.control.getRecord(h.portalId, 'deal', deal.dealId)?.properties.pb_partner_role,
    ).toBe('influenced');
    expect(
      h.salesforce.control.getRecord(h.orgId, 'Opportunity', opportunityId)?.PB_Partner_Role__c ??
        null,
    ).toBeNull();

    h.salesforce.control.removeValidationRule({ orgId: h.orgId, name: 'no_partner_role' });
    expect(await replayDeadLetter(h.server.services, h.installationId, letterId, 'test')).toBe(
      true,
    );
    await eventually(() =>
      expect(h.salesforce.control.getRecord(h.orgId, 'Opportunity', opportunityId)).toMatchObject({
        PB_Partner_Role__c: 'influenced',
        PB_Partner_Account__c: partner.accountId,
      }),
    );
    await eventually(async () => {
      const [letter] = await db().select().from(deadLetters).where(eq(deadLetters.id, letterId));
      expect(letter?.status).toBe('replayed');
    });
  });

  it('partner fields set on a Salesforce opportunity become a tag, the HubSpot fields and label follow', async () => {
    const partner = await createPartner('Soylent Systems');
    const deal = await createDeal('Soylent expansion');
    const opportunityId = String(opportunityFor(h, deal.dealId).Id);
    h.salesforce.control.userUpdate(h.orgId, 'Opportunity', opportunityId, {
      PB_Partner_Account__c: partner.accountId,
      PB_Partner_Role__c: 'influenced',
      PB_Partner_Motion__c: 'co_sell',
    });
    await eventually(async () => {
      const tags = await db()
        .select()
        .from(partnerTags)
        .where(and(eq(partnerTags.dealId, deal.localId), isNull(partnerTags.removedAt)));
      expect(tags).toMatchObject([
        {
          partnerId: partner.partnerId,
          role: 'influenced',
          motion: 'co_sell',
          source: 'salesforce',
        },
      ]);
      expect(
        h.hubspot.control.getRecord(h.portalId, 'deal', deal.dealId)?.properties,
      ).toMatchObject({
        pb_partner_company_id: partner.companyId,
        pb_partner_role: 'influenced',
        pb_partner_motion: 'co_sell',
      });
      expect(labelsOf(deal.dealId)).toEqual([`${partner.companyId}:Influencing partner`]);
      expect(await pending()).toEqual([]);
    });
    // Our write-back did not re-create or flip the tag.
    await sleep(1_500);
    const tags = await db().select().from(partnerTags).where(eq(partnerTags.dealId, deal.localId));
    expect(tags).toHaveLength(1);
    expect(tags[0]).toMatchObject({ source: 'salesforce', removedAt: null });
  });

  it('a "Sourced partner" label added in HubSpot becomes a tag; Salesforce gets the partner fields; removing it removes the tag', async () => {
    const partner = await createPartner('Umbrella Digital');
    const deal = await createDeal('Umbrella migration');
    h.hubspot.control.userAssociate(h.portalId, {
      fromObjectType: 'deal',
      fromId: deal.dealId,
      toId: partner.companyId,
      label: 'Sourced partner',
    });
    await eventually(async () => {
      const tags = await db()
        .select()
        .from(partnerTags)
        .where(and(eq(partnerTags.dealId, deal.localId), isNull(partnerTags.removedAt)));
      expect(tags).toMatchObject([
        { partnerId: partner.partnerId, role: 'sourced', source: 'import' },
      ]);
      expect(opportunityFor(h, deal.dealId)).toMatchObject({
        PB_Partner_Account__c: partner.accountId,
        PB_Partner_Role__c: 'sourced',
      });
      expect(
        h.hubspot.control.getRecord(h.portalId, 'deal', deal.dealId)?.properties
          .pb_partner_company_id,
      ).toBe(partner.companyId);
    });
    await eventually(async () => expect(await pending()).toEqual([]));

    h.hubspot.control.userDisassociate(h.portalId, {
      fromObjectType: 'deal',
      fromId: deal.dealId,
      toId: partner.companyId,
      label: 'Sourced partner',
    });
    // The label was the tag's only claim... but the partner fields still name the partner, so
    // the tag stays: a rep removes a partner by clearing the fields (then the label goes too).
    h.hubspot.control.userEdit(h.portalId, 'deal', deal.dealId, {
      pb_partner_company_id: '',
      pb_partner_role: '',
      pb_partner_motion: '',
    });
    await eventually(async () => {
      const tags = await db()
        .select()
        .from(partnerTags)
        .where(and(eq(partnerTags.dealId, deal.localId), isNull(partnerTags.removedAt)));
      expect(tags).toEqual([]);
      expect(opportunityFor(h, deal.dealId).PB_Partner_Account__c ?? null).toBeNull();
      expect(labelsOf(deal.dealId)).toEqual([]);
    });
  });
});
