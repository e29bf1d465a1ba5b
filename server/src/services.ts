import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { HubspotClients } from './hubspot/client-factory.ts';
import type { OauthStates } from './installs/oauth-states.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { QueueSet } from './queue/queue-set.ts';
import type { SalesforceConnections } from './salesforce/connections.ts';
import type { TokenStore } from './security/token-store.ts';

/**
 * The long-lived parts both the web app and the workers use, built once by the composition
 * root (src/main.ts) and passed down explicitly.
 */
export type Services = {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Database;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly tokens: TokenStore;
  readonly oauthStates: OauthStates;
  readonly queues: QueueSet;
  readonly hubspot: HubspotClients;
  /** Undefined when no Salesforce connected app is configured (HubSpot-only deployments). */
  readonly salesforce: SalesforceConnections | undefined;
};
