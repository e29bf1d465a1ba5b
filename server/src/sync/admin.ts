import type {
  AuditEntryView,
  BudgetsView,
  BudgetView,
  DeadLettersView,
  DeadLetterView,
  DryRunView,
  IdentityReviewsView,
  IdentityReviewView,
  ObjectFieldsView,
  resolveReviewBodySchema,
  SavedMappingView,
  SyncHealthView,
  SyncMappingsView,
} from '@partnerbridge/shared/api';
import {
  changedKinds,
  decideRecord,
  type MappingDocument,
  mappedFields,
  objectMappingOf,
  type SyncSide,
} from '@partnerbridge/shared/sync';
import { and, count, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { apiBudgets, apiUsage } from '../db/schema/api.ts';
import { auditLog, deadLetters } from '../db/schema/audit.ts';
import { idLinks, localChanges, syncCheckpoints } from '../db/schema/sync.ts';
import {
  AppError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
  UpstreamError,
} from '../errors.ts';
import { assertNever } from '../http/route.ts';
import { getInstallationOrThrow } from '../installs/installations.ts';
import { recordJobOptions, syncRecordJob } from '../jobs/sync-record.job.ts';
import type { Services } from '../services.ts';
import { type BudgetState, budgetState, utcDay } from './api-usage.ts';
import { batchRead } from './hubspot/hubspot-objects.ts';
import { notifyLocalChanges } from './outbox-trigger.ts';
import type { RecordFamily } from './record-sync.ts';
import { createGates } from './redis-gates.ts';
import { createSyncContext, defaultSyncOptions, type SyncContext } from './sync-context.ts';
import { SyncCallError } from './sync-errors.ts';
import {
  currentMapping,
  dropShadows,
  findLinks,
  type IdLink,
  type LinkedKind,
  loadShadows,
  mappingVersions,
  parseStoredReview,
  pendingReviews,
  saveMappingVersion,
  upsertLink,
  writeAudit,
} from './sync-store.ts';

// What the sync admin API does, for the operator routes (`/admin/api/installations/:id/sync`)
// and the settings page's signed ones (`/api/v1/sync`) alike: sync health, the object pairs'
// real fields, mapping validation against the real portal and org, dry-run diffs, back-fills,
// dead letters. Route files only check who calls and pass the installation.

export async function adminContext(
  services: Services,
  installationId: string,
): Promise<SyncContext> {
  await getInstallationOrThrow(services.db, installationId);
  const queue = services.queues.queue('sync-record');
  const gates = createGates(
    async () => (await queue.getBackend().client) as never,
    services.queues.prefix,
  );
  return createSyncContext({
    services,
    installationId,
    gates,
    options: defaultSyncOptions,
    log: services.log,
  });
}

/** The record a dead letter of the outbox names (see `outboxLetterRecord`). */
const outboxLetterSchema = z.looseObject({
  outbox: z.literal(true),
  kind: z.enum(['deal', 'partner']),
  id: z.uuid(),
});

const familyOf = (kind: LinkedKind): RecordFamily => (kind === 'deal' ? 'deal' : 'company');
const sobjectOf = (kind: LinkedKind) => (kind === 'deal' ? 'Opportunity' : 'Account');

export type FieldProblem = { path: string; message: string };

const hubspotTypeOf = (kind: LinkedKind) => (kind === 'deal' ? 'deals' : 'companies');

type PropertyList = {
  results?: {
    name: string;
    label?: string;
    type: string;
    modificationMetadata?: { readOnlyValue?: boolean };
  }[];
};

/**
 * The real fields of an object pair: the portal's properties (`/crm/v3/properties`, through the
 * sync's HubSpot client: limiter, usage) and the org's described fields (jsforce `describe`).
 */
export async function readObjectFields(
  ctx: SyncContext,
  kind: LinkedKind,
): Promise<ObjectFieldsView> {
  const objectType = hubspotTypeOf(kind);
  const sobject = sobjectOf(kind);
  const properties = await ctx.hubspot.request<PropertyList>(
    'GET',
    `/crm/v3/properties/${objectType}`,
  );
  const described = await ctx.callSalesforce(async (sf) => {
    sf.meter?.recordCall('describe');
    return sf.connection.sobject(sobject).describe();
  });
  return {
    kind,
    hubspot: {
      objectType,
      properties: (properties?.results ?? []).map((p) => ({
        name: p.name,
        label: p.label ?? p.name,
        type: p.type,
        readOnly: p.modificationMetadata?.readOnlyValue === true,
      })),
    },
    salesforce: {
      sobject,
      fields: described.fields.map((f) => ({
        name: f.name,
        label: f.label,
        type: f.type,
        updateable: f.updateable,
      })),
    },
  };
}

/**
 * Fields the document maps that the portal or the org does not have (by name), or that cannot
 * be written in a direction the mapping writes them.
 */
export async function validateAgainstCrms(
  ctx: SyncContext,
  document: MappingDocument,
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  // partner and customer are both companies ↔ Account: read each pair once.
  const read = new Map<string, Promise<ObjectFieldsView>>();
  for (const [o, object] of document.objects.entries()) {
    if (!object.enabled) continue;
    const type = hubspotTypeOf(object.kind);
    const sobject = sobjectOf(object.kind);
    if (!read.has(type)) read.set(type, readObjectFields(ctx, object.kind));
    const fields = await (read.get(type) as Promise<ObjectFieldsView>);
    const properties = new Map(fields.hubspot.properties.map((p) => [p.name, p]));
    const described = new Map(fields.salesforce.fields.map((f) => [f.name.toLowerCase(), f]));
    for (const [f, field] of object.fields.entries()) {
      const property = properties.get(field.hubspot);
      if (property === undefined) {
        problems.push({
          path: `objects[${o}].fields[${f}].hubspot`,
          message: `HubSpot ${type} have no property named ${field.hubspot}`,
        });
      } else if (property.readOnly && field.direction !== 'hubspot_to_salesforce') {
        problems.push({
          path: `objects[${o}].fields[${f}].hubspot`,
          message: `HubSpot property ${field.hubspot} is read-only`,
        });
      }
      const sfField = described.get(field.salesforce.toLowerCase());
      if (sfField === undefined) {
        problems.push({
          path: `objects[${o}].fields[${f}].salesforce`,
          message: `Salesforce ${sobject} has no field named ${field.salesforce}`,
        });
      } else if (!sfField.updateable && field.direction !== 'salesforce_to_hubspot') {
        problems.push({
          path: `objects[${o}].fields[${f}].salesforce`,
          message: `Salesforce field ${sobject}.${field.salesforce} is not updateable`,
        });
      }
    }
  }
  return problems;
}

/** What saving `document` would write, from a sample of linked records read live (≤ `limit`). */
export async function dryRun(
  ctx: SyncContext,
  document: MappingDocument,
  limit = 100,
): Promise<DryRunView> {
  const current = ctx.mapping;
  const kinds = changedKinds(current, document) as LinkedKind[];
  const byField = new Map<string, { field: string; side: SyncSide; writes: number }>();
  const examples: DryRunView['examples'][number][] = [];
  let sampled = 0;
  let total = 0;
  const writes = { hubspot: 0, salesforce: 0 };
  for (const kind of kinds) {
    const mapping = objectMappingOf(document, kind);
    if (mapping === undefined) continue;
    const where = and(
      eq(idLinks.installationId, ctx.installationId),
      eq(idLinks.objectKind, kind),
      eq(idLinks.status, 'linked'),
      isNull(idLinks.deletedAt),
    );
    const [counted] = await ctx.services.db.select({ n: count() }).from(idLinks).where(where);
    total += counted?.n ?? 0;
    const links = (await ctx.services.db.select().from(idLinks).where(where).limit(limit)).filter(
      (l) => l.hubspotId !== null && l.salesforceId !== null,
    );
    if (links.length === 0) continue;
    const hubspot = await batchRead(
      ctx.hubspot,
      hubspotTypeOf(kind),
      links.map((l) => l.hubspotId as string),
      mappedFields(mapping, 'hubspot'),
    );
    const { retrieveByIds, opportunityObject, accountObject } = await import(
      '@partnerbridge/salesforce-connector'
    );
    const declared = kind === 'deal' ? opportunityObject : accountObject;
    const extra = mappedFields(mapping, 'salesforce').filter(
      (name) => !declared.fields.some((f) => f.name.toLowerCase() === name.toLowerCase()),
    );
    const object = declared.withFields([
      ...declared.fields,
      ...extra.map((name) => ({ name, kind: 'text' as const, writable: true, optional: false })),
    ]);
    const salesforce = await ctx.callSalesforce((sf) =>
      retrieveByIds({
        ...sf,
        object: object as never,
        ids: links.map((l) => l.salesforceId as string),
      }),
    );
    const shadows = await loadShadows(
      ctx.services.db,
      ctx.installationId,
      kind,
      links.flatMap((l) => [
        { system: 'hubspot' as const, recordId: l.hubspotId as string },
        { system: 'salesforce' as const, recordId: l.salesforceId as string },
      ]),
    );
    const changedFields = new Set(
      mapping.fields
        .filter(
          (f) =>
            !objectMappingOf(current, kind)?.fields.some(
              (g) => JSON.stringify(g) === JSON.stringify(f),
            ),
        )
        .map((f) => f.hubspot),
    );
    links.forEach((link, index) => {
      const hs = hubspot.get(link.hubspotId as string);
      const sf = salesforce[index];
      if (hs === undefined || sf === null || sf === undefined) return;
      sampled++;
      const forget = (fields: Record<string, string | null> | undefined, side: SyncSide) =>
        Object.fromEntries(
          Object.entries(fields ?? {}).filter(
            ([name]) =>
              !mapping.fields.some((f) => changedFields.has(f.hubspot) && f[side] === name),
          ),
        );
      const decision = decideRecord({
        mapping,
        hubspot: {
          values: hs.properties,
          modifiedAt: Date.parse(hs.properties.hs_lastmodifieddate ?? '') || null,
        },
        salesforce: {
          values: sf.record as Record<string, unknown>,
          modifiedAt: Date.parse(sf.modstamp),
        },
        shadows: {
          hubspot: forget(shadows.get(`hubspot:${link.hubspotId}`), 'hubspot'),
          salesforce: forget(shadows.get(`salesforce:${link.salesforceId}`), 'salesforce'),
        },
      });
      const changes = decision.fields.filter(
        (f) => f.action === 'write_hubspot' || f.action === 'write_salesforce',
      );
      for (const change of changes) {
        const side: SyncSide = change.action === 'write_hubspot' ? 'hubspot' : 'salesforce';
        writes[side]++;
        const key = `${side}:${side === 'hubspot' ? change.hubspotField : change.salesforceField}`;
        const entry = byField.get(key) ?? {
          field: side === 'hubspot' ? change.hubspotField : change.salesforceField,
          side,
          writes: 0,
        };
        entry.writes++;
        byField.set(key, entry);
      }
      if (changes.length > 0 && examples.length < 20) {
        examples.push({
          kind,
          hubspotId: link.hubspotId as string,
          salesforceId: link.salesforceId as string,
          changes,
        });
      }
    });
  }
  await ctx.usage.flush();
  return { sampled, records: total, writes, byField: [...byField.values()], examples };
}

/**
 * After a mapping change: both sides of the changed fields are compared afresh (their shadows
 * are forgotten), and every linked record of the affected kinds is queued at low priority.
 */
export async function backfill(
  services: Services,
  installationId: string,
  before: MappingDocument | undefined,
  after: MappingDocument,
): Promise<number> {
  const kinds = changedKinds(before, after) as LinkedKind[];
  let queued = 0;
  for (const kind of kinds) {
    const mapping = objectMappingOf(after, kind);
    const old = before === undefined ? undefined : objectMappingOf(before, kind);
    if (mapping !== undefined) {
      const changed = mapping.fields.filter(
        (f) => !old?.fields.some((g) => JSON.stringify(g) === JSON.stringify(f)),
      );
      await dropShadows(
        services.db,
        installationId,
        kind,
        changed.flatMap((f) => [
          { system: 'hubspot' as const, field: f.hubspot },
          { system: 'salesforce' as const, field: f.salesforce },
        ]),
      );
    }
    const links = await services.db
      .select({ hubspotId: idLinks.hubspotId, salesforceId: idLinks.salesforceId })
      .from(idLinks)
      .where(
        and(
          eq(idLinks.installationId, installationId),
          eq(idLinks.objectKind, kind),
          eq(idLinks.status, 'linked'),
          isNull(idLinks.deletedAt),
        ),
      );
    for (const link of links) {
      const side = link.hubspotId !== null ? 'hubspot' : 'salesforce';
      const id = link.hubspotId ?? link.salesforceId;
      if (id === null) continue;
      const data = { installationId, kind: familyOf(kind), side, id, backfill: true } as const;
      // Back-fills yield to live changes: lowest priority, batched in the back-fill lane (one
      // Bulk API 2.0 job when large).
      await services.queues.enqueue(syncRecordJob, data, {
        ...recordJobOptions(data),
        priority: 100,
      });
      queued++;
    }
  }
  return queued;
}

export async function syncHealth(
  services: Services,
  installationId: string,
): Promise<SyncHealthView> {
  const installation = await getInstallationOrThrow(services.db, installationId);
  const now = services.clock.now();
  const allCheckpoints = await services.db
    .select()
    .from(syncCheckpoints)
    .where(eq(syncCheckpoints.installationId, installationId));
  const checkpoints = allCheckpoints.filter((c) => c.channel === 'poll');
  const streams = allCheckpoints.filter((c) => c.channel === 'change_events');
  const errors = await services.db
    .select({
      errorType: deadLetters.errorType,
      count: count(),
      lastFailedAt: sql<Date>`max(${deadLetters.lastFailedAt})`,
    })
    .from(deadLetters)
    .where(and(eq(deadLetters.installationId, installationId), eq(deadLetters.status, 'open')))
    .groupBy(deadLetters.errorType);
  const examples = await services.db
    .select({
      id: deadLetters.id,
      errorType: deadLetters.errorType,
      reason: deadLetters.reason,
      payload: deadLetters.payload,
    })
    .from(deadLetters)
    .where(and(eq(deadLetters.installationId, installationId), eq(deadLetters.status, 'open')))
    .orderBy(desc(deadLetters.lastFailedAt))
    .limit(50);
  const usage = await services.db
    .select()
    .from(apiUsage)
    .where(and(eq(apiUsage.installationId, installationId), eq(apiUsage.day, utcDay(now))));
  const reviews = await services.db
    .select({ n: count() })
    .from(idLinks)
    .where(and(eq(idLinks.installationId, installationId), eq(idLinks.status, 'pending_review')));
  const [outbox] = await services.db
    .select({
      pending: count(),
      oldestAt: sql<Date | string | null>`min(${localChanges.createdAt})`,
    })
    .from(localChanges)
    .where(and(eq(localChanges.installationId, installationId), isNull(localChanges.processedAt)));
  const queue = services.queues.queue('sync-record');
  const depth = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
  const system = async (provider: 'hubspot' | 'salesforce') => {
    const mine = checkpoints.filter((c) => c.system === provider);
    const lastPoll = mine.reduce<Date | null>(
      (latest, c) => (latest === null || c.updatedAt > latest ? c.updatedAt : latest),
      null,
    );
    const budget = await budgetState(services.db, installationId, provider, now);
    const today = usage.find((u) => u.provider === provider);
    return {
      connected:
        provider === 'hubspot'
          ? installation.hubspotPortalId !== null
          : installation.salesforceOrgId !== null,
      ...(provider === 'salesforce'
        ? {
            // Change events: running (events flow; polls reconcile), failed (polling instead).
            changeEvents:
              streams.length === 0
                ? { status: 'not_started' as const, lastEventAt: null, error: null }
                : {
                    status: streams.some((c) => c.stage === 'failed')
                      ? ('unavailable' as const)
                      : ('running' as const),
                    lastEventAt: new Date(
                      Math.max(...streams.map((c) => c.updatedAt.getTime())),
                    ).toISOString(),
                    error: streams.find((c) => c.lastError !== null)?.lastError ?? null,
                  },
          }
        : {}),
      lastSuccessfulPoll: lastPoll?.toISOString() ?? null,
      lagSeconds: lastPoll === null ? null : Math.round((now - lastPoll.getTime()) / 1000),
      failedPolls: mine
        .filter((c) => c.stage === 'failed')
        .map((c) => ({ object: c.objectKind, error: c.lastError })),
      apiUsage: {
        day: budget.day,
        calls: budget.used,
        rateLimited: today?.rateLimited ?? 0,
        errors: today?.errors ?? 0,
        dailyLimit: budget.dailyLimit,
        state: budget.state,
        providerReport: today?.lastLimitInfo ?? null,
      },
    };
  };
  return {
    hubspot: await system('hubspot'),
    salesforce: await system('salesforce'),
    queue: depth,
    pendingReviews: reviews[0]?.n ?? 0,
    outbox: {
      pending: outbox?.pending ?? 0,
      oldestAt: outbox?.oldestAt == null ? null : new Date(outbox.oldestAt).toISOString(),
    },
    errors: errors.map((e) => ({
      type: e.errorType,
      count: e.count,
      lastFailedAt: new Date(e.lastFailedAt).toISOString(),
      examples: examples
        .filter((x) => x.errorType === e.errorType)
        .slice(0, 5)
        .map((x) => ({
          id: x.id,
          reason: x.reason,
          record: (x.payload as { record?: unknown }).record ?? null,
        })),
    })),
  };
}

const budgetProviders = ['hubspot', 'salesforce'] as const;
type BudgetProvider = (typeof budgetProviders)[number];

function toBudgetView(state: BudgetState): BudgetView {
  return {
    provider: state.provider,
    dailyLimit: state.dailyLimit,
    reservePercent: state.reservePercent,
    reserveLine: state.reserveLine,
    day: state.day,
    used: state.used,
    state: state.state,
    resumesAt: state.resumesAt === null ? null : new Date(state.resumesAt).toISOString(),
  };
}

/** Each CRM's daily cap, reserve line, our calls today and what is paused (see api-usage.ts). */
export async function budgetsView(
  services: Services,
  installationId: string,
): Promise<BudgetsView> {
  await getInstallationOrThrow(services.db, installationId);
  const now = services.clock.now();
  const states = await Promise.all(
    budgetProviders.map((provider) => budgetState(services.db, installationId, provider, now)),
  );
  return { budgets: states.map(toBudgetView) };
}

/**
 * Sets (or, with `dailyLimit: null`, clears) the daily cap of our calls to a CRM, audited with who
 * did it. Work held by the old cap resumes at its next check (`SyncOptions.budgetRecheckMs`).
 */
export async function setBudget(
  services: Services,
  installationId: string,
  provider: BudgetProvider,
  body: { dailyLimit: number | null; reservePercent: number },
  actor: string,
): Promise<BudgetView> {
  await getInstallationOrThrow(services.db, installationId);
  const at = new Date(services.clock.now());
  const where = and(
    eq(apiBudgets.installationId, installationId),
    eq(apiBudgets.provider, provider),
  );
  await services.db.transaction(async (tx) => {
    const [before] = await tx.select().from(apiBudgets).where(where);
    if (body.dailyLimit === null) {
      await tx.delete(apiBudgets).where(where);
    } else {
      const values = {
        dailyLimit: body.dailyLimit,
        reservePercent: body.reservePercent,
        updatedAt: at,
      };
      await tx
        .insert(apiBudgets)
        .values({ installationId, provider, ...values })
        .onConflictDoUpdate({
          target: [apiBudgets.installationId, apiBudgets.provider],
          set: values,
        });
    }
    await tx.insert(auditLog).values({
      installationId,
      occurredAt: at,
      origin: 'admin',
      actor,
      action: body.dailyLimit === null ? 'sync.budget_cleared' : 'sync.budget_set',
      objectKind: 'api_budget',
      before:
        before === undefined
          ? null
          : { provider, dailyLimit: before.dailyLimit, reservePercent: before.reservePercent },
      after:
        body.dailyLimit === null
          ? null
          : { provider, dailyLimit: body.dailyLimit, reservePercent: body.reservePercent },
    });
  });
  return toBudgetView(await budgetState(services.db, installationId, provider, at.getTime()));
}

export async function replayDeadLetter(
  services: Services,
  installationId: string,
  id: string,
  actor: string,
): Promise<boolean> {
  const [letter] = await services.db
    .select()
    .from(deadLetters)
    .where(and(eq(deadLetters.id, id), eq(deadLetters.installationId, installationId)));
  if (letter === undefined || letter.status !== 'open') return false;
  const record = (letter.payload as { record?: unknown }).record;
  const outbox = outboxLetterSchema.safeParse(record);
  if (outbox.success) {
    // An outbox failure: a new row, written again from the current state of our tables.
    await services.db.insert(localChanges).values({
      installationId,
      objectKind: outbox.data.kind,
      localId: outbox.data.id,
      reason: 'dead_letter_replayed',
    });
    await notifyLocalChanges(services, installationId);
  } else {
    const parsed = syncRecordJob.dataSchema.safeParse(record);
    if (!parsed.success) {
      throw new UnprocessableError(
        'this dead letter carries no record to replay; discard it instead',
      );
    }
    await services.queues.enqueue(syncRecordJob, parsed.data, recordJobOptions(parsed.data));
  }
  await closeDeadLetter(services, installationId, id, 'replayed', actor);
  return true;
}

/** Closes an open dead letter as replayed or discarded; false when there is no open one. */
async function closeDeadLetter(
  services: Services,
  installationId: string,
  id: string,
  status: 'replayed' | 'discarded',
  actor: string,
): Promise<boolean> {
  const rows = await services.db
    .update(deadLetters)
    .set({ status, resolvedAt: new Date(services.clock.now()), resolvedBy: actor })
    .where(
      and(
        eq(deadLetters.id, id),
        eq(deadLetters.installationId, installationId),
        eq(deadLetters.status, 'open'),
      ),
    )
    .returning({ id: deadLetters.id });
  return rows.length > 0;
}

export async function recordAudit(
  services: Services,
  installationId: string,
  kind: LinkedKind,
  id: string,
): Promise<AuditEntryView[]> {
  const rows = await services.db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.installationId, installationId),
        eq(auditLog.objectKind, kind),
        or(
          eq(auditLog.hubspotId, id),
          eq(auditLog.salesforceId, id),
          sql`${auditLog.localId}::text = ${id}`,
        ),
      ),
    )
    .orderBy(desc(auditLog.occurredAt))
    .limit(500);
  return rows.map((row) => ({
    id: String(row.id),
    occurredAt: row.occurredAt.toISOString(),
    origin: row.origin,
    actor: row.actor,
    action: row.action,
    objectKind: row.objectKind,
    localId: row.localId,
    hubspotId: row.hubspotId,
    salesforceId: row.salesforceId,
    before: row.before,
    after: row.after,
    policy: row.policy,
    decision: row.decision,
  }));
}

/** A review as the settings page and operators see it: the record, its candidates, why. */
function toReviewView(row: IdLink): IdentityReviewView {
  const stored = parseStoredReview(row.review);
  const side: SyncSide = row.hubspotId !== null ? 'hubspot' : 'salesforce';
  const other: SyncSide = side === 'hubspot' ? 'salesforce' : 'hubspot';
  return {
    id: row.id,
    objectKind: row.objectKind,
    side,
    reason: stored.reason,
    record: {
      system: side,
      id: row.hubspotId ?? row.salesforceId ?? '',
      name: stored.record?.name ?? null,
      domain: stored.record?.domain ?? null,
    },
    candidates: stored.candidates.flatMap((c) => {
      const id = other === 'hubspot' ? c.hubspotId : c.salesforceId;
      if (id === undefined) return [];
      const domain = c.domain ?? c.website ?? null;
      return [{ system: other, id, name: c.name ?? null, domain, matchedOn: c.matchedOn }];
    }),
    hubspotId: row.hubspotId,
    salesforceId: row.salesforceId,
    review: row.review,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Identity reviews waiting for a person, newest first. */
export async function identityReviews(
  services: Services,
  installationId: string,
): Promise<IdentityReviewsView> {
  await getInstallationOrThrow(services.db, installationId);
  const rows = await pendingReviews(services.db, installationId);
  return { reviews: rows.map(toReviewView) };
}

const crmRecord = { hubspot: 'HubSpot company', salesforce: 'Salesforce account' } as const;

/** The candidate a `link` names, as the review stored it (a 15-character Salesforce id too). */
function chosenCandidateOrThrow(
  review: IdentityReviewView,
  body: { salesforceId?: string | undefined; hubspotId?: string | undefined },
): string {
  const field = review.side === 'hubspot' ? 'salesforceId' : 'hubspotId';
  const wrong = field === 'salesforceId' ? 'hubspotId' : 'salesforceId';
  const other = review.side === 'hubspot' ? 'salesforce' : 'hubspot';
  const chosen = body[field];
  if (chosen === undefined) {
    const message = `this review is for a ${crmRecord[review.side]}: name one of its ${crmRecord[other]} candidates in ${field}`;
    throw new UnprocessableError(message, { issues: [{ path: `body.${wrong}`, message }] });
  }
  const candidate = review.candidates.find(
    (c) => c.id === chosen || (other === 'salesforce' && c.id.slice(0, 15) === chosen),
  );
  if (candidate === undefined) {
    const message = `${chosen} is not one of this review's candidates (${review.candidates.map((c) => c.id).join(', ')})`;
    throw new UnprocessableError(message, { issues: [{ path: `body.${field}`, message }] });
  }
  return candidate.id;
}

/**
 * Resolves an identity review raised from either side: `link` to one of its candidates (which
 * must still be free: not linked, kept apart or once linked elsewhere), `create` a new twin
 * (the mapping must create that side), or `keep_apart` (no twin, not synced). Audited as `actor`;
 * the record is then queued to sync. A review already resolved is a 409.
 */
export async function resolveReview(
  services: Services,
  installationId: string,
  linkId: string,
  body: z.output<typeof resolveReviewBodySchema>,
  actor: string,
): Promise<{ resolved: true }> {
  await getInstallationOrThrow(services.db, installationId);
  const now = new Date(services.clock.now());
  const record = await services.db.transaction(async (tx) => {
    const [link] = await tx
      .select()
      .from(idLinks)
      .where(and(eq(idLinks.id, linkId), eq(idLinks.installationId, installationId)))
      .for('update');
    if (link === undefined || link.deletedAt !== null || link.objectKind === 'deal')
      throw new NotFoundError('no identity review with this id');
    if (link.status !== 'pending_review') {
      throw new ConflictError(
        `this review is already resolved: the record is ${link.status === 'kept_apart' ? 'kept apart' : 'linked'}`,
      );
    }
    const review = toReviewView(link);
    const kind = link.objectKind as LinkedKind;
    const stored = parseStoredReview(link.review);
    const other: SyncSide = review.side === 'hubspot' ? 'salesforce' : 'hubspot';
    const pairWith = (twin: string | null) => ({
      hubspotId: review.side === 'hubspot' ? review.record.id : twin,
      salesforceId: review.side === 'salesforce' ? review.record.id : twin,
    });
    const settle = (status: 'linked' | 'kept_apart', resolution: 'create' | 'keep_apart') =>
      tx
        .update(idLinks)
        .set({ status, review: { ...stored, resolution }, updatedAt: now })
        .where(eq(idLinks.id, link.id));
    let twin: string | null = null;
    switch (body.action) {
      case 'link': {
        twin = chosenCandidateOrThrow(review, body);
        const holders = await findLinks(tx, installationId, ['partner', 'customer'], {
          hubspot: other === 'hubspot' ? [twin] : [],
          salesforce: other === 'salesforce' ? [twin] : [],
        });
        // The candidate's own review (it matched this record too) gives way; a link does not.
        const taken = holders.find((h) => h.status !== 'pending_review' || h.deletedAt !== null);
        if (taken !== undefined) {
          throw new ConflictError(
            `${crmRecord[other]} ${twin} is linked or kept apart already; choose another candidate, create or keep apart`,
          );
        }
        await upsertLink(tx, installationId, { kind, ...pairWith(twin), status: 'linked' });
        break;
      }
      case 'create':
      case 'create_new': {
        const { document } = await currentMapping(tx, installationId);
        const create = objectMappingOf(document, kind)?.create;
        if (!(other === 'hubspot' ? create?.inHubspot : create?.inSalesforce)) {
          throw new ConflictError(
            `the mapping does not create ${crmRecord[other]}s for ${kind} records; turn creation on in Sync mappings, link a candidate or keep apart`,
          );
        }
        await settle('linked', 'create');
        break;
      }
      case 'keep_apart':
        await settle('kept_apart', 'keep_apart');
        break;
      default:
        assertNever(body);
    }
    await writeAudit(
      tx,
      installationId,
      [
        {
          origin: 'admin',
          actor,
          action: 'sync.identity_resolved',
          objectKind: kind,
          ...pairWith(twin),
          before: link.review,
          after: { ...body, action: body.action === 'create_new' ? 'create' : body.action },
        },
      ],
      now,
    );
    return review.record;
  });
  if (body.action !== 'keep_apart') {
    const data = { installationId, kind: 'company', side: record.system, id: record.id } as const;
    await services.queues.enqueue(syncRecordJob, data, recordJobOptions(data));
  }
  return { resolved: true };
}

/** The mapping in force (version 0 = the default, never saved) and the saved versions. */
export async function mappingsView(
  services: Services,
  installationId: string,
): Promise<SyncMappingsView> {
  await getInstallationOrThrow(services.db, installationId);
  const current = await currentMapping(services.db, installationId);
  const versions = await mappingVersions(services.db, installationId);
  return {
    version: current.version,
    document: current.document,
    versions: versions.map((v) => ({
      version: v.version,
      createdBy: v.createdBy,
      createdAt: v.createdAt.toISOString(),
    })),
  };
}

// The mapping is validated against, previewed on and read from both CRMs: without an org there
// is nothing to compare with.
async function linkedContext(services: Services, installationId: string): Promise<SyncContext> {
  const installation = await getInstallationOrThrow(services.db, installationId);
  if (installation.salesforceOrgId === null) {
    throw new ConflictError(
      'Salesforce is not linked to this installation: connect a Salesforce org (Connections) first',
    );
  }
  return adminContext(services, installationId);
}

const systemLabel = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;

/** A failed CRM call as an answer that names the CRM and what to do. */
function toApiError(error: unknown): unknown {
  if (!(error instanceof SyncCallError)) return error;
  const name = systemLabel[error.system];
  switch (error.kind) {
    case 'auth':
      return new ConflictError(
        `${name} refused our authorization (${error.message}); reconnect ${name} and try again`,
        { cause: error },
      );
    case 'rate_limited':
      return new AppError(
        'rate_limited',
        `${name} API limit reached for this account; try again in a minute`,
        { cause: error },
      );
    case 'retry_later':
    case 'permanent':
      return new UpstreamError(`${name} answered with an error: ${error.message}`, {
        cause: error,
      });
    default:
      return assertNever(error.kind);
  }
}

async function withCrmErrors<T>(ctx: SyncContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toApiError(error);
  } finally {
    await ctx.usage.flush();
  }
}

function refuseProblems(problems: readonly FieldProblem[], prefix: string): void {
  if (problems.length === 0) return;
  throw new UnprocessableError(`${prefix}${problems.map((p) => p.message).join('; ')}`, {
    issues: problems.map((p) => ({ path: `body.document.${p.path}`, message: p.message })),
  });
}

const fieldsTtlMs = 60_000;
const fieldsCache = new WeakMap<Services, Map<string, { at: number; fields: ObjectFieldsView }>>();

/**
 * The fields of an object pair for the mapping editor's pickers. Kept a minute per installation
 * and kind: switching object pairs back and forth costs no CRM call.
 */
export async function objectFields(
  services: Services,
  installationId: string,
  kind: LinkedKind,
): Promise<ObjectFieldsView> {
  const cache = fieldsCache.get(services) ?? new Map();
  fieldsCache.set(services, cache);
  const key = `${installationId}:${kind}`;
  const now = services.clock.now();
  const cached = cache.get(key);
  if (cached !== undefined && now - cached.at < fieldsTtlMs) return cached.fields;
  const ctx = await linkedContext(services, installationId);
  const fields = await withCrmErrors(ctx, () => readObjectFields(ctx, kind));
  cache.set(key, { at: now, fields });
  return fields;
}

/** What saving `document` would write (validated first), from a live sample of linked records. */
export async function previewMapping(
  services: Services,
  installationId: string,
  document: MappingDocument,
  sample: number,
): Promise<DryRunView> {
  const ctx = await linkedContext(services, installationId);
  return withCrmErrors(ctx, async () => {
    refuseProblems(await validateAgainstCrms(ctx, document), '');
    return dryRun(ctx, document, sample);
  });
}

/**
 * Saves a new mapping version, validated against the portal and the org, then back-fills what it
 * changes. `baseVersion` is the version the admin edited: a newer one saved meanwhile is a 409.
 */
export async function saveMapping(
  services: Services,
  installationId: string,
  input: { document: MappingDocument; baseVersion: number; createdBy: string },
): Promise<SavedMappingView> {
  const ctx = await linkedContext(services, installationId);
  const problems = await withCrmErrors(ctx, () => validateAgainstCrms(ctx, input.document));
  refuseProblems(problems, 'the mapping names fields that do not exist or cannot be written: ');
  const saved = await saveMappingVersion(
    services.db,
    installationId,
    input.document,
    input.createdBy,
    input.baseVersion,
  );
  if (saved === 'conflict') {
    throw new ConflictError(
      'the mapping changed since you loaded it; reload and apply your edit again',
    );
  }
  const queued = await backfill(services, installationId, ctx.mapping, input.document);
  return { version: saved.version, backfillQueued: queued };
}

function toDeadLetterView(row: typeof deadLetters.$inferSelect): DeadLetterView {
  // Sync dead letters wrap the record with what was attempted; other jobs store their data.
  const payload = row.payload as Record<string, unknown> | null;
  const wrapped = payload !== null && typeof payload === 'object' && 'record' in payload;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    id: row.id,
    errorType: row.errorType,
    reason: row.reason,
    status: row.status,
    queue: row.queue,
    attempts: row.attempts,
    firstFailedAt: row.firstFailedAt.toISOString(),
    lastFailedAt: row.lastFailedAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolvedBy: row.resolvedBy,
    record: wrapped ? payload.record : payload,
    attempted: wrapped ? (payload.attempted ?? null) : null,
    system: wrapped ? text(payload.system) : null,
    errorCode: wrapped ? text(payload.errorCode) : null,
  };
}

/** Dead letters (records that failed for good), newest first. */
export async function listDeadLetters(
  services: Services,
  installationId: string,
  query: { status: DeadLetterView['status']; type?: string | undefined; limit: number },
): Promise<DeadLettersView> {
  await getInstallationOrThrow(services.db, installationId);
  const rows = await services.db
    .select()
    .from(deadLetters)
    .where(
      and(
        eq(deadLetters.installationId, installationId),
        eq(deadLetters.status, query.status),
        ...(query.type === undefined ? [] : [eq(deadLetters.errorType, query.type)]),
      ),
    )
    .orderBy(desc(deadLetters.lastFailedAt))
    .limit(query.limit);
  return { deadLetters: rows.map(toDeadLetterView) };
}

/** Replays an open dead letter (404 when there is none with this id). */
export async function replayDeadLetterOrThrow(
  services: Services,
  installationId: string,
  id: string,
  actor: string,
): Promise<{ replayed: true }> {
  if (!(await replayDeadLetter(services, installationId, id, actor))) {
    throw new NotFoundError('no open dead letter with this id');
  }
  return { replayed: true };
}

/** Discards an open dead letter: kept as history, never replayed. */
export async function discardDeadLetter(
  services: Services,
  installationId: string,
  id: string,
  actor: string,
): Promise<{ discarded: true }> {
  if (!(await closeDeadLetter(services, installationId, id, 'discarded', actor))) {
    throw new NotFoundError('no open dead letter with this id');
  }
  return { discarded: true };
}
