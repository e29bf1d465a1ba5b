import { createFaultInjector } from '../common/faults.ts';
import { listen } from '../common/http-server.ts';
import { createRequestLog } from '../common/request-log.ts';
import { buildApp } from './app.ts';
import {
  type ConnectedAppOptions,
  createConnectedApp,
  defaultConnectedApp,
} from './auth/connected-apps.ts';
import { BayeuxServer } from './cdc/bayeux.ts';
import { createChangeEventFaults } from './cdc/change-event-faults.ts';
import { createControl, type SalesforceSandboxControl } from './control/control.ts';
import { SandboxState } from './sandbox-state.ts';

// The Salesforce sandbox: a local HTTP emulator of the Salesforce REST API, OAuth, Tooling and
// CometD change events, faithful enough for the real jsforce. See docs/sandboxes-salesforce.md.

export type SalesforceSandboxOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Seeds ids, replay ids, fault dice and the demo program. Default 2026. */
  seed?: number;
  /** The sandbox's notion of now (sessions, timestamps, date literals, limits, retention). */
  clock?: () => number;
  /** The org release: newest API version served; 31.0 up to it are accepted. Default '62.0'. */
  apiVersion?: string;
  /** The connected app; a default test app (`defaultConnectedApp`) when omitted. */
  connectedApp?: ConnectedAppOptions;
  /** The default org's demo program; false for a bare org. Default `{}` (3,000 deals). */
  demo?: false | { deals?: number; asOf?: string };
  limits?: {
    /** Rolling 24-hour API request allocation per org. Default 100,000. */
    dailyApiRequests?: number;
  };
  /** Session inactivity timeout. Default 7,200 seconds. */
  sessionTtlSeconds?: number;
  /** Whether sObject Collections / composite writes carry `client=` into changeOrigin. Default false. */
  callOptionsOnCollections?: boolean;
  streaming?: {
    /** How long `/meta/connect` is held when idle (and the `timeout` advice). Default 110,000 ms. */
    longPollMs?: number;
  };
  /** Called with unexpected errors inside the sandbox. Default: printed to stderr. */
  onError?: (error: unknown) => void;
};

export type SalesforceSandbox = {
  /** Login URL and instance URL at once, e.g. `http://127.0.0.1:53123`. */
  url: string;
  control: SalesforceSandboxControl;
  stop(): Promise<void>;
};

export async function startSalesforceSandbox(
  options: SalesforceSandboxOptions = {},
): Promise<SalesforceSandbox> {
  const seed = options.seed ?? 2026;
  const apiVersion = options.apiVersion ?? '62.0';
  if (!/^\d{2}\.0$/.test(apiVersion))
    throw new Error(`apiVersion must look like 62.0: ${apiVersion}`);
  const state = new SandboxState(
    {
      seed,
      clock: options.clock ?? Date.now,
      apiVersion,
      dailyApiRequests: options.limits?.dailyApiRequests ?? 100_000,
      sessionTtlMs: (options.sessionTtlSeconds ?? 7_200) * 1_000,
      callOptionsOnCollections: options.callOptionsOnCollections ?? false,
      longPollMs: options.streaming?.longPollMs ?? 110_000,
    },
    createChangeEventFaults(seed),
  );
  const appOptions = options.connectedApp ?? defaultConnectedApp;
  state.apps.set(appOptions.clientId, await createConnectedApp(appOptions));
  const faults = createFaultInjector({ seed, exempt: /^\/(_control|services\/oauth2)(\/|$)/ });
  const requestLog = createRequestLog();
  const control = createControl({ state, faults, requestLog }, appOptions.clientId);
  const bayeux = new BayeuxServer(state);
  const onError =
    options.onError ??
    ((error: unknown) => {
      process.stderr.write(
        `salesforce sandbox: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    });
  const server = await listen(
    buildApp({ state, control, faults, requestLog, bayeux, onError }),
    options.port ?? 0,
  );
  state.url = server.url;
  const org = control.createOrg({
    name: 'Partnerbridge Demo',
    demo: options.demo === false ? false : (options.demo ?? {}),
  });
  control.setClientCredentialsUser({ orgId: org.orgId });
  return {
    url: server.url,
    control,
    async stop() {
      bayeux.close();
      await server.close();
    },
  };
}

export type { ConnectedAppOptions } from './auth/connected-apps.ts';
export { defaultConnectedApp } from './auth/connected-apps.ts';
export type { ChangeEventFaultPlan } from './cdc/change-event-faults.ts';
export type { ChangeEvent, ChangeEventHeader } from './cdc/change-event-log.ts';
export type {
  CreateOrgOptions,
  DemoOptions,
  IssuedToken,
  LockInput,
  OrgSummary,
  RequestCounts,
  SalesforceSandboxControl,
  ValidationRuleInput,
} from './control/control.ts';
export type { HubspotIdMaps, SeededIds } from './demo/seed-demo.ts';
export { idChecksum, normalizeId } from './ids.ts';
export type { WriteLogEntry } from './store/org.ts';
