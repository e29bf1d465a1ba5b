import { type DealView, dealViewSchema, type LedgerExportView } from '@partnerbridge/shared/api';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDeal, upsertImportedTag } from '../../../server/src/cards/projection.ts';
import { reconcileInstallationNow } from '../../../server/src/cards/reconcile.ts';
import { ledgerLines } from '../../../server/src/db/schema/ledger.ts';
import { localChanges } from '../../../server/src/db/schema/sync.ts';
import { testDatabaseDrivers } from '../../support/database.ts';
import { manualClock, startTestServer, type TestServer } from '../../support/server.ts';
import {
  callCard,
  countRows,
  INSTALLER_USER_ID,
  installPortal,
  REP_USER_ID,
  seedAcmeScenario,
} from './support.ts';

const PORTAL = '5401';

describe.each(testDatabaseDrivers())('commission ledger [%s]', (driver) => {
  const clock = manualClock(Date.UTC(2026, 2, 10, 12));
  let server: TestServer;
  let installationId: string;
  let dealIds: string[];
  let acmeId: string;

  const db = () => server.services.db;
  const csv = async (query: string, userId = INSTALLER_USER_ID) => {
    const response = await callCard<string>(server, {
      path: `/api/v1/ledger/export.csv${query}`,
      portalId: PORTAL,
      userId,
    });
    return response;
  };
  const exportPayable = (exportId: string) =>
    callCard<LedgerExportView>(server, {
      method: 'POST',
      path: '/api/v1/ledger/exports',
      portalId: PORTAL,
      userId: INSTALLER_USER_ID,
      body: { exportId, note: 'monthly payout' },
    });

  beforeAll(async () => {
    server = await startTestServer({ clock, driver });
    installationId = (await installPortal(db(), PORTAL)).id;
    const scenario = await seedAcmeScenario(db(), installationId);
    dealIds = scenario.deals.map((deal) => deal.id);
    acmeId = scenario.acme.id;
  });
  afterAll(async () => {
    await server.close();
  });

  it('accrues once: a second reconciliation appends nothing, and lines cannot be edited', async () => {
    const first = await reconcileInstallationNow(db(), installationId, '2026-03-10');
    expect(first).toMatchObject({ deals: 7, appended: 7, changedDeals: 7, issues: 0 });
    const outbox = await countRows(db(), 'local_changes', installationId);
    expect(outbox).toBe(7);
    const second = await reconcileInstallationNow(db(), installationId, '2026-03-10');
    expect(second).toMatchObject({ deals: 7, appended: 0, changedDeals: 0 });
    expect(await countRows(db(), 'ledger_lines', installationId)).toBe(7);
    expect(await countRows(db(), 'local_changes', installationId)).toBe(outbox);
    await expect(
      db()
        .update(ledgerLines)
        .set({ amountMinor: 1 })
        .where(eq(ledgerLines.installationId, installationId)),
    ).rejects.toSatisfy((error: unknown) =>
      /append-only/.test(String((error as { cause?: { message?: unknown } }).cause?.message)),
    );
  });

  it('previews payable lines as CSV with the explanation next to every amount', async () => {
    const response = await csv('');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toContain(
      'partnerbridge-commissions-payable-2026-03-10.csv',
    );
    const lines = response.body.trim().split('\n');
    expect(lines[0]).toBe(
      'partner,partner_id,partner_hubspot_company_id,deal,hubspot_deal_id,line_id,kind,rule,rule_version,period,base,base_currency,rate,fx,amount,currency,effective_on,payable_on,status,export_id,explanation',
    );
    // Six lines are past the 30-day holding period; the 2026-02-20 deal is still pending.
    expect(lines).toHaveLength(7);
    const [, first] = lines;
    expect(first).toContain('Acme Resellers');
    expect(first).toContain(`Acme deal 0,8000000,${dealIds[0]}:`);
    expect(first).toContain(
      ',accrual,Channel tier commission,1,1/1,20000.00,USD,0.05,,1000.00,USD,2025-02-01,2025-03-03,payable,,"Bronze tier 5 % of $20,000.00 credited (100 % of $20,000.00) = $1,000.00"',
    );
    const pending = await csv('?status=pending');
    expect(pending.body.trim().split('\n')).toHaveLength(2);
    expect(pending.body).toContain('Acme deal 6');
  });

  it('refuses the ledger to users without a role, and names bad query fields', async () => {
    expect((await csv('', REP_USER_ID)).status).toBe(403);
    const bad = await csv('?status=owed');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('query.status');
    const exportWithoutPaid = await csv('?exportId=x');
    expect(JSON.stringify(exportWithoutPaid.body)).toContain('query.exportId');
  });

  it('marks payable lines paid under an export id, idempotently', async () => {
    const created = await exportPayable('2026-03-payout');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      exportId: '2026-03-payout',
      paidOn: '2026-03-10',
      lineCount: 6,
      note: 'monthly payout',
      total: { amountMinor: 350_000, formatted: '$3,500.00' },
      totals: [
        {
          partner: expect.objectContaining({ name: 'Acme Resellers' }),
          amount: { amountMinor: 350_000, currency: 'USD', formatted: '$3,500.00' },
        },
      ],
      csvPath: '/api/v1/ledger/export.csv?status=paid&exportId=2026-03-payout',
    });
    const again = await exportPayable('2026-03-payout');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);
    expect(await countRows(db(), 'ledger_payments', installationId)).toBe(6);

    const nothingLeft = await exportPayable('2026-03-second');
    expect(nothingLeft.status).toBe(422);
    expect(nothingLeft.body).toMatchObject({
      error: { code: 'unprocessable', message: expect.stringContaining('nothing is payable') },
    });

    const paid = await csv('?status=paid&exportId=2026-03-payout');
    const rows = paid.body.trim().split('\n').slice(1);
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row).toContain(',paid,2026-03-payout,');
    const card = await callCard(server, {
      path: '/api/v1/companies/7000001/tier-card',
      portalId: PORTAL,
    });
    expect(card.body).toMatchObject({
      commissions: {
        earned: { amountMinor: 400_000 },
        pending: { amountMinor: 50_000 },
        payable: { amountMinor: 0 },
        paid: { amountMinor: 350_000 },
      },
    });
  });

  it('claws back a commission when a won deal is lost inside the window', async () => {
    const view = async () =>
      dealViewSchema.parse(
        (await callCard<DealView>(server, { path: '/api/v1/deals/8000006', portalId: PORTAL }))
          .body,
      );
    expect((await view()).commissions[0]).toMatchObject({ status: 'pending' });
    await upsertDeal(db(), installationId, {
      hubspotDealId: '8000006',
      name: 'Acme deal 6',
      amountMinor: 1_000_000,
      currency: 'USD',
      stageCategory: 'lost',
      stageId: 'closedlost',
      createdOn: '2025-01-10',
      closeDate: '2026-02-20',
      probability: '0',
      reversal: { reason: 'lost', on: '2026-03-05' },
      customer: { hubspotCompanyId: '6000006', name: 'Customer 6' },
    });
    const outcome = await reconcileInstallationNow(db(), installationId, '2026-03-10');
    expect(outcome).toMatchObject({ appended: 1, changedDeals: 1 });
    const lines = await db()
      .select()
      .from(ledgerLines)
      .where(
        and(
          eq(ledgerLines.installationId, installationId),
          eq(ledgerLines.dealId, dealIds[6] ?? ''),
        ),
      );
    expect(lines.map((line) => [line.kind, line.amountMinor])).toEqual(
      expect.arrayContaining([
        ['accrual', 50_000],
        ['reversal', -50_000],
      ]),
    );
    const after = await view();
    expect(after.commissions[0]).toMatchObject({
      status: 'lost',
      ledger: expect.objectContaining({ net: expect.objectContaining({ amountMinor: 0 }) }),
    });
    expect(after.commissions[0]?.ledger?.lines[1]?.explanation).toBe(
      'Reversed $500.00: deal lost on 2026-03-05, inside the clawback window (until 2026-05-21).',
    );
    const reasons = await db()
      .select({ reason: localChanges.reason, count: sql<number>`count(*)::int` })
      .from(localChanges)
      .where(
        and(
          eq(localChanges.installationId, installationId),
          eq(localChanges.localId, dealIds[6] ?? ''),
        ),
      )
      .groupBy(localChanges.reason);
    expect(reasons).toEqual([{ reason: 'commission_changed', count: 2 }]);
  });

  it('nets a clawback against what became payable later, in the next export', async () => {
    const late = await upsertDeal(db(), installationId, {
      hubspotDealId: '8000010',
      name: 'Late deal',
      amountMinor: 500_000,
      currency: 'USD',
      stageCategory: 'won',
      createdOn: '2026-01-01',
      closeDate: '2026-03-01',
      probability: '1',
      customer: { hubspotCompanyId: '6000010' },
    });
    await upsertImportedTag(db(), installationId, {
      dealId: late.id,
      partnerId: acmeId,
      role: 'sourced',
      motion: 'referral',
      touchedAt: new Date('2026-01-02T00:00:00Z'),
      taggedBy: 'import',
      source: 'import',
    });
    clock.set(Date.UTC(2026, 3, 15, 12));
    await reconcileInstallationNow(db(), installationId, '2026-04-15');
    // Deal 6: +$500 accrual and −$500 reversal, both payable now; the late deal: +$250.
    const response = await exportPayable('2026-04-payout');
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      paidOn: '2026-04-15',
      lineCount: 3,
      total: { amountMinor: 25_000, formatted: '$250.00' },
    });
  });
});
