import { parseArgs } from 'node:util';
import { startHubspotSandbox } from './hubspot/index.ts';
import { startSalesforceSandbox } from './salesforce/index.ts';
import { generateDemoProgram } from './seed/demo-program.ts';

// `npm run sandbox`: both CRM sandboxes seeded with the same demo program (the Salesforce org
// carries the HubSpot ids of the records it shares), printed as env lines one per line:
//   HUBSPOT_SANDBOX_URL=…  SALESFORCE_SANDBOX_URL=…  HUBSPOT_SANDBOX_TOKEN=…  SALESFORCE_SANDBOX_TOKEN=…
// Options: --hubspot-port 4100 --salesforce-port 4200 --deals 3000 --seed 2026 --as-of YYYY-MM-DD

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    'hubspot-port': { type: 'string', default: '4100' },
    'salesforce-port': { type: 'string', default: '4200' },
    deals: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '2026' },
    'as-of': { type: 'string' },
  },
  strict: true,
});

function wholeNumber(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`--${name} must be a whole number, got ${raw}\n`);
    process.exit(2);
  }
  return value;
}

const seed = wholeNumber('seed', values.seed);
const asOfArg = values['as-of'];
const asOf =
  asOfArg === undefined ? new Date().toISOString() : `${asOfArg.slice(0, 10)}T00:00:00.000Z`;
const program = generateDemoProgram({ deals: wholeNumber('deals', values.deals), seed, asOf });

const hubspot = await startHubspotSandbox({
  port: wholeNumber('hubspot-port', values['hubspot-port']),
  seed,
});
const salesforce = await startSalesforceSandbox({
  port: wholeNumber('salesforce-port', values['salesforce-port']),
  seed,
  demo: false,
});

const portalId = hubspot.control.createPortal({ name: 'Partnerbridge demo portal' });
const hubspotIds = hubspot.control.seedDemo(portalId, program);
const orgId = salesforce.control.defaultOrgId;
salesforce.control.seedDemo(orgId, program, hubspotIds);

const hubspotToken = hubspot.control.issueToken({ portalId });
const salesforceToken = salesforce.control.issueToken({ orgId });

process.stdout.write(
  [
    `HUBSPOT_SANDBOX_URL=${hubspot.url}`,
    `SALESFORCE_SANDBOX_URL=${salesforce.url}`,
    `HUBSPOT_SANDBOX_TOKEN=${hubspotToken.accessToken}`,
    `SALESFORCE_SANDBOX_TOKEN=${salesforceToken.accessToken}`,
    `HUBSPOT_SANDBOX_PORTAL_ID=${portalId}`,
    `SALESFORCE_SANDBOX_ORG_ID=${orgId}`,
    '',
  ].join('\n'),
);
process.stderr.write(
  `Seeded ${program.partners.length} partners, ${program.customers.length} customers and ${program.deals.length} deals (as of ${program.asOf}). Control APIs at /_control on each; see docs/sandboxes-*.md. Ctrl-C to stop.\n`,
);

const shutdown = () => {
  Promise.all([hubspot.stop(), salesforce.stop()]).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
