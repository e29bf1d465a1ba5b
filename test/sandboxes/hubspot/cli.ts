import { parseArgs } from 'node:util';
import { type HubspotSandbox, startHubspotSandbox } from './server.ts';

// Runs the HubSpot sandbox on its own, seeded with the demo program:
//   node test/sandboxes/hubspot/cli.ts [--port 4100] [--deals 3000] [--seed 2026] [--as-of 2026-11-01]
//     [--client-id …] [--client-secret …] [--app-id …] [--redirect-uri …]
// and prints where it listens, the app credentials and a ready access token for the demo portal.

export type HubspotCliOptions = {
  port: number;
  deals: number;
  seed: number;
  asOf: string | undefined;
  app:
    | { appId: number; clientId: string; clientSecret: string; redirectUris?: string[] }
    | undefined;
};

export function parseHubspotCliArgs(argv: readonly string[]): HubspotCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '4100' },
      deals: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '2026' },
      'as-of': { type: 'string' },
      'app-id': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const integer = (name: string, raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
    return value;
  };
  const clientId = values['client-id'];
  const clientSecret = values['client-secret'];
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw new Error('--client-id and --client-secret go together');
  }
  const asOf = values['as-of'];
  return {
    port: integer('port', values.port),
    deals: integer('deals', values.deals),
    seed: integer('seed', values.seed),
    asOf: asOf === undefined ? undefined : `${asOf.slice(0, 10)}T00:00:00.000Z`,
    app:
      clientId === undefined || clientSecret === undefined
        ? undefined
        : {
            appId: integer('app-id', values['app-id'] ?? '3100001'),
            clientId,
            clientSecret,
            ...(values['redirect-uri'] === undefined
              ? {}
              : { redirectUris: values['redirect-uri'] }),
          },
  };
}

/** Starts the sandbox for `npm run sandbox` and returns it with a summary to print. */
export async function startHubspotSandboxFromCli(
  argv: readonly string[],
): Promise<{ sandbox: HubspotSandbox; summary: string }> {
  const options = parseHubspotCliArgs(argv);
  const sandbox = await startHubspotSandbox({
    port: options.port,
    seed: options.seed,
    demo:
      options.asOf === undefined
        ? { deals: options.deals }
        : { deals: options.deals, asOf: options.asOf },
    ...(options.app === undefined ? {} : { app: options.app }),
  });
  const demo = sandbox.demo;
  const token =
    demo === undefined ? undefined : sandbox.control.issueToken({ portalId: demo.portalId });
  const summary = [
    `HubSpot sandbox listening on ${sandbox.url}`,
    `  control API: ${sandbox.url}/_control (see docs/sandboxes-hubspot.md)`,
    `  app: id ${sandbox.control.app.appId}, client id ${sandbox.control.app.clientId}, client secret ${sandbox.control.app.clientSecret}`,
    demo === undefined
      ? '  no demo portal'
      : `  demo portal ${demo.portalId}: ${demo.companies.size} companies, ${demo.deals.size} deals`,
    token === undefined ? '' : `  access token (30 min): ${token.accessToken}`,
    token === undefined ? '' : `  refresh token: ${token.refreshToken}`,
  ]
    .filter((line) => line !== '')
    .join('\n');
  return { sandbox, summary };
}

if (import.meta.main) {
  const { sandbox, summary } = await startHubspotSandboxFromCli(process.argv.slice(2));
  process.stdout.write(`${summary}\n`);
  const shutdown = () => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
