import type { FaultInjector } from '../../common/faults.ts';
import type { RequestLog } from '../../common/request-log.ts';
import { type DemoProgram, generateDemoProgram } from '../../seed/demo-program.ts';
import { renderRecord } from '../api/sobjects.ts';
import type { ConnectedAppOptions } from '../auth/connected-apps.ts';
import { createConnectedApp, importVerificationKey } from '../auth/connected-apps.ts';
import { issueAuthorizationCode, tokenResponse } from '../auth/oauth-routes.ts';
import type { ChangeEventFaultPlan } from '../cdc/change-event-faults.ts';
import type { ChangeEvent } from '../cdc/change-event-log.ts';
import { type HubspotIdMaps, type SeededIds, seedDemo } from '../demo/seed-demo.ts';
import {
  type DmlSession,
  type InputFields,
  idForObjectOrThrow,
  objectOrThrow,
  transact,
} from '../dml/dml.ts';
import { normalizeId } from '../ids.ts';
import type { SandboxState } from '../sandbox-state.ts';
import { defaultCurrencies } from '../schema/standard-objects.ts';
import type { LockEntry, Org, ValidationRule, WriteLogEntry } from '../store/org.ts';

// The control surface tests and the demo use: tenants, tokens, budgets, faults, scripted locks and
// validation rules, edits made "as a user in the CRM UI", and reads that are not API calls.

export type DemoOptions = {
  deals?: number | undefined;
  asOf?: string | undefined;
  seed?: number | undefined;
  /** HubSpot ids for linked companies and `both` deals (keys: demo keys). */
  hubspotIds?:
    | { companies?: Record<string, string> | undefined; deals?: Record<string, string> | undefined }
    | undefined;
};

export type CreateOrgOptions = {
  orgId?: string;
  name?: string;
  /** Seed the demo program (with Partnerbridge's fields provisioned); a bare org when omitted. */
  demo?: false | DemoOptions;
  /** Default true: a multi-currency org (USD corporate currency). */
  multiCurrency?: boolean;
};

export type OrgSummary = {
  orgId: string;
  name: string;
  users: { integration: string; admin: string; salesRep: string };
  usernames: { integration: string; admin: string; salesRep: string };
  counts: { accounts: number; opportunities: number };
};

export type IssuedToken = {
  accessToken: string;
  refreshToken: string;
  instanceUrl: string;
  userId: string;
  orgId: string;
  /** The identity URL (`<url>/id/<orgId>/<userId>`). */
  id: string;
};

export type RequestCounts = {
  /** `{ 'GET /services/data/v62.0/query': 3, … }` */
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  total: number;
};

export type LockInput = {
  orgId: string;
  /** Records whose writes fail. */
  ids?: string[];
  /** An account: writes to it and to its opportunities fail. */
  accountId?: string;
  /** How many record writes fail before the lock clears. */
  times: number;
};

export type ValidationRuleInput = ValidationRule & { orgId: string };

export type UserEditOptions = { userId?: string };

export type SalesforceSandboxControl = {
  readonly defaultOrgId: string;
  createOrg(options?: CreateOrgOptions): OrgSummary;
  listOrgs(): OrgSummary[];
  /** Registers another connected app (the default or configured one is always there). */
  registerConnectedApp(app: ConnectedAppOptions): Promise<void>;
  /** Mints tokens as if the user had completed OAuth (the default app unless `clientId`). */
  issueToken(input: { orgId: string; userId?: string; clientId?: string }): IssuedToken;
  /** An authorization code for `POST /services/oauth2/token` (grant authorization_code). */
  authorize(input: {
    orgId: string;
    redirectUri: string;
    userId?: string;
    clientId?: string;
  }): string;
  /** Adds a certificate (or SPKI public key) PEM that verifies JWT bearer assertions. */
  registerJwtCertificate(input: { certificatePem: string; clientId?: string }): Promise<void>;
  /** Pre-authorises a user for the JWT bearer flow; creates the user when the username is new. */
  registerJwtUser(input: {
    orgId: string;
    username?: string;
    userId?: string;
    clientId?: string;
  }): {
    userId: string;
    username: string;
  };
  /** Sets the run-as user of the client credentials flow. */
  setClientCredentialsUser(input: { orgId: string; userId?: string; clientId?: string }): void;
  /** Ends sessions so the next call answers INVALID_SESSION_ID; returns how many. */
  expireSessions(input?: { orgId?: string }): number;
  requests(): RequestCounts;
  resetRequests(): void;
  apiUsage(orgId: string): { used: number; limit: number };
  setDailyApiLimit(input: { orgId?: string; dailyApiRequests: number }): void;
  setApiUsage(input: { orgId: string; used: number }): void;
  readonly faults: FaultInjector;
  readonly changeEventFaults: {
    set(plan: ChangeEventFaultPlan): void;
    clear(): void;
    injected(): Record<string, number>;
  };
  /** Change events retained for an org (72 hours), oldest first. */
  changeEvents(orgId: string): ChangeEvent[];
  lockRecords(input: LockInput): void;
  clearLocks(orgId: string): void;
  addValidationRule(input: ValidationRuleInput): void;
  removeValidationRule(input: { orgId: string; name: string }): void;
  userCreate(
    orgId: string,
    sobject: string,
    fields: InputFields,
    options?: UserEditOptions,
  ): string;
  userUpdate(
    orgId: string,
    sobject: string,
    id: string,
    fields: InputFields,
    options?: UserEditOptions,
  ): void;
  userDelete(orgId: string, sobject: string, id: string, options?: UserEditOptions): void;
  userUndelete(orgId: string, sobject: string, id: string, options?: UserEditOptions): void;
  /** A record as the REST API renders it (recycle-bin records included); not an API call. */
  getRecord(orgId: string, sobject: string, id: string): Record<string, unknown> | undefined;
  listRecords(
    orgId: string,
    sobject: string,
    options?: { includeDeleted?: boolean },
  ): Record<string, unknown>[];
  seedDemo(orgId: string, program: DemoProgram, hubspotIds: HubspotIdMaps): SeededIds;
  /** Every write with its source and `Sforce-Call-Options` client. */
  writeLog(orgId: string): WriteLogEntry[];
};

export type ControlDeps = {
  state: SandboxState;
  faults: FaultInjector;
  requestLog: RequestLog;
};

export function summarize(org: Org): OrgSummary {
  const username = (id: string) => String(org.store.get(id)?.values.Username ?? '');
  return {
    orgId: org.id,
    name: org.name,
    users: { ...org.users },
    usernames: {
      integration: username(org.users.integration),
      admin: username(org.users.admin),
      salesRep: username(org.users.salesRep),
    },
    counts: {
      accounts: org.store.count('Account'),
      opportunities: org.store.count('Opportunity'),
    },
  };
}

function toMap(record: Record<string, string> | undefined): Map<string, string> {
  return new Map(Object.entries(record ?? {}));
}

export function createControl(
  deps: ControlDeps,
  defaultClientId: string,
): SalesforceSandboxControl {
  const { state } = deps;
  const appOrThrow = (clientId: string | undefined) => {
    const app = state.apps.get(clientId ?? defaultClientId);
    if (app === undefined) throw new Error(`unknown connected app: ${clientId}`);
    return app;
  };
  const userOrThrow = (org: Org, userId: string | undefined) => {
    const id = userId === undefined ? org.users.integration : normalizeId(userId);
    if (id === undefined || !org.userExists(id))
      throw new Error(`unknown user ${userId} in ${org.id}`);
    return id;
  };
  const userEdit = <T>(
    orgId: string,
    options: UserEditOptions | undefined,
    work: (org: Org, session: DmlSession) => T,
  ): T => {
    const org = state.orgOrThrow(orgId);
    const userId = userOrThrow(org, options?.userId ?? org.users.admin);
    return transact({ org, userId, now: state.now(), source: { kind: 'ui' } }, (session) =>
      work(org, session),
    );
  };

  const control: SalesforceSandboxControl = {
    get defaultOrgId() {
      return state.defaultOrgId;
    },
    createOrg(options = {}) {
      const org = state.createOrg(
        {
          ...(options.orgId === undefined ? {} : { orgId: options.orgId }),
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.multiCurrency === undefined ? {} : { multiCurrency: options.multiCurrency }),
        },
        defaultCurrencies,
      );
      if (options.demo !== undefined && options.demo !== false) {
        const demo = options.demo;
        const program = generateDemoProgram({
          asOf: demo.asOf ?? new Date(state.now()).toISOString(),
          ...(demo.deals === undefined ? {} : { deals: demo.deals }),
          seed: demo.seed ?? state.config.seed,
        });
        seedDemo(
          org,
          program,
          {
            companies: toMap(demo.hubspotIds?.companies),
            deals: toMap(demo.hubspotIds?.deals),
          },
          state.now(),
        );
      }
      return summarize(org);
    },
    listOrgs: () => [...state.orgs.values()].map(summarize),
    async registerConnectedApp(app) {
      state.apps.set(app.clientId, await createConnectedApp(app));
    },
    issueToken(input) {
      const org = state.orgOrThrow(input.orgId);
      const app = appOrThrow(input.clientId);
      const userId = userOrThrow(org, input.userId);
      const refresh = state.sessions.issueRefreshToken({
        orgId: org.id,
        userId,
        clientId: app.clientId,
      });
      const session = state.sessions.issue({
        orgId: org.id,
        userId,
        clientId: app.clientId,
        refreshToken: refresh.token,
      });
      const response = tokenResponse(state, app, session, refresh.token);
      return {
        accessToken: session.accessToken,
        refreshToken: refresh.token,
        instanceUrl: state.url,
        userId,
        orgId: org.id,
        id: response.id,
      };
    },
    authorize(input) {
      const org = state.orgOrThrow(input.orgId);
      const app = appOrThrow(input.clientId);
      return issueAuthorizationCode(state, {
        orgId: org.id,
        userId: userOrThrow(org, input.userId),
        clientId: app.clientId,
        redirectUri: input.redirectUri,
      });
    },
    async registerJwtCertificate(input) {
      appOrThrow(input.clientId).jwtKeys.push(await importVerificationKey(input.certificatePem));
    },
    registerJwtUser(input) {
      const org = state.orgOrThrow(input.orgId);
      const app = appOrThrow(input.clientId);
      let userId: string;
      if (input.userId !== undefined) {
        userId = userOrThrow(org, input.userId);
      } else if (input.username !== undefined) {
        const existing = state.findUser(input.username);
        if (existing !== undefined && existing.org.id !== org.id) {
          throw new Error(`username ${input.username} belongs to another org`);
        }
        userId =
          existing?.userId ??
          org.addUser('JWT', 'Integration', input.username, state.now(), org.users.admin);
      } else {
        userId = org.users.integration;
      }
      app.jwtUsers.add(userId);
      return { userId, username: String(org.store.get(userId)?.values.Username) };
    },
    setClientCredentialsUser(input) {
      const org = state.orgOrThrow(input.orgId);
      appOrThrow(input.clientId).clientCredentialsUser = {
        orgId: org.id,
        userId: userOrThrow(org, input.userId),
      };
    },
    expireSessions: (input = {}) =>
      state.sessions.expireAll(
        input.orgId === undefined ? undefined : state.orgOrThrow(input.orgId).id,
      ),
    requests: () => ({
      byEndpoint: deps.requestLog.counts(),
      byStatus: deps.requestLog.statuses(),
      total: deps.requestLog.total(),
    }),
    resetRequests: () => deps.requestLog.reset(),
    apiUsage(orgId) {
      const org = state.orgOrThrow(orgId);
      return { used: org.apiUsage.used(state.now()), limit: org.apiUsage.limit };
    },
    setDailyApiLimit(input) {
      const orgs =
        input.orgId === undefined ? [...state.orgs.values()] : [state.orgOrThrow(input.orgId)];
      for (const org of orgs) org.apiUsage.limit = input.dailyApiRequests;
      if (input.orgId === undefined) state.config.dailyApiRequests = input.dailyApiRequests;
    },
    setApiUsage(input) {
      state.orgOrThrow(input.orgId).apiUsage.setUsed(state.now(), input.used);
    },
    faults: deps.faults,
    changeEventFaults: {
      set: (plan) => state.changeEventFaults.set(plan),
      clear: () => state.changeEventFaults.clear(),
      injected: () => state.changeEventFaults.injected(),
    },
    changeEvents: (orgId) => state.orgOrThrow(orgId).changeEvents.retained(state.now()),
    lockRecords(input) {
      const org = state.orgOrThrow(input.orgId);
      const entry: LockEntry = {
        ids: new Set((input.ids ?? []).map((id) => normalizeId(id) ?? id)),
        accountId: input.accountId === undefined ? null : (normalizeId(input.accountId) ?? null),
        remaining: input.times,
      };
      org.locks.push(entry);
    },
    clearLocks(orgId) {
      state.orgOrThrow(orgId).locks.length = 0;
    },
    addValidationRule(input) {
      const { orgId, ...rule } = input;
      const org = state.orgOrThrow(orgId);
      const object = objectOrThrow(org, rule.sobject);
      if (!org.hasField(object.name, rule.when.field)) {
        throw new Error(`unknown field ${rule.when.field} on ${object.name}`);
      }
      org.validationRules.push({ ...rule, sobject: object.name });
    },
    removeValidationRule(input) {
      const org = state.orgOrThrow(input.orgId);
      const index = org.validationRules.findIndex((r) => r.name === input.name);
      if (index >= 0) org.validationRules.splice(index, 1);
    },
    userCreate: (orgId, sobject, fields, options) =>
      userEdit(orgId, options, (org, session) =>
        session.create(objectOrThrow(org, sobject), fields),
      ),
    userUpdate: (orgId, sobject, id, fields, options) =>
      userEdit(orgId, options, (org, session) => {
        const object = objectOrThrow(org, sobject);
        session.update(object, idForObjectOrThrow(object, id), fields);
      }),
    userDelete: (orgId, sobject, id, options) =>
      userEdit(orgId, options, (org, session) => {
        const object = objectOrThrow(org, sobject);
        session.delete(object, idForObjectOrThrow(object, id));
      }),
    userUndelete: (orgId, sobject, id, options) =>
      userEdit(orgId, options, (org, session) => {
        const object = objectOrThrow(org, sobject);
        session.undelete(object, idForObjectOrThrow(object, id));
      }),
    getRecord(orgId, sobject, id) {
      const org = state.orgOrThrow(orgId);
      const object = objectOrThrow(org, sobject);
      const normalized = normalizeId(id);
      const record = normalized === undefined ? undefined : org.store.get(normalized);
      if (record === undefined || record.sobject !== object.name) return undefined;
      return renderRecord(`/services/data/v${state.config.apiVersion}`, object, record);
    },
    listRecords(orgId, sobject, options = {}) {
      const org = state.orgOrThrow(orgId);
      const object = objectOrThrow(org, sobject);
      return org.store
        .list(object.name, options.includeDeleted === true)
        .map((record) =>
          renderRecord(`/services/data/v${state.config.apiVersion}`, object, record),
        );
    },
    seedDemo: (orgId, program, hubspotIds) =>
      seedDemo(state.orgOrThrow(orgId), program, hubspotIds, state.now()),
    writeLog: (orgId) => [...state.orgOrThrow(orgId).writeLog],
  };
  return control;
}
