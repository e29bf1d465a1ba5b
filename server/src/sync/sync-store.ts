import { createHash } from 'node:crypto';
import {
  type CommonValue,
  defaultMappingDocument,
  type MappingDocument,
  mappingDocumentSchema,
  type SyncSide,
} from '@partnerbridge/shared/sync';
import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Executor } from '../db/database.ts';
import { auditLog, deadLetters } from '../db/schema/audit.ts';
import { idLinks, syncCheckpoints, syncMappings, writeShadows } from '../db/schema/sync.ts';
import type { AuditOrigin, IdLinkStatus, SyncObjectKind } from '../db/vocabulary.ts';
import type { DeadLetterGroup } from './sync-errors.ts';

// The sync engine's tables: id links (identity), write shadows (what we last wrote to or agreed
// with each side, per field), mapping versions, audit rows and dead letters.

export type IdLink = typeof idLinks.$inferSelect;

type Checkpoint = typeof syncCheckpoints.$inferInsert;

/**
 * Saves a resume point (a poll cursor or a change-event replay id) with its stage. Without a
 * cursor the stored one is kept; `initialCursor` is what a first save stores then.
 */
export async function saveCheckpoint(
  db: Executor,
  key: Pick<Checkpoint, 'installationId' | 'system' | 'objectKind' | 'channel'>,
  values: Pick<Checkpoint, 'stage' | 'lastError' | 'updatedAt'> & { cursor?: unknown },
  initialCursor?: unknown,
): Promise<void> {
  const { cursor, ...rest } = values;
  const set = cursor === undefined ? rest : { ...rest, cursor };
  await db
    .insert(syncCheckpoints)
    .values({ ...key, ...rest, cursor: cursor ?? initialCursor })
    .onConflictDoUpdate({
      target: [
        syncCheckpoints.installationId,
        syncCheckpoints.system,
        syncCheckpoints.objectKind,
        syncCheckpoints.channel,
      ],
      set,
    });
}

export type LinkedKind = 'deal' | 'partner' | 'customer';

/** Links of `kinds` holding any of these ids on either side. */
export async function findLinks(
  db: Executor,
  installationId: string,
  kinds: readonly LinkedKind[],
  ids: { hubspot: readonly string[]; salesforce: readonly string[] },
): Promise<IdLink[]> {
  const conditions = [];
  if (ids.hubspot.length > 0) conditions.push(inArray(idLinks.hubspotId, [...ids.hubspot]));
  if (ids.salesforce.length > 0)
    conditions.push(inArray(idLinks.salesforceId, [...ids.salesforce]));
  if (conditions.length === 0) return [];
  return db
    .select()
    .from(idLinks)
    .where(
      and(
        eq(idLinks.installationId, installationId),
        inArray(idLinks.objectKind, [...kinds]),
        or(...conditions),
      ),
    );
}

/** Creates or completes the link between a HubSpot and a Salesforce record. */
export async function upsertLink(
  db: Executor,
  installationId: string,
  link: {
    kind: LinkedKind;
    hubspotId: string | null;
    salesforceId: string | null;
    status?: IdLinkStatus;
    review?: unknown;
    hubspotModifiedAt?: Date | null;
    salesforceModifiedAt?: Date | null;
  },
): Promise<IdLink> {
  const existing = await findLinks(db, installationId, ['deal', 'partner', 'customer'], {
    hubspot: link.hubspotId === null ? [] : [link.hubspotId],
    salesforce: link.salesforceId === null ? [] : [link.salesforceId],
  });
  const sameKind = existing.filter((row) => row.objectKind === link.kind);
  const primary =
    sameKind.find((row) => row.hubspotId !== null && row.hubspotId === link.hubspotId) ??
    sameKind[0] ??
    existing[0];
  const values = {
    objectKind: link.kind,
    hubspotId: link.hubspotId ?? primary?.hubspotId ?? null,
    salesforceId: link.salesforceId ?? primary?.salesforceId ?? null,
    status: link.status ?? 'linked',
    review: link.review ?? null,
    updatedAt: new Date(),
    deletedAt: null,
    ...(link.hubspotModifiedAt === undefined ? {} : { hubspotModifiedAt: link.hubspotModifiedAt }),
    ...(link.salesforceModifiedAt === undefined
      ? {}
      : { salesforceModifiedAt: link.salesforceModifiedAt }),
  };
  // A half link found from the other side (an earlier row for just the Salesforce record) gives
  // way to the complete one.
  for (const row of existing) {
    if (row.id !== primary?.id) await db.delete(idLinks).where(eq(idLinks.id, row.id));
  }
  if (primary !== undefined) {
    const [row] = await db
      .update(idLinks)
      .set(values)
      .where(eq(idLinks.id, primary.id))
      .returning();
    if (row === undefined) throw new Error('id link update returned no row');
    return row;
  }
  const [row] = await db
    .insert(idLinks)
    .values({ installationId, ...values })
    .returning();
  if (row === undefined) throw new Error('id link insert returned no row');
  return row;
}

export type LinkInput = Parameters<typeof upsertLink>[2];

/**
 * `upsertLink` for a whole batch, with the same outcome per link: one lookup, one insert of the
 * new links and one update of the existing ones, instead of two or three statements per record.
 * Links that would merge half links, or that share an id with another link of the batch, go
 * through `upsertLink` one by one. Returns the stored links in input order.
 */
export async function upsertLinks(
  db: Executor,
  installationId: string,
  links: readonly LinkInput[],
): Promise<IdLink[]> {
  const out: (IdLink | undefined)[] = new Array(links.length);
  const ids = (side: 'hubspotId' | 'salesforceId') =>
    links.flatMap((l) => (l[side] === null ? [] : [l[side]]));
  const hubspotIds = ids('hubspotId');
  const salesforceIds = ids('salesforceId');
  const shared = (list: readonly string[]) =>
    new Set(list.filter((id, index) => list.indexOf(id) !== index));
  const sharedHubspot = shared(hubspotIds);
  const sharedSalesforce = shared(salesforceIds);
  const existing = await findLinks(db, installationId, ['deal', 'partner', 'customer'], {
    hubspot: hubspotIds,
    salesforce: salesforceIds,
  });
  const inserts: { index: number; row: typeof idLinks.$inferInsert }[] = [];
  const updates: { index: number; row: typeof idLinks.$inferInsert }[] = [];
  const oneByOne: number[] = [];
  const now = new Date();
  links.forEach((link, index) => {
    const rows = existing.filter(
      (row) =>
        (link.hubspotId !== null && row.hubspotId === link.hubspotId) ||
        (link.salesforceId !== null && row.salesforceId === link.salesforceId),
    );
    const [only] = rows;
    if (
      rows.length > 1 ||
      (link.hubspotId !== null && sharedHubspot.has(link.hubspotId)) ||
      (link.salesforceId !== null && sharedSalesforce.has(link.salesforceId))
    ) {
      oneByOne.push(index);
      return;
    }
    const row = {
      ...(only ?? {}),
      installationId,
      objectKind: link.kind,
      hubspotId: link.hubspotId ?? only?.hubspotId ?? null,
      salesforceId: link.salesforceId ?? only?.salesforceId ?? null,
      status: link.status ?? 'linked',
      review: link.review ?? null,
      updatedAt: now,
      deletedAt: null,
      ...(link.hubspotModifiedAt === undefined
        ? {}
        : { hubspotModifiedAt: link.hubspotModifiedAt }),
      ...(link.salesforceModifiedAt === undefined
        ? {}
        : { salesforceModifiedAt: link.salesforceModifiedAt }),
    } as const;
    (only === undefined ? inserts : updates).push({ index, row });
  });
  const excluded = (column: string) => sql.raw(`excluded.${column}`);
  for (const [group, onConflict] of [
    [inserts, false],
    [updates, true],
  ] as const) {
    for (let start = 0; start < group.length; start += 500) {
      const chunk = group.slice(start, start + 500);
      const insert = db.insert(idLinks).values(chunk.map((c) => c.row));
      const rows = await (onConflict
        ? insert.onConflictDoUpdate({
            target: idLinks.id,
            set: {
              objectKind: excluded('object_kind'),
              hubspotId: excluded('hubspot_id'),
              salesforceId: excluded('salesforce_id'),
              status: excluded('status'),
              review: excluded('review'),
              updatedAt: excluded('updated_at'),
              deletedAt: excluded('deleted_at'),
              hubspotModifiedAt: excluded('hubspot_modified_at'),
              salesforceModifiedAt: excluded('salesforce_modified_at'),
            },
          })
        : insert
      ).returning();
      // Ids are unique within the batch (shared ones went one by one): match rows back by them.
      for (const { index, row } of chunk) {
        out[index] = rows.find((r) =>
          row.hubspotId !== null
            ? r.hubspotId === row.hubspotId
            : r.salesforceId === row.salesforceId,
        );
      }
    }
  }
  for (const index of oneByOne) {
    out[index] = await upsertLink(db, installationId, links[index] as LinkInput);
  }
  return out.map((row, index) => {
    if (row === undefined) throw new Error(`id link ${index} of the batch was not stored`);
    return row;
  });
}

export async function markSeen(
  db: Executor,
  linkId: string,
  seen: { hubspot?: Date | null; salesforce?: Date | null },
): Promise<void> {
  await db
    .update(idLinks)
    .set({
      ...(seen.hubspot === undefined ? {} : { hubspotModifiedAt: seen.hubspot }),
      ...(seen.salesforce === undefined ? {} : { salesforceModifiedAt: seen.salesforce }),
    })
    .where(eq(idLinks.id, linkId));
}

export function valueHash(value: CommonValue): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

export type ShadowKey = { kind: LinkedKind; system: SyncSide; recordId: string };

/** Shadows by `${system}:${recordId}` → field → common value. */
export async function loadShadows(
  db: Executor,
  installationId: string,
  kind: LinkedKind,
  records: { system: SyncSide; recordId: string }[],
): Promise<Map<string, Record<string, CommonValue>>> {
  const out = new Map<string, Record<string, CommonValue>>();
  for (const system of ['hubspot', 'salesforce'] as const) {
    const ids = records.filter((r) => r.system === system).map((r) => r.recordId);
    if (ids.length === 0) continue;
    // The stored JSON string as text (`#>>`): drizzle parses jsonb strings a second time, which
    // would turn the text "102" into the number 102 and "true" into true.
    const rows = await db
      .select({
        recordId: writeShadows.recordId,
        field: writeShadows.field,
        value: sql<string | null>`${writeShadows.value} #>> '{}'`,
      })
      .from(writeShadows)
      .where(
        and(
          eq(writeShadows.installationId, installationId),
          eq(writeShadows.system, system),
          eq(writeShadows.objectKind, kind),
          inArray(writeShadows.recordId, ids),
        ),
      );
    for (const row of rows) {
      const key = `${system}:${row.recordId}`;
      const fields = out.get(key) ?? {};
      fields[row.field] = row.value ?? null;
      out.set(key, fields);
    }
  }
  return out;
}

export async function saveShadows(
  db: Executor,
  installationId: string,
  kind: LinkedKind,
  system: SyncSide,
  recordId: string,
  fields: Readonly<Record<string, CommonValue>>,
  at: Date,
): Promise<void> {
  const rows = Object.entries(fields).map(([field, value]) => ({
    installationId,
    system,
    objectKind: kind as SyncObjectKind,
    recordId,
    field,
    valueHash: valueHash(value),
    value,
    writtenAt: at,
  }));
  if (rows.length === 0) return;
  await db
    .insert(writeShadows)
    .values(rows)
    .onConflictDoUpdate({
      target: [
        writeShadows.installationId,
        writeShadows.system,
        writeShadows.objectKind,
        writeShadows.recordId,
        writeShadows.field,
      ],
      set: {
        valueHash: sqlExcluded('value_hash'),
        value: sqlExcluded('value'),
        writtenAt: sqlExcluded('written_at'),
      },
    });
}

export type ShadowRecord = {
  kind: LinkedKind;
  system: SyncSide;
  recordId: string;
  fields: Readonly<Record<string, CommonValue>>;
};

/** `saveShadows` for a whole batch of records: one statement per 1,000 fields. */
export async function saveShadowRecords(
  db: Executor,
  installationId: string,
  records: readonly ShadowRecord[],
  at: Date,
): Promise<void> {
  // One row per key (a later record wins): a statement may not update the same row twice.
  const rows = new Map<string, typeof writeShadows.$inferInsert>();
  for (const record of records) {
    for (const [field, value] of Object.entries(record.fields)) {
      rows.set(`${record.kind}|${record.system}|${record.recordId}|${field}`, {
        installationId,
        system: record.system,
        objectKind: record.kind as SyncObjectKind,
        recordId: record.recordId,
        field,
        valueHash: valueHash(value),
        value,
        writtenAt: at,
      });
    }
  }
  const all = [...rows.values()];
  for (let start = 0; start < all.length; start += 1_000) {
    await db
      .insert(writeShadows)
      .values(all.slice(start, start + 1_000))
      .onConflictDoUpdate({
        target: [
          writeShadows.installationId,
          writeShadows.system,
          writeShadows.objectKind,
          writeShadows.recordId,
          writeShadows.field,
        ],
        set: {
          valueHash: sqlExcluded('value_hash'),
          value: sqlExcluded('value'),
          writtenAt: sqlExcluded('written_at'),
        },
      });
  }
}

function sqlExcluded(column: string) {
  return sql.raw(`excluded.${column}`);
}

/** Forgets shadows of some fields (a mapping change: both sides are compared afresh). */
export async function dropShadows(
  db: Executor,
  installationId: string,
  kind: LinkedKind,
  fields: { system: SyncSide; field: string }[],
): Promise<void> {
  for (const { system, field } of fields) {
    await db
      .delete(writeShadows)
      .where(
        and(
          eq(writeShadows.installationId, installationId),
          eq(writeShadows.system, system),
          eq(writeShadows.objectKind, kind),
          eq(writeShadows.field, field),
        ),
      );
  }
}

export type AuditEntry = {
  origin: AuditOrigin;
  action: string;
  objectKind: LinkedKind;
  hubspotId: string | null;
  salesforceId: string | null;
  localId?: string | null;
  before?: unknown;
  after?: unknown;
  policy?: unknown;
  decision?: unknown;
  correlationId?: string;
  actor?: string;
};

export async function writeAudit(
  db: Executor,
  installationId: string,
  entries: readonly AuditEntry[],
  at: Date,
): Promise<void> {
  // 1,000 rows a statement: a back-fill batch (thousands of records) stays far below Postgres's
  // 65,535 bind parameters per statement.
  for (let start = 0; start < entries.length; start += 1_000) {
    await insertAudit(db, installationId, entries.slice(start, start + 1_000), at);
  }
}

async function insertAudit(
  db: Executor,
  installationId: string,
  entries: readonly AuditEntry[],
  at: Date,
): Promise<void> {
  await db.insert(auditLog).values(
    entries.map((entry) => ({
      installationId,
      occurredAt: at,
      origin: entry.origin,
      actor: entry.actor ?? 'partnerbridge-sync',
      action: entry.action,
      objectKind: entry.objectKind,
      localId: entry.localId ?? null,
      hubspotId: entry.hubspotId,
      salesforceId: entry.salesforceId,
      before: entry.before ?? null,
      after: entry.after ?? null,
      policy: entry.policy ?? null,
      decision: entry.decision ?? null,
      correlationId: entry.correlationId ?? null,
    })),
  );
}

export const SYNC_RECORD_QUEUE = 'sync-record';

/** A record that failed for good: kept with the provider's message and what we tried to send. */
export async function recordSyncDeadLetter(
  db: Executor,
  installationId: string,
  entry: {
    group: DeadLetterGroup;
    reason: string;
    jobData: unknown;
    attempted: unknown;
    errorCode: string;
    system: SyncSide | 'engine';
    attempts: number;
    at: Date;
    /** The queue whose work failed (record jobs by default; the outbox names its own). */
    queue?: string;
  },
): Promise<void> {
  const queue = entry.queue ?? SYNC_RECORD_QUEUE;
  // One open letter per record and group: a repeat failure bumps it instead of piling up.
  const jobId = deadLetterKey(entry.jobData);
  const [open] = await db
    .select({ id: deadLetters.id })
    .from(deadLetters)
    .where(
      and(
        eq(deadLetters.installationId, installationId),
        eq(deadLetters.queue, queue),
        eq(deadLetters.jobId, jobId),
        eq(deadLetters.errorType, entry.group),
        eq(deadLetters.status, 'open'),
      ),
    );
  const payload = {
    record: entry.jobData,
    attempted: entry.attempted,
    system: entry.system,
    errorCode: entry.errorCode,
  };
  if (open !== undefined) {
    await db
      .update(deadLetters)
      .set({
        reason: entry.reason.slice(0, 2_000),
        payload,
        lastFailedAt: entry.at,
        attempts: entry.attempts,
      })
      .where(eq(deadLetters.id, open.id));
    return;
  }
  await db.insert(deadLetters).values({
    installationId,
    queue,
    jobName: queue,
    jobId,
    errorType: entry.group,
    reason: entry.reason.slice(0, 2_000),
    payload,
    attempts: entry.attempts,
    firstFailedAt: entry.at,
    lastFailedAt: entry.at,
  });
}

export function deadLetterKey(jobData: unknown): string {
  const data = jobData as { kind?: string; side?: string; id?: string };
  return `${data.kind ?? 'record'}.${data.side ?? 'x'}.${data.id ?? 'unknown'}`;
}

/** Closes open dead letters of a record once it syncs again. */
export async function resolveDeadLettersFor(
  db: Executor,
  installationId: string,
  keys: readonly string[],
  at: Date,
  queue: string = SYNC_RECORD_QUEUE,
): Promise<void> {
  if (keys.length === 0) return;
  await db
    .update(deadLetters)
    .set({ status: 'replayed', resolvedAt: at, resolvedBy: 'sync: record synced' })
    .where(
      and(
        eq(deadLetters.installationId, installationId),
        eq(deadLetters.queue, queue),
        eq(deadLetters.status, 'open'),
        inArray(deadLetters.jobId, [...keys]),
      ),
    );
}

// ---------------------------------------------------------------------------------------------
// Mapping versions

export type StoredMapping = { version: number; document: MappingDocument; createdAt: Date | null };

/** The installation's current mapping (the default one until an admin saves a version). */
export async function currentMapping(db: Executor, installationId: string): Promise<StoredMapping> {
  const [row] = await db
    .select()
    .from(syncMappings)
    .where(eq(syncMappings.installationId, installationId))
    .orderBy(desc(syncMappings.version))
    .limit(1);
  if (row === undefined) return { version: 0, document: defaultMappingDocument(), createdAt: null };
  return {
    version: row.version,
    document: mappingDocumentSchema.parse(row.document),
    createdAt: row.createdAt,
  };
}

export async function mappingVersions(db: Database, installationId: string) {
  return db
    .select({
      version: syncMappings.version,
      createdBy: syncMappings.createdBy,
      createdAt: syncMappings.createdAt,
    })
    .from(syncMappings)
    .where(eq(syncMappings.installationId, installationId))
    .orderBy(desc(syncMappings.version));
}

export async function saveMappingVersion(
  db: Executor,
  installationId: string,
  document: MappingDocument,
  createdBy: string,
  expectedVersion: number | undefined,
): Promise<StoredMapping | 'conflict'> {
  const current = await currentMapping(db, installationId);
  if (expectedVersion !== undefined && expectedVersion !== current.version) return 'conflict';
  const version = current.version + 1;
  const [row] = await db
    .insert(syncMappings)
    .values({ installationId, version, document, createdBy })
    .onConflictDoNothing()
    .returning();
  if (row === undefined) return 'conflict';
  return { version, document, createdAt: row.createdAt };
}

const text = z.string().nullish().catch(null);

/**
 * A link's stored review (`id_links.review`): why the record waits, its own name and domain
 * (reviews held before these were stored have none), the candidates on the other side (a HubSpot
 * company's are Salesforce accounts with a website, a Salesforce account's HubSpot companies with
 * a domain), and once resolved how (`create` marks a twin being created: no new match is sought).
 */
export const storedReviewSchema = z.looseObject({
  reason: z.string().catch('several records match'),
  record: z.object({ name: text, domain: text }).optional().catch(undefined),
  candidates: z
    .array(
      z.looseObject({
        hubspotId: z.string().optional(),
        salesforceId: z.string().optional(),
        name: text,
        domain: text,
        website: text,
        matchedOn: z.array(z.string()).catch([]),
      }),
    )
    .catch([]),
  resolution: z.enum(['create', 'keep_apart']).optional().catch(undefined),
});
export type StoredReview = z.infer<typeof storedReviewSchema>;

export function parseStoredReview(review: unknown): StoredReview {
  return storedReviewSchema.parse(review ?? {});
}

/** A review resolved with `create`: the record's twin is created, not looked for again. */
export function isCreateChosen(link: IdLink | undefined): boolean {
  return (link?.review as { resolution?: unknown } | null | undefined)?.resolution === 'create';
}

/** Links awaiting review (ambiguous identity), newest first. */
export async function pendingReviews(db: Database, installationId: string) {
  return db
    .select()
    .from(idLinks)
    .where(
      and(
        eq(idLinks.installationId, installationId),
        eq(idLinks.status, 'pending_review'),
        isNull(idLinks.deletedAt),
      ),
    )
    .orderBy(desc(idLinks.updatedAt));
}
