import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../server/src/config.ts';
import { type LocalRedis, startLocalRedis } from '../../server/src/infra/local-redis.ts';
import { findActiveInstallationByPortal } from '../../server/src/installs/installations.ts';
import { createLogger } from '../../server/src/logger.ts';
import { type Runtime, startRuntime } from '../../server/src/main.ts';
import { startInitialImport } from '../../server/src/sync/import.ts';
import { sandboxWebhookSubscriptions } from '../../server/src/sync/webhook-subscriptions.ts';
import type { DemoSeedResult } from '../../test/sandboxes/hubspot/demo-seed.ts';
import { type HubspotSandbox, startHubspotSandbox } from '../../test/sandboxes/hubspot/index.ts';
import {
  type SalesforceSandbox,
  startSalesforceSandbox,
} from '../../test/sandboxes/salesforce/index.ts';
import { type DemoProgram, generateDemoProgram } from '../../test/sandboxes/seed/demo-program.ts';
import { installHubspotPortal, linkSalesforceOrg } from './install-flows.ts';
import {
  loadOrCreateSecrets,
  type SandboxRuntime,
  type SandboxSecrets,
  writeRuntime,
} from './local-state.ts';

export type SandboxSummary = {
  apiUrl: string;
  adminToken: string;
  hubspot: { url: string; portalId: number; appId: string; clientSecret: string };
  salesforce: { url: string; orgId: string; jwtUsername: string };
  redisUrl: string;
  database: string;
  logFile: string;
  dataDir: string;
  installationId: string;
  demoDeals: number;
  sample: SandboxRuntime['sample'];
};

export type RunningSandbox = { summary: SandboxSummary; stop(): Promise<void> };

const JWT_USERNAME = 'integration@partnerbridge.demo';

/** The preferred port if it is free on loopback, else any free port. */
function portOrFree(preferred: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', () => {
      if (preferred === 0) {
        reject(new Error('no free port'));
        return;
      }
      portOrFree(0).then(resolve, reject);
    });
    server.listen(preferred, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : preferred;
      server.close(() => resolve(port));
    });
  });
}

function sandboxEnv(input: {
  env: Readonly<Record<string, string | undefined>>;
  secrets: SandboxSecrets;
  port: number;
  redisUrl: string;
  dataDir: string;
  hubspot: HubspotSandbox;
  salesforce: SalesforceSandbox;
}): Record<string, string | undefined> {
  const { env, secrets } = input;
  return {
    ...env,
    HOST: '127.0.0.1',
    PORT: String(input.port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${input.port}`,
    REDIS_URL: input.redisUrl,
    PGLITE_DIR: env.PGLITE_DIR ?? path.join(input.dataDir, 'pglite'),
    TOKEN_ENCRYPTION_KEY: env.TOKEN_ENCRYPTION_KEY ?? secrets.tokenEncryptionKey,
    ADMIN_TOKEN: env.ADMIN_TOKEN ?? secrets.adminToken,
    HUBSPOT_APP_ID: secrets.hubspotApp.appId,
    HUBSPOT_CLIENT_ID: secrets.hubspotApp.clientId,
    HUBSPOT_CLIENT_SECRET: secrets.hubspotApp.clientSecret,
    HUBSPOT_API_BASE_URL: input.hubspot.url,
    HUBSPOT_AUTHORIZE_URL: `${input.hubspot.url}/oauth/authorize`,
    SALESFORCE_CLIENT_ID: secrets.salesforceApp.clientId,
    SALESFORCE_CLIENT_SECRET: secrets.salesforceApp.clientSecret,
    SALESFORCE_LOGIN_URL: input.salesforce.url,
    SALESFORCE_JWT_PRIVATE_KEY: secrets.salesforceApp.jwtPrivateKeyPem,
    SALESFORCE_JWT_USERNAME: JWT_USERNAME,
  };
}

/**
 * Sandbox mode: both CRM sandboxes seeded with the demo program, PGlite and a private Redis under
 * the data directory, the web server and the workers in this process, and the demo portal and
 * org installed and linked through the real install flows.
 */
export async function startSandboxMode(options: {
  env: Readonly<Record<string, string | undefined>>;
  dataDir: string;
  demoDeals: number;
  onProgress: (line: string) => void;
}): Promise<RunningSandbox> {
  const { env, dataDir } = options;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
    stops.length = 0;
  };

  try {
    const secrets = loadOrCreateSecrets(dataDir);
    const port = await portOrFree(Number(env.PORT ?? 3000));

    let redis: LocalRedis | undefined;
    let redisUrl = env.REDIS_URL;
    if (redisUrl === undefined || redisUrl === '') {
      options.onProgress('starting a private redis-server…');
      redis = await startLocalRedis({
        dataDir: path.join(dataDir, 'redis'),
        log: options.onProgress,
      });
      const started = redis;
      stops.push(() => started.stop());
      redisUrl = redis.url;
    }

    options.onProgress(`seeding the CRM sandboxes with ${options.demoDeals} demo deals…`);
    const asOf = new Date().toISOString();
    const program = generateDemoProgram({ deals: options.demoDeals, asOf });
    const apiUrl = `http://127.0.0.1:${port}`;
    const hubspot = await startHubspotSandbox({
      app: {
        appId: Number(secrets.hubspotApp.appId),
        clientId: secrets.hubspotApp.clientId,
        clientSecret: secrets.hubspotApp.clientSecret,
        redirectUris: [`${apiUrl}/oauth/hubspot/callback`],
      },
    });
    stops.push(() => hubspot.stop());
    const portalId = hubspot.control.createPortal({ name: 'Partnerbridge demo portal' });
    const hubspotIds = hubspot.control.seedDemo(portalId, program);

    const salesforce = await startSalesforceSandbox({
      demo: false,
      connectedApp: {
        clientId: secrets.salesforceApp.clientId,
        clientSecret: secrets.salesforceApp.clientSecret,
        certificatePem: secrets.salesforceApp.jwtPublicKeyPem,
        redirectUris: [`${apiUrl}/oauth/salesforce/callback`],
        rotateRefreshTokens: true,
      },
      onError: (error) => options.onProgress(`salesforce sandbox error: ${String(error)}`),
    });
    stops.push(() => salesforce.stop());
    const orgId = salesforce.control.defaultOrgId;
    salesforce.control.seedDemo(orgId, program, hubspotIds);
    salesforce.control.registerJwtUser({ orgId, username: JWT_USERNAME });

    const config = parseConfig(
      sandboxEnv({ env, secrets, port, redisUrl, dataDir, hubspot, salesforce }),
    );
    mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    const logFile = path.join(dataDir, 'logs', 'server.log');
    const log = createLogger({
      level: config.logLevel,
      destination: pino.destination({ dest: logFile, sync: true, mkdir: true }),
    });
    options.onProgress('starting the server and the workers (migrations first)…');
    const runtime: Runtime = await startRuntime(config, { web: true, worker: true, log });
    stops.push(() => runtime.close());

    options.onProgress('installing the demo portal and linking the demo org…');
    await installHubspotPortal({ apiUrl, portalId });
    await linkSalesforceOrg({
      apiUrl,
      portalId,
      clientSecret: secrets.hubspotApp.clientSecret,
    });
    const installation = await findActiveInstallationByPortal(
      runtime.services.db,
      String(portalId),
    );
    if (installation?.salesforceOrgId !== orgId) {
      throw new Error('the demo org was not linked to the demo portal');
    }
    // Webhooks to our intake, and the first poll of both CRMs: the initial import (identity
    // matching, creation of the missing side) runs in the background through the sync workers.
    hubspot.control.setWebhookTarget({
      targetUrl: `${apiUrl}/hubspot/webhooks`,
      subscriptions: sandboxWebhookSubscriptions,
    });
    await startInitialImport(runtime.services, installation.id);
    const sample = sampleRecords(program, hubspotIds);
    const removeRuntime = writeRuntime(dataDir, {
      apiUrl,
      portalId,
      appId: secrets.hubspotApp.appId,
      installerUserId: installation.hubspotInstallerUserId,
      sample,
    });
    stops.push(async () => removeRuntime());
    options.onProgress(
      'initial import queued (progress: GET /admin/api/installations/<id>/sync/health)',
    );

    return {
      summary: {
        apiUrl,
        adminToken: config.security.adminToken ?? '',
        hubspot: {
          url: hubspot.url,
          portalId,
          appId: secrets.hubspotApp.appId,
          clientSecret: secrets.hubspotApp.clientSecret,
        },
        salesforce: { url: salesforce.url, orgId, jwtUsername: JWT_USERNAME },
        redisUrl,
        database:
          config.database.kind === 'postgres'
            ? 'Postgres (DATABASE_URL)'
            : `PGlite in ${config.database.dir ?? 'memory'}`,
        logFile,
        dataDir,
        installationId: installation.id,
        demoDeals: options.demoDeals,
        sample,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The latest won deal (in both CRMs) that a gold or platinum partner sourced, and that partner's
 * company: a first call shows a commission with its explanation.
 */
function sampleRecords(program: DemoProgram, hubspotIds: DemoSeedResult): SandboxRuntime['sample'] {
  const topTier = new Set(
    program.partners
      .filter((p) => p.targetTier === 'gold' || p.targetTier === 'platinum')
      .map((p) => p.key),
  );
  const candidates = program.deals
    .filter((d) => d.category === 'won' && d.presence === 'both')
    .flatMap((deal) => {
      const sourced = deal.tags.find((t) => t.role === 'sourced' && topTier.has(t.partnerKey));
      const hubspotDealId = hubspotIds.deals.get(deal.key);
      const partnerCompanyId =
        sourced === undefined ? undefined : hubspotIds.companies.get(sourced.partnerKey);
      return hubspotDealId === undefined || partnerCompanyId === undefined
        ? []
        : [{ closeDate: deal.closeDate, hubspotDealId, partnerCompanyId }];
    })
    .sort((a, b) => b.closeDate.localeCompare(a.closeDate));
  const [latest] = candidates;
  return latest === undefined
    ? null
    : { hubspotDealId: latest.hubspotDealId, partnerCompanyId: latest.partnerCompanyId };
}

/** The text `npm start` prints once everything is up. */
export function formatSandboxSummary(summary: SandboxSummary): string {
  const api = summary.apiUrl;
  return [
    '',
    'Partnerbridge is running in sandbox mode (no CRM credentials configured).',
    '',
    `  API                 ${api}`,
    `  API reference       ${api}/docs`,
    `  OpenAPI document    ${api}/openapi.json`,
    `  Health / readiness  ${api}/healthz  ${api}/readyz`,
    `  Metrics             ${api}/metrics`,
    `  Queues dashboard    ${api}/admin/queues  (user: any, password: ADMIN_TOKEN below)`,
    '',
    `  HubSpot sandbox     ${summary.hubspot.url}  (control API: ${summary.hubspot.url}/_control)`,
    `                      demo portal ${summary.hubspot.portalId}: installed, ${summary.demoDeals} demo deals`,
    `  Salesforce sandbox  ${summary.salesforce.url}  (control API: ${summary.salesforce.url}/_control/orgs)`,
    `                      demo org ${summary.salesforce.orgId}: linked to portal ${summary.hubspot.portalId}`,
    '',
    `  Installation        ${summary.installationId}`,
    `  Database            ${summary.database}`,
    `  Redis               ${summary.redisUrl}`,
    `  Server log          ${summary.logFile}`,
    `  Data directory      ${summary.dataDir}  (secrets in sandbox-secrets.json, mode 0600)`,
    '',
    '  Call the API as a card does (signed with the v3 signature, as the installing admin):',
    ...(summary.sample === null
      ? ['    npm run call -- GET /api/v1/me']
      : [
          `    npm run call -- GET /api/v1/deals/${summary.sample.hubspotDealId}`,
          `    npm run call -- GET /api/v1/companies/${summary.sample.partnerCompanyId}/tier-card`,
        ]),
    '    npm run call -- GET /api/v1/sync/health',
    '  (deals answer 404 deal_not_synced until the initial import has brought them in.)',
    '',
    '  To sign requests yourself (v3 signature over PUBLIC_BASE_URL + path + body + timestamp):',
    `    PUBLIC_BASE_URL=${api}`,
    `    HUBSPOT_APP_ID=${summary.hubspot.appId}`,
    `    HUBSPOT_CLIENT_SECRET=${summary.hubspot.clientSecret}`,
    `    portalId=${summary.hubspot.portalId}`,
    `    ADMIN_TOKEN=${summary.adminToken}`,
    '',
    'Press Ctrl+C to stop. Data persists in the data directory; the sandboxes re-seed on start.',
    '',
  ].join('\n');
}
