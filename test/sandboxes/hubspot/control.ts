import type { FaultInjector } from '../common/faults.ts';
import type { RequestLog } from '../common/request-log.ts';
import { type DemoProgram, generateDemoProgram } from '../seed/demo-program.ts';
import { COMPANY_TO_DEAL, DEAL_TO_COMPANY, DEAL_TO_COMPANY_PRIMARY } from './association-store.ts';
import { type AuthRegistry, defaultScopes } from './auth.ts';
import type { CrmStore, Portal, PortalLimits, StoredRecord, WriteOptions } from './crm-store.ts';
import { type DemoSeedResult, installPartnerbridgeSchema, seedDemoProgram } from './demo-seed.ts';
import { objectNotFound, resourceNotFound, validationError } from './errors.ts';
import { propertyValuesMessage } from './object-inputs.ts';
import { type ObjectTypeName, otherObjectType, resolveObjectType } from './object-types.ts';
import { type PublicObject, toPublicObject } from './object-views.ts';
import type { RateLimiter, RateLimitPolicy } from './rate-limit.ts';
import type {
  DeliveryRecord,
  WebhookDispatcher,
  WebhookFaultsInput,
  WebhookStats,
  WebhookSubscriptionInput,
  WebhookTargetInput,
} from './webhooks.ts';

// The control handle: what tests and the demo use to set the sandbox up and to act as a user in
// HubSpot's UI. Nothing here counts as an API call; user actions produce CRM_UI changes.

export type ObjectTypeInput = ObjectTypeName | 'deals' | 'companies' | '0-3' | '0-2';

export type DemoOptions = { deals?: number; seed?: number; asOf?: string };

export type IssuedTokenInfo = { accessToken: string; refreshToken: string; expiresAt: number };

export type RequestStats = {
  /** Requests by endpoint (`METHOD /route/pattern`), control calls excluded. */
  counts: Record<string, number>;
  /** Responses by status code (`dropped` for connections the sandbox cut). */
  statuses: Record<string, number>;
  total: number;
  /** 429s answered by the rate limiter, by policy (injected faults are not included). */
  rateLimited: Record<RateLimitPolicy, number>;
  /** Injected faults by kind. */
  faults: Record<string, number>;
};

export type UserActionOptions = {
  /** The acting user; defaults to the portal's admin user. */
  userId?: number;
};

export type AssociationInput = {
  fromObjectType: ObjectTypeInput;
  fromId: string;
  toId: string;
  /** Type ids as seen from `fromObjectType`; default: the unlabeled type. */
  associationTypeIds?: number[];
  /** Alternatively, a label (e.g. "Sourced partner") or "primary". */
  label?: string;
};

export type AssociationView = {
  toObjectId: string;
  associationTypes: { category: string; typeId: number; label?: string }[];
};

export type HubspotSandboxControl = {
  readonly app: { appId: number; clientId: string; clientSecret: string };
  createPortal(input?: { portalId?: number; name?: string; demo?: boolean | DemoOptions }): number;
  portals(): { portalId: number; name: string; installed: boolean }[];
  issueToken(input: {
    portalId: number;
    scopes?: readonly string[];
    expiresInSeconds?: number;
  }): IssuedTokenInfo;
  authorize(input: { portalId: number; redirectUri: string; scopes: readonly string[] }): string;
  requests(): RequestStats;
  resetRequests(): void;
  setRateLimits(portalId: number, limits: Partial<PortalLimits>): PortalLimits;
  rateLimitUsage(portalId: number): ReturnType<RateLimiter['usage']>;
  faults: Pick<FaultInjector, 'set' | 'clear' | 'current' | 'injected'>;
  setWebhookTarget(input: WebhookTargetInput): (WebhookSubscriptionInput & { id: number })[];
  clearWebhookTarget(): void;
  setWebhookFaults(input: WebhookFaultsInput): void;
  clearWebhookFaults(): void;
  flushWebhooks(): Promise<void>;
  webhookStats(): WebhookStats;
  webhookDeliveries(): DeliveryRecord[];
  userCreate(
    portalId: number,
    objectType: ObjectTypeInput,
    properties: Record<string, string>,
    options?: UserActionOptions,
  ): PublicObject;
  userEdit(
    portalId: number,
    objectType: ObjectTypeInput,
    id: string,
    properties: Record<string, string>,
    options?: UserActionOptions,
  ): PublicObject;
  userArchive(
    portalId: number,
    objectType: ObjectTypeInput,
    id: string,
    options?: UserActionOptions,
  ): void;
  userMerge(
    portalId: number,
    objectType: ObjectTypeInput,
    primaryId: string,
    mergedId: string,
    options?: UserActionOptions,
  ): PublicObject;
  userAssociate(portalId: number, input: AssociationInput, options?: UserActionOptions): void;
  userDisassociate(portalId: number, input: AssociationInput, options?: UserActionOptions): void;
  getRecord(
    portalId: number,
    objectType: ObjectTypeInput,
    id: string,
    options?: { archived?: boolean; withHistory?: boolean },
  ): PublicObject | undefined;
  listRecords(
    portalId: number,
    objectType: ObjectTypeInput,
    options?: { archived?: boolean },
  ): PublicObject[];
  associations(portalId: number, objectType: ObjectTypeInput, id: string): AssociationView[];
  installPartnerbridge(portalId: number): void;
  seedDemo(portalId: number, program: DemoProgram): DemoSeedResult;
  /** The sandbox clock, in ms. */
  now(): number;
};

export function createControl(deps: {
  store: CrmStore;
  auth: AuthRegistry;
  limiter: RateLimiter;
  requestLog: RequestLog;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  seed: number;
}): HubspotSandboxControl {
  const { store, auth, limiter, requestLog, faults, webhooks } = deps;

  const portalOrThrow = (portalId: number): Portal => {
    const portal = store.portal(portalId);
    if (portal === undefined) throw resourceNotFound(`Portal ${portalId} does not exist`);
    return portal;
  };
  const typeOrThrow = (objectType: string): ObjectTypeName => {
    const type = resolveObjectType(objectType);
    if (type === undefined)
      throw validationError(`Unable to infer object type from: ${objectType}`);
    return type;
  };
  const recordOrThrow = (portal: Portal, type: ObjectTypeName, id: string): StoredRecord => {
    const record = store.record(portal, type, id);
    if (record === undefined) throw objectNotFound(id);
    return record;
  };
  const userWrite = (portal: Portal, options: UserActionOptions | undefined): WriteOptions => {
    const userId = options?.userId ?? portal.defaultUserId;
    return { source: { changeSource: 'CRM_UI', sourceId: `userId:${userId}`, userId } };
  };
  const validated = (portal: Portal, type: ObjectTypeName, properties: Record<string, string>) => {
    const result = store.validate(portal, type, properties);
    if (result.errors.length > 0) throw validationError(propertyValuesMessage(result.errors));
    return result.values;
  };
  const fullView = (portal: Portal, record: StoredRecord, withHistory = false): PublicObject => {
    const names = [...portal.properties[record.type].keys()];
    return toPublicObject(
      store,
      portal,
      record,
      { properties: names, propertiesWithHistory: withHistory ? names : undefined },
      names.filter((name) => record.values.has(name)),
    );
  };
  const associationTypeIds = (
    portal: Portal,
    type: ObjectTypeName,
    input: AssociationInput,
  ): number[] => {
    if (input.label === undefined) {
      return input.associationTypeIds ?? [type === 'deal' ? DEAL_TO_COMPANY : COMPANY_TO_DEAL];
    }
    const label = input.label;
    const definition = portal.associations.definitions.find((candidate) =>
      label === 'primary'
        ? candidate.category === 'HUBSPOT_DEFINED' &&
          candidate.dealToCompany === DEAL_TO_COMPANY_PRIMARY
        : candidate.label === label || candidate.inverseLabel === label || candidate.name === label,
    );
    if (definition === undefined) throw validationError(`No association label "${label}"`);
    return [portal.associations.side(type, definition).typeId];
  };
  const seedDefault = (portal: Portal, demo: true | DemoOptions) => {
    const options = demo === true ? {} : demo;
    const program = generateDemoProgram({
      deals: options.deals ?? 3000,
      seed: options.seed ?? deps.seed,
      asOf: options.asOf ?? `${new Date(store.now()).toISOString().slice(0, 10)}T00:00:00.000Z`,
    });
    return seedDemoProgram(store, portal, program);
  };

  return {
    app: {
      appId: auth.app.appId,
      clientId: auth.app.clientId,
      clientSecret: auth.app.clientSecret,
    },
    createPortal(input = {}) {
      const portal = store.createPortal({ portalId: input.portalId, name: input.name });
      if (input.demo !== undefined && input.demo !== false) seedDefault(portal, input.demo);
      return portal.id;
    },
    portals: () =>
      store.listPortals().map((portal) => ({
        portalId: portal.id,
        name: portal.name,
        installed: auth.isInstalled(portal.id),
      })),
    issueToken(input) {
      const portal = portalOrThrow(input.portalId);
      const tokens = auth.issue({
        portalId: portal.id,
        userId: portal.defaultUserId,
        scopes: input.scopes ?? defaultScopes,
        expiresInSeconds: input.expiresInSeconds,
      });
      return {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: tokens.expiresAt,
      };
    },
    authorize(input) {
      const portal = portalOrThrow(input.portalId);
      return auth.authorize({
        portalId: portal.id,
        userId: portal.defaultUserId,
        redirectUri: input.redirectUri,
        scopes: input.scopes,
      });
    },
    requests: () => ({
      counts: requestLog.counts(),
      statuses: requestLog.statuses(),
      total: requestLog.total(),
      rateLimited: limiter.rejections(),
      faults: faults.injected(),
    }),
    resetRequests() {
      requestLog.reset();
      limiter.resetCounters();
    },
    setRateLimits(portalId, limits) {
      const portal = portalOrThrow(portalId);
      portal.limits = { ...portal.limits, ...limits };
      return { ...portal.limits };
    },
    rateLimitUsage(portalId) {
      const portal = portalOrThrow(portalId);
      return limiter.usage(auth.app.appId, portal.id, portal.limits);
    },
    faults: {
      set: (plan) => faults.set(plan),
      clear: () => faults.clear(),
      current: () => faults.current(),
      injected: () => faults.injected(),
    },
    setWebhookTarget: (input) => webhooks.setTarget(input),
    clearWebhookTarget: () => webhooks.clearTarget(),
    setWebhookFaults: (input) => webhooks.setFaults(input),
    clearWebhookFaults: () => webhooks.clearFaults(),
    flushWebhooks: () => webhooks.flush(),
    webhookStats: () => webhooks.stats(),
    webhookDeliveries: () => webhooks.deliveries(),
    userCreate(portalId, objectType, properties, options) {
      const portal = portalOrThrow(portalId);
      const type = typeOrThrow(objectType);
      const values = validated(portal, type, properties);
      store.assertNoUniqueConflict(portal, type, values);
      return fullView(portal, store.create(portal, type, values, userWrite(portal, options)));
    },
    userEdit(portalId, objectType, id, properties, options) {
      const portal = portalOrThrow(portalId);
      const type = typeOrThrow(objectType);
      const record = recordOrThrow(portal, type, id);
      const values = validated(portal, type, properties);
      store.assertNoUniqueConflict(portal, type, values, record.id);
      store.update(portal, record, values, userWrite(portal, options));
      return fullView(portal, record);
    },
    userArchive(portalId, objectType, id, options) {
      const portal = portalOrThrow(portalId);
      const type = typeOrThrow(objectType);
      store.archive(portal, recordOrThrow(portal, type, id), userWrite(portal, options));
    },
    userMerge(portalId, objectType, primaryId, mergedId, options) {
      const portal = portalOrThrow(portalId);
      const type = typeOrThrow(objectType);
      if (primaryId === mergedId) throw validationError('A record cannot be merged with itself');
      const primary = recordOrThrow(portal, type, primaryId);
      const merged = recordOrThrow(portal, type, mergedId);
      return fullView(portal, store.merge(portal, primary, merged, userWrite(portal, options)));
    },
    userAssociate(portalId, input, options) {
      const portal = portalOrThrow(portalId);
      const type = typeOrThrow(input.fromObjectType);
      recordOrThrow(portal, type, input.fromId);
      recordOrThrow(portal, otherObjectType(type), input.toId);
      const typeIds = associationTypeIds(portal, type, input);
      for (const typeId of typeIds) {
        if (portal.associations.definitionFor(type, typeId) === undefined) {
          throw validationError(`Association type ${typeId} does not exist from ${type}`);
        }
      }
      store.associate(portal, type, input.fromId, input.toId, typeIds, userWrite(portal, options));
    },
    userDisassociate(portalId, input, options) {
      const portal = portalOrThrow(portalId);
      const type = typeOrThrow(input.fromObjectType);
      const typeIds =
        input.label === undefined && input.associationTypeIds === undefined
          ? 'all'
          : associationTypeIds(portal, type, input);
      store.disassociate(
        portal,
        type,
        input.fromId,
        input.toId,
        typeIds,
        userWrite(portal, options),
      );
    },
    getRecord(portalId, objectType, id, options = {}) {
      const portal = portalOrThrow(portalId);
      const record = store.record(portal, typeOrThrow(objectType), id, {
        archived: options.archived ?? false,
      });
      return record === undefined
        ? undefined
        : fullView(portal, record, options.withHistory ?? false);
    },
    listRecords(portalId, objectType, options = {}) {
      const portal = portalOrThrow(portalId);
      return store
        .liveRecords(portal, typeOrThrow(objectType), options.archived ?? false)
        .map((record) => fullView(portal, record));
    },
    associations(portalId, objectType, id) {
      const portal = portalOrThrow(portalId);
      const type = typeOrThrow(objectType);
      return portal.associations.associatedWith(type, id).map(({ otherId, typeIds }) => ({
        toObjectId: otherId,
        associationTypes: typeIds.flatMap((typeId) => {
          const definition = portal.associations.definitionFor(type, typeId);
          if (definition === undefined) return [];
          const side = portal.associations.side(type, definition);
          return [
            side.label === undefined
              ? { category: side.category, typeId: side.typeId }
              : { category: side.category, typeId: side.typeId, label: side.label },
          ];
        }),
      }));
    },
    installPartnerbridge(portalId) {
      installPartnerbridgeSchema(store, portalOrThrow(portalId));
    },
    seedDemo(portalId, program) {
      return seedDemoProgram(store, portalOrThrow(portalId), program);
    },
    now: () => store.now(),
  };
}
