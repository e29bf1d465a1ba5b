import { parseArgs } from 'node:util';
import { defaultConnectedApp, type SalesforceSandbox, startSalesforceSandbox } from './index.ts';

// Runs the Salesforce sandbox on its own, seeded with the demo program:
//   node test/sandboxes/salesforce/cli.ts [--port 4200] [--deals 3000] [--seed 2026]
//     [--as-of 2026-11-01] [--client-id …] [--client-secret …] [--redirect-uri …]
// and prints where it listens, the connected app and a ready token for the demo org.

export type SalesforceCliOptions = {
  port: number;
  deals: number;
  seed: number;
  asOf: string | undefined;
  app: { clientId: string; clientSecret: string; redirectUris?: string[] } | undefined;
};

export function parseSalesforceCliArgs(argv: readonly string[]): SalesforceCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '4200' },
      deals: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '2026' },
      'as-of': { type: 'string' },
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
            clientId,
            clientSecret,
            ...(values['redirect-uri'] === undefined
              ? {}
              : { redirectUris: values['redirect-uri'] }),
          },
  };
}

/** Starts the sandbox for `npm run sandbox` and returns it with a summary to print. */
export async function startSalesforceSandboxFromCli(
  argv: readonly string[],
): Promise<{ sandbox: SalesforceSandbox; summary: string }> {
  const options = parseSalesforceCliArgs(argv);
  const sandbox = await startSalesforceSandbox({
    port: options.port,
    seed: options.seed,
    demo:
      options.asOf === undefined
        ? { deals: options.deals }
        : { deals: options.deals, asOf: options.asOf },
    ...(options.app === undefined ? {} : { connectedApp: options.app }),
  });
  const orgId = sandbox.control.defaultOrgId;
  const [org] = sandbox.control.listOrgs();
  const token = sandbox.control.issueToken({ orgId });
  const app = options.app ?? defaultConnectedApp;
  const summary = [
    `Salesforce sandbox listening on ${sandbox.url} (login and instance URL)`,
    `  control API: ${sandbox.url}/_control (see docs/sandboxes-salesforce.md)`,
    `  connected app: client id ${app.clientId}, client secret ${app.clientSecret}`,
    `  demo org ${orgId}: ${org?.counts.accounts ?? 0} accounts, ${org?.counts.opportunities ?? 0} opportunities`,
    `  integration user ${org?.usernames.integration ?? ''} (${token.userId})`,
    `  access token (2 h idle): ${token.accessToken}`,
    `  refresh token: ${token.refreshToken}`,
  ].join('\n');
  return { sandbox, summary };
}

if (import.meta.main) {
  const { sandbox, summary } = await startSalesforceSandboxFromCli(process.argv.slice(2));
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
