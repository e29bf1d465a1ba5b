import {
  accountObject,
  opportunityObject,
  type ReadRecord,
  retrieveByIds,
  updateByIds,
  type WriteResult,
} from '@partnerbridge/salesforce-connector';
import {
  type CommonValue,
  canonicalDecimalText,
  normalizeValue,
  objectMappingOf,
  type ReferenceResolver,
  type SyncSide,
  type Transform,
} from '@partnerbridge/shared/sync';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { localChanges } from '../db/schema/sync.ts';
import { getInstallationOrThrow } from '../installs/installations.ts';
import { recordJobOptions, syncRecordJob } from '../jobs/sync-record.job.ts';
import type { Services } from '../services.ts';
import { budgetState } from './api-usage.ts';
import {
  batchRead,
  batchUpdate,
  type HubspotRecord,
  type PerInput,
  readDealCompanies,
} from './hubspot/hubspot-objects.ts';
import {
  ensurePartnerLabels,
  type LabelWrite,
  type PartnerLabelTypes,
  writePartnerLabels,
} from './hubspot/partner-labels.ts';
import {
  type DesiredDeal,
  type DesiredPartner,
  desiredDeals,
  desiredPartners,
} from './outbox-values.ts';
import { defaultBudgetRecheckMs, type SyncContext } from './sync-context.ts';
import { SyncCallError } from './sync-errors.ts';
import {
  type AuditEntry,
  deadLetterKey,
  findLinks,
  loadShadows,
  recordSyncDeadLetter,
  resolveDeadLettersFor,
  type ShadowRecord,
  saveShadowRecords,
  writeAudit,
} from './sync-store.ts';

// The outbox consumer: changes made in Partnerbridge (`local_changes`: a tag from the card, a
// recomputed commission, a new tier) written to both CRMs. Per run and installation: pending rows
// (≤ limit) → what we want each CRM to show (outbox-values) → the same record locks as the record
// sync → read both sides (HubSpot 1 call / 100, Salesforce 1 / 2,000) → compare → write only what
// differs (HubSpot 1 call / 100, Salesforce 1 / 200, labelled associations 1 / 1,000) → shadows
// (so the echoes are recognised), audit, dead letters.
//
// Primary partner fields are also mapped fields: when a CRM holds a value that is neither ours nor
// the last one both sides agreed on (a rep's edit the record sync has not seen yet), we leave that
// side alone and queue the record sync, whose projection turns the edit into a tag (and a new
// outbox row). Commission, explanation and tier are Partnerbridge's own: always restored.
//
// A row is marked processed once every side it concerns accepted the values, or once the record
// failed for good (a dead letter names it; replaying it queues a new row). Locked records and
// transient failures leave the row pending for the next run.

export const OUTBOX_QUEUE = 'sync-outbox';
/** Our shadow of the partner labels on a HubSpot deal ("companyId:typeId" sorted). */
export const LABELS_SHADOW_FIELD = 'pb:partner_labels';

export type OutboxResult = {
  readonly picked: number;
  readonly processed: number;
  readonly deferred: number;
  readonly deadLettered: number;
  readonly writes: {
    readonly hubspot: number;
    readonly salesforce: number;
    readonly labels: number;
  };
  /** When deferred records should be tried again (ms from now), if any were deferred. */
  readonly retryAfterMs: number | null;
  /** More pending rows than this run took. */
  readonly more: boolean;
};

type OutboxKind = 'deal' | 'partner';

type Failure = { readonly error: SyncCallError; readonly attempted: unknown };

/** A side's failed write: permanent (dead letter) or transient (the row stays pending). */
type SideFailure = Failure & { readonly permanent: boolean };

type Item = {
  readonly kind: OutboxKind;
  readonly localId: string;
  readonly rowIds: string[];
  readonly reasons: Set<string>;
  hubspotId: string | null;
  salesforceId: string | null;
  deal?: DesiredDeal;
  partner?: DesiredPartner;
  hubspot?: HubspotRecord;
  salesforce?: ReadRecord<Record<string, unknown>, unknown>;
  hubspotWrites: Record<string, string>;
  salesforceWrites: Record<string, string | number | boolean | null>;
  hubspotShadows: Record<string, CommonValue>;
  salesforceShadows: Record<string, CommonValue>;
  labelAdds: LabelWrite[];
  labelRemoves: LabelWrite[];
  labelShadow?: string;
  notes: string[];
  /** Sides whose CRM holds an edit the record sync has not seen: it is queued for them. */
  resync: Set<SyncSide>;
  resyncAssociations: boolean;
  /** The whole record waits (locked, unreadable): nothing is written or recorded this run. */
  deferred?: { retryAfterMs: number; reason: string };
  /** Per side: a write that failed (the other side's writes still go ahead). */
  failed: Map<SyncSide, SideFailure>;
};

const lockKey = (installationId: string, item: Item, side: 'hs' | 'sf', id: string) =>
  `${installationId}:${item.kind === 'deal' ? 'deal' : 'company'}:${side}:${id}`;

function text(raw: unknown): CommonValue {
  if (raw === null || raw === undefined) return null;
  const value = String(raw).trim();
  return value === '' ? null : value;
}

function decimal(raw: unknown): CommonValue {
  const value = text(raw);
  return value === null ? null : (canonicalDecimalText(value) ?? value);
}

/** The primary-partner field pairs, named and transformed as the mapping has them. */
function partnerFieldPairs(ctx: SyncContext) {
  const mapping = objectMappingOf(ctx.mapping, 'deal');
  const pair = (hubspot: string, salesforce: string, transform: Transform) => {
    const mapped = mapping?.fields.find((f) => f.hubspot === hubspot);
    return {
      hubspot,
      salesforce: mapped?.salesforce ?? salesforce,
      transform: mapped?.transform ?? transform,
      mapped: mapped !== undefined,
    };
  };
  return {
    company: pair('pb_partner_company_id', 'PB_Partner_Account__c', {
      kind: 'reference',
      object: 'partner',
    }),
    role: pair('pb_partner_role', 'PB_Partner_Role__c', { kind: 'text' }),
    motion: pair('pb_partner_motion', 'PB_Partner_Motion__c', { kind: 'text' }),
  };
}

function failureOf(error: unknown): SyncCallError {
  if (error instanceof SyncCallError) return error;
  return new SyncCallError('hubspot', 'retry_later', {
    errorCode: 'ENGINE_ERROR',
    message: error instanceof Error ? error.message : String(error),
    cause: error,
  });
}

function defer(item: Item, error: SyncCallError): void {
  item.deferred = {
    retryAfterMs: Math.max(1_000, error.retryAfterMs ?? 5_000),
    reason: `${error.system}: ${error.message}`,
  };
}

function failSide(item: Item, system: SyncSide, error: SyncCallError, attempted: unknown): void {
  if (item.failed.has(system)) return;
  item.failed.set(system, { error, attempted, permanent: error.kind === 'permanent' });
}

/** Records the outcome of one write on the item's side. */
function applyResult(
  item: Item,
  result: PerInput<unknown> | WriteResult | undefined,
  system: SyncSide,
  attempted: unknown,
): void {
  if (result === undefined || result.ok) return;
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
          { errorCode: result.error.errorCode, message: result.error.message },
        );
  failSide(item, system, error, attempted);
}

export async function processOutbox(
  ctx: SyncContext,
  options: { readonly limit: number },
): Promise<OutboxResult> {
  const db = ctx.services.db;
  const installationId = ctx.installationId;
  const at = () => new Date(ctx.now());
  const installation = await getInstallationOrThrow(db, installationId);
  const withSalesforce =
    installation.salesforceOrgId !== null && ctx.services.salesforce !== undefined;

  const rows = await db
    .select()
    .from(localChanges)
    .where(
      and(
        eq(localChanges.installationId, installationId),
        isNull(localChanges.processedAt),
        inArray(localChanges.objectKind, ['deal', 'partner']),
      ),
    )
    .orderBy(asc(localChanges.createdAt))
    .limit(options.limit);
  const empty = { hubspot: 0, salesforce: 0, labels: 0 };
  if (rows.length === 0) {
    return {
      picked: 0,
      processed: 0,
      deferred: 0,
      deadLettered: 0,
      writes: empty,
      retryAfterMs: null,
      more: false,
    };
  }

  // The admin's daily caps: pushing our values is real-time work, so only the cap stops it.
  const budgets = await Promise.all(
    (withSalesforce ? (['hubspot', 'salesforce'] as const) : (['hubspot'] as const)).map((p) =>
      budgetState(db, installationId, p, ctx.now()),
    ),
  );
  const paused = budgets.find((b) => b.state === 'paused');
  if (paused !== undefined) {
    return {
      picked: rows.length,
      processed: 0,
      deferred: rows.length,
      deadLettered: 0,
      writes: empty,
      retryAfterMs: Math.min(
        (paused.resumesAt ?? ctx.now() + 60_000) - ctx.now(),
        ctx.options.budgetRecheckMs ?? defaultBudgetRecheckMs,
      ),
      more: false,
    };
  }

  const items = new Map<string, Item>();
  for (const row of rows) {
    const kind = row.objectKind as OutboxKind;
    const key = `${kind}:${row.localId}`;
    const item = items.get(key) ?? {
      kind,
      localId: row.localId,
      rowIds: [],
      reasons: new Set<string>(),
      hubspotId: null,
      salesforceId: null,
      hubspotWrites: {},
      salesforceWrites: {},
      hubspotShadows: {},
      salesforceShadows: {},
      labelAdds: [],
      labelRemoves: [],
      notes: [],
      resync: new Set<SyncSide>(),
      resyncAssociations: false,
      failed: new Map<SyncSide, SideFailure>(),
    };
    item.rowIds.push(row.id);
    item.reasons.add(row.reason);
    items.set(key, item);
  }
  const all = [...items.values()];
  const dealsWanted = await desiredDeals(
    db,
    installationId,
    all.filter((i) => i.kind === 'deal').map((i) => i.localId),
  );
  const partnersWanted = await desiredPartners(
    db,
    installationId,
    all.filter((i) => i.kind === 'partner').map((i) => i.localId),
  );
  for (const item of all) {
    const wanted =
      item.kind === 'deal' ? dealsWanted.get(item.localId) : partnersWanted.get(item.localId);
    const deal = dealsWanted.get(item.localId);
    const partner = partnersWanted.get(item.localId);
    if (item.kind === 'deal' && deal !== undefined) item.deal = deal;
    if (item.kind === 'partner' && partner !== undefined) item.partner = partner;
    item.hubspotId = wanted?.hubspotId ?? null;
    item.salesforceId = wanted?.salesforceId ?? null;
  }

  // The id links are the truth about the Salesforce twin (and about deletions).
  for (const kind of ['deal', 'partner'] as const) {
    const ofKind = all.filter((i) => i.kind === kind && i.hubspotId !== null);
    const links = await findLinks(db, installationId, [kind], {
      hubspot: ofKind.map((i) => i.hubspotId as string),
      salesforce: [],
    });
    for (const item of ofKind) {
      const link = links.find((l) => l.hubspotId === item.hubspotId);
      if (link?.deletedAt !== null && link?.deletedAt !== undefined) {
        item.notes.push('the record was deleted in a CRM; nothing to write');
        item.hubspotId = null;
        item.salesforceId = null;
        continue;
      }
      if (link?.salesforceId !== null && link?.salesforceId !== undefined)
        item.salesforceId = link.salesforceId;
    }
  }
  if (!withSalesforce) for (const item of all) item.salesforceId = null;

  const owner = `outbox-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const lockKeys = (item: Item) => [
    ...(item.hubspotId === null ? [] : [lockKey(installationId, item, 'hs', item.hubspotId)]),
    ...(item.salesforceId === null ? [] : [lockKey(installationId, item, 'sf', item.salesforceId)]),
  ];
  const locked: Item[] = [];
  const lockable = all.filter((item) => item.hubspotId !== null || item.salesforceId !== null);
  const claims = await ctx.gates.claimEach(lockable.map(lockKeys), owner, ctx.options.lockTtlMs);
  lockable.forEach((item, index) => {
    if (claims[index] === true) locked.push(item);
    else item.deferred = { retryAfterMs: 1_000, reason: 'record is being synced by another batch' };
  });

  const writes = { hubspot: 0, salesforce: 0, labels: 0 };
  const audit: AuditEntry[] = [];
  try {
    const live = () => locked.filter((i) => i.deferred === undefined);
    const writable = (system: SyncSide) => (i: Item) =>
      i.deferred === undefined && !i.failed.has(system);
    try {
      await readCurrent(ctx, live());
    } catch (error) {
      for (const item of live()) defer(item, failureOf(error));
    }
    const resolver = await partnerResolver(ctx, live());
    const shadows = {
      deal: await loadShadows(
        db,
        installationId,
        'deal',
        shadowKeys(live().filter((i) => i.kind === 'deal')),
      ),
      partner: await loadShadows(
        db,
        installationId,
        'partner',
        shadowKeys(live().filter((i) => i.kind === 'partner')),
      ),
    };
    const pairs = partnerFieldPairs(ctx);
    for (const item of live()) {
      const own = shadows[item.kind];
      if (item.kind === 'deal' && item.deal !== undefined)
        decideDeal(item, item.deal, pairs, resolver, {
          hubspot: own.get(`hubspot:${item.hubspotId}`) ?? {},
          salesforce: own.get(`salesforce:${item.salesforceId}`) ?? {},
        });
      if (item.kind === 'partner' && item.partner !== undefined) decidePartner(item, item.partner);
    }
    try {
      await decideLabels(
        ctx,
        live().filter((i) => i.kind === 'deal' && i.hubspot !== undefined),
        shadows.deal,
      );
    } catch (error) {
      for (const item of live().filter((i) => i.kind === 'deal' && i.hubspot !== undefined))
        defer(item, failureOf(error));
    }

    // Writes: Salesforce first (its refusals are the likelier), then HubSpot, then labels.
    for (const kind of ['deal', 'partner'] as const) {
      const updates = live()
        .filter(writable('salesforce'))
        .filter(
          (i) =>
            i.kind === kind &&
            i.salesforce !== undefined &&
            Object.keys(i.salesforceWrites).length > 0,
        );
      if (updates.length === 0) continue;
      try {
        const results = await ctx.callSalesforce((sf) =>
          updateByIds({
            ...sf,
            object: salesforceObjectFor(ctx, kind) as never,
            records: updates.map((i) => ({
              id: i.salesforceId as string,
              fields: i.salesforceWrites as never,
            })),
          }),
        );
        updates.forEach((item, index) => {
          applyResult(item, results[index], 'salesforce', { salesforce: item.salesforceWrites });
          if (results[index]?.ok === true) writes.salesforce++;
        });
      } catch (error) {
        for (const item of updates)
          failSide(item, 'salesforce', failureOf(error), { salesforce: item.salesforceWrites });
      }
    }
    for (const kind of ['deal', 'partner'] as const) {
      const updates = live()
        .filter(writable('hubspot'))
        .filter(
          (i) =>
            i.kind === kind && i.hubspot !== undefined && Object.keys(i.hubspotWrites).length > 0,
        );
      if (updates.length === 0) continue;
      try {
        const results = await batchUpdate(
          ctx.hubspot,
          kind === 'deal' ? 'deals' : 'companies',
          updates.map((i) => ({ id: i.hubspotId as string, properties: i.hubspotWrites })),
        );
        for (const item of updates) {
          const result = results.get(item.hubspotId as string);
          applyResult(item, result, 'hubspot', { hubspot: item.hubspotWrites });
          if (result?.ok === true) writes.hubspot++;
        }
      } catch (error) {
        for (const item of updates)
          failSide(item, 'hubspot', failureOf(error), { hubspot: item.hubspotWrites });
      }
    }
    for (const action of ['create', 'archive'] as const) {
      const labelled = live()
        .filter(writable('hubspot'))
        .filter((i) => (action === 'create' ? i.labelAdds.length > 0 : i.labelRemoves.length > 0));
      if (labelled.length === 0) continue;
      try {
        const results = await writePartnerLabels(
          ctx.hubspot,
          action,
          labelled.flatMap((i) => (action === 'create' ? i.labelAdds : i.labelRemoves)),
        );
        for (const item of labelled) {
          const result = results.get(item.hubspotId as string);
          applyResult(item, result, 'hubspot', {
            labels: { [action]: action === 'create' ? item.labelAdds : item.labelRemoves },
          });
          if (result?.ok === true) writes.labels++;
          else labelTypesOf(ctx).delete(ctx.installationId);
        }
      } catch (error) {
        labelTypesOf(ctx).delete(ctx.installationId);
        for (const item of labelled)
          failSide(item, 'hubspot', failureOf(error), { labels: action });
      }
    }

    // Bookkeeping: shadows of what each side now holds, audit, resyncs, dead letters, rows.
    // Shadows first, for every item at once (one statement per 1,000 fields, not two per item).
    const booked = locked.filter((item) => item.deferred === undefined);
    const shadowRecords: ShadowRecord[] = [];
    for (const item of booked) {
      const kind = item.kind;
      // A transient failure on a side keeps the row: the next run re-reads and writes the rest.
      const transient = [...item.failed.values()].find((f) => !f.permanent);
      if (transient !== undefined) {
        item.deferred = {
          retryAfterMs: Math.max(1_000, transient.error.retryAfterMs ?? 5_000),
          reason: `${transient.error.system}: ${transient.error.message}`,
        };
      }
      if (item.hubspotId !== null && item.hubspot !== undefined && !item.failed.has('hubspot')) {
        const fields = { ...item.hubspotShadows };
        if (item.labelShadow !== undefined) fields[LABELS_SHADOW_FIELD] = item.labelShadow;
        shadowRecords.push({ kind, system: 'hubspot', recordId: item.hubspotId, fields });
      }
      if (
        item.salesforceId !== null &&
        item.salesforce !== undefined &&
        !item.failed.has('salesforce')
      ) {
        shadowRecords.push({
          kind,
          system: 'salesforce',
          recordId: item.salesforceId,
          fields: item.salesforceShadows,
        });
      }
    }
    await saveShadowRecords(db, installationId, shadowRecords, at());
    for (const item of booked) {
      const kind = item.kind;
      if (item.deferred !== undefined) continue;
      for (const side of item.resync) {
        const id = side === 'hubspot' ? item.hubspotId : item.salesforceId;
        if (id === null) continue;
        const data = {
          installationId,
          kind: kind === 'deal' ? 'deal' : 'company',
          side,
          id,
        } as const;
        await ctx.services.queues.enqueue(syncRecordJob, data, recordJobOptions(data, ctx.options));
      }
      if (item.resyncAssociations && item.hubspotId !== null) {
        await ctx.gates.mark(`assoc:${installationId}`, [item.hubspotId]);
        const data = { installationId, kind: 'deal', side: 'hubspot', id: item.hubspotId } as const;
        await ctx.services.queues.enqueue(syncRecordJob, data, recordJobOptions(data, ctx.options));
      }
      const failure = [...item.failed.values()][0];
      const wrote =
        Object.keys(item.hubspotWrites).length +
          Object.keys(item.salesforceWrites).length +
          item.labelAdds.length +
          item.labelRemoves.length >
        0;
      if (wrote || item.notes.length > 0 || failure !== undefined) {
        audit.push({
          origin: 'partnerbridge',
          action: failure === undefined ? 'sync.outbox_applied' : 'sync.outbox_failed',
          objectKind: kind,
          localId: item.localId,
          hubspotId: item.hubspotId,
          salesforceId: item.salesforceId,
          before: {
            hubspot: pick(item.hubspot?.properties, Object.keys(item.hubspotWrites)),
            salesforce: pick(item.salesforce?.record, Object.keys(item.salesforceWrites)),
          },
          after: {
            hubspot: item.failed.has('hubspot') ? {} : item.hubspotWrites,
            salesforce: item.failed.has('salesforce') ? {} : item.salesforceWrites,
            labels: item.failed.has('hubspot')
              ? {}
              : { added: item.labelAdds, removed: item.labelRemoves },
          },
          decision: {
            reasons: [...item.reasons],
            notes: item.notes,
            ...(failure === undefined
              ? {}
              : { failed: `${failure.error.system}: ${failure.error.message}` }),
          },
        });
      }
      if (failure !== undefined) {
        await recordSyncDeadLetter(db, installationId, {
          group: failure.error.group,
          reason: `${failure.error.system}: ${failure.error.message}`,
          jobData: outboxLetterRecord(item),
          attempted: failure.attempted,
          errorCode: failure.error.errorCode,
          system: failure.error.system,
          attempts: 1,
          at: at(),
          queue: OUTBOX_QUEUE,
        });
      }
    }
    await writeAudit(db, installationId, audit, at());
  } finally {
    await ctx.gates.release(locked.flatMap(lockKeys), owner);
    await ctx.usage
      .flush()
      .catch((error: unknown) => ctx.log.warn({ err: error }, 'could not record API usage'));
  }

  const done = all.filter((i) => i.deferred === undefined);
  const succeeded = done.filter((i) => i.failed.size === 0);
  await resolveDeadLettersFor(
    db,
    installationId,
    succeeded.map((i) => deadLetterKey(outboxLetterRecord(i))),
    at(),
    OUTBOX_QUEUE,
  );
  const processedIds = done.flatMap((i) => i.rowIds);
  if (processedIds.length > 0) {
    await db
      .update(localChanges)
      .set({ processedAt: at() })
      .where(
        and(
          eq(localChanges.installationId, installationId),
          inArray(localChanges.id, processedIds),
        ),
      );
  }
  const deferred = all.filter((i) => i.deferred !== undefined);
  return {
    picked: rows.length,
    processed: processedIds.length,
    deferred: deferred.length,
    deadLettered: done.length - succeeded.length,
    writes,
    retryAfterMs:
      deferred.length === 0
        ? null
        : Math.max(...deferred.map((i) => i.deferred?.retryAfterMs ?? 1_000)),
    more: rows.length === options.limit,
  };
}

/** What a dead letter of the outbox names: replaying it queues a new outbox row. */
export function outboxLetterRecord(item: {
  kind: OutboxKind;
  localId: string;
  hubspotId: string | null;
  salesforceId: string | null;
}) {
  return {
    outbox: true as const,
    kind: item.kind,
    side: 'partnerbridge',
    id: item.localId,
    hubspotId: item.hubspotId,
    salesforceId: item.salesforceId,
  };
}

function pick(values: Readonly<Record<string, unknown>> | undefined, keys: readonly string[]) {
  return Object.fromEntries(keys.map((k) => [k, values?.[k] ?? null]));
}

function shadowKeys(items: readonly Item[]) {
  return items.flatMap((i) => [
    ...(i.hubspotId === null ? [] : [{ system: 'hubspot' as const, recordId: i.hubspotId }]),
    ...(i.salesforceId === null
      ? []
      : [{ system: 'salesforce' as const, recordId: i.salesforceId }]),
  ]);
}

async function readCurrent(ctx: SyncContext, items: readonly Item[]): Promise<void> {
  for (const kind of ['deal', 'partner'] as const) {
    const ofKind = items.filter((i) => i.kind === kind);
    const hubspotIds = ofKind.flatMap((i) => (i.hubspotId === null ? [] : [i.hubspotId]));
    if (hubspotIds.length > 0) {
      const read = await batchRead(
        ctx.hubspot,
        kind === 'deal' ? 'deals' : 'companies',
        hubspotIds,
        kind === 'deal'
          ? [
              ...Object.values(partnerFieldPairs(ctx)).map((p) => p.hubspot),
              'pb_partner_commission',
              'pb_commission_explanation',
            ]
          : ['pb_partner_tier'],
      );
      for (const item of ofKind) {
        const record = item.hubspotId === null ? undefined : read.get(item.hubspotId);
        if (record !== undefined) item.hubspot = record;
        else if (item.hubspotId !== null)
          item.notes.push('HubSpot record not found (deleted?): HubSpot not written');
      }
    }
    const salesforceIds = ofKind.flatMap((i) => (i.salesforceId === null ? [] : [i.salesforceId]));
    if (salesforceIds.length > 0) {
      const object = salesforceObjectFor(ctx, kind);
      const read = await ctx.callSalesforce((sf) =>
        retrieveByIds({ ...sf, object: object as never, ids: salesforceIds }),
      );
      const byId = new Map<string, ReadRecord<Record<string, unknown>, unknown>>();
      for (const record of read)
        if (record !== null && !record.deleted) byId.set(record.id, record as never);
      for (const item of ofKind) {
        const record = item.salesforceId === null ? undefined : byId.get(item.salesforceId);
        if (record !== undefined) item.salesforce = record;
        else if (item.salesforceId !== null)
          item.notes.push('Salesforce record not found (deleted?): Salesforce not written');
      }
    }
  }
}

/** Salesforce account ids ↔ HubSpot company ids of the partners these records name. */
async function partnerResolver(
  ctx: SyncContext,
  items: readonly Item[],
): Promise<ReferenceResolver> {
  const accounts = new Set<string>();
  const companies = new Set<string>();
  const field = partnerFieldPairs(ctx).company;
  for (const item of items) {
    const account = item.salesforce?.record[field.salesforce];
    if (typeof account === 'string' && account !== '') accounts.add(account);
    const company = item.hubspot?.properties[field.hubspot];
    if (company !== null && company !== undefined && company !== '') companies.add(company);
    if (item.deal?.primary?.hubspotCompanyId) companies.add(item.deal.primary.hubspotCompanyId);
  }
  const links = await findLinks(ctx.services.db, ctx.installationId, ['partner', 'customer'], {
    hubspot: [...companies],
    salesforce: [...accounts],
  });
  const live = (object: 'partner' | 'customer') =>
    links.filter((l) => l.objectKind === object && l.deletedAt === null);
  return {
    salesforceToHubspot: (object, id) =>
      live(object).find((l) => l.salesforceId === id)?.hubspotId ?? undefined,
    hubspotToSalesforce: (object, id) =>
      live(object).find((l) => l.hubspotId === id)?.salesforceId ?? undefined,
  };
}

type FieldPairs = ReturnType<typeof partnerFieldPairs>;

/** The declared object, plus mapped partner fields a custom mapping names (read and written as text). */
function salesforceObjectFor(ctx: SyncContext, kind: OutboxKind) {
  const declared = kind === 'deal' ? opportunityObject : accountObject;
  if (kind !== 'deal') return declared;
  const extra = Object.values(partnerFieldPairs(ctx))
    .map((p) => p.salesforce)
    .filter((name) => !declared.fields.some((f) => f.name.toLowerCase() === name.toLowerCase()));
  return declared.withFields([
    ...declared.fields,
    ...extra.map((name) => ({ name, kind: 'text' as const, writable: true, optional: false })),
  ]) as typeof declared;
}

function decideDeal(
  item: Item,
  wanted: DesiredDeal,
  pairs: FieldPairs,
  resolver: ReferenceResolver,
  shadows: Record<SyncSide, Record<string, CommonValue>>,
): void {
  const primary = wanted.primary;
  const desired: Record<keyof FieldPairs, CommonValue> = {
    company: primary?.hubspotCompanyId ?? null,
    role: primary?.role ?? null,
    motion: primary?.motion ?? null,
  };
  const sides: SyncSide[] = [
    ...(item.hubspot === undefined ? [] : (['hubspot'] as const)),
    ...(item.salesforce === undefined ? [] : (['salesforce'] as const)),
  ];
  const raw = (side: SyncSide, name: string) =>
    side === 'hubspot' ? item.hubspot?.properties[name] : item.salesforce?.record[name];
  // Partner fields: three-way against the shadows the record sync keeps for them.
  const fieldsOf = (side: SyncSide) =>
    (Object.keys(pairs) as (keyof FieldPairs)[]).map((key) => {
      const pair = pairs[key];
      const name = pair[side];
      const normalized = normalizeValue(pair.transform, side, raw(side, name), resolver);
      const current = normalized.ok ? normalized.value : `invalid:${String(raw(side, name))}`;
      // Edited: neither ours nor the value both sides last agreed on. A mapped field the sync
      // never agreed on (a record created moments ago) counts as edited when it holds a value.
      const edited =
        current !== desired[key] &&
        (Object.hasOwn(shadows[side], name)
          ? current !== shadows[side][name]
          : pair.mapped && current !== null);
      return { key, pair, name, current, edited };
    });
  const fields = new Map(sides.map((side) => [side, fieldsOf(side)]));
  const edited = sides.filter((side) => fields.get(side)?.some((f) => f.edited));
  if (edited.length > 0) {
    // A rep's edit the record sync has not seen: it decides (then the projection updates the
    // tags, and a new outbox row follows); writing ours now would only be overwritten.
    for (const side of edited) item.resync.add(side);
    item.notes.push(
      `partner fields were edited in ${edited.join(' and ')} since the last sync: left for the record sync`,
    );
  }
  for (const side of edited.length > 0 ? [] : sides) {
    if (side === 'salesforce' && primary !== null && primary.salesforceAccountId === null) {
      item.notes.push(
        'the primary partner has no Salesforce account: Salesforce partner fields not written',
      );
      continue;
    }
    for (const f of fields.get(side) ?? []) {
      const value = desired[f.key];
      if (f.current !== value) {
        if (side === 'hubspot') item.hubspotWrites[f.name] = value ?? '';
        else
          item.salesforceWrites[f.name] =
            f.key === 'company'
              ? (primary?.salesforceAccountId ?? null)
              : value === null
                ? null
                : f.pair.transform.kind === 'value_map'
                  ? (f.pair.transform.hubspotToSalesforce[value] ?? value)
                  : value;
      }
      if (side === 'hubspot') item.hubspotShadows[f.name] = value;
      else item.salesforceShadows[f.name] = value;
    }
  }
  for (const side of sides) {
    // Partnerbridge's own fields: always what we computed.
    const commissionField =
      side === 'hubspot' ? 'pb_partner_commission' : 'PB_Partner_Commission__c';
    const explanationField =
      side === 'hubspot' ? 'pb_commission_explanation' : 'PB_Commission_Explanation__c';
    if (decimal(raw(side, commissionField)) !== wanted.commission) {
      if (side === 'hubspot') item.hubspotWrites[commissionField] = wanted.commission ?? '';
      else
        item.salesforceWrites[commissionField] =
          wanted.commission === null ? null : Number(wanted.commission);
    }
    const explanation = text(raw(side, explanationField))?.replace(/\r\n/g, '\n') ?? null;
    if (explanation !== wanted.explanation) {
      if (side === 'hubspot') item.hubspotWrites[explanationField] = wanted.explanation ?? '';
      else item.salesforceWrites[explanationField] = wanted.explanation;
    }
    const owned = side === 'hubspot' ? item.hubspotShadows : item.salesforceShadows;
    owned[commissionField] = wanted.commission;
    owned[explanationField] = wanted.explanation;
  }
}

function decidePartner(item: Item, wanted: DesiredPartner): void {
  if (item.hubspot !== undefined) {
    if (text(item.hubspot.properties.pb_partner_tier) !== wanted.tier)
      item.hubspotWrites.pb_partner_tier = wanted.tier;
    item.hubspotShadows.pb_partner_tier = wanted.tier;
  }
  if (item.salesforce !== undefined) {
    if (text(item.salesforce.record.PB_Partner_Tier__c) !== wanted.tier)
      item.salesforceWrites.PB_Partner_Tier__c = wanted.tier;
    item.salesforceShadows.PB_Partner_Tier__c = wanted.tier;
  }
}

// Label type ids per installation, read again every few minutes: they change only when someone
// deletes a label in HubSpot, and a failed label write forgets them at once.
const labelTypesCache = new WeakMap<
  Services,
  Map<string, { readonly at: number; readonly types: PartnerLabelTypes }>
>();
const LABEL_TYPES_TTL_MS = 10 * 60_000;

function labelTypesOf(ctx: SyncContext) {
  const cache = labelTypesCache.get(ctx.services) ?? new Map();
  labelTypesCache.set(ctx.services, cache);
  return cache;
}

async function partnerLabelTypes(ctx: SyncContext): Promise<PartnerLabelTypes> {
  const cache = labelTypesOf(ctx);
  const cached = cache.get(ctx.installationId);
  if (cached !== undefined && ctx.now() - cached.at < LABEL_TYPES_TTL_MS) return cached.types;
  const types = await ensurePartnerLabels(ctx.hubspot);
  cache.set(ctx.installationId, { at: ctx.now(), types });
  return types;
}

/**
 * Labelled associations, three-way per (company, label): ours and missing → add; present, not
 * ours and agreed before → remove; present and never agreed (a rep's label the record sync has
 * not imported yet) → leave it and queue the record sync; agreed, ours, but removed by a rep →
 * leave it removed this time and queue the record sync (an imported tag then goes; a card tag is
 * written again with its next change).
 */
async function decideLabels(
  ctx: SyncContext,
  items: readonly Item[],
  shadows: Map<string, Record<string, CommonValue>>,
): Promise<void> {
  if (items.length === 0) return;
  const types = await partnerLabelTypes(ctx);
  const ours = new Set(Object.values(types));
  const associations = await readDealCompanies(
    ctx.hubspot,
    items.map((i) => i.hubspotId as string),
  );
  for (const item of items) {
    const dealId = item.hubspotId as string;
    const current = new Set(
      (associations.get(dealId) ?? []).flatMap((a) =>
        a.types.filter((t) => ours.has(t.typeId)).map((t) => `${a.toId}:${t.typeId}`),
      ),
    );
    const desired = new Set(
      (item.deal?.labels ?? []).map((l) => `${l.companyId}:${types[l.role]}`),
    );
    const agreed = new Set(
      (shadows.get(`hubspot:${dealId}`)?.[LABELS_SHADOW_FIELD] ?? '')
        .split(',')
        .filter((s) => s !== ''),
    );
    const write = (entry: string): LabelWrite => {
      const [companyId = '', typeId = '0'] = entry.split(':');
      return { dealId, companyId, typeId: Number(typeId) };
    };
    const kept = new Set<string>();
    for (const entry of desired) {
      if (current.has(entry)) kept.add(entry);
      else if (agreed.has(entry)) item.resyncAssociations = true;
      else {
        item.labelAdds.push(write(entry));
        kept.add(entry);
      }
    }
    for (const entry of current) {
      if (desired.has(entry)) continue;
      if (agreed.has(entry)) item.labelRemoves.push(write(entry));
      else item.resyncAssociations = true;
    }
    if (item.resyncAssociations)
      item.notes.push(
        'HubSpot partner labels were edited since the last sync: left for the record sync',
      );
    item.labelShadow = [...kept].sort().join(',');
  }
}
