import {
  accountObject,
  initialReadCheckpoint,
  opportunityObject,
  type ReadCheckpoint,
  readChanges,
  readCheckpointSchema,
} from '@partnerbridge/salesforce-connector';
import {
  type MappedObjectKind,
  type ObjectMapping,
  objectMappingOf,
  type ReferenceResolver,
  type SyncSide,
} from '@partnerbridge/shared/sync';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { syncCheckpoints } from '../db/schema/sync.ts';
import type { SyncObjectKind } from '../db/vocabulary.ts';
import { archivedPage, searchPage } from './hubspot/hubspot-objects.ts';
import { enqueueNotifications, type Notification } from './intake.ts';
import type { RecordFamily } from './record-sync.ts';
import { matchesShadows } from './shadow-compare.ts';
import { defaultArchivedPollEveryMs, type SyncContext } from './sync-context.ts';
import { findLinks, loadShadows, saveCheckpoint } from './sync-store.ts';

// Incremental polls: the truth behind webhooks. Salesforce by SystemModstamp (queryAll, overlap
// window, checkpoint stored after every page), HubSpot by hs_lastmodifieddate through search
// (windowed by hs_object_id to get past the 10,000-result cap). A changed record becomes a record
// job unless the sync already read that state or its mapped values equal what we wrote (our own
// echo). The first poll of an installation (no checkpoint) is the initial import.

const hubspotCursorSchema = z.strictObject({
  /** hs_lastmodifieddate lower bound (epoch ms) of the current scan. */
  since: z.number(),
  /** Highest hs_object_id seen in the current scan (the 10,000-cap window). */
  afterId: z.string(),
  /** Highest hs_lastmodifieddate seen in the current scan: the next scan starts there. */
  maxSeen: z.number(),
  /** Archived records (search never answers them): newest archivedAt seen, last list read. */
  archived: z.strictObject({ since: z.number(), checkedAt: z.number() }).optional(),
});
type HubspotCursor = z.infer<typeof hubspotCursorSchema>;

const checkpointKind: Record<RecordFamily, SyncObjectKind> = { deal: 'deal', company: 'partner' };

async function loadCheckpoint(
  ctx: SyncContext,
  system: SyncSide,
  family: RecordFamily,
): Promise<unknown> {
  const [row] = await ctx.services.db
    .select({ cursor: syncCheckpoints.cursor })
    .from(syncCheckpoints)
    .where(
      and(
        eq(syncCheckpoints.installationId, ctx.installationId),
        eq(syncCheckpoints.system, system),
        eq(syncCheckpoints.objectKind, checkpointKind[family]),
        eq(syncCheckpoints.channel, 'poll'),
      ),
    );
  return row?.cursor;
}

async function savePollCheckpoint(
  ctx: SyncContext,
  system: SyncSide,
  family: RecordFamily,
  cursor: unknown,
  stage: 'idle' | 'running' | 'failed',
  lastError: string | null = null,
): Promise<void> {
  await saveCheckpoint(
    ctx.services.db,
    {
      installationId: ctx.installationId,
      system,
      objectKind: checkpointKind[family],
      channel: 'poll',
    },
    { cursor, stage, lastError, updatedAt: new Date(ctx.now()) },
  );
}

export type Candidate = {
  readonly id: string;
  readonly modifiedMs: number;
  readonly values: Readonly<Record<string, unknown>>;
  /**
   * The side's fields that changed (a change event's changedFields), when known: only they are
   * compared with the shadows. Undefined: every mapped field is (a polled record is complete).
   */
  readonly fields?: readonly string[];
  /** The values are unknown (a gap event): never an echo, the record is read by id. */
  readonly reread?: boolean;
  /**
   * The record was deleted (in the recycle bin, archived): worth a job only while it is linked,
   * never an echo by its values (a deletion does not change them).
   */
  readonly deleted?: boolean;
};

/** Fields that decide whether and how a record syncs, besides the mapped ones. */
function steeringFields(side: SyncSide, family: RecordFamily, mapping: ObjectMapping | undefined) {
  const classification =
    family === 'company' ? [side === 'hubspot' ? 'pb_is_partner' : 'PB_Is_Partner__c'] : [];
  return [...classification, ...(mapping?.include[side].map((f) => f.field) ?? [])].map((f) =>
    f.toLowerCase(),
  );
}

/**
 * The candidates worth a record job: newer than what the sync read, and not our own echo
 * (every mapped value equal to the shadow of what we wrote).
 */
export async function worthSyncing(
  ctx: SyncContext,
  side: SyncSide,
  family: RecordFamily,
  candidates: readonly Candidate[],
): Promise<Candidate[]> {
  if (candidates.length === 0) return [];
  const kinds: MappedObjectKind[] = family === 'deal' ? ['deal'] : ['partner', 'customer'];
  const links = await findLinks(ctx.services.db, ctx.installationId, kinds, {
    hubspot: side === 'hubspot' ? candidates.map((c) => c.id) : [],
    salesforce: side === 'salesforce' ? candidates.map((c) => c.id) : [],
  });
  const out: Candidate[] = [];
  const references = await referencesOf(ctx, side, candidates);
  const shadowsByKind = new Map<MappedObjectKind, Map<string, Record<string, string | null>>>();
  for (const kind of kinds) {
    shadowsByKind.set(
      kind,
      await loadShadows(
        ctx.services.db,
        ctx.installationId,
        kind,
        candidates.map((c) => ({ system: side, recordId: c.id })),
      ),
    );
  }
  // The first link holding each id (as `find` would), without a scan per candidate.
  const linkOf = new Map<string, (typeof links)[number]>();
  for (const l of links) {
    const id = side === 'hubspot' ? l.hubspotId : l.salesforceId;
    if (id !== null && !linkOf.has(id)) linkOf.set(id, l);
  }
  for (const candidate of candidates) {
    const link = linkOf.get(candidate.id);
    const seen = side === 'hubspot' ? link?.hubspotModifiedAt : link?.salesforceModifiedAt;
    if (seen !== null && seen !== undefined && candidate.modifiedMs <= seen.getTime()) continue;
    if (link?.deletedAt !== null && link?.deletedAt !== undefined) {
      // A tombstoned link: only a live record changed after the deletion may be a restore (its
      // values are what they were, so never compared with the shadows).
      if (candidate.deleted !== true && candidate.modifiedMs > link.deletedAt.getTime())
        out.push(candidate);
      continue;
    }
    if (candidate.deleted === true) {
      // Unlinked or half-linked records have no twin a deletion could concern.
      if (link !== undefined && link.hubspotId !== null && link.salesforceId !== null)
        out.push(candidate);
      continue;
    }
    const kind = (link?.objectKind ??
      (family === 'deal' ? 'deal' : 'customer')) as MappedObjectKind;
    const mapping = objectMappingOf(ctx.mapping, kind);
    const shadows = shadowsByKind.get(kind)?.get(`${side}:${candidate.id}`);
    if (
      candidate.reread !== true &&
      link !== undefined &&
      link.status === 'linked' &&
      mapping !== undefined &&
      shadows !== undefined
    ) {
      const changed =
        candidate.fields === undefined
          ? undefined
          : new Set(candidate.fields.map((f) => f.toLowerCase()));
      if (
        changed !== undefined &&
        steeringFields(side, family, mapping).some((f) => changed.has(f))
      ) {
        out.push(candidate);
        continue;
      }
      if (matchesShadows(mapping, side, candidate.values, shadows, references, changed)) continue;
    }
    out.push(candidate);
  }
  return out;
}

/** Partner and customer references the candidates hold, as the sync compares them (HubSpot ids). */
async function referencesOf(
  ctx: SyncContext,
  side: SyncSide,
  candidates: readonly Candidate[],
): Promise<ReferenceResolver> {
  if (side === 'hubspot')
    return { salesforceToHubspot: () => undefined, hubspotToSalesforce: () => undefined };
  const fields = new Set(
    ctx.mapping.objects.flatMap((o) =>
      o.fields.filter((f) => f.transform.kind === 'reference').map((f) => f.salesforce),
    ),
  );
  const ids = new Set<string>();
  for (const candidate of candidates) {
    for (const field of fields) {
      const value = candidate.values[field];
      if (typeof value === 'string' && value !== '') ids.add(value);
    }
  }
  const links =
    ids.size === 0
      ? []
      : await findLinks(ctx.services.db, ctx.installationId, ['partner', 'customer'], {
          hubspot: [],
          salesforce: [...ids],
        });
  return {
    salesforceToHubspot: (object, id) =>
      links.find((l) => l.objectKind === object && l.deletedAt === null && l.salesforceId === id)
        ?.hubspotId ?? undefined,
    hubspotToSalesforce: () => undefined,
  };
}

/** Queues a record job for each candidate worth one; returns how many were queued. */
export async function notify(
  ctx: SyncContext,
  side: SyncSide,
  family: RecordFamily,
  candidates: readonly Candidate[],
  /** Part of the initial import (a scan from the beginning): the back-fill lane. */
  initialImport = false,
) {
  const worth = await worthSyncing(ctx, side, family, candidates);
  const notifications: Notification[] = worth.map((c) => ({
    installationId: ctx.installationId,
    family,
    side,
    id: c.id,
    occurredAt: c.modifiedMs,
  }));
  await enqueueNotifications(
    ctx.services.db,
    ctx.services.queues,
    notifications,
    ctx.options.debounceMs,
    initialImport,
  );
  return worth.length;
}

/** One Salesforce poll of an object; returns the records queued. */
export async function pollSalesforce(
  ctx: SyncContext,
  family: RecordFamily,
  maxPages = 20,
): Promise<number> {
  const stored = readCheckpointSchema.safeParse(await loadCheckpoint(ctx, 'salesforce', family));
  let checkpoint: ReadCheckpoint = stored.success ? stored.data : initialReadCheckpoint;
  // Without a cursor this run reads every record: the initial import.
  const initialImport = checkpoint.cursor === null;
  let queued = 0;
  const object = family === 'deal' ? opportunityObject : accountObject;
  await ctx.callSalesforce((sf) =>
    readChanges({
      ...sf,
      object: object as never,
      checkpoint,
      overlapMs: ctx.options.pollOverlapMs,
      maxPages,
      onPage: async (page) => {
        queued += await notify(
          ctx,
          'salesforce',
          family,
          page.changes.map((c) => ({
            id: c.id,
            modifiedMs: Date.parse(c.modstamp),
            values: c.record as Record<string, unknown>,
            ...(c.deleted ? { deleted: true } : {}),
          })),
          initialImport,
        );
        checkpoint = page.checkpoint;
        await savePollCheckpoint(ctx, 'salesforce', family, checkpoint, 'running');
      },
    }),
  );
  await savePollCheckpoint(ctx, 'salesforce', family, checkpoint, 'idle');
  return queued;
}

const SEARCH_PAGE = 200;
// HubSpot refuses paging past 10,000 results: restart the window above the last id before that.
const WINDOW_LIMIT = 9_800;

/** One HubSpot poll of an object type by search; returns the records queued. */
export async function pollHubspot(
  ctx: SyncContext,
  family: RecordFamily,
  maxPages = 50,
): Promise<number> {
  const stored = hubspotCursorSchema.safeParse(await loadCheckpoint(ctx, 'hubspot', family));
  let cursor: HubspotCursor = stored.success ? stored.data : { since: 0, afterId: '0', maxSeen: 0 };
  const type = family === 'deal' ? 'deals' : 'companies';
  const kinds: MappedObjectKind[] = family === 'deal' ? ['deal'] : ['partner', 'customer'];
  const properties = [
    'hs_lastmodifieddate',
    ...new Set(
      kinds.flatMap((k) => objectMappingOf(ctx.mapping, k)?.fields.map((f) => f.hubspot) ?? []),
    ),
  ];
  let queued = 0;
  const archived = await pollHubspotArchived(ctx, family, cursor.archived);
  queued += archived.queued;
  cursor = { ...cursor, ...(archived.cursor === undefined ? {} : { archived: archived.cursor }) };
  let after: string | undefined;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await searchPage(ctx.hubspot, type, {
      filters: [
        { propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(cursor.since) },
        { propertyName: 'hs_object_id', operator: 'GT', value: cursor.afterId },
      ],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties,
      limit: SEARCH_PAGE,
      ...(after === undefined ? {} : { after }),
    });
    const candidates = page.results.map((r) => ({
      id: String(r.id),
      modifiedMs: Date.parse(r.properties.hs_lastmodifieddate ?? '') || 0,
      values: r.properties,
    }));
    // A scan from the beginning (no checkpoint, or none seen yet) is the initial import.
    queued += await notify(ctx, 'hubspot', family, candidates, cursor.since === 0);
    const lastId = page.results.at(-1)?.id;
    const maxSeen = Math.max(cursor.maxSeen, ...candidates.map((c) => c.modifiedMs));
    if (page.after === undefined) {
      // Scan complete: the next one starts from the newest change seen, minus the overlap.
      cursor = {
        since: Math.max(0, (maxSeen || cursor.since) - ctx.options.pollOverlapMs),
        afterId: '0',
        maxSeen: 0,
        ...(cursor.archived === undefined ? {} : { archived: cursor.archived }),
      };
      await savePollCheckpoint(ctx, 'hubspot', family, cursor, 'idle');
      return queued;
    }
    if (Number(page.after) >= WINDOW_LIMIT && lastId !== undefined) {
      cursor = { ...cursor, afterId: String(lastId), maxSeen };
      after = undefined;
    } else {
      cursor = { ...cursor, maxSeen };
      after = page.after;
    }
    await savePollCheckpoint(ctx, 'hubspot', family, cursor, 'running');
  }
  return queued;
}

/**
 * Deletions HubSpot's search cannot show (it never answers archived records) and a lost deletion
 * webhook would miss: the archived list, read every `archivedPollEveryMs`, queues the linked
 * records archived since the last read (minus the overlap).
 */
async function pollHubspotArchived(
  ctx: SyncContext,
  family: RecordFamily,
  stored: HubspotCursor['archived'],
  maxPages = 50,
): Promise<{ queued: number; cursor: HubspotCursor['archived'] }> {
  const everyMs = ctx.options.archivedPollEveryMs ?? defaultArchivedPollEveryMs;
  if (stored !== undefined && ctx.now() - stored.checkedAt < everyMs)
    return { queued: 0, cursor: stored };
  const since = Math.max(0, (stored?.since ?? 0) - ctx.options.pollOverlapMs);
  let newest = stored?.since ?? 0;
  let queued = 0;
  let after: string | undefined;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await archivedPage(ctx.hubspot, family === 'deal' ? 'deals' : 'companies', after);
    const candidates: Candidate[] = page.results.flatMap((r) => {
      const archivedAt = Date.parse(r.archivedAt ?? r.updatedAt ?? '');
      if (!Number.isFinite(archivedAt) || archivedAt < since) return [];
      newest = Math.max(newest, archivedAt);
      return [{ id: String(r.id), modifiedMs: archivedAt, values: r.properties, deleted: true }];
    });
    queued += await notify(ctx, 'hubspot', family, candidates);
    after = page.after;
    if (after === undefined) break;
  }
  return { queued, cursor: { since: newest, checkedAt: ctx.now() } };
}
