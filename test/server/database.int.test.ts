import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { migrationsFolder, queryRows } from '../../server/src/db/database.ts';
import { deals, partnerTags } from '../../server/src/db/schema/deals.ts';
import { installations } from '../../server/src/db/schema/installations.ts';
import { ledgerLines } from '../../server/src/db/schema/ledger.ts';
import { partners } from '../../server/src/db/schema/partners.ts';
import { commissionRuleVersions } from '../../server/src/db/schema/program.ts';
import { describeEachDatabase } from '../support/database.ts';

// Drizzle wraps driver errors; the database's own message is the cause.
const causedBy = (pattern: RegExp) => (error: unknown) =>
  pattern.test(String((error as { cause?: { message?: unknown } }).cause?.message));

const expectedTables = [
  'api_budgets',
  'api_usage',
  'audit_log',
  'commission_rule_retirements',
  'commission_rule_versions',
  'dead_letters',
  'deals',
  'fx_rates',
  'id_links',
  'idempotency_keys',
  'installation_users',
  'installations',
  'ledger_exports',
  'ledger_lines',
  'ledger_payments',
  'local_changes',
  'oauth_states',
  'oauth_tokens',
  'partner_tags',
  'partners',
  'program_versions',
  'sync_checkpoints',
  'sync_mappings',
  'tier_snapshots',
  'write_shadows',
];

describeEachDatabase('migrations', ({ database }) => {
  it('create every table from an empty database', async () => {
    const rows = await queryRows<{ table_name: string }>(
      database().db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(rows.map((row) => row.table_name)).toEqual(expectedTables);
    expect(migrationsFolder).toMatch(/server[/\\]drizzle$/);
  });

  it('are recorded and applying them again changes nothing', async () => {
    const count = async () => {
      const rows = await queryRows<{ n: number }>(
        database().db,
        sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      );
      return rows[0]?.n;
    };
    const before = await count();
    expect(before).toBeGreaterThanOrEqual(2);
    await database().migrate();
    expect(await count()).toBe(before);
  });
});

describeEachDatabase('schema constraints', ({ database }) => {
  async function anInstallation(portalId = String(Math.floor(Math.random() * 1e9))) {
    const [row] = await database()
      .db.insert(installations)
      .values({ hubspotPortalId: portalId })
      .returning();
    if (row === undefined) throw new Error('no installation');
    return row;
  }

  async function aPartner(installationId: string) {
    const [row] = await database()
      .db.insert(partners)
      .values({
        installationId,
        name: 'Acme Agency',
        type: 'channel',
        subtype: 'agency',
        joinedOn: '2025-01-01',
        hubspotCompanyId: randomUUID(),
      })
      .returning();
    if (row === undefined) throw new Error('no partner');
    return row;
  }

  async function aDeal(installationId: string) {
    const [row] = await database()
      .db.insert(deals)
      .values({
        installationId,
        name: 'Big deal',
        amountMinor: 12_345_00,
        currency: 'USD',
        stageCategory: 'won',
        createdOn: '2025-01-01',
        closeDate: '2025-02-01',
        probability: '1',
        dealType: 'new_business',
        hubspotDealId: randomUUID(),
      })
      .returning();
    if (row === undefined) throw new Error('no deal');
    return row;
  }

  it('keeps money exact in integer minor units and decimals as strings', async () => {
    const installation = await anInstallation();
    const deal = await aDeal(installation.id);
    expect(deal.amountMinor).toBe(1_234_500);
    expect(deal.probability).toBe('1');
  });

  it('refuses a tag that points at another installation’s deal', async () => {
    const mine = await anInstallation();
    const theirs = await anInstallation();
    const myPartner = await aPartner(mine.id);
    const theirDeal = await aDeal(theirs.id);
    await expect(
      database()
        .db.insert(partnerTags)
        .values({
          installationId: mine.id,
          dealId: theirDeal.id,
          partnerId: myPartner.id,
          role: 'sourced',
          motion: 'referral',
          touchedAt: new Date('2025-01-05T10:00:00Z'),
          taggedBy: 'user:1',
          source: 'hubspot_card',
        }),
    ).rejects.toThrow();
  });

  it('allows one live tag per partner and deal, and rejects shares outside [0, 1]', async () => {
    const installation = await anInstallation();
    const partner = await aPartner(installation.id);
    const deal = await aDeal(installation.id);
    const tag = {
      installationId: installation.id,
      dealId: deal.id,
      partnerId: partner.id,
      role: 'sourced' as const,
      motion: 'co_sell' as const,
      touchedAt: new Date('2025-01-05T10:00:00Z'),
      taggedBy: 'user:1',
      source: 'hubspot_card' as const,
      share: '0.5',
    };
    const [first] = await database().db.insert(partnerTags).values(tag).returning();
    await expect(database().db.insert(partnerTags).values(tag)).rejects.toThrow();
    await database()
      .db.update(partnerTags)
      .set({ removedAt: new Date() })
      .where(eq(partnerTags.id, first?.id ?? ''));
    await database().db.insert(partnerTags).values(tag);
    await expect(
      database()
        .db.insert(partnerTags)
        .values({ ...tag, partnerId: partner.id, share: '1.5' }),
    ).rejects.toThrow();
  });

  it('keeps the ledger and rule versions append-only, but lets an installation be deleted', async () => {
    const installation = await anInstallation();
    const partner = await aPartner(installation.id);
    await database()
      .db.insert(commissionRuleVersions)
      .values({
        installationId: installation.id,
        ruleId: 'tier-commission',
        version: 1,
        effectiveFrom: '2025-01-01',
        document: { id: 'tier-commission' },
        createdBy: 'admin',
      });
    await database()
      .db.insert(ledgerLines)
      .values({
        installationId: installation.id,
        id: 'deal-1:partner-1:accrual',
        partnerId: partner.id,
        ruleId: 'tier-commission',
        ruleVersion: 1,
        kind: 'accrual',
        amountMinor: 500,
        currency: 'USD',
        effectiveOn: '2025-02-01',
        explanation: { rule: 'tier-commission' },
      });
    const inserted = await database()
      .db.insert(ledgerLines)
      .values({
        installationId: installation.id,
        id: 'deal-1:partner-1:accrual',
        partnerId: partner.id,
        kind: 'accrual',
        amountMinor: 999,
        currency: 'USD',
        effectiveOn: '2025-02-01',
        explanation: {},
      })
      .onConflictDoNothing()
      .returning();
    expect(inserted).toEqual([]);
    await expect(
      database()
        .db.update(ledgerLines)
        .set({ amountMinor: 1 })
        .where(eq(ledgerLines.installationId, installation.id)),
    ).rejects.toSatisfy(causedBy(/append-only/));
    await expect(
      database().db.delete(ledgerLines).where(eq(ledgerLines.installationId, installation.id)),
    ).rejects.toSatisfy(causedBy(/append-only/));
    await expect(
      database()
        .db.update(commissionRuleVersions)
        .set({ note: 'edited' })
        .where(eq(commissionRuleVersions.installationId, installation.id)),
    ).rejects.toSatisfy(causedBy(/append-only/));
    await database().db.delete(installations).where(eq(installations.id, installation.id));
    const left = await database()
      .db.select()
      .from(ledgerLines)
      .where(eq(ledgerLines.installationId, installation.id));
    expect(left).toEqual([]);
  });

  it('refuses a ledger line naming a rule version that does not exist', async () => {
    const installation = await anInstallation();
    const partner = await aPartner(installation.id);
    await expect(
      database().db.insert(ledgerLines).values({
        installationId: installation.id,
        id: 'x',
        partnerId: partner.id,
        ruleId: 'missing-rule',
        ruleVersion: 3,
        kind: 'accrual',
        amountMinor: 1,
        currency: 'usd',
        effectiveOn: '2025-02-01',
        explanation: {},
      }),
    ).rejects.toThrow();
  });
});
