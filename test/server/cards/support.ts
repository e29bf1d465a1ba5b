import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import {
  type DealInput,
  type PartnerInput,
  upsertDeal,
  upsertImportedTag,
  upsertPartner,
} from '../../../server/src/cards/projection.ts';
import { type Executor, queryRows } from '../../../server/src/db/database.ts';
import { partners } from '../../../server/src/db/schema/partners.ts';
import {
  type Installation,
  upsertHubspotInstallation,
} from '../../../server/src/installs/installations.ts';
import { signHubspotFetch } from '../../support/hubspot-signing.ts';
import { TEST_HUBSPOT_APP, TEST_PUBLIC_BASE_URL, type TestServer } from '../../support/server.ts';

// Helpers for the cards' API tests: portals installed like the install flow does, projection rows
// written through the real repository functions, and signed JSON calls.

export const INSTALLER_USER_ID = '900';
export const REP_USER_ID = '901';

export async function installPortal(db: Executor, portalId: string): Promise<Installation> {
  return upsertHubspotInstallation(db, {
    portalId,
    appId: TEST_HUBSPOT_APP.appId,
    hubDomain: `portal-${portalId}.example.com`,
    scopes: ['oauth'],
    installedBy: `admin-${portalId}@example.com`,
    installerUserId: INSTALLER_USER_ID,
  });
}

export function aPartner(overrides: Partial<PartnerInput> = {}): PartnerInput {
  return {
    hubspotCompanyId: String(Math.floor(Math.random() * 1e12)),
    name: 'Acme Integrations',
    type: 'channel',
    subtype: 'reseller',
    joinedOn: '2024-01-15',
    certifiedSalespeople: 5,
    trainingLevel: 'expert',
    ...overrides,
  };
}

export function aDeal(overrides: Partial<DealInput> = {}): DealInput {
  return {
    hubspotDealId: String(Math.floor(Math.random() * 1e12)),
    name: 'Northwind platform',
    amountMinor: 8_000_000,
    currency: 'USD',
    stageCategory: 'open',
    stageId: 'contractsent',
    createdOn: '2026-01-02',
    closeDate: '2026-03-01',
    probability: '0.9',
    dealType: 'newbusiness',
    customer: { hubspotCompanyId: '5550001', name: 'Northwind Traders' },
    ...overrides,
  };
}

export async function seedPartner(db: Executor, installationId: string, input = aPartner()) {
  return upsertPartner(db, installationId, input);
}

export async function seedDeal(db: Executor, installationId: string, input = aDeal()) {
  return upsertDeal(db, installationId, input);
}

export type JsonResponse<T = unknown> = { status: number; body: T; headers: Headers };

/** A signed call as a card makes it, answered as JSON. */
export async function callCard<T = unknown>(
  server: TestServer,
  request: {
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    path: string;
    portalId: string;
    userId?: string;
    body?: unknown;
    timestamp?: number;
    clientSecret?: string;
  },
): Promise<JsonResponse<T>> {
  const response = await server.fetchSigned({
    path: request.path,
    method: request.method ?? 'GET',
    portalId: request.portalId,
    appId: TEST_HUBSPOT_APP.appId,
    userId: request.userId ?? REP_USER_ID,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.timestamp === undefined ? {} : { timestamp: request.timestamp }),
    ...(request.clientSecret === undefined ? {} : { clientSecret: request.clientSecret }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    body: (type.includes('json') ? JSON.parse(text) : text) as T,
    headers: response.headers,
  };
}

export const newKey = () => `key-${randomUUID()}`;

/** A request signed like HubSpot does, whose body is then swapped: the signature no longer matches. */
export async function tamperedCall(
  server: TestServer,
  request: { method: string; path: string; portalId: string; body: unknown; swapped: unknown },
): Promise<Response> {
  const signed = await signHubspotFetch({
    path: request.path,
    method: request.method,
    body: request.body,
    portalId: request.portalId,
    appId: TEST_HUBSPOT_APP.appId,
    userId: REP_USER_ID,
    clientSecret: TEST_HUBSPOT_APP.clientSecret,
    publicBaseUrl: TEST_PUBLIC_BASE_URL,
    timestamp: server.services.clock.now(),
  });
  return fetch(`${server.url}${signed.path}`, {
    method: signed.method,
    headers: signed.headers,
    body: JSON.stringify(request.swapped),
  });
}

/** Rows of a table that belong to an installation (to prove nothing was written). */
export async function countRows(
  db: Executor,
  table:
    | 'partner_tags'
    | 'local_changes'
    | 'ledger_lines'
    | 'audit_log'
    | 'program_versions'
    | 'commission_rule_versions'
    | 'idempotency_keys'
    | 'ledger_payments',
  installationId: string,
): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${sql.identifier(table)} where installation_id = ${installationId}`,
  );
  return rows[0]?.n ?? 0;
}

/** Tier state Partnerbridge would have stored (tests set it to pin the tier at close dates). */
export async function setTierHistory(
  db: Executor,
  installationId: string,
  partnerId: string,
  history: { tier: string; since: string }[],
): Promise<void> {
  await db
    .update(partners)
    .set({ tierHistory: history, tier: history.at(-1)?.tier ?? 'registered' })
    .where(and(eq(partners.installationId, installationId), eq(partners.id, partnerId)));
}

/**
 * The hand-computed tier scenario (asOf 2026-03-10) of the default program: Acme, a channel
 * reseller at Bronze since 2025-01-01 with 2 certified salespeople and advanced training:
 * - won, sourced: $20,000 on 2025-02-01 (before the trailing window) and six $10,000 deals from
 *   2025-06-15 to 2026-02-20, seven distinct customers;
 * - open: two $10,000 deals at 50 % expected 2026-04-15, two new customers.
 */
export async function seedAcmeScenario(db: Executor, installationId: string) {
  const acme = await upsertPartner(db, installationId, {
    hubspotCompanyId: '7000001',
    name: 'Acme Resellers',
    type: 'channel',
    subtype: 'reseller',
    joinedOn: '2025-01-01',
    certifiedSalespeople: 2,
    trainingLevel: 'advanced',
  });
  await setTierHistory(db, installationId, acme.id, [{ tier: 'bronze', since: '2025-01-01' }]);
  const won = [
    { id: '8000000', closeDate: '2025-02-01', amountMinor: 2_000_000 },
    { id: '8000001', closeDate: '2025-06-15', amountMinor: 1_000_000 },
    { id: '8000002', closeDate: '2025-08-15', amountMinor: 1_000_000 },
    { id: '8000003', closeDate: '2025-10-15', amountMinor: 1_000_000 },
    { id: '8000004', closeDate: '2025-12-15', amountMinor: 1_000_000 },
    { id: '8000005', closeDate: '2026-01-15', amountMinor: 1_000_000 },
    { id: '8000006', closeDate: '2026-02-20', amountMinor: 1_000_000 },
  ];
  const open = [
    { id: '8000007', closeDate: '2026-04-15', amountMinor: 1_000_000 },
    { id: '8000008', closeDate: '2026-04-15', amountMinor: 1_000_000 },
  ];
  const dealRows = [];
  for (const [index, deal] of [...won, ...open].entries()) {
    const isWon = index < won.length;
    const row = await upsertDeal(db, installationId, {
      hubspotDealId: deal.id,
      name: `Acme deal ${index}`,
      amountMinor: deal.amountMinor,
      currency: 'USD',
      stageCategory: isWon ? 'won' : 'open',
      stageId: isWon ? 'closedwon' : 'presentationscheduled',
      createdOn: '2025-01-10',
      closeDate: deal.closeDate,
      probability: isWon ? '1' : '0.5',
      dealType: 'newbusiness',
      customer: { hubspotCompanyId: `600000${index}`, name: `Customer ${index}` },
    });
    await upsertImportedTag(db, installationId, {
      dealId: row.id,
      partnerId: acme.id,
      role: 'sourced',
      motion: 'referral',
      touchedAt: new Date('2025-01-10T10:00:00Z'),
      taggedBy: 'import',
      source: 'import',
    });
    dealRows.push(row);
  }
  return { acme, deals: dealRows };
}
