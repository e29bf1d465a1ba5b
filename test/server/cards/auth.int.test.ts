import { defaultProgram } from '@partnerbridge/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { termsOf } from '../../../server/src/cards/program-store.ts';
import { cardRoutes } from '../../../server/src/routes/cards/card-routes.ts';
import { testDatabaseDrivers } from '../../support/database.ts';
import { manualClock, startTestServer, type TestServer } from '../../support/server.ts';
import {
  aDeal,
  callCard,
  countRows,
  INSTALLER_USER_ID,
  installPortal,
  newKey,
  seedAcmeScenario,
  seedDeal,
} from './support.ts';

// Every cards endpoint, table-driven: refused unsigned (401), refused for a portal without an
// installation (403 not_installed), settings refused to users without a role (403 forbidden), and
// nothing written by any refused request.

const PORTAL = '5701';
const OTHER = '5702';
const UUID = '00000000-0000-4000-8000-000000000001';

type Call = { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; body?: unknown };

const rule = {
  name: 'Reseller special',
  effectiveFrom: '2026-03-10',
  match: { partnerSubtype: 'reseller' },
  payout: { kind: 'percent', rate: '0.12' },
  base: 'credited_amount',
  schedule: { kind: 'one_time' },
  holdingDays: 30,
  clawbackDays: 90,
};

/** A body each route accepts, so refusals come from auth, not from validation. */
function validBody(method: string, path: string): unknown {
  const key = newKey();
  if (path === '/api/v1/deals/:hubspotDealId/tags') {
    return { idempotencyKey: key, partnerId: UUID, role: 'sourced', motion: 'referral' };
  }
  if (path.endsWith('/registration')) return { idempotencyKey: key, decision: 'approve' };
  if (method === 'patch') return { idempotencyKey: key, role: 'influenced' };
  if (path === '/api/v1/settings/program') return { terms: termsOf(defaultProgram) };
  if (path === '/api/v1/settings/rules' || path.endsWith('/versions')) return rule;
  if (path.endsWith('/retire')) return { effectiveTo: '2026-06-01' };
  if (path === '/api/v1/settings/fx-rates') {
    return { rates: [{ base: 'EUR', quote: 'USD', on: '2026-01-01', rate: '1.1' }] };
  }
  if (path.startsWith('/api/v1/settings/admins')) return { role: 'admin' };
  if (path === '/api/v1/ledger/exports') return { exportId: 'payout' };
  return {};
}

function concrete(method: string, path: string): Call {
  const filled = path
    .replace(':hubspotDealId', '8000001')
    .replace(':tagId', UUID)
    .replace(':hubspotCompanyId', '7000001')
    .replace(':ruleId', 'channel-tier-commission')
    .replace(':userId', '903');
  const query = filled === '/api/v1/metrics' ? '?from=2026-01-01&to=2026-03-10' : '';
  const body = method === 'get' || method === 'delete' ? undefined : validBody(method, path);
  return {
    method: method.toUpperCase() as Call['method'],
    path: `${filled}${query}`,
    ...(body === undefined ? {} : { body }),
  };
}

const endpoints = cardRoutes.map((route) => ({
  name: `${route.method.toUpperCase()} ${route.path}`,
  call: concrete(route.method, route.path),
}));

const settingsWrites = cardRoutes
  .filter(
    (route) =>
      route.method !== 'get' &&
      (route.path.startsWith('/api/v1/settings') || route.path.startsWith('/api/v1/ledger')) &&
      route.path !== '/api/v1/settings/what-if',
  )
  .map((route) => `${route.method.toUpperCase()} ${route.path}`);

describe.each(testDatabaseDrivers())('cards API auth [%s]', (driver) => {
  const clock = manualClock(Date.UTC(2026, 2, 10, 12));
  let server: TestServer;
  let installationId: string;
  let otherInstallation: string;

  const written = async () => ({
    tags: await countRows(server.services.db, 'partner_tags', installationId),
    outbox: await countRows(server.services.db, 'local_changes', installationId),
    audit: await countRows(server.services.db, 'audit_log', installationId),
    programs: await countRows(server.services.db, 'program_versions', installationId),
    rules: await countRows(server.services.db, 'commission_rule_versions', installationId),
    payments: await countRows(server.services.db, 'ledger_payments', installationId),
  });

  beforeAll(async () => {
    server = await startTestServer({ clock, driver });
    installationId = (await installPortal(server.services.db, PORTAL)).id;
    otherInstallation = (await installPortal(server.services.db, OTHER)).id;
    await seedAcmeScenario(server.services.db, installationId);
    await seedDeal(server.services.db, otherInstallation, aDeal({ hubspotDealId: '8100001' }));
  });
  afterAll(async () => {
    await server.close();
  });

  it('covers every cards route', () => {
    expect(endpoints.length).toBe(cardRoutes.length);
    expect(endpoints.length).toBeGreaterThanOrEqual(23);
  });

  it.each(endpoints)('$name: unsigned → 401, nothing written', async ({ call }) => {
    const before = await written();
    const separator = call.path.includes('?') ? '&' : '?';
    const response = await server.fetch(`${call.path}${separator}portalId=${PORTAL}`, {
      method: call.method,
      ...(call.body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(call.body) }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_signature',
    );
    expect(await written()).toEqual(before);
  });

  it.each(endpoints)(
    '$name: a portal without an installation → 403 not_installed',
    async ({ call }) => {
      const response = await callCard(server, {
        ...call,
        portalId: '5799',
        userId: INSTALLER_USER_ID,
      });
      expect(response.status).toBe(403);
      expect((response.body as { error: { code: string } }).error.code).toBe('not_installed');
    },
  );

  it.each(settingsWrites)(
    '%s: a user without a role → 403 forbidden, nothing written',
    async (name) => {
      const endpoint = endpoints.find((entry) => entry.name === name);
      if (endpoint === undefined) throw new Error(`no endpoint ${name}`);
      const before = await written();
      const response = await callCard(server, { ...endpoint.call, portalId: PORTAL });
      expect(response.status).toBe(403);
      expect((response.body as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'forbidden',
        message: expect.stringMatching(/is not a (Partnerbridge admin|partner manager)/),
      });
      expect(await written()).toEqual(before);
    },
  );

  it("keeps another portal's ledger, program and rules out of its answers", async () => {
    const asOther = (path: string) =>
      callCard<string>(server, { path, portalId: OTHER, userId: INSTALLER_USER_ID });
    const csv = await asOther('/api/v1/ledger/export.csv?status=all');
    expect(csv.body.trim().split('\n')).toHaveLength(1);
    const metrics = await asOther('/api/v1/metrics?from=2025-01-01&to=2026-03-10');
    expect(metrics.body).toMatchObject({ partners: [], partnerRevenue: { amountMinor: 0 } });
    const card = await asOther('/api/v1/companies/7000001/tier-card');
    expect(card.body).toMatchObject({ kind: 'empty' });
  });
});
