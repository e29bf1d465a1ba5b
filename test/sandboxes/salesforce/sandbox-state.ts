import { createRng, type Rng } from '../common/rng.ts';
import type { ConnectedApp } from './auth/connected-apps.ts';
import { SessionStore } from './auth/sessions.ts';
import type { ChangeEventFaults } from './cdc/change-event-faults.ts';
import { keyPrefixes, makeId, normalizeId, podFor } from './ids.ts';
import { QueryCursors } from './soql/cursors.ts';
import { Org } from './store/org.ts';

// Everything the sandbox's HTTP handlers share: the orgs, sessions, connected apps, the clock.

export type AuthorizationCode = {
  orgId: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  expiresAt: number;
};

export type SandboxConfig = {
  seed: number;
  clock: () => number;
  /** The org's release: the newest API version served (older ones back to 31.0 too). */
  apiVersion: string;
  dailyApiRequests: number;
  sessionTtlMs: number;
  /** Whether sObject Collections and composite writes carry `client=` into `changeOrigin`. */
  callOptionsOnCollections: boolean;
  /** How long a CometD `/meta/connect` is held open when there is nothing to deliver. */
  longPollMs: number;
};

export type CreateOrgInput = {
  orgId?: string;
  name?: string;
  /** false: a single-currency org without `CurrencyIsoCode`. Default true (USD corporate). */
  multiCurrency?: boolean;
  currencies?: readonly string[];
};

export class SandboxState {
  url = '';
  readonly config: SandboxConfig;
  readonly rng: Rng;
  readonly orgs = new Map<string, Org>();
  readonly sessions: SessionStore;
  readonly apps = new Map<string, ConnectedApp>();
  readonly authCodes = new Map<string, AuthorizationCode>();
  readonly cursors: QueryCursors;
  readonly changeEventFaults: ChangeEventFaults;
  defaultOrgId = '';

  constructor(config: SandboxConfig, changeEventFaults: ChangeEventFaults) {
    this.config = config;
    this.rng = createRng(config.seed);
    this.sessions = new SessionStore(config.clock, config.sessionTtlMs);
    this.cursors = new QueryCursors(config.clock);
    this.changeEventFaults = changeEventFaults;
  }

  now(): number {
    return this.config.clock();
  }

  createOrg(input: CreateOrgInput, currencies: readonly string[]): Org {
    const index = this.orgs.size;
    let orgId = makeId(keyPrefixes.Organization, podFor(index), index + 1);
    if (input.orgId !== undefined) {
      const normalized = normalizeId(input.orgId);
      if (normalized === undefined || !normalized.startsWith(keyPrefixes.Organization)) {
        throw new Error(`orgId must be a 15- or 18-character 00D id: ${input.orgId}`);
      }
      orgId = normalized;
    }
    if (this.orgs.has(orgId)) throw new Error(`org ${orgId} already exists`);
    const org = new Org({
      orgId,
      name: input.name ?? `Sandbox Org ${index + 1}`,
      index,
      now: this.now(),
      dailyApiRequests: this.config.dailyApiRequests,
      currencies: input.multiCurrency === false ? undefined : (input.currencies ?? currencies),
      rng: createRng(this.config.seed + index * 7919),
      changeEventFaults: this.changeEventFaults,
    });
    this.orgs.set(orgId, org);
    if (this.defaultOrgId === '') this.defaultOrgId = orgId;
    return org;
  }

  orgOrThrow(orgId: string): Org {
    const org = this.orgs.get(normalizeId(orgId) ?? orgId);
    if (org === undefined) throw new Error(`unknown org: ${orgId}`);
    return org;
  }

  /** Finds a user by username across all orgs (usernames are global in Salesforce). */
  findUser(username: string): { org: Org; userId: string } | undefined {
    for (const org of this.orgs.values()) {
      const userId = org.findUserByUsername(username);
      if (userId !== undefined) return { org, userId };
    }
    return undefined;
  }

  /** Versions served: 31.0 up to the configured release. */
  supportsVersion(version: string): boolean {
    const match = /^(\d{2})\.0$/.exec(version);
    if (match === null) return false;
    const major = Number(match[1]);
    return major >= 31 && major <= Number.parseInt(this.config.apiVersion, 10);
  }
}
