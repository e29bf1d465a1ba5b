import {
  accountObject,
  findByExternalIds,
  findCandidates,
  opportunityObject,
  type ReadRecord,
  retrieveByIds,
  type UpsertRecord,
  updateByIds,
  upsertByExternalId,
  type WriteResult,
} from '@partnerbridge/salesforce-connector';
import {
  type CommonValue,
  decideRecord,
  type FieldDecision,
  isIncluded,
  mappedFields,
  normalizeDomainText,
  type ObjectMapping,
  objectMappingOf,
  type ReferenceResolver,
  type Shadows,
  type SyncSide,
  valuesForCreate,
  type WriteValue,
} from '@partnerbridge/shared/sync';
import { type IdentityBasis, matchCompany } from '@partnerbridge/shared/sync-identity';
import { and, eq, inArray } from 'drizzle-orm';
import { idLinks } from '../db/schema/sync.ts';
import { type GoneLink, settleDeletions } from './deletions.ts';
import {
  batchCreate,
  batchRead,
  batchUpdate,
  type HubspotObjectType,
  type HubspotRecord,
  type PerInput,
  readDealCompanies,
  searchPage,
} from './hubspot/hubspot-objects.ts';
import { projectRecords } from './projection.ts';
import { type BackfillOptions, defaultBackfillOptions, type SyncContext } from './sync-context.ts';
import { SyncCallError } from './sync-errors.ts';
import {
  type AuditEntry,
  deadLetterKey,
  findLinks,
  type IdLink,
  isCreateChosen,
  type LinkedKind,
  loadShadows,
  markSeen,
  resolveDeadLettersFor,
  type ShadowRecord,
  saveShadowRecords,
  upsertLink,
  upsertLinks,
  writeAudit,
} from './sync-store.ts';

// One batch of record changes for one installation and one object family (deals, or companies:
// partners and customers), both directions at once:
//   resolve links → lock the record pairs → read Salesforce (one call per 2,000) and HubSpot (one
//   per 100) → identity for unlinked records → decide per field → HubSpot creates → Salesforce
//   writes (≤ 200 a call) → HubSpot updates (≤ 100 a call) → shadows, modstamps, audit,
//   projection.
// Every record gets its own outcome, so one bad record never fails its neighbours.

export const recordFamilies = ['deal', 'company'] as const;
export type RecordFamily = (typeof recordFamilies)[number];

export type RecordRef = {
  readonly family: RecordFamily;
  readonly side: SyncSide;
  readonly id: string;
};

export type RecordOutcome =
  | { readonly status: 'done' }
  | { readonly status: 'delayed'; readonly untilMs: number; readonly reason: string }
  | { readonly status: 'retry'; readonly error: SyncCallError }
  | { readonly status: 'dead'; readonly error: SyncCallError; readonly attempted: unknown };

type Family = {
  readonly hubspotType: HubspotObjectType;
  readonly sobject: typeof opportunityObject | typeof accountObject;
  /** Our HubSpot property holding the Salesforce id. */
  readonly hubspotStamp: string;
  /** Our Salesforce external id field holding the HubSpot id. */
  readonly salesforceStamp: string;
  readonly kinds: readonly LinkedKind[];
  readonly hubspotExtra: readonly string[];
};

const families: Record<RecordFamily, Family> = {
  deal: {
    hubspotType: 'deals',
    sobject: opportunityObject,
    hubspotStamp: 'pb_salesforce_opportunity_id',
    salesforceStamp: 'PB_HubSpot_Deal_Id__c',
    kinds: ['deal'],
    hubspotExtra: [
      'hs_lastmodifieddate',
      'createdate',
      'pipeline',
      'hs_is_closed',
      'hs_is_closed_won',
      'hs_deal_stage_probability',
      'dealname',
      'amount',
      'deal_currency_code',
      'dealstage',
      'closedate',
      'dealtype',
      'pb_partner_company_id',
      'pb_partner_role',
      'pb_partner_motion',
    ],
  },
  company: {
    hubspotType: 'companies',
    sobject: accountObject,
    hubspotStamp: 'pb_salesforce_account_id',
    salesforceStamp: 'PB_HubSpot_Company_Id__c',
    kinds: ['partner', 'customer'],
    hubspotExtra: [
      'hs_lastmodifieddate',
      'createdate',
      'name',
      'domain',
      'pb_is_partner',
      'pb_partner_type',
      'pb_partner_subtype',
      'pb_certified_salespeople',
      'pb_training_level',
      'pb_agreement_signed',
      'pb_partner_since',
    ],
  },
};

type SalesforceRead = ReadRecord<Record<string, unknown>, unknown>;

type Pair = {
  key: string;
  refs: RecordRef[];
  link: IdLink | undefined;
  hubspotId: string | undefined;
  salesforceId: string | undefined;
  hubspot?: HubspotRecord;
  salesforce?: SalesforceRead;
  /** Set once the pair has an outcome (the rest of the batch skips it). */
  outcome?: RecordOutcome;
  kind?: LinkedKind;
};

function msOf(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = /^\d+$/.test(value)
    ? Number(value)
    : Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : null;
}

function hubspotModifiedMs(record: HubspotRecord): number | null {
  return msOf(record.properties.hs_lastmodifieddate ?? record.updatedAt ?? null);
}

function salesforceModifiedMs(record: SalesforceRead): number | null {
  return Date.parse(record.modstamp);
}

function retryOutcome(error: unknown): RecordOutcome {
  if (error instanceof SyncCallError) {
    if (error.kind === 'rate_limited') {
      return {
        status: 'delayed',
        untilMs: Date.now() + (error.retryAfterMs ?? 10_000),
        reason: `${error.system} rate limited: ${error.message}`,
      };
    }
    if (error.kind === 'permanent') return { status: 'dead', error, attempted: null };
    return { status: 'retry', error };
  }
  return {
    status: 'retry',
    error: new SyncCallError('hubspot', 'retry_later', {
      errorCode: 'ENGINE_ERROR',
      message: error instanceof Error ? error.message : String(error),
      cause: error,
    }),
  };
}

function writeFailure(
  result: WriteResult | PerInput<HubspotRecord> | undefined,
  attempted: unknown,
  system: SyncSide,
): RecordOutcome | undefined {
  if (result === undefined) return undefined;
  if (result.ok) return undefined;
  const error =
    result.error instanceof SyncCallError
      ? result.error
      : new SyncCallError(
          system,
          result.error.code === 'permanent'
            ? 'permanent'
            : result.error.code === 'rate_limited'
              ? 'rate_limited'
              : result.error.code === 'auth_expired'
                ? 'auth'
                : 'retry_later',
          {
            errorCode: result.error.errorCode,
            message: result.error.message,
          },
        );
  const outcome = retryOutcome(error);
  return outcome.status === 'dead' ? { ...outcome, attempted } : outcome;
}

function classifyCompany(
  hubspot: HubspotRecord | undefined,
  salesforce: SalesforceRead | undefined,
  link: IdLink | undefined,
): LinkedKind {
  const hubspotFlag = hubspot?.properties.pb_is_partner;
  if (hubspotFlag !== undefined && hubspotFlag !== null && hubspotFlag !== '') {
    return hubspotFlag.toLowerCase() === 'true' ? 'partner' : 'customer';
  }
  if (salesforce !== undefined) {
    return (salesforce.record as { PB_Is_Partner__c?: unknown }).PB_Is_Partner__c === true
      ? 'partner'
      : 'customer';
  }
  return link?.objectKind === 'partner' ? 'partner' : 'customer';
}

/** Salesforce record values by field name (raw, as read). */
function salesforceValues(record: SalesforceRead | undefined): Record<string, unknown> {
  return (record?.record ?? {}) as Record<string, unknown>;
}

export async function syncRecordBatch(
  ctx: SyncContext,
  family: RecordFamily,
  refs: readonly RecordRef[],
  /** `backfill`: a back-fill or import batch, written through Bulk API 2.0 when large. */
  mode: { readonly backfill?: boolean } = {},
): Promise<Map<string, RecordOutcome>> {
  const outcomes = new Map<string, RecordOutcome>();
  const refKey = (ref: RecordRef) => `${ref.side}:${ref.id}`;
  const spec = families[family];
  const db = ctx.services.db;
  const at = () => new Date(ctx.now());
  const owner = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  // 1. Links and pairs.
  const links = await findLinks(db, ctx.installationId, spec.kinds, {
    hubspot: refs.filter((r) => r.side === 'hubspot').map((r) => r.id),
    salesforce: refs.filter((r) => r.side === 'salesforce').map((r) => r.id),
  });
  const pairs = new Map<string, Pair>();
  for (const ref of refs) {
    const link = links.find((l) =>
      ref.side === 'hubspot' ? l.hubspotId === ref.id : l.salesforceId === ref.id,
    );
    const key = link?.id ?? refKey(ref);
    const pair = pairs.get(key) ?? {
      key,
      refs: [],
      link,
      hubspotId: link?.hubspotId ?? (ref.side === 'hubspot' ? ref.id : undefined),
      salesforceId: link?.salesforceId ?? (ref.side === 'salesforce' ? ref.id : undefined),
    };
    pair.refs.push(ref);
    pairs.set(key, pair);
  }

  // 2. Locks: a pair is processed by one batch at a time, across processes.
  const lockKeys = (pair: Pair) =>
    [
      pair.hubspotId === undefined
        ? undefined
        : `${ctx.installationId}:${family}:hs:${pair.hubspotId}`,
      pair.salesforceId === undefined
        ? undefined
        : `${ctx.installationId}:${family}:sf:${pair.salesforceId}`,
    ].filter((k): k is string => k !== undefined);
  const locked: Pair[] = [];
  const claimed = new Map<Pair, string>();
  const lockedElsewhere = (): RecordOutcome => ({
    status: 'delayed',
    untilMs: ctx.now() + 1_000 + Math.floor(Math.random() * 1_000),
    reason: 'record is being synced by another batch',
  });
  const claims = await ctx.gates.claimEach(
    [...pairs.values()].map(lockKeys),
    owner,
    ctx.options.lockTtlMs,
  );
  [...pairs.values()].forEach((pair, index) => {
    if (claims[index] === true) {
      locked.push(pair);
      claimed.set(pair, lockKeys(pair).join());
    } else pair.outcome = lockedElsewhere();
  });

  const audit: AuditEntry[] = [];
  const synced: { dealHubspotIds: string[]; companyHubspotIds: string[] } = {
    dealHubspotIds: [],
    companyHubspotIds: [],
  };
  try {
    const live = () => locked.filter((p) => p.outcome === undefined);
    const isTombstoned = (p: Pair) => p.link?.deletedAt !== null && p.link?.deletedAt !== undefined;
    const restored = new Set<Pair>();

    // 3. Read both sides. Salesforce first: its external id names HubSpot records we must read.
    const objectMappings = spec.kinds
      .map((kind) => objectMappingOf(ctx.mapping, kind))
      .filter((m): m is ObjectMapping => m !== undefined);
    const extraFields = [
      ...new Set(objectMappings.flatMap((m) => mappedFields(m, 'salesforce'))),
    ].filter(
      (name) => !spec.sobject.fields.some((f) => f.name.toLowerCase() === name.toLowerCase()),
    );
    const sobject = spec.sobject.withFields([
      ...spec.sobject.fields,
      ...extraFields.map((name) => ({
        name,
        kind: 'text' as const,
        writable: true,
        optional: false,
      })),
    ]) as typeof spec.sobject;

    const readSalesforce = async (ids: string[]) => {
      if (ids.length === 0) return new Map<string, SalesforceRead>();
      const read = await ctx.callSalesforce((sf) =>
        retrieveByIds({ ...sf, object: sobject as never, ids }),
      );
      const out = new Map<string, SalesforceRead>();
      for (const record of read) if (record !== null) out.set(record.id, record as SalesforceRead);
      return out;
    };
    const hubspotProperties = [
      ...new Set([
        ...spec.hubspotExtra,
        spec.hubspotStamp,
        ...objectMappings.flatMap((m) => mappedFields(m, 'hubspot')),
      ]),
    ];

    try {
      const salesforceRecords = await readSalesforce(
        live().flatMap((p) => (p.salesforceId === undefined ? [] : [p.salesforceId])),
      );
      for (const pair of live()) {
        if (pair.salesforceId === undefined) continue;
        const record = salesforceRecords.get(pair.salesforceId);
        if (record !== undefined && !record.deleted) pair.salesforce = record;
        // The record names its HubSpot twin: link through it.
        const stamped = salesforceValues(record)[spec.salesforceStamp];
        if (pair.hubspotId === undefined && typeof stamped === 'string' && stamped !== '') {
          pair.hubspotId = stamped;
        }
      }
      const hubspotRecords = await batchRead(
        ctx.hubspot,
        spec.hubspotType,
        live().flatMap((p) => (p.hubspotId === undefined ? [] : [p.hubspotId])),
        hubspotProperties,
      );
      for (const pair of live()) {
        if (pair.hubspotId !== undefined) {
          const record = hubspotRecords.get(pair.hubspotId);
          if (record !== undefined) pair.hubspot = record;
        }
      }

      // 4. Identity for HubSpot records without a Salesforce twin: our external id first.
      const unmatched = live().filter(
        (p) =>
          p.hubspot !== undefined && p.salesforce === undefined && p.salesforceId === undefined,
      );
      if (unmatched.length > 0) {
        const found = await ctx.callSalesforce((sf) =>
          findByExternalIds({
            ...sf,
            object: sobject as never,
            externalIds: unmatched.map((p) => p.hubspotId as string),
          }),
        );
        for (const pair of unmatched) {
          const record = found.get(pair.hubspotId as string);
          if (record !== undefined) {
            pair.salesforce = record as SalesforceRead;
            pair.salesforceId = record.id;
          }
        }
      }
      if (family === 'company') {
        await matchCompanies(ctx, spec, sobject, live(), hubspotProperties, audit);
        await matchHubspotCompanies(ctx, spec, live(), hubspotProperties, audit);
      }
    } catch (error) {
      const outcome = retryOutcome(error);
      for (const pair of live())
        pair.outcome =
          outcome.status === 'dead'
            ? { status: 'retry', error: (outcome as { error: SyncCallError }).error }
            : outcome;
    }

    // 4b. Refs that turned out to name the same records (a Salesforce record stamped with the
    // HubSpot id another ref names, before any link says so) become one pair: decided and written
    // once. Ids learned by reading are locked as well, so a batch elsewhere that reached the same
    // records from the other side waits for this one instead of writing the same values again.
    const byRecord = new Map<string, Pair>();
    for (const pair of live()) {
      const keys = lockKeys(pair);
      const twin = keys.map((key) => byRecord.get(key)).find((p) => p !== undefined);
      if (twin === undefined) {
        for (const key of keys) byRecord.set(key, pair);
        continue;
      }
      twin.refs.push(...pair.refs);
      pair.refs = [];
      pair.outcome = { status: 'done' };
      twin.hubspotId ??= pair.hubspotId;
      twin.salesforceId ??= pair.salesforceId;
      if (twin.hubspot === undefined && pair.hubspot !== undefined) twin.hubspot = pair.hubspot;
      if (twin.salesforce === undefined && pair.salesforce !== undefined)
        twin.salesforce = pair.salesforce;
      twin.link ??= pair.link;
      for (const key of lockKeys(twin)) byRecord.set(key, twin);
    }
    const unclaimed = live().filter((pair) => claimed.get(pair) !== lockKeys(pair).join());
    const reclaims = await ctx.gates.claimEach(
      unclaimed.map(lockKeys),
      owner,
      ctx.options.lockTtlMs,
    );
    unclaimed.forEach((pair, index) => {
      if (reclaims[index] === true) claimed.set(pair, lockKeys(pair).join());
      else pair.outcome = lockedElsewhere();
    });

    // 4c. Tombstoned links: both records live again (restored from the recycle bin on the side
    // that was deleted, or on both) revive the link and sync as usual; otherwise the pair stays
    // unlinked, and what was read is marked seen so polls stop queueing it.
    for (const pair of live().filter(isTombstoned)) {
      const link = pair.link as IdLink;
      if (pair.hubspot !== undefined && pair.salesforce !== undefined) {
        restored.add(pair);
        audit.push({
          origin: 'partnerbridge',
          action: 'sync.restored',
          objectKind: link.objectKind as LinkedKind,
          hubspotId: pair.hubspotId ?? null,
          salesforceId: pair.salesforceId ?? null,
          localId: link.id,
          before: { deletedAt: link.deletedAt?.toISOString() ?? null },
          decision: { note: 'both records are live again: the link is revived' },
        });
        continue;
      }
      if (pair.hubspot !== undefined || pair.salesforce !== undefined)
        await markSeen(db, link.id, {
          ...(pair.hubspot === undefined
            ? {}
            : { hubspot: dateOrNull(hubspotModifiedMs(pair.hubspot)) }),
          ...(pair.salesforce === undefined
            ? {}
            : { salesforce: dateOrNull(salesforceModifiedMs(pair.salesforce)) }),
        });
      pair.outcome = { status: 'done' };
    }

    // 5. Decide.
    const references = await referenceResolver(ctx, live());
    const hubspotCreates: {
      pair: Pair;
      properties: Record<string, string>;
      shadows: Shadows;
      mapping: ObjectMapping;
    }[] = [];
    const salesforceUpserts: {
      pair: Pair;
      record: UpsertRecord;
      shadows: Shadows;
      mapping: ObjectMapping;
    }[] = [];
    const hubspotUpdates = new Map<string, { pair: Pair; properties: Record<string, string> }>();
    const salesforceUpdates = new Map<string, { pair: Pair; fields: Record<string, WriteValue> }>();
    const decisions = new Map<
      string,
      { decision: ReturnType<typeof decideRecord>; mapping: ObjectMapping; kind: LinkedKind }
    >();
    const gone: { pair: Pair; link: GoneLink }[] = [];

    const shadowsByKind = new Map<LinkedKind, Map<string, Record<string, CommonValue>>>();
    for (const kind of spec.kinds) {
      shadowsByKind.set(
        kind,
        await loadShadows(db, ctx.installationId, kind, [
          ...live().flatMap((p) =>
            p.hubspotId === undefined
              ? []
              : [{ system: 'hubspot' as const, recordId: p.hubspotId }],
          ),
          ...live().flatMap((p) =>
            p.salesforceId === undefined
              ? []
              : [{ system: 'salesforce' as const, recordId: p.salesforceId }],
          ),
        ]),
      );
    }

    for (const pair of live()) {
      const kind =
        family === 'deal' ? 'deal' : classifyCompany(pair.hubspot, pair.salesforce, pair.link);
      pair.kind = kind;
      const mapping = objectMappingOf(ctx.mapping, kind);
      if (mapping === undefined) {
        pair.outcome = { status: 'done' };
        continue;
      }
      const hubspotGone = pair.hubspotId !== undefined && pair.hubspot === undefined;
      const salesforceGone = pair.salesforceId !== undefined && pair.salesforce === undefined;
      if (
        (hubspotGone || salesforceGone) &&
        pair.link !== undefined &&
        pair.link.hubspotId !== null &&
        pair.link.salesforceId !== null
      ) {
        // A linked record was deleted on one side: settled below with the batch's other
        // deletions (propagated or unlinked; the link is tombstoned either way, so the other side
        // is never re-created from it).
        const survivor = hubspotGone
          ? pair.salesforce === undefined
            ? undefined
            : `salesforce:${pair.salesforce.id}`
          : `hubspot:${pair.hubspotId}`;
        gone.push({
          pair,
          link: {
            link: pair.link as GoneLink['link'],
            kind,
            mapping,
            hubspot: pair.hubspot,
            salesforce:
              pair.salesforce === undefined
                ? undefined
                : {
                    modifiedMs: salesforceModifiedMs(pair.salesforce),
                    values: salesforceValues(pair.salesforce),
                  },
            survivorShadows:
              survivor === undefined ? undefined : shadowsByKind.get(kind)?.get(survivor),
          },
        });
        continue;
      }
      if (pair.hubspot === undefined && pair.salesforce === undefined) {
        pair.outcome = { status: 'done' };
        continue;
      }
      const hubspotIncluded =
        pair.hubspot === undefined || isIncluded(mapping, 'hubspot', pair.hubspot.properties);
      const salesforceIncluded =
        pair.salesforce === undefined ||
        isIncluded(mapping, 'salesforce', salesforceValues(pair.salesforce));
      if (!hubspotIncluded || !salesforceIncluded) {
        pair.outcome = { status: 'done' };
        continue;
      }
      // Waiting for a person, or kept apart by one: no twin is written or created.
      if (pair.link?.status === 'pending_review' || pair.link?.status === 'kept_apart') {
        pair.outcome = { status: 'done' };
        continue;
      }
      const kindShadows = shadowsByKind.get(kind) ?? new Map();
      if (pair.hubspot !== undefined && pair.salesforce !== undefined) {
        const shadows: Shadows = {
          hubspot: kindShadows.get(`hubspot:${pair.hubspot.id}`) ?? {},
          salesforce: kindShadows.get(`salesforce:${pair.salesforce.id}`) ?? {},
        };
        const decision = decideRecord({
          mapping,
          hubspot: { values: pair.hubspot.properties, modifiedAt: hubspotModifiedMs(pair.hubspot) },
          salesforce: {
            values: salesforceValues(pair.salesforce),
            modifiedAt: salesforceModifiedMs(pair.salesforce),
          },
          shadows,
          references,
        });
        decisions.set(pair.key, { decision, mapping, kind });
        const hubspotWrites: Record<string, string> = Object.fromEntries(
          Object.entries(decision.writes.hubspot).map(([k, v]) => [k, v === null ? '' : String(v)]),
        );
        if ((pair.hubspot.properties[spec.hubspotStamp] ?? '') !== pair.salesforce.id)
          hubspotWrites[spec.hubspotStamp] = pair.salesforce.id;
        const salesforceWrites: Record<string, WriteValue> = { ...decision.writes.salesforce };
        if (salesforceValues(pair.salesforce)[spec.salesforceStamp] !== pair.hubspot.id)
          salesforceWrites[spec.salesforceStamp] = pair.hubspot.id;
        if (Object.keys(hubspotWrites).length > 0)
          hubspotUpdates.set(pair.key, { pair, properties: hubspotWrites });
        if (Object.keys(salesforceWrites).length > 0)
          salesforceUpdates.set(pair.key, { pair, fields: salesforceWrites });
        continue;
      }
      if (pair.hubspot !== undefined) {
        if (!mapping.create.inSalesforce) {
          pair.outcome = { status: 'done' };
          continue;
        }
        const create = valuesForCreate({
          mapping,
          target: 'salesforce',
          source: { values: pair.hubspot.properties },
          references,
        });
        const fields: Record<string, WriteValue> = { ...create.writes };
        if (kind === 'partner') fields.PB_Is_Partner__c = true;
        salesforceUpserts.push({
          pair,
          record: { externalId: pair.hubspot.id, fields: fields as UpsertRecord['fields'] },
          shadows: create.shadows,
          mapping,
        });
        continue;
      }
      if (pair.salesforce !== undefined) {
        if (!mapping.create.inHubspot) {
          pair.outcome = { status: 'done' };
          continue;
        }
        const create = valuesForCreate({
          mapping,
          target: 'hubspot',
          source: { values: salesforceValues(pair.salesforce) },
          references,
        });
        const properties: Record<string, string> = Object.fromEntries(
          Object.entries(create.writes).map(([k, v]) => [k, v === null ? '' : String(v)]),
        );
        if (kind === 'partner') properties.pb_is_partner = 'true';
        hubspotCreates.push({ pair, properties, shadows: create.shadows, mapping });
      }
    }

    // 5b. Deletions: confirmed, decided, propagated in batches, tombstoned.
    let deletionChanges: { dealIds: string[]; partnerIds: string[] } = {
      dealIds: [],
      partnerIds: [],
    };
    if (gone.length > 0) {
      try {
        const { settled, changed } = await settleDeletions(
          ctx,
          family,
          gone.map((g) => g.link),
          references,
          audit,
          at(),
        );
        deletionChanges = changed;
        for (const { pair, link } of gone) {
          const result = settled.get(link);
          pair.outcome =
            result === undefined || result.ok
              ? { status: 'done' }
              : (writeFailure(result.failure, { delete: pair.salesforceId }, 'salesforce') ?? {
                  status: 'done',
                });
        }
      } catch (error) {
        for (const { pair } of gone) pair.outcome = retryOutcome(error);
      }
    }

    // 6a. HubSpot creates for Salesforce-only records. A link row marks the create as started so
    // a retry after a crash looks the record up before creating it again.
    if (hubspotCreates.length > 0) {
      await recoverStartedCreates(ctx, spec, hubspotCreates);
      const pending = hubspotCreates.filter((c) => c.pair.hubspot === undefined);
      for (const create of pending) {
        create.pair.link = await upsertLink(db, ctx.installationId, {
          kind: create.pair.kind as LinkedKind,
          hubspotId: null,
          salesforceId: create.pair.salesforceId ?? null,
          review: {
            creating: 'hubspot',
            since: at().toISOString(),
            ...(isCreateChosen(create.pair.link) ? { resolution: 'create' } : {}),
          },
        });
      }
      try {
        const created = await batchCreate(
          ctx.hubspot,
          spec.hubspotType,
          spec.hubspotStamp,
          pending.map((c) => ({ key: c.pair.salesforceId as string, properties: c.properties })),
        );
        for (const create of pending) {
          const result = created.get(create.pair.salesforceId as string);
          const failure = writeFailure(result, create.properties, 'hubspot');
          if (failure !== undefined || result === undefined || !result.ok) {
            create.pair.outcome = failure ?? retryOutcome(new Error('no create result'));
            continue;
          }
          create.pair.hubspot = result.value;
          create.pair.hubspotId = result.value.id;
          salesforceUpdates.set(create.pair.key, {
            pair: create.pair,
            fields: { [spec.salesforceStamp]: result.value.id },
          });
          audit.push({
            origin: 'salesforce',
            action: 'sync.created_in_hubspot',
            objectKind: create.pair.kind as LinkedKind,
            hubspotId: result.value.id,
            salesforceId: create.pair.salesforceId ?? null,
            after: create.properties,
          });
        }
      } catch (error) {
        for (const create of pending) create.pair.outcome = retryOutcome(error);
      }
    }

    // 6b. Salesforce: updates by id (≤ 200 a call), creates as upserts by our external id. A
    // back-fill batch with more writes than the Bulk threshold sends the creates and the updates
    // of twins that carry our external id as one Bulk API 2.0 upsert job on it instead.
    const pendingUpdates = [...salesforceUpdates.values()].filter(
      (u) => u.pair.outcome === undefined,
    );
    const upserts = salesforceUpserts.filter((u) => u.pair.outcome === undefined);
    const bulk = bulkPlan(ctx, spec, mode, pendingUpdates, upserts.length);
    const updates = pendingUpdates.filter((u) => !bulk.updates.has(u));
    if (updates.length > 0) {
      try {
        const results = await ctx.callSalesforce((sf) =>
          updateByIds({
            ...sf,
            object: sobject,
            records: updates.map((u) => ({
              id: u.pair.salesforceId as string,
              fields: u.fields as UpsertRecord['fields'],
            })),
          }),
        );
        updates.forEach((update, index) => {
          const failure = writeFailure(results[index], update.fields, 'salesforce');
          if (failure !== undefined) update.pair.outcome = failure;
        });
      } catch (error) {
        for (const update of updates) update.pair.outcome = retryOutcome(error);
      }
    }
    const bulkUpdates = [...bulk.updates];
    if (upserts.length > 0 || bulkUpdates.length > 0) {
      const records: UpsertRecord[] = [
        ...upserts.map((u) => u.record),
        ...bulkUpdates.map((u) => ({
          externalId: u.pair.hubspotId as string,
          fields: u.fields as UpsertRecord['fields'],
        })),
      ];
      try {
        const results = await upsertInSalesforce(ctx, sobject, records, bulk.options);
        const created = (pair: Pair, id: string, fields: unknown) => {
          pair.salesforceId = id;
          hubspotUpdates.set(pair.key, { pair, properties: { [spec.hubspotStamp]: id } });
          audit.push({
            origin: 'hubspot',
            action: 'sync.created_in_salesforce',
            objectKind: pair.kind as LinkedKind,
            hubspotId: pair.hubspotId ?? null,
            salesforceId: id,
            after: fields as Record<string, unknown>,
          });
        };
        upserts.forEach((upsert, index) => {
          const result = results[index];
          const failure = writeFailure(result, upsert.record.fields, 'salesforce');
          if (failure !== undefined || result === undefined || !result.ok) {
            upsert.pair.outcome = failure ?? retryOutcome(new Error('no upsert result'));
            return;
          }
          created(upsert.pair, result.id, upsert.record.fields);
        });
        bulkUpdates.forEach((update, index) => {
          const result = results[upserts.length + index];
          const failure = writeFailure(result, update.fields, 'salesforce');
          if (failure !== undefined || result === undefined || !result.ok) {
            update.pair.outcome = failure ?? retryOutcome(new Error('no upsert result'));
            return;
          }
          // The twin was deleted since it was read: the upsert made a new one, now the twin.
          if (result.created) created(update.pair, result.id, update.fields);
        });
      } catch (error) {
        for (const upsert of upserts) upsert.pair.outcome = retryOutcome(error);
        for (const update of bulkUpdates) update.pair.outcome = retryOutcome(error);
      }
    }

    // 6c. HubSpot updates (≤ 100 a call).
    const hubspotWrites = [...hubspotUpdates.values()].filter(
      (u) => u.pair.outcome === undefined && u.pair.hubspotId !== undefined,
    );
    if (hubspotWrites.length > 0) {
      try {
        const results = await batchUpdate(
          ctx.hubspot,
          spec.hubspotType,
          hubspotWrites.map((u) => ({ id: u.pair.hubspotId as string, properties: u.properties })),
        );
        for (const update of hubspotWrites) {
          const failure = writeFailure(
            results.get(update.pair.hubspotId as string),
            update.properties,
            'hubspot',
          );
          if (failure !== undefined) update.pair.outcome = failure;
        }
      } catch (error) {
        for (const update of hubspotWrites) update.pair.outcome = retryOutcome(error);
      }
    }

    // 7. Bookkeeping for every pair that made it: link, shadows, modstamps, audit.
    const succeeded = locked.filter((p) => p.outcome === undefined);
    const linkedNow = new Set<Pair>();
    // One statement per table for the whole batch (not per record). Shadows go first: a crash
    // before the links are stored re-runs the records, which then find nothing left to write.
    const shadowRecords: ShadowRecord[] = [];
    for (const pair of succeeded) {
      const kind = pair.kind as LinkedKind;
      const wasLinked =
        pair.link !== undefined &&
        pair.link.hubspotId !== null &&
        pair.link.salesforceId !== null &&
        pair.link.deletedAt === null;
      if (!wasLinked && pair.hubspotId !== undefined && pair.salesforceId !== undefined)
        linkedNow.add(pair);
      const created =
        hubspotCreates.find((c) => c.pair === pair) ??
        salesforceUpserts.find((c) => c.pair === pair);
      const shadows = decisions.get(pair.key)?.decision.shadows ?? created?.shadows;
      if (shadows === undefined) continue;
      if (pair.hubspotId !== undefined)
        shadowRecords.push({
          kind,
          system: 'hubspot',
          recordId: pair.hubspotId,
          fields: shadows.hubspot,
        });
      if (pair.salesforceId !== undefined)
        shadowRecords.push({
          kind,
          system: 'salesforce',
          recordId: pair.salesforceId,
          fields: shadows.salesforce,
        });
    }
    await saveShadowRecords(db, ctx.installationId, shadowRecords, at());
    const storedLinks = await upsertLinks(
      db,
      ctx.installationId,
      succeeded.map((pair) => ({
        kind: pair.kind as LinkedKind,
        hubspotId: pair.hubspotId ?? null,
        salesforceId: pair.salesforceId ?? null,
        // Seen = the source state as read, never after our own write: a user edit that slipped
        // in between still counts as newer.
        hubspotModifiedAt:
          pair.hubspot === undefined ? null : dateOrNull(hubspotModifiedMs(pair.hubspot)),
        salesforceModifiedAt:
          pair.salesforce === undefined ? null : dateOrNull(salesforceModifiedMs(pair.salesforce)),
      })),
    );
    succeeded.forEach((pair, index) => {
      const kind = pair.kind as LinkedKind;
      const link = storedLinks[index] as IdLink;
      pair.link = link;
      const decided = decisions.get(pair.key);
      if (decided !== undefined) {
        const notable = decided.decision.fields.filter((f) => f.reason !== 'in_sync');
        if (notable.length > 0)
          audit.push(auditOf(decided.decision.fields, notable, kind, pair, link.id));
      }
      if (pair.hubspotId !== undefined) {
        if (family === 'deal') synced.dealHubspotIds.push(pair.hubspotId);
        else synced.companyHubspotIds.push(pair.hubspotId);
      }
      pair.outcome = { status: 'done' };
    });
    await writeAudit(db, ctx.installationId, audit, at());
    await resolveDeadLettersFor(
      db,
      ctx.installationId,
      // Either side's letters: the record may have failed when it came from the other side.
      succeeded.flatMap((p) =>
        (['hubspot', 'salesforce'] as const).flatMap((side) => {
          const id = side === 'hubspot' ? p.hubspotId : p.salesforceId;
          return id === undefined ? [] : [deadLetterKey({ kind: family, side, id })];
        }),
      ),
      at(),
    );

    // 8. Our projection of what synced (deals, partners, the partner tags the CRMs assert).
    const projected = await projectRecords(
      ctx,
      family,
      succeeded.map((p) => ({
        kind: p.kind as LinkedKind,
        hubspot: p.hubspot,
        hubspotWrites: hubspotUpdates.get(p.key)?.properties ?? {},
        salesforceId: p.salesforceId,
        salesforceModifiedMs:
          p.salesforce === undefined ? null : salesforceModifiedMs(p.salesforce),
        linkedNow: linkedNow.has(p),
        restored: restored.has(p),
        ...partnerChange(decisions.get(p.key)?.decision.fields, p, salesforceUpserts),
      })),
      readDealCompanies,
    );
    await ctx.options.onRecordsSynced?.(ctx.services, ctx.installationId, {
      dealIds: [...projected.dealIds, ...deletionChanges.dealIds],
      partnerIds: [...projected.partnerIds, ...deletionChanges.partnerIds],
    });
  } finally {
    await ctx.gates.release(locked.flatMap(lockKeys), owner);
    await ctx.usage
      .flush()
      .catch((error: unknown) => ctx.log.warn({ err: error }, 'could not record API usage'));
  }

  for (const pair of pairs.values()) {
    for (const ref of pair.refs) outcomes.set(refKey(ref), pair.outcome ?? { status: 'done' });
  }
  return outcomes;
}

type SalesforceUpdate = { pair: Pair; fields: Record<string, WriteValue> };

/**
 * Whether a batch writes Salesforce through Bulk API 2.0: only back-fill batches, and only when
 * the creates plus the updates that can go by our external id (the twin already carries the
 * HubSpot id: an upsert on it cannot make a second record) exceed the threshold. Those updates
 * then join the creates' job; every other write stays on sObject Collections.
 */
function bulkPlan(
  ctx: SyncContext,
  spec: Family,
  mode: { readonly backfill?: boolean },
  updates: readonly SalesforceUpdate[],
  creates: number,
): { updates: Set<SalesforceUpdate>; options: BulkWrite | undefined } {
  const none = { updates: new Set<SalesforceUpdate>(), options: undefined };
  if (mode.backfill !== true) return none;
  const backfill = ctx.options.backfill ?? defaultBackfillOptions;
  const byExternalId = updates.filter(
    (u) =>
      u.pair.hubspotId !== undefined &&
      salesforceValues(u.pair.salesforce)[spec.salesforceStamp] === u.pair.hubspotId &&
      !(spec.salesforceStamp in u.fields),
  );
  if (creates + byExternalId.length <= backfill.bulkThreshold) return none;
  return { updates: new Set(byExternalId), options: backfill };
}

type BulkWrite = Pick<
  BackfillOptions,
  'bulkThreshold' | 'bulkPollIntervalMs' | 'bulkPollTimeoutMs'
>;

/** Job-level Bulk failures: nothing says which record was at fault. */
const bulkJobFailures = new Set(['BULK_JOB_FAILED', 'BULK_JOB_ABORTED']);

/**
 * Upserts by our external id: sObject Collections, or (`bulk` given) one Bulk API 2.0 job. A Bulk
 * job that fails or is aborted as a whole is written again through collections, so every record
 * still gets its own result (a bad one its own dead letter). One that outlasts the poll timeout
 * leaves its records retry_later: their jobs run again (upserts by external id are idempotent).
 */
async function upsertInSalesforce(
  ctx: SyncContext,
  sobject: typeof accountObject | typeof opportunityObject,
  records: readonly UpsertRecord[],
  bulk: BulkWrite | undefined,
): Promise<WriteResult[]> {
  const write = (viaBulk: boolean) =>
    ctx.callSalesforce((sf) =>
      upsertByExternalId({
        ...sf,
        object: sobject,
        records,
        bulkThreshold: viaBulk && bulk !== undefined ? bulk.bulkThreshold : false,
        ...(bulk === undefined
          ? {}
          : {
              bulk: {
                pollIntervalMs: bulk.bulkPollIntervalMs,
                pollTimeoutMs: bulk.bulkPollTimeoutMs,
              },
            }),
      }),
    );
  const results = await write(true);
  const failed = results.find((r) => !r.ok && bulkJobFailures.has(r.error.errorCode));
  if (bulk === undefined || failed === undefined || failed.ok) return results;
  ctx.log.warn(
    { installationId: ctx.installationId, records: records.length, error: failed.error.message },
    'Bulk API job failed: writing its records through sObject Collections',
  );
  return write(false);
}

/** Partner fields of the deal mapping (the primary partner slot). */
const partnerFields = new Set(['pb_partner_company_id', 'pb_partner_role', 'pb_partner_motion']);

/** Whether the primary partner fields moved on a side since the last sync, and from where. */
function partnerChange(
  fields: readonly FieldDecision[] | undefined,
  pair: Pair,
  salesforceUpserts: readonly { pair: Pair }[],
): { partnerFieldsChanged: boolean; partnerSource: 'salesforce' | 'import' } {
  if (fields === undefined) {
    // A record created on one side: its partner came from the other.
    const fromHubspot = salesforceUpserts.some((u) => u.pair === pair);
    return { partnerFieldsChanged: true, partnerSource: fromHubspot ? 'import' : 'salesforce' };
  }
  const partner = fields.filter((f) => partnerFields.has(f.hubspotField));
  return {
    partnerFieldsChanged: partner.some((f) => f.hubspotChanged || f.salesforceChanged),
    partnerSource: partner.some((f) => f.action === 'write_hubspot') ? 'salesforce' : 'import',
  };
}

function dateOrNull(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function auditOf(
  all: readonly FieldDecision[],
  notable: readonly FieldDecision[],
  kind: LinkedKind,
  pair: Pair,
  localId: string,
): AuditEntry {
  const writes = notable.filter(
    (f) => f.action === 'write_hubspot' || f.action === 'write_salesforce',
  );
  const origin =
    writes.some((f) => f.winner === 'salesforce') && !writes.some((f) => f.winner === 'hubspot')
      ? 'salesforce'
      : 'hubspot';
  return {
    origin: writes.length === 0 ? 'partnerbridge' : origin,
    action: writes.length === 0 ? 'sync.decided' : 'sync.applied',
    objectKind: kind,
    hubspotId: pair.hubspotId ?? null,
    salesforceId: pair.salesforceId ?? null,
    localId,
    before: Object.fromEntries(
      notable.map((f) => [
        f.hubspotField,
        { hubspot: f.hubspotValue ?? null, salesforce: f.salesforceValue ?? null },
      ]),
    ),
    after: Object.fromEntries(
      writes.map((f) => [
        f.action === 'write_hubspot' ? f.hubspotField : f.salesforceField,
        f.value ?? null,
      ]),
    ),
    policy: Object.fromEntries(
      notable.map((f) => [f.hubspotField, { policy: f.policy, direction: f.direction }]),
    ),
    decision: { fields: notable, inSync: all.length - notable.length },
  };
}

async function referenceResolver(
  ctx: SyncContext,
  pairs: readonly Pair[],
): Promise<ReferenceResolver> {
  // Partner references on deals: the ids both sides name, looked up in one query per side.
  const hubspotIds = new Set<string>();
  const salesforceIds = new Set<string>();
  for (const pair of pairs) {
    const hs = pair.hubspot?.properties.pb_partner_company_id;
    if (hs !== null && hs !== undefined && hs !== '') hubspotIds.add(hs);
    const sf = salesforceValues(pair.salesforce).PB_Partner_Account__c;
    if (typeof sf === 'string' && sf !== '') salesforceIds.add(sf);
  }
  const rows = await findLinks(ctx.services.db, ctx.installationId, ['partner', 'customer'], {
    hubspot: [...hubspotIds],
    salesforce: [...salesforceIds],
  });
  const byKind = (object: 'partner' | 'customer') =>
    rows.filter((r) => r.objectKind === object && r.deletedAt === null);
  return {
    salesforceToHubspot: (object, id) => {
      const id18 = id.length === 15 ? undefined : id;
      return (
        byKind(object).find((r) => r.salesforceId === id || r.salesforceId === id18)?.hubspotId ??
        undefined
      );
    },
    hubspotToSalesforce: (object, id) =>
      byKind(object).find((r) => r.hubspotId === id)?.salesforceId ?? undefined,
  };
}

async function recoverStartedCreates(
  ctx: SyncContext,
  spec: Family,
  creates: { pair: Pair }[],
): Promise<void> {
  // A create that was started (link row marked) but never recorded: HubSpot may hold it already.
  const started = creates.filter((c) => {
    const review = c.pair.link?.review as { creating?: string } | null | undefined;
    return review?.creating === 'hubspot';
  });
  if (started.length === 0) return;
  const page = await searchPage(ctx.hubspot, spec.hubspotType, {
    filters: [
      {
        propertyName: spec.hubspotStamp,
        operator: 'IN',
        values: started.map((c) => c.pair.salesforceId as string),
      },
    ],
    properties: [...spec.hubspotExtra, spec.hubspotStamp],
    limit: 200,
  });
  for (const create of started) {
    const found = page.results.find(
      (r) => r.properties[spec.hubspotStamp] === create.pair.salesforceId,
    );
    if (found !== undefined) {
      create.pair.hubspot = found;
      create.pair.hubspotId = found.id;
    }
  }
}

/**
 * Company ids of a side that have a link in this installation: `taken` (linked, or once linked),
 * and `reviewing` (waiting for an identity review: whoever matches them waits too, instead of
 * creating a second record).
 */
async function linkedIds(
  ctx: SyncContext,
  side: SyncSide,
  ids: readonly string[],
): Promise<{ taken: Set<string>; reviewing: Set<string> }> {
  const out = { taken: new Set<string>(), reviewing: new Set<string>() };
  if (ids.length === 0) return out;
  const column = side === 'hubspot' ? idLinks.hubspotId : idLinks.salesforceId;
  const rows = await ctx.services.db
    .select({ id: column, status: idLinks.status })
    .from(idLinks)
    .where(
      and(
        eq(idLinks.installationId, ctx.installationId),
        inArray(idLinks.objectKind, ['partner', 'customer']),
        inArray(column, [...ids]),
      ),
    );
  for (const row of rows) {
    if (row.id !== null) (row.status === 'pending_review' ? out.reviewing : out.taken).add(row.id);
  }
  return out;
}

/** The audit of a twin found by identity (the side whose record looked for it is the origin). */
function identityMatched(pair: Pair, origin: SyncSide, matchedOn: IdentityBasis): AuditEntry {
  return {
    origin,
    action: 'sync.identity_matched',
    objectKind: classifyCompany(pair.hubspot, pair.salesforce, pair.link),
    hubspotId: pair.hubspotId ?? null,
    salesforceId: pair.salesforceId ?? null,
    decision: { matchedOn, rule: 'one unlinked match by domain, else by exact name' },
  };
}

/** An ambiguous match: the record waits for a person instead of getting a twin. */
async function holdForReview(
  ctx: SyncContext,
  pair: Pair,
  kind: LinkedKind,
  reason: string,
  candidates: readonly Record<string, unknown>[],
): Promise<void> {
  // The record's own name and domain are kept with the candidates': enough to decide on.
  const record =
    pair.hubspot !== undefined
      ? {
          name: pair.hubspot.properties.name ?? null,
          domain: pair.hubspot.properties.domain ?? null,
        }
      : {
          name: accountSource(pair.salesforce).name,
          domain: accountSource(pair.salesforce).domain,
        };
  pair.link = await upsertLink(ctx.services.db, ctx.installationId, {
    kind,
    hubspotId: pair.hubspotId ?? null,
    salesforceId: pair.salesforceId ?? null,
    status: 'pending_review',
    review: { reason, record, candidates },
  });
  pair.outcome = { status: 'done' };
}

/** A Salesforce account as an identity source (its own id, name and website). */
function accountSource(record: SalesforceRead | undefined) {
  const values = salesforceValues(record);
  return {
    id: record?.id,
    name: typeof values.Name === 'string' ? values.Name : null,
    domain: typeof values.Website === 'string' ? values.Website : null,
  };
}

/**
 * HubSpot companies that may be the twins of these accounts: one search per 50 accounts (OR of a
 * domain group and a name group, on the portal's search budget), every page.
 */
async function searchHubspotCompanies(
  ctx: SyncContext,
  spec: Family,
  sources: readonly ReturnType<typeof accountSource>[],
  properties: readonly string[],
): Promise<Map<string, HubspotRecord>> {
  const found = new Map<string, HubspotRecord>();
  for (let start = 0; start < sources.length; start += IDENTITY_SEARCH_CHUNK) {
    const chunk = sources.slice(start, start + IDENTITY_SEARCH_CHUNK);
    const domains = [
      ...new Set(
        chunk.flatMap((s) => {
          const domain = s.domain === null ? null : normalizeDomainText(s.domain);
          return domain === null ? [] : [domain, `www.${domain}`];
        }),
      ),
    ];
    const names = [
      ...new Set(
        chunk.flatMap((s) => (s.name === null || s.name.trim() === '' ? [] : [s.name.trim()])),
      ),
    ];
    const filterGroups = [
      ...(domains.length === 0
        ? []
        : [[{ propertyName: 'domain', operator: 'IN', values: domains }]]),
      ...(names.length === 0 ? [] : [[{ propertyName: 'name', operator: 'IN', values: names }]]),
    ];
    if (filterGroups.length === 0) continue;
    let after: string | undefined;
    do {
      const page = await searchPage(ctx.hubspot, spec.hubspotType, {
        filters: [],
        filterGroups,
        properties,
        limit: 200,
        ...(after === undefined ? {} : { after }),
      });
      for (const record of page.results) found.set(String(record.id), record);
      after = page.after;
    } while (after !== undefined);
  }
  return found;
}

function hubspotCandidates(spec: Family, records: Iterable<HubspotRecord>) {
  return [...records].map((r) => ({
    id: String(r.id),
    name: r.properties.name,
    domain: r.properties.domain,
    stampedTwin: r.properties[spec.hubspotStamp],
  }));
}

/**
 * Pairs whose record exists on `side` only, with no twin known, no review pending and none
 * resolved (kept apart, or a twin to create).
 */
function withoutTwin(pairs: readonly Pair[], side: SyncSide): Pair[] {
  return pairs.filter((p) => {
    const here = side === 'hubspot' ? p.hubspot : p.salesforce;
    const there = side === 'hubspot' ? p.salesforce : p.hubspot;
    const thereId = side === 'hubspot' ? p.salesforceId : p.hubspotId;
    return (
      here !== undefined &&
      there === undefined &&
      thereId === undefined &&
      p.link?.status !== 'pending_review' &&
      p.link?.status !== 'kept_apart' &&
      !isCreateChosen(p.link)
    );
  });
}

async function matchCompanies(
  ctx: SyncContext,
  spec: Family,
  sobject: typeof accountObject | typeof opportunityObject,
  pairs: Pair[],
  properties: readonly string[],
  audit: AuditEntry[],
): Promise<void> {
  // HubSpot companies without a twin: a Salesforce account with the same domain, else the same
  // name, not linked elsewhere. A match links only when it is the only one from both sides: the
  // account is searched back in HubSpot, and when other unlinked companies match it as well (or
  // better), the company waits for review like one with several accounts.
  const unmatched = withoutTwin(pairs, 'hubspot');
  if (unmatched.length === 0) return;
  const found = await ctx.callSalesforce((sf) =>
    findCandidates({
      ...sf,
      object: sobject as never,
      names: unmatched.map((p) => p.hubspot?.properties.name ?? '').filter((n) => n !== ''),
      websites: unmatched.map((p) => p.hubspot?.properties.domain ?? '').filter((d) => d !== ''),
    }),
  );
  if (found.length === 0) return;
  const { taken, reviewing } = await linkedIds(
    ctx,
    'salesforce',
    found.map((c) => c.id),
  );
  const candidates = found.map((c) => ({
    ...accountSource(c as SalesforceRead),
    id: c.id,
    stampedTwin: salesforceValues(c as SalesforceRead)[spec.salesforceStamp] as string | null,
  }));
  const review = (pair: Pair, reason: string, ids: readonly string[], matchedOn: string) =>
    holdForReview(
      ctx,
      pair,
      classifyCompany(pair.hubspot, undefined, pair.link),
      reason,
      found
        .filter((m) => ids.includes(m.id))
        .map((m) => ({
          salesforceId: m.id,
          name: (m.record as Record<string, unknown>).Name ?? null,
          website: (m.record as Record<string, unknown>).Website ?? null,
          matchedOn: [matchedOn],
        })),
    );
  const proposed: { pair: Pair; record: SalesforceRead; matchedOn: IdentityBasis }[] = [];
  for (const pair of unmatched) {
    const match = matchCompany(
      {
        id: pair.hubspotId,
        name: pair.hubspot?.properties.name,
        domain: pair.hubspot?.properties.domain,
      },
      candidates,
      taken,
    );
    if (match.kind === 'several') {
      await review(
        pair,
        'several Salesforce accounts match this company',
        match.ids,
        match.matchedOn,
      );
    } else if (match.kind === 'one' && reviewing.has(match.id)) {
      await review(
        pair,
        'the matching Salesforce account waits for an identity review',
        [match.id],
        match.matchedOn,
      );
    } else if (match.kind === 'one') {
      const record = found.find((c) => c.id === match.id) as SalesforceRead;
      if (proposed.some((p) => p.record.id === record.id)) {
        // Two companies of this batch want the same account: neither is linked silently.
        for (const p of proposed.filter((p) => p.record.id === record.id)) {
          await review(
            p.pair,
            'other HubSpot companies match this Salesforce account',
            [record.id],
            p.matchedOn,
          );
        }
        await review(
          pair,
          'other HubSpot companies match this Salesforce account',
          [record.id],
          match.matchedOn,
        );
        continue;
      }
      proposed.push({ pair, record, matchedOn: match.matchedOn });
    }
  }
  const live = proposed.filter((p) => p.pair.outcome === undefined);
  if (live.length === 0) return;
  const twins = await searchHubspotCompanies(
    ctx,
    spec,
    live.map((p) => accountSource(p.record)),
    properties,
  );
  for (const { pair } of live)
    if (pair.hubspot !== undefined) twins.set(pair.hubspot.id, pair.hubspot);
  const { taken: takenInHubspot } = await linkedIds(ctx, 'hubspot', [...twins.keys()]);
  const reverseCandidates = hubspotCandidates(spec, twins.values());
  for (const { pair, record, matchedOn } of live) {
    const back = matchCompany(accountSource(record), reverseCandidates, takenInHubspot);
    if (back.kind === 'several' || (back.kind === 'one' && back.id !== pair.hubspotId)) {
      await review(
        pair,
        'other HubSpot companies match this Salesforce account',
        [record.id],
        matchedOn,
      );
      continue;
    }
    pair.salesforce = record;
    pair.salesforceId = record.id;
    audit.push(identityMatched(pair, 'hubspot', matchedOn));
  }
}

/** Salesforce-only accounts searched for per HubSpot search call (two ids per domain). */
const IDENTITY_SEARCH_CHUNK = 50;

async function matchHubspotCompanies(
  ctx: SyncContext,
  spec: Family,
  pairs: Pair[],
  properties: readonly string[],
  audit: AuditEntry[],
): Promise<void> {
  // Salesforce accounts without a twin, before a HubSpot company is created for them: HubSpot is
  // searched by domain and exact name, and the same rules as above pick the twin.
  const unmatched = withoutTwin(pairs, 'salesforce');
  if (unmatched.length === 0) return;
  const found = await searchHubspotCompanies(
    ctx,
    spec,
    unmatched.map((p) => accountSource(p.salesforce)),
    properties,
  );
  const { taken, reviewing } = await linkedIds(ctx, 'hubspot', [...found.keys()]);
  const candidates = hubspotCandidates(spec, found.values());
  for (const pair of unmatched) {
    const match = matchCompany(accountSource(pair.salesforce), candidates, taken);
    if (match.kind === 'one' && !reviewing.has(match.id)) {
      const record = found.get(match.id);
      if (record === undefined) continue;
      pair.hubspot = record;
      pair.hubspotId = record.id;
      taken.add(record.id);
      audit.push(identityMatched(pair, 'salesforce', match.matchedOn));
    } else if (match.kind !== 'none') {
      await holdForReview(
        ctx,
        pair,
        classifyCompany(undefined, pair.salesforce, pair.link),
        match.kind === 'several'
          ? 'several HubSpot companies match this account'
          : 'the matching HubSpot company waits for an identity review',
        (match.kind === 'several' ? match.ids : [match.id]).map((id) => ({
          hubspotId: id,
          name: found.get(id)?.properties.name ?? null,
          domain: found.get(id)?.properties.domain ?? null,
          matchedOn: [match.matchedOn],
        })),
      );
    }
  }
}

export { markSeen };
