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
import { apiUsage } from '../db/schema/api.ts';
import { auditLog, deadLetters } from '../db/schema/audit.ts';
import { idLinks, localChanges, syncCheckpoints } from '../db/schema/sync.ts';
import { getInstallationOrThrow } from '../installs/installations.ts';
import { recordJobOptions, syncRecordJob } from '../jobs/sync-record.job.ts';
import type { Services } from '../services.ts';
import { budgetState, utcDay } from './api-usage.ts';
import { batchRead, listProperties } from './hubspot/hubspot-objects.ts';
import { notifyLocalChanges } from './outbox-trigger.ts';
import type { RecordFamily } from './record-sync.ts';
import { createGates } from './redis-gates.ts';
import { createSyncContext, defaultSyncOptions, type SyncContext } from './sync-context.ts';
import { SyncCallError } from './sync-errors.ts';
import { currentMapping, dropShadows, type LinkedKind, loadShadows } from './sync-store.ts';

// What the admin API does: sync health, mapping validation against the real portal and org,
// dry-run diffs, back-fills, dead-letter replay. Route files stay thin.

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

/**
 * Fields the document maps that the portal or the org does not have (by name), or that cannot
 * be written in a direction the mapping writes them.
 */
export async function validateAgainstCrms(
  ctx: SyncContext,
  document: MappingDocument,
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const hubspotProps = new Map<string, Map<string, { type: string; readOnly: boolean }>>();
  const salesforceFields = new Map<string, Map<string, { updateable: boolean }>>();
  for (const [o, object] of document.objects.entries()) {
    if (!object.enabled) continue;
    const type = object.kind === 'deal' ? 'deals' : 'companies';
    if (!hubspotProps.has(type)) hubspotProps.set(type, await listProperties(ctx.hubspot, type));
    const sobject = sobjectOf(object.kind);
    if (!salesforceFields.has(sobject)) {
      const described = await ctx.callSalesforce(async (sf) => {
        sf.meter?.recordCall('describe');
        return sf.connection.sobject(sobject).describe();
      });
      salesforceFields.set(
        sobject,
        new Map(described.fields.map((f) => [f.name.toLowerCase(), { updateable: f.updateable }])),
      );
    }
    for (const [f, field] of object.fields.entries()) {
      const property = hubspotProps.get(type)?.get(field.hubspot);
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
      const sfField = salesforceFields.get(sobject)?.get(field.salesforce.toLowerCase());
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

export type DryRun = {
  readonly sampled: number;
  readonly records: number;
  readonly writes: { readonly hubspot: number; readonly salesforce: number };
  readonly byField: readonly { field: string; side: SyncSide; writes: number }[];
  readonly examples: readonly {
    kind: LinkedKind;
    hubspotId: string;
    salesforceId: string;
    changes: unknown[];
  }[];
};

/** What saving `document` would write, from a sample of linked records read live (≤ `limit`). */
export async function dryRun(
  ctx: SyncContext,
  document: MappingDocument,
  limit = 100,
): Promise<DryRun> {
  const current = ctx.mapping;
  const kinds = changedKinds(current, document) as LinkedKind[];
  const byField = new Map<string, { field: string; side: SyncSide; writes: number }>();
  const examples: DryRun['examples'][number][] = [];
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
      kind === 'deal' ? 'deals' : 'companies',
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
      const data = { installationId, kind: familyOf(kind), side, id } as const;
      // Back-fills yield to live changes: lowest priority, spread over the batcher.
      await services.queues.enqueue(syncRecordJob, data, {
        ...recordJobOptions(data),
        priority: 100,
      });
      queued++;
    }
  }
  return queued;
}

export async function syncHealth(services: Services, installationId: string) {
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
                ? { status: 'not_started', lastEventAt: null, error: null }
                : {
                    status: streams.some((c) => c.stage === 'failed') ? 'unavailable' : 'running',
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
    await services.db
      .update(deadLetters)
      .set({ status: 'replayed', resolvedAt: new Date(services.clock.now()), resolvedBy: actor })
      .where(eq(deadLetters.id, id));
    return true;
  }
  const parsed = syncRecordJob.dataSchema.safeParse(record);
  if (!parsed.success)
    throw new SyncCallError('hubspot', 'permanent', {
      errorCode: 'NOT_REPLAYABLE',
      message: 'this dead letter carries no record to replay',
    });
  await services.queues.enqueue(syncRecordJob, parsed.data, recordJobOptions(parsed.data));
  await services.db
    .update(deadLetters)
    .set({ status: 'replayed', resolvedAt: new Date(services.clock.now()), resolvedBy: actor })
    .where(eq(deadLetters.id, id));
  return true;
}

export async function recordAudit(
  services: Services,
  installationId: string,
  kind: LinkedKind,
  id: string,
) {
  return services.db
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
}

export async function currentMappingOf(services: Services, installationId: string) {
  return currentMapping(services.db, installationId);
}
