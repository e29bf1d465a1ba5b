import type { Job } from 'bullmq';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProgram } from '../../../server/src/cards/program-store.ts';
import {
  type PartnerRow,
  upsertDeal,
  upsertImportedTag,
  upsertPartner,
} from '../../../server/src/cards/projection.ts';
import { recomputeDeal } from '../../../server/src/cards/recompute.ts';
import { reconcileInstallationNow } from '../../../server/src/cards/reconcile.ts';
import { evaluateInstallationTiers } from '../../../server/src/cards/tier-evaluation.ts';
import { installations } from '../../../server/src/db/schema/installations.ts';
import { ledgerLines } from '../../../server/src/db/schema/ledger.ts';
import { partners } from '../../../server/src/db/schema/partners.ts';
import {
  commissionRuleVersions,
  programVersions,
  tierSnapshots,
} from '../../../server/src/db/schema/program.ts';
import { localChanges } from '../../../server/src/db/schema/sync.ts';
import { cardDailyJob } from '../../../server/src/jobs/card-daily.job.ts';
import { testDatabaseDrivers } from '../../support/database.ts';
import { manualClock, startTestServer, type TestServer } from '../../support/server.ts';
import { callCard, INSTALLER_USER_ID, installPortal, setTierHistory } from './support.ts';

async function seedWins(
  server: TestServer,
  installationId: string,
  partner: PartnerRow,
  wins: readonly { id: string; closeDate: string; amountMinor: number }[],
) {
  const db = server.services.db;
  const rows = [];
  for (const win of wins) {
    const deal = await upsertDeal(db, installationId, {
      hubspotDealId: win.id,
      name: `Deal ${win.id}`,
      amountMinor: win.amountMinor,
      currency: 'USD',
      stageCategory: 'won',
      createdOn: '2025-01-02',
      closeDate: win.closeDate,
      probability: '1',
      customer: { hubspotCompanyId: `c${win.id}` },
    });
    await upsertImportedTag(db, installationId, {
      dealId: deal.id,
      partnerId: partner.id,
      role: 'sourced',
      motion: 'referral',
      touchedAt: new Date('2025-01-02T00:00:00Z'),
      taggedBy: 'import',
      source: 'import',
    });
    rows.push(deal);
  }
  return rows;
}

describe.each(testDatabaseDrivers())('tier evaluation and ledger jobs [%s]', (driver) => {
  const clock = manualClock(Date.UTC(2026, 2, 10, 12));
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ clock, driver, worker: true });
  });
  afterAll(async () => {
    await server.close();
  });

  const partnerRow = async (installationId: string, id: string) => {
    const [row] = await server.services.db
      .select()
      .from(partners)
      .where(and(eq(partners.installationId, installationId), eq(partners.id, id)));
    if (row === undefined) throw new Error('partner missing');
    return row;
  };
  const tierChanges = async (installationId: string) =>
    server.services.db
      .select()
      .from(localChanges)
      .where(
        and(
          eq(localChanges.installationId, installationId),
          eq(localChanges.reason, 'tier_changed'),
        ),
      );

  it('keeps a tier through the grace period, then demotes it, writing the outbox only on the change', async () => {
    const db = server.services.db;
    const installationId = (await installPortal(db, '5501')).id;
    const zeta = await upsertPartner(db, installationId, {
      hubspotCompanyId: '7100001',
      name: 'Zeta Gold',
      type: 'channel',
      subtype: 'reseller',
      joinedOn: '2024-01-01',
      certifiedSalespeople: 5,
      trainingLevel: 'expert',
    });
    await setTierHistory(db, installationId, zeta.id, [{ tier: 'gold', since: '2024-06-01' }]);
    // Six customers, $72,000 in the trailing year: Bronze-qualified, far from Gold.
    await seedWins(
      server,
      installationId,
      zeta,
      ['2025-05-01', '2025-06-01', '2025-07-01', '2025-08-01', '2025-09-01', '2025-10-01'].map(
        (closeDate, index) => ({ id: `71000${index}`, closeDate, amountMinor: 1_200_000 }),
      ),
    );

    const first = await evaluateInstallationTiers(db, installationId, '2026-03-10');
    expect(first).toMatchObject({ partners: 1, changed: 0, inGrace: 1 });
    expect(await partnerRow(installationId, zeta.id)).toMatchObject({
      tier: 'gold',
      belowTierSince: '2026-03-10',
    });
    const [snapshot] = await db
      .select()
      .from(tierSnapshots)
      .where(eq(tierSnapshots.partnerId, zeta.id));
    expect(snapshot).toMatchObject({ asOf: '2026-03-10', tier: 'gold', graceUntil: '2026-06-08' });

    // The same day again: nothing new.
    expect(await evaluateInstallationTiers(db, installationId, '2026-03-10')).toMatchObject({
      changed: 0,
    });
    expect(await tierChanges(installationId)).toEqual([]);

    // The grace clock runs from the stored belowTierSince, not from each evaluation.
    expect(await evaluateInstallationTiers(db, installationId, '2026-06-07')).toMatchObject({
      changed: 0,
      inGrace: 1,
    });
    expect(await evaluateInstallationTiers(db, installationId, '2026-06-08')).toMatchObject({
      changed: 1,
    });
    expect(await partnerRow(installationId, zeta.id)).toMatchObject({
      tier: 'bronze',
      belowTierSince: null,
      tierHistory: [
        { tier: 'gold', since: '2024-06-01' },
        { tier: 'bronze', since: '2026-06-08' },
      ],
    });
    expect(await tierChanges(installationId)).toHaveLength(1);
    const snapshots = await db
      .select()
      .from(tierSnapshots)
      .where(eq(tierSnapshots.partnerId, zeta.id));
    expect(snapshots.map((row) => [row.asOf, row.tier, row.previousTier])).toEqual(
      expect.arrayContaining([['2026-06-08', 'bronze', 'gold']]),
    );
  });

  it("reconstructs a never-evaluated partner's past tiers so past deals are paid at the tier then held", async () => {
    const db = server.services.db;
    const installationId = (await installPortal(db, '5502')).id;
    const eta = await upsertPartner(db, installationId, {
      hubspotCompanyId: '7200001',
      name: 'Eta Resellers',
      type: 'channel',
      subtype: 'reseller',
      joinedOn: '2025-01-01',
      certifiedSalespeople: 1,
      trainingLevel: 'basic',
    });
    // Five customers and $15,000 by 2025-07-01: Bronze from the first weekly check after it.
    await seedWins(
      server,
      installationId,
      eta,
      ['2025-03-01', '2025-04-01', '2025-05-01', '2025-06-01', '2025-07-01', '2025-08-01'].map(
        (closeDate, index) => ({ id: `72000${index}`, closeDate, amountMinor: 300_000 }),
      ),
    );
    const summary = await evaluateInstallationTiers(db, installationId, '2026-03-10');
    expect(summary).toMatchObject({ changed: 1, historiesRewritten: 1 });
    expect(await partnerRow(installationId, eta.id)).toMatchObject({
      tier: 'bronze',
      tierHistory: [{ tier: 'bronze', since: '2025-07-02' }],
    });
    await reconcileInstallationNow(db, installationId, '2026-03-10');
    const lines = await db
      .select()
      .from(ledgerLines)
      .where(eq(ledgerLines.installationId, installationId));
    // Only the deal closed after the promotion pays Bronze 5 %.
    expect(lines.map((line) => line.amountMinor)).toEqual([15_000]);
    expect(await tierChanges(installationId)).toHaveLength(1);
  });

  it('recomputes a deal through the queue after an import (recomputeDeal), then evaluates tiers', async () => {
    const db = server.services.db;
    const installationId = (await installPortal(db, '5503')).id;
    const theta = await upsertPartner(db, installationId, {
      hubspotCompanyId: '7300001',
      name: 'Theta CRM',
      type: 'technology',
      subtype: 'crm',
      joinedOn: '2025-01-01',
    });
    const [dealRow] = await seedWins(server, installationId, theta, [
      { id: '7300010', closeDate: '2026-02-01', amountMinor: 1_000_000 },
    ]);
    if (dealRow === undefined) throw new Error('deal missing');
    // Imported but not reconciled yet: the sync engine calls recomputeDeal next.
    expect(
      await db.select().from(ledgerLines).where(eq(ledgerLines.installationId, installationId)),
    ).toEqual([]);
    await recomputeDeal(server.services, installationId, dealRow.id);
    await expect
      .poll(
        async () =>
          (
            await db
              .select()
              .from(ledgerLines)
              .where(eq(ledgerLines.installationId, installationId))
          ).map((line) => [line.kind, line.amountMinor, line.ruleId]),
        { timeout: 15_000, interval: 200 },
      )
      .toEqual([['accrual', 150_000, 'crm-alliance-referral']]);
    await expect
      .poll(
        async () =>
          (
            await db
              .select()
              .from(tierSnapshots)
              .where(eq(tierSnapshots.installationId, installationId))
          ).length,
        { timeout: 15_000, interval: 200 },
      )
      .toBe(1);
  });

  it('queues the daily reconciliation and tier evaluation for every active installation', async () => {
    const result = await cardDailyJob.process(
      {},
      { services: server.services, log: server.services.log, job: {} as Job },
    );
    const active = await server.services.db
      .select()
      .from(installations)
      .where(eq(installations.status, 'active'));
    expect(result).toEqual({ installations: active.length });
  });
});

describe('install bootstrap', () => {
  const clock = manualClock(Date.UTC(2026, 2, 10, 12));
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(async () => {
    await server.close();
  });

  const counts = async (installationId: string) => ({
    programs: (
      await server.services.db
        .select()
        .from(programVersions)
        .where(eq(programVersions.installationId, installationId))
    ).length,
    rules: (
      await server.services.db
        .select()
        .from(commissionRuleVersions)
        .where(eq(commissionRuleVersions.installationId, installationId))
    ).length,
  });

  it('gives a new installation the default program and its rules, once', async () => {
    const installation = await installPortal(server.services.db, '5601');
    expect(await counts(installation.id)).toEqual({ programs: 1, rules: 7 });
    await installPortal(server.services.db, '5601');
    expect(await counts(installation.id)).toEqual({ programs: 1, rules: 7 });
  });

  it('bootstraps lazily an installation created elsewhere', async () => {
    const [row] = await server.services.db
      .insert(installations)
      .values({ hubspotPortalId: '5602', hubspotInstallerUserId: INSTALLER_USER_ID })
      .returning();
    if (row === undefined) throw new Error('no installation');
    expect(await counts(row.id)).toEqual({ programs: 0, rules: 0 });
    const response = await callCard(server, {
      path: '/api/v1/settings/program',
      portalId: '5602',
      userId: INSTALLER_USER_ID,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ current: { version: 1 } });
    expect(await counts(row.id)).toEqual({ programs: 1, rules: 7 });
    const loaded = await loadProgram(server.services.db, row.id, '2026-03-10');
    expect(loaded.program.rules).toHaveLength(7);
  });
});
