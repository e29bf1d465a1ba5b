import {
  type DealView,
  dealViewSchema,
  type PartnerSearchResult,
  type TagMutationResponse,
  tagMutationResponseSchema,
} from '@partnerbridge/shared/api';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerRow } from '../../../server/src/cards/projection.ts';
import { reconcileInstallationNow } from '../../../server/src/cards/reconcile.ts';
import { localChanges } from '../../../server/src/db/schema/sync.ts';
import { testDatabaseDrivers } from '../../support/database.ts';
import { manualClock, startTestServer, type TestServer } from '../../support/server.ts';
import {
  aDeal,
  aPartner,
  callCard,
  countRows,
  INSTALLER_USER_ID,
  installPortal,
  newKey,
  seedDeal,
  seedPartner,
  setTierHistory,
  tamperedCall,
} from './support.ts';

const A = '5201';
const B = '5202';

type ErrorBody = { error: { code: string; message: string; issues?: { path: string }[] } };

describe.each(testDatabaseDrivers())('deal card API [%s]', (driver) => {
  const clock = manualClock(Date.UTC(2026, 2, 10, 12));
  let server: TestServer;
  let installationA: string;
  let installationB: string;
  let acme: PartnerRow;
  let beta: PartnerRow;
  let gamma: PartnerRow;
  let delta: PartnerRow;
  const dealIds = {
    won: '9100001',
    open: '9100002',
    open2: '9100003',
    eur: '9100004',
    b: '9200001',
  };

  const db = () => server.services.db;
  const view = async (hubspotDealId: string, portalId = A) =>
    callCard<DealView>(server, { path: `/api/v1/deals/${hubspotDealId}`, portalId });
  const tag = (hubspotDealId: string, body: Record<string, unknown>, portalId = A) =>
    callCard<TagMutationResponse>(server, {
      method: 'POST',
      path: `/api/v1/deals/${hubspotDealId}/tags`,
      portalId,
      body,
    });

  beforeAll(async () => {
    server = await startTestServer({ clock, driver });
    installationA = (await installPortal(db(), A)).id;
    installationB = (await installPortal(db(), B)).id;
    acme = await seedPartner(db(), installationA, aPartner({ name: 'Acme Resellers' }));
    await setTierHistory(db(), installationA, acme.id, [{ tier: 'bronze', since: '2025-01-01' }]);
    beta = await seedPartner(
      db(),
      installationA,
      aPartner({ name: 'Beta CRM', type: 'technology', subtype: 'crm' }),
    );
    gamma = await seedPartner(
      db(),
      installationA,
      aPartner({ name: 'Gamma Podcast', type: 'content', subtype: 'podcast' }),
    );
    delta = await seedPartner(db(), installationB, aPartner({ name: 'Delta Agency' }));
    await seedDeal(
      db(),
      installationA,
      aDeal({
        hubspotDealId: dealIds.won,
        name: 'Won deal',
        amountMinor: 1_000_000,
        stageCategory: 'won',
        stageId: 'closedwon',
        closeDate: '2026-02-01',
        probability: '1',
        customer: { hubspotCompanyId: '6100001', name: 'Initech' },
      }),
    );
    await seedDeal(
      db(),
      installationA,
      aDeal({
        hubspotDealId: dealIds.open,
        name: 'Open deal',
        amountMinor: 5_000_000,
        closeDate: '2026-05-01',
        probability: '0.6',
        customer: { hubspotCompanyId: '6100002', name: 'Globex' },
      }),
    );
    await seedDeal(
      db(),
      installationA,
      aDeal({
        hubspotDealId: dealIds.open2,
        name: 'Another Globex deal',
        customer: { hubspotCompanyId: '6100002', name: 'Globex' },
      }),
    );
    await seedDeal(
      db(),
      installationA,
      aDeal({
        hubspotDealId: dealIds.eur,
        name: 'Euro deal',
        amountMinor: 1_000_000,
        currency: 'EUR',
        stageCategory: 'won',
        closeDate: '2026-01-20',
        probability: '1',
        customer: { hubspotCompanyId: '6100003', name: 'Umbrella' },
      }),
    );
    await seedDeal(db(), installationB, aDeal({ hubspotDealId: dealIds.b, name: 'B deal' }));
  });
  afterAll(async () => {
    await server.close();
  });

  describe('deal view', () => {
    it('answers deal_not_synced, in words a card can show, for a deal not in Partnerbridge yet', async () => {
      const response = await view('9199999');
      expect(response.status).toBe(404);
      expect((response.body as unknown as ErrorBody).error).toMatchObject({
        code: 'deal_not_synced',
        message: expect.stringContaining('This deal has not synced into Partnerbridge yet'),
      });
    });

    it('names the field when the deal id is not a HubSpot id', async () => {
      const response = await view('abc');
      expect(response.status).toBe(400);
      expect((response.body as unknown as ErrorBody).error.issues?.[0]?.path).toBe(
        'params.hubspotDealId',
      );
    });

    it('shows an untagged deal with its sync status', async () => {
      const response = await view(dealIds.open);
      expect(response.status).toBe(200);
      const body = dealViewSchema.parse(response.body);
      expect(body.deal).toMatchObject({
        name: 'Open deal',
        stage: 'open',
        amount: { amountMinor: 5_000_000, currency: 'USD', formatted: '$50,000.00' },
        customer: { name: 'Globex', hubspotCompanyId: '6100002' },
      });
      expect(body.tags).toEqual([]);
      expect(body.attribution).toMatchObject({ status: 'computed', credits: [] });
      expect(body.sync).toEqual([
        expect.objectContaining({ system: 'hubspot', status: 'synced', recordId: dealIds.open }),
        expect.objectContaining({ system: 'salesforce', status: 'not_connected' }),
      ]);
    });
  });

  describe('tagging', () => {
    let acmeTagId: string;
    const acmeKey = newKey();
    // Touched before the other tags (which default to now): commissions list in touch order.
    const acmeBody = () => ({
      idempotencyKey: acmeKey,
      partnerId: acme.id,
      role: 'sourced',
      motion: 'referral',
      touchedAt: '2026-01-15T10:00:00.000Z',
    });

    it('tags a partner and answers with the commission and why, writing the outbox in the same transaction', async () => {
      const response = await tag(dealIds.won, acmeBody());
      expect(response.status).toBe(201);
      const body = tagMutationResponseSchema.parse(response.body);
      acmeTagId = body.tag.id;
      expect(body).toMatchObject({
        outcome: 'approved',
        message: 'Tagged Acme Resellers as sourced (referral).',
        conflicts: [],
        tag: {
          partner: { id: acme.id, name: 'Acme Resellers', tier: 'bronze', tierName: 'Bronze' },
          role: 'sourced',
          motion: 'referral',
          source: 'hubspot_card',
          taggedBy: 'rep@example.com',
          counted: true,
          registration: {
            status: 'approved',
            registeredOn: '2026-03-10',
            protectedUntil: '2026-06-07',
          },
        },
      });
      expect(body.effect.attribution).toMatchObject({
        status: 'computed',
        model: 'sourced_takes_all',
        credits: [
          {
            partnerName: 'Acme Resellers',
            credited: { amountMinor: 1_000_000 },
            shareFormatted: '100 %',
            explanation: '100 % of $10,000.00 (sourced: takes all)',
          },
        ],
      });
      // Won on 2026-02-01: accrued at once, payable after the 30-day holding period.
      expect(body.effect.commissions).toEqual([
        expect.objectContaining({
          kind: 'commission',
          partnerName: 'Acme Resellers',
          rule: { id: 'channel-tier-commission', version: 1, name: 'Channel tier commission' },
          rate: '0.05',
          rateFormatted: '5 %',
          total: { amountMinor: 50_000, currency: 'USD', formatted: '$500.00' },
          explanation: 'Bronze tier 5 % of $10,000.00 credited (100 % of $10,000.00) = $500.00',
          status: 'payable',
          ledger: expect.objectContaining({
            net: expect.objectContaining({ amountMinor: 50_000 }),
            payable: expect.objectContaining({ amountMinor: 50_000 }),
            lines: [
              expect.objectContaining({
                kind: 'accrual',
                payableOn: '2026-03-03',
                status: 'payable',
              }),
            ],
          }),
        }),
      ]);
      const outbox = await db()
        .select({ reason: localChanges.reason })
        .from(localChanges)
        .where(eq(localChanges.installationId, installationA));
      expect(outbox.map((row) => row.reason).sort()).toEqual([
        'commission_changed',
        'partner_tag_added',
      ]);
      expect(await countRows(db(), 'audit_log', installationA)).toBe(1);
    });

    it('replays a retry with the same key, and refuses the key for another request', async () => {
      const replay = await tag(dealIds.won, acmeBody());
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.tag.id).toBe(acmeTagId);
      expect(await countRows(db(), 'partner_tags', installationA)).toBe(1);

      const reused = await tag(dealIds.won, { ...acmeBody(), motion: 'co_sell' });
      expect(reused.status).toBe(409);
      expect((reused.body as unknown as ErrorBody).error.code).toBe('idempotency_conflict');
    });

    it('refuses the same partner twice on a deal (409 naming the partner)', async () => {
      const response = await tag(dealIds.won, { ...acmeBody(), idempotencyKey: newKey() });
      expect(response.status).toBe(409);
      expect((response.body as unknown as ErrorBody).error).toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('Acme Resellers is already tagged on this deal'),
      });
    });

    it('detects a conflict when a rep tags a second partner: created pending, earning nothing', async () => {
      const response = await tag(dealIds.won, {
        idempotencyKey: newKey(),
        partnerId: beta.id,
        role: 'influenced',
        motion: 'co_sell',
      });
      expect(response.status).toBe(201);
      const body = tagMutationResponseSchema.parse(response.body);
      expect(body.outcome).toBe('pending_review');
      expect(body.tag).toMatchObject({ counted: false, registration: { status: 'pending' } });
      expect(body.conflicts).toEqual([
        expect.objectContaining({
          code: 'deal_registered',
          partnerName: 'Beta CRM',
          holder: expect.objectContaining({ partnerName: 'Acme Resellers', tagId: acmeTagId }),
          until: '2026-06-07',
          reason: expect.stringContaining('Acme Resellers holds the registration of this deal'),
        }),
      ]);
      expect(body.message).toContain('pending review by a partner manager');
      expect(body.effect.commissions.map((entry) => entry.partnerName)).toEqual(['Acme Resellers']);
      expect(body.effect.conflicts).toHaveLength(1);
    });

    it("lets only partner managers decide a registration (403 naming why), and the decision's effect shows", async () => {
      const current = dealViewSchema.parse((await view(dealIds.won)).body);
      const betaTag = current.tags.find((entry) => entry.partner.id === beta.id);
      if (betaTag === undefined) throw new Error('beta tag missing');
      const path = `/api/v1/deals/${dealIds.won}/tags/${betaTag.id}/registration`;
      const denied = await callCard(server, {
        method: 'POST',
        path,
        portalId: A,
        body: { idempotencyKey: newKey(), decision: 'approve' },
      });
      expect(denied.status).toBe(403);
      expect((denied.body as ErrorBody).error).toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('is not a partner manager of this portal'),
      });

      const noNote = await callCard(server, {
        method: 'POST',
        path,
        portalId: A,
        userId: INSTALLER_USER_ID,
        body: { idempotencyKey: newKey(), decision: 'reject' },
      });
      expect(noNote.status).toBe(400);
      expect((noNote.body as ErrorBody).error.issues?.[0]?.path).toBe('body.note');

      const approved = await callCard<TagMutationResponse>(server, {
        method: 'POST',
        path,
        portalId: A,
        userId: INSTALLER_USER_ID,
        body: { idempotencyKey: newKey(), decision: 'approve', note: 'co-sold with Acme' },
      });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        outcome: 'approved',
        tag: { counted: true, registration: { status: 'approved', note: 'co-sold with Acme' } },
        effect: { conflicts: [] },
      });
      // Sourced takes all: the influencing partner is recorded with no credit.
      expect(approved.body.effect.commissions).toEqual([
        expect.objectContaining({ partnerName: 'Acme Resellers', kind: 'commission' }),
        expect.objectContaining({
          partnerName: 'Beta CRM',
          kind: 'no_commission',
          code: 'no_credit',
          explanation:
            'No credit, no commission: 0 % of $10,000.00 (influenced: recorded, no credit under sourced-takes-all).',
        }),
      ]);
    });

    it('refuses explicit shares that would add up to more than 100 % (422 naming body.share)', async () => {
      const current = dealViewSchema.parse((await view(dealIds.won)).body);
      const [first, second] = current.tags;
      if (first === undefined || second === undefined) throw new Error('two tags expected');
      const patch = (tagId: string, share: string) =>
        callCard(server, {
          method: 'PATCH',
          path: `/api/v1/deals/${dealIds.won}/tags/${tagId}`,
          portalId: A,
          body: { idempotencyKey: newKey(), share },
        });
      expect((await patch(first.id, '0.5')).status).toBe(200);
      const refused = await patch(second.id, '0.6');
      expect(refused.status).toBe(422);
      expect((refused.body as ErrorBody).error).toMatchObject({
        code: 'unprocessable',
        issues: [{ path: 'body.share' }],
      });
      const after = dealViewSchema.parse((await view(dealIds.won)).body);
      expect(after.tags.map((entry) => entry.share)).toEqual(['0.5', null]);
    });

    it('changes a tag: role and motion, with the new effect', async () => {
      const response = await callCard<TagMutationResponse>(server, {
        method: 'PATCH',
        path: `/api/v1/deals/${dealIds.won}/tags/${acmeTagId}`,
        portalId: A,
        body: { idempotencyKey: newKey(), motion: 'co_sell', share: null },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        tag: { id: acmeTagId, motion: 'co_sell', share: null },
        message: "Updated Acme Resellers's tag: sourced, co-sell.",
      });
    });

    it('protects a customer: a partner claiming another deal of a customer registered to another is pending', async () => {
      const first = await tag(dealIds.open2, {
        idempotencyKey: newKey(),
        partnerId: gamma.id,
        role: 'sourced',
        motion: 'referral',
      });
      expect(first.body.outcome).toBe('approved');
      const second = await tag(dealIds.open, {
        idempotencyKey: newKey(),
        partnerId: acme.id,
        role: 'sourced',
        motion: 'referral',
      });
      expect(second.status).toBe(201);
      expect(second.body.outcome).toBe('pending_review');
      expect(second.body.conflicts).toEqual([
        expect.objectContaining({
          code: 'customer_protected',
          holder: expect.objectContaining({
            partnerName: 'Gamma Podcast',
            hubspotDealId: dealIds.open2,
          }),
          reason: expect.stringContaining('Globex is protected for Gamma Podcast until 2026-06-07'),
        }),
      ]);
      // The open deal previews nothing for a pending tag, and the deal view lists the conflict.
      const body = dealViewSchema.parse((await view(dealIds.open)).body);
      expect(body.commissions).toEqual([]);
      expect(body.conflicts).toHaveLength(1);
    });

    it('previews an open deal, and removes a tag idempotently', async () => {
      const added = await tag(dealIds.open2, {
        idempotencyKey: newKey(),
        partnerId: beta.id,
        role: 'influenced',
        motion: 'co_sell',
      });
      expect(added.body.outcome).toBe('pending_review');
      const gammaView = dealViewSchema.parse((await view(dealIds.open2)).body);
      expect(gammaView.commissions).toEqual([
        expect.objectContaining({
          kind: 'commission',
          partnerName: 'Gamma Podcast',
          status: 'preview',
          ledger: null,
          explanation:
            'Referral revenue share 10 % of $80,000.00 credited (100 % of $80,000.00) = $8,000.00',
        }),
      ]);
      const remove = () =>
        callCard<TagMutationResponse>(server, {
          method: 'DELETE',
          path: `/api/v1/deals/${dealIds.open2}/tags/${added.body.tag.id}`,
          portalId: A,
        });
      const removed = await remove();
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({
        outcome: 'removed',
        tag: { removedAt: expect.any(String) },
      });
      const outbox = await countRows(db(), 'local_changes', installationA);
      const again = await remove();
      expect(again.status).toBe(200);
      expect(again.body.message).toBe("Beta CRM's tag was already removed.");
      expect(await countRows(db(), 'local_changes', installationA)).toBe(outbox);
      const after = dealViewSchema.parse((await view(dealIds.open2)).body);
      expect(after.tags.map((entry) => entry.partner.name)).toEqual(['Gamma Podcast']);
    });

    it('shows a missing FX rate as an explicit error, then the converted commission once an admin adds it', async () => {
      await tag(dealIds.eur, {
        idempotencyKey: newKey(),
        partnerId: acme.id,
        role: 'sourced',
        motion: 'referral',
      });
      const before = dealViewSchema.parse((await view(dealIds.eur)).body);
      expect(before.commissions).toEqual([
        expect.objectContaining({
          kind: 'error',
          code: 'fx_rate_missing',
          message: 'no EUR→USD rate on or before 2026-01-20',
        }),
      ]);
      const added = await callCard(server, {
        method: 'POST',
        path: '/api/v1/settings/fx-rates',
        portalId: A,
        userId: INSTALLER_USER_ID,
        body: { rates: [{ base: 'EUR', quote: 'USD', on: '2026-01-19', rate: '1.0850' }] },
      });
      expect(added.status).toBe(200);
      await reconcileInstallationNow(db(), installationA, '2026-03-10');
      const after = dealViewSchema.parse((await view(dealIds.eur)).body);
      expect(after.commissions).toEqual([
        expect.objectContaining({
          kind: 'commission',
          total: { amountMinor: 54_250, currency: 'USD', formatted: '$542.50' },
          base: { amountMinor: 1_000_000, currency: 'EUR', formatted: '€10,000.00' },
          fx: {
            from: 'EUR',
            to: 'USD',
            rate: '1.0850',
            rateOn: '2026-01-19',
            inverted: false,
            description: '1 EUR = 1.0850 USD (rate of 2026-01-19)',
          },
          explanation:
            'Bronze tier 5 % of €10,000.00 credited (100 % of €10,000.00) at 1 EUR = 1.0850 USD (rate of 2026-01-19) = $542.50',
          status: 'payable',
        }),
      ]);
      // A stored quote is never changed.
      const changed = await callCard(server, {
        method: 'POST',
        path: '/api/v1/settings/fx-rates',
        portalId: A,
        userId: INSTALLER_USER_ID,
        body: { rates: [{ base: 'EUR', quote: 'USD', on: '2026-01-19', rate: '1.1000' }] },
      });
      expect(changed.status).toBe(409);
    });

    it('marks pending pushes in the sync status', async () => {
      const body = dealViewSchema.parse((await view(dealIds.won)).body);
      expect(body.sync[0]).toMatchObject({ system: 'hubspot', status: 'pending' });
      expect(body.sync[0]?.pendingChanges).toBeGreaterThan(0);
    });
  });

  describe('validation: every bad field is named and nothing is written', () => {
    it.each([
      [{ partnerId: 'acme', role: 'sourced', motion: 'referral' }, 'body.partnerId'],
      [
        { partnerId: '00000000-0000-4000-8000-000000000000', role: 'owner', motion: 'referral' },
        'body.role',
      ],
      [
        {
          partnerId: '00000000-0000-4000-8000-000000000000',
          role: 'sourced',
          motion: 'referral',
          share: '1.5',
        },
        'body.share',
      ],
      [
        {
          partnerId: '00000000-0000-4000-8000-000000000000',
          role: 'sourced',
          motion: 'referral',
          touchedAt: 'yesterday',
        },
        'body.touchedAt',
      ],
    ])('%o → 400 naming %s', async (fields, path) => {
      const before = await countRows(db(), 'partner_tags', installationA);
      const response = await tag(dealIds.open, { idempotencyKey: newKey(), ...fields });
      expect(response.status).toBe(400);
      const error = (response.body as unknown as ErrorBody).error;
      expect(error.code).toBe('validation_failed');
      expect(error.issues?.map((issue) => issue.path)).toContain(path);
      expect(error.message).toContain(path);
      expect(await countRows(db(), 'partner_tags', installationA)).toBe(before);
    });

    it('requires an idempotency key', async () => {
      const response = await tag(dealIds.open, {
        partnerId: acme.id,
        role: 'sourced',
        motion: 'referral',
      });
      expect(response.status).toBe(400);
      expect((response.body as unknown as ErrorBody).error.issues?.[0]?.path).toBe(
        'body.idempotencyKey',
      );
    });

    it('needs at least one change in a PATCH', async () => {
      const response = await callCard(server, {
        method: 'PATCH',
        path: `/api/v1/deals/${dealIds.won}/tags/00000000-0000-4000-8000-000000000000`,
        portalId: A,
        body: { idempotencyKey: newKey() },
      });
      expect(response.status).toBe(400);
      expect((response.body as ErrorBody).error.issues?.[0]?.path).toBe('body.role');
    });
  });

  describe('auth: refused before anything runs, nothing written', () => {
    const body = () => ({
      idempotencyKey: newKey(),
      partnerId: acme.id,
      role: 'sourced',
      motion: 'referral',
    });

    const unchanged = async (run: () => Promise<number>) => {
      const tags = await countRows(db(), 'partner_tags', installationA);
      const outbox = await countRows(db(), 'local_changes', installationA);
      const status = await run();
      expect(await countRows(db(), 'partner_tags', installationA)).toBe(tags);
      expect(await countRows(db(), 'local_changes', installationA)).toBe(outbox);
      return status;
    };

    it('unsigned → 401', async () => {
      const status = await unchanged(async () => {
        const response = await server.fetch(`/api/v1/deals/${dealIds.open}/tags?portalId=${A}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body()),
        });
        return response.status;
      });
      expect(status).toBe(401);
      const read = await server.fetch(`/api/v1/deals/${dealIds.won}?portalId=${A}`);
      expect(read.status).toBe(401);
    });

    it('tampered body → 401', async () => {
      const status = await unchanged(async () => {
        const response = await tamperedCall(server, {
          method: 'POST',
          path: `/api/v1/deals/${dealIds.open}/tags`,
          portalId: A,
          body: { ...body(), role: 'influenced' },
          swapped: body(),
        });
        return response.status;
      });
      expect(status).toBe(401);
    });

    it('stale timestamp → 401', async () => {
      const status = await unchanged(async () => {
        const response = await callCard(server, {
          method: 'POST',
          path: `/api/v1/deals/${dealIds.open}/tags`,
          portalId: A,
          body: body(),
          timestamp: clock.now() - 6 * 60 * 1000,
        });
        expect((response.body as ErrorBody).error.message).toMatch(/5-minute window/);
        return response.status;
      });
      expect(status).toBe(401);
    });

    it('wrong secret → 401; a portal without an installation → 403 not_installed', async () => {
      expect(
        await unchanged(
          async () =>
            (
              await callCard(server, {
                method: 'POST',
                path: `/api/v1/deals/${dealIds.open}/tags`,
                portalId: A,
                body: body(),
                clientSecret: 'not-the-secret',
              })
            ).status,
        ),
      ).toBe(401);
      const foreign = await callCard(server, {
        path: `/api/v1/deals/${dealIds.won}`,
        portalId: '5299',
      });
      expect(foreign.status).toBe(403);
      expect((foreign.body as ErrorBody).error.code).toBe('not_installed');
    });
  });

  describe('tenant isolation: another portal never reads or writes these records', () => {
    it("answers 404 for another portal's deal, partner and tag ids, and changes nothing", async () => {
      const tags = await countRows(db(), 'partner_tags', installationA);
      const outbox = await countRows(db(), 'local_changes', installationA);
      const aView = dealViewSchema.parse((await view(dealIds.won)).body);
      const aTag = aView.tags[0];
      if (aTag === undefined) throw new Error('portal A has a tag');

      const read = await view(dealIds.won, B);
      expect(read.status).toBe(404);
      expect((read.body as unknown as ErrorBody).error.code).toBe('deal_not_synced');

      const withForeignPartner = await tag(
        dealIds.b,
        { idempotencyKey: newKey(), partnerId: acme.id, role: 'sourced', motion: 'referral' },
        B,
      );
      expect(withForeignPartner.status).toBe(404);
      expect((withForeignPartner.body as unknown as ErrorBody).error.message).toContain(
        'does not exist in this portal',
      );

      const onForeignDeal = await tag(
        dealIds.won,
        { idempotencyKey: newKey(), partnerId: delta.id, role: 'sourced', motion: 'referral' },
        B,
      );
      expect(onForeignDeal.status).toBe(404);

      const patchForeignTag = await callCard(server, {
        method: 'PATCH',
        path: `/api/v1/deals/${dealIds.b}/tags/${aTag.id}`,
        portalId: B,
        body: { idempotencyKey: newKey(), role: 'influenced' },
      });
      expect(patchForeignTag.status).toBe(404);
      const deleteForeignTag = await callCard(server, {
        method: 'DELETE',
        path: `/api/v1/deals/${dealIds.won}/tags/${aTag.id}`,
        portalId: B,
      });
      expect(deleteForeignTag.status).toBe(404);
      const decideForeignTag = await callCard(server, {
        method: 'POST',
        path: `/api/v1/deals/${dealIds.b}/tags/${aTag.id}/registration`,
        portalId: B,
        userId: INSTALLER_USER_ID,
        body: { idempotencyKey: newKey(), decision: 'reject', note: 'not ours' },
      });
      expect(decideForeignTag.status).toBe(404);

      expect(await countRows(db(), 'partner_tags', installationA)).toBe(tags);
      expect(await countRows(db(), 'local_changes', installationA)).toBe(outbox);
      expect(dealViewSchema.parse((await view(dealIds.won)).body).tags).toEqual(aView.tags);
      const stillThere = await db()
        .select()
        .from(localChanges)
        .where(and(eq(localChanges.installationId, installationB)));
      expect(stillThere).toEqual([]);
    });

    it("lists only the portal's own partners in the picker", async () => {
      const search = await callCard<PartnerSearchResult>(server, {
        path: '/api/v1/partners?q=a',
        portalId: B,
      });
      expect(search.body.partners.map((partner) => partner.name)).toEqual(['Delta Agency']);
    });
  });

  describe('partner search', () => {
    const search = (query: string) =>
      callCard<PartnerSearchResult>(server, { path: `/api/v1/partners${query}`, portalId: A });

    it('finds partners by name, type and tier, in name order', async () => {
      expect((await search('')).body.partners.map((partner) => partner.name)).toEqual([
        'Acme Resellers',
        'Beta CRM',
        'Gamma Podcast',
      ]);
      expect((await search('?q=crm')).body.partners).toEqual([
        {
          id: beta.id,
          name: 'Beta CRM',
          type: 'technology',
          subtype: 'crm',
          tier: 'registered',
          tierName: 'Registered',
          hubspotCompanyId: beta.hubspotCompanyId,
        },
      ]);
      expect((await search('?type=content')).body.partners.map((p) => p.name)).toEqual([
        'Gamma Podcast',
      ]);
      expect((await search('?tier=bronze')).body.partners.map((p) => p.name)).toEqual([
        'Acme Resellers',
      ]);
      expect((await search('?q=%25')).body.partners).toEqual([]);
    });

    it('pages with a cursor', async () => {
      const first = await search('?limit=2');
      expect(first.body.partners.map((p) => p.name)).toEqual(['Acme Resellers', 'Beta CRM']);
      expect(first.body.nextCursor).not.toBeNull();
      const second = await search(`?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({
        partners: [expect.objectContaining({ name: 'Gamma Podcast' })],
        nextCursor: null,
      });
    });

    it('names bad query fields', async () => {
      const tooMany = await search('?limit=500');
      expect(tooMany.status).toBe(400);
      expect((tooMany.body as unknown as ErrorBody).error.issues?.[0]?.path).toBe('query.limit');
      const badType = await search('?type=reseller');
      expect((badType.body as unknown as ErrorBody).error.issues?.[0]?.path).toBe('query.type');
      const badCursor = await search('?cursor=nope');
      expect(badCursor.status).toBe(400);
      expect((badCursor.body as unknown as ErrorBody).error.issues?.[0]?.path).toBe('query.cursor');
    });
  });
});
