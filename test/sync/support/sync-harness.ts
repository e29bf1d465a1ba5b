import {
  createSalesforceConnection,
  provisionPartnerbridgeFields,
} from '@partnerbridge/salesforce-connector';
import { defaultMappingDocument, type MappingDocument } from '@partnerbridge/shared/sync';
import { expect } from 'vitest';
import type { Clock } from '../../../server/src/clock.ts';
import {
  linkSalesforceOrg,
  upsertHubspotInstallation,
} from '../../../server/src/installs/installations.ts';
import { createSyncJobs } from '../../../server/src/jobs/sync-jobs.ts';
import type { JobModule } from '../../../server/src/queue/job.ts';
import { defaultSyncOptions, type SyncOptions } from '../../../server/src/sync/sync-context.ts';
import {
  type HubspotExchange,
  type HubspotSandbox,
  startHubspotSandbox,
  type WebhookSubscriptionInput,
} from '../../sandboxes/hubspot/index.ts';
import {
  defaultConnectedApp,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
  startSalesforceSandbox,
} from '../../sandboxes/salesforce/index.ts';
import type { DatabaseDriver } from '../../support/database.ts';
import { findFreePort } from '../../support/free-port.ts';
import { startTestServer, TEST_HUBSPOT_APP, type TestServer } from '../../support/server.ts';

// Both CRM sandboxes, a server with the sync workers in this process, and one installation with
// the portal installed and the org linked (tokens stored as the install flows store them).

export const fastSyncOptions: SyncOptions = {
  ...defaultSyncOptions,
  lingerMs: 30,
  debounceMs: 50,
  attempts: 4,
  backoffMs: 100,
  lockTtlMs: 30_000,
  salesforcePauseMs: 300,
  hubspot: { ...defaultSyncOptions.hubspot, rateLimitPauseMs: 300, maxInlineWaitMs: 2_000 },
};

/** The HubSpot user who installed the harness's portal: a Partnerbridge admin. */
export const HARNESS_ADMIN_USER_ID = '7001';

export type SyncHarness = {
  readonly hubspot: HubspotSandbox;
  readonly salesforce: SalesforceSandbox;
  readonly server: TestServer;
  readonly portalId: number;
  readonly orgId: string;
  readonly installationId: string;
  /**
   * Server env to start more processes against the same sandboxes, Redis, queue prefix, token key
   * and (with the postgres driver) database.
   */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
};

export const dealSubscriptions: WebhookSubscriptionInput[] = [
  { subscriptionType: 'object.creation', objectType: 'deal', active: true },
  { subscriptionType: 'object.deletion', objectType: 'deal', active: true },
  { subscriptionType: 'object.merge', objectType: 'deal', active: true },
  ...['dealname', 'amount', 'dealstage', 'closedate', 'pb_partner_company_id'].map(
    (propertyName): WebhookSubscriptionInput => ({
      subscriptionType: 'object.propertyChange',
      objectType: 'deal',
      propertyName,
      active: true,
    }),
  ),
  { subscriptionType: 'object.associationChange', objectType: 'deal', active: true },
  { subscriptionType: 'object.creation', objectType: 'company', active: true },
  ...['name', 'domain'].map(
    (propertyName): WebhookSubscriptionInput => ({
      subscriptionType: 'object.propertyChange' as const,
      objectType: 'company' as const,
      propertyName,
      active: true,
    }),
  ),
];

export async function startSyncHarness(
  options: {
    sync?: Partial<SyncOptions>;
    jobs?: (options: SyncOptions) => readonly JobModule[];
    worker?: boolean;
    env?: Record<string, string>;
    /** `postgres`: a database of its own on TEST_DATABASE_URL's server (for several processes). */
    driver?: DatabaseDriver;
    /** Tap on every HubSpot API exchange (request and response bodies). */
    onHubspotExchange?: (exchange: HubspotExchange) => void;
    /** Options of the Salesforce sandbox (streaming, clock…). */
    salesforceSandbox?: Omit<SalesforceSandboxOptions, 'demo'>;
    /**
     * One clock for the server and both sandboxes (their records' timestamps, tokens, webhook
     * signatures): a test moves the sync's day with it. Queue delays stay in real time.
     */
    clock?: Clock;
  } = {},
): Promise<SyncHarness> {
  const syncOptions = { ...fastSyncOptions, ...options.sync };
  const hubspot = await startHubspotSandbox({
    app: {
      appId: Number(TEST_HUBSPOT_APP.appId),
      clientId: TEST_HUBSPOT_APP.clientId,
      clientSecret: TEST_HUBSPOT_APP.clientSecret,
    },
    webhookRetry: { initialDelayMs: 50, maxDelayMs: 500, maxAttempts: 8 },
    ...(options.onHubspotExchange === undefined ? {} : { onExchange: options.onHubspotExchange }),
    ...(options.clock === undefined ? {} : { clock: () => options.clock?.now() ?? Date.now() }),
  });
  // Short long polls: change-event subscribers disconnect quickly when a test stops them.
  const salesforce = await startSalesforceSandbox({
    demo: false,
    streaming: { longPollMs: 2_000 },
    ...(options.clock === undefined ? {} : { clock: () => options.clock?.now() ?? Date.now() }),
    ...options.salesforceSandbox,
  });
  const tenant = await createTenant(hubspot, salesforce, 'Sync test');
  const port = await findFreePort();
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    PUBLIC_BASE_URL: publicBaseUrl,
    HUBSPOT_API_BASE_URL: hubspot.url,
    SALESFORCE_CLIENT_ID: defaultConnectedApp.clientId,
    SALESFORCE_CLIENT_SECRET: defaultConnectedApp.clientSecret,
    SALESFORCE_LOGIN_URL: salesforce.url,
    ...options.env,
  };
  const server = await startTestServer({
    env,
    worker: options.worker ?? true,
    jobs: (options.jobs ?? createSyncJobs)(syncOptions),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.driver === undefined ? {} : { driver: options.driver }),
  });
  const { portalId, orgId, installationId } = await installTenant(
    { hubspot, salesforce, server },
    tenant,
    'sync-test.example',
  );
  hubspot.control.setWebhookTarget({
    targetUrl: `${publicBaseUrl}/hubspot/webhooks`,
    subscriptions: dealSubscriptions.map((s) => ({ ...s })),
  });
  return {
    hubspot,
    salesforce,
    server,
    portalId,
    orgId,
    installationId,
    env: {
      ...env,
      REDIS_URL: server.config.redis.url,
      QUEUE_PREFIX: server.config.queue.prefix,
      TOKEN_ENCRYPTION_KEY: server.config.security.tokenKey.toString('base64'),
      HUBSPOT_APP_ID: server.config.hubspot.appId,
      HUBSPOT_CLIENT_ID: server.config.hubspot.clientId,
      HUBSPOT_CLIENT_SECRET: server.config.hubspot.clientSecret,
      ...(server.config.database.kind === 'postgres'
        ? { DATABASE_URL: server.config.database.url }
        : {}),
    },
    async stop() {
      hubspot.control.clearWebhookTarget();
      await server.close();
      await hubspot.stop();
      await salesforce.stop();
    },
  };
}

type Tenant = {
  portalId: number;
  orgId: string;
  sfTokens: ReturnType<SalesforceSandbox['control']['issueToken']>;
};

/** A portal with Partnerbridge's schema and an org with its fields, in the running sandboxes. */
async function createTenant(
  hubspot: HubspotSandbox,
  salesforce: SalesforceSandbox,
  name: string,
): Promise<Tenant> {
  const portalId = hubspot.control.createPortal({ name: `${name} portal` });
  hubspot.control.installPartnerbridge(portalId);
  const { orgId } = salesforce.control.createOrg({ name: `${name} org` });
  const sfTokens = salesforce.control.issueToken({ orgId });
  await provisionPartnerbridgeFields({
    connection: createSalesforceConnection({
      app: { ...defaultConnectedApp, loginUrl: salesforce.url, apiVersion: '62.0' },
      credentials: {
        kind: 'web_server',
        accessToken: sfTokens.accessToken,
        refreshToken: sfTokens.refreshToken,
        instanceUrl: sfTokens.instanceUrl,
      },
    }),
  });
  return { portalId, orgId, sfTokens };
}

/** The installation of a tenant's portal with its org linked, tokens stored as the flows store them. */
async function installTenant(
  harness: Pick<SyncHarness, 'hubspot' | 'salesforce' | 'server'>,
  { portalId, orgId, sfTokens }: Tenant,
  hubDomain: string,
): Promise<HarnessInstallation> {
  const { hubspot, salesforce, server } = harness;
  const db = server.services.db;
  const installation = await upsertHubspotInstallation(db, {
    portalId: String(portalId),
    appId: TEST_HUBSPOT_APP.appId,
    hubDomain,
    scopes: ['oauth'],
    installedBy: 'tester',
    installerUserId: HARNESS_ADMIN_USER_ID,
  });
  const hsTokens = hubspot.control.issueToken({ portalId });
  await server.services.tokens.save(installation.id, 'hubspot', {
    accessToken: hsTokens.accessToken,
    refreshToken: hsTokens.refreshToken,
    expiresAt: new Date(hsTokens.expiresAt),
    issuedAt: new Date(),
    scopes: undefined,
  });
  await linkSalesforceOrg(db, installation.id, {
    orgId,
    instanceUrl: sfTokens.instanceUrl,
    loginUrl: salesforce.url,
    authKind: 'web_server',
    username: undefined,
    userId: sfTokens.userId,
  });
  await server.services.tokens.save(installation.id, 'salesforce', {
    accessToken: sfTokens.accessToken,
    refreshToken: sfTokens.refreshToken,
    expiresAt: undefined,
    issuedAt: new Date(),
    scopes: undefined,
  });
  return { portalId, orgId, installationId: installation.id };
}

export type HarnessInstallation = {
  readonly portalId: number;
  readonly orgId: string;
  readonly installationId: string;
};

/**
 * Another installation in the same sandboxes, served by the same server and workers: a portal of
 * its own (webhooks go to the harness's target) linked to an org of its own.
 */
export async function addInstallation(
  harness: SyncHarness,
  name: string,
): Promise<HarnessInstallation> {
  const tenant = await createTenant(harness.hubspot, harness.salesforce, name);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return installTenant(harness, tenant, `${slug}.example`);
}

/** Polls `check` until it passes (or fails with its last error after `timeoutMs`). */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export function opportunitiesOf(harness: SyncHarness) {
  return harness.salesforce.control.listRecords(harness.orgId, 'Opportunity') as Record<
    string,
    unknown
  >[];
}

export function opportunityFor(harness: SyncHarness, dealId: string): Record<string, unknown> {
  const found = opportunitiesOf(harness).find((o) => o.PB_HubSpot_Deal_Id__c === dealId);
  expect(found, `opportunity for deal ${dealId}`).toBeDefined();
  return found as Record<string, unknown>;
}

/**
 * A deal a user creates in HubSpot, once its opportunity exists and the opportunity's default
 * currency has flowed back (the record is quiet).
 */
export async function aSyncedDeal(
  harness: SyncHarness,
  properties: { dealname: string } & Record<string, string>,
): Promise<{ id: string }> {
  const deal = harness.hubspot.control.userCreate(harness.portalId, 'deal', {
    amount: '10',
    dealstage: 'qualifiedtobuy',
    closedate: '2026-12-01T00:00:00.000Z',
    ...properties,
  });
  await eventually(() => {
    expect(opportunityFor(harness, deal.id).Name).toBe(properties.dealname);
    expect(
      harness.hubspot.control.getRecord(harness.portalId, 'deal', deal.id)?.properties
        .deal_currency_code,
    ).toBe('USD');
  });
  return deal;
}

/** The default mapping plus deal description → opportunity Description (HubSpot wins). */
export function descriptionMapping(): MappingDocument {
  const document = defaultMappingDocument();
  document.objects[0]?.fields.push({
    hubspot: 'description',
    salesforce: 'Description',
    transform: { kind: 'text' },
    direction: 'hubspot_to_salesforce',
    policy: 'hubspot_wins',
  });
  return document;
}
