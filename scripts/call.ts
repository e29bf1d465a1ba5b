import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readRuntime, readSecrets } from './lib/local-state.ts';
import { signedHubspotFetch } from './lib/signed-fetch.ts';

// `npm run call -- [METHOD] <path> [json body]`: calls the API of the running `npm start`
// (sandbox mode) the way a HubSpot card does — HubSpot's query parameters added, the request
// signed with the v3 signature — so a newcomer can read real computed data without a HubSpot
// account. Reads the API URL and portal from <DATA_DIR>/sandbox-runtime.json and the app secret
// from <DATA_DIR>/sandbox-secrets.json (both written by `npm start`).

const usage = `usage: npm run call -- [--user <HubSpot user id>] [METHOD] <path> [json body]
  npm run call -- GET /api/v1/deals/<HubSpot deal id>
  npm run call -- GET '/api/v1/partners?q=north'
  npm run call -- POST /api/v1/deals/<id>/tags '{"idempotencyKey":"try-1","partnerId":"<id from /api/v1/partners>","role":"influenced","motion":"referral"}'
  --user  call as another HubSpot user (default: the user who installed the app, an admin)`;

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(root, process.env.DATA_DIR ?? '.data');

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { user: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help === true || positionals.length === 0) fail(usage);

const [first = '', ...rest] = positionals;
const method = methods.has(first.toUpperCase()) ? first.toUpperCase() : 'GET';
const [target, bodyText] = methods.has(first.toUpperCase()) ? rest : [first, ...rest];
if (target === undefined || !target.startsWith('/')) {
  fail(
    `expected [METHOD] <path>: "${first}" is neither a method (${[...methods].join(', ')}) nor a path starting with /\n${usage}`,
  );
}
if (bodyText !== undefined) {
  try {
    JSON.parse(bodyText);
  } catch {
    fail(`the body is not JSON: ${bodyText}`);
  }
}

const runtime = readRuntime(dataDir);
const secrets = readSecrets(dataDir);
if (runtime === undefined || secrets === undefined) {
  fail(`no sandbox mode is running from ${dataDir}: start it with \`npm start\` first.`);
}

// What hubspot.fetch sends: the caller's path and query, then HubSpot's own parameters.
const [pathname = '', query] = target.split('?', 2);
const params = new URLSearchParams(query);
const userId = values.user ?? runtime.installerUserId;
if (userId !== null) params.set('userId', userId);
params.set('appId', runtime.appId);
params.set('portalId', String(runtime.portalId));
const signedPath = `${pathname}?${params.toString()}`;

let response: Response;
try {
  response = await signedHubspotFetch({
    apiUrl: runtime.apiUrl,
    path: signedPath,
    method,
    ...(bodyText === undefined ? {} : { body: bodyText }),
    clientSecret: secrets.hubspotApp.clientSecret,
  });
} catch (error) {
  fail(`${runtime.apiUrl} did not answer (${String(error)}): is \`npm start\` still running?`);
}
const text = await response.text();
process.stderr.write(`${method} ${pathname} → ${response.status}\n`);
let printed = text;
try {
  printed = JSON.stringify(JSON.parse(text), null, 2);
} catch {
  // not JSON (a CSV export): printed as it came
}
process.stdout.write(`${printed}\n`);
process.exit(response.ok ? 0 : 1);
