import type { SyncSide } from '@partnerbridge/shared/sync';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { idLinks } from '../db/schema/sync.ts';
import { recordJobOptions, type SyncRecordData, syncRecordJob } from '../jobs/sync-record.job.ts';
import type { QueueSet } from '../queue/queue-set.ts';
import type { RecordFamily } from './record-sync.ts';
import { createGates } from './redis-gates.ts';
import { SYNC_RECORD_QUEUE } from './sync-store.ts';

// Change notifications → record jobs. Three filters run before anything is queued, none of them
// an API call: (1) our own writes (HubSpot changeSource INTEGRATION from our app id; Salesforce
// changeOrigin client=partnerbridge), (2) notifications no newer than the state the sync last
// read for that record (duplicates, late and out-of-order deliveries), (3) object types we do
// not sync. What remains becomes one deduplicated job per record.

export const hubspotEventSchema = z.looseObject({
  portalId: z.union([z.number(), z.string()]),
  appId: z.union([z.number(), z.string()]),
  subscriptionType: z.string(),
  objectId: z.union([z.number(), z.string()]).optional(),
  objectTypeId: z.string().optional(),
  occurredAt: z.number().optional(),
  changeSource: z.string().optional(),
  sourceId: z.string().optional(),
  propertyName: z.string().optional(),
  mergedObjectIds: z.array(z.union([z.number(), z.string()])).optional(),
  primaryObjectId: z.union([z.number(), z.string()]).optional(),
  fromObjectId: z.union([z.number(), z.string()]).optional(),
  toObjectId: z.union([z.number(), z.string()]).optional(),
  associationType: z.string().optional(),
});
export type HubspotEvent = z.infer<typeof hubspotEventSchema>;

export type Notification = {
  readonly installationId: string;
  readonly family: RecordFamily;
  readonly side: SyncSide;
  readonly id: string;
  /** Source time of the change (epoch ms), when the notification says. */
  readonly occurredAt: number | undefined;
  /** A deal's company associations changed (partner labels): the sync re-reads them. */
  readonly associations?: boolean;
  /** The record was merged into another: its archive is not a deletion. */
  readonly merged?: boolean;
};

const familyOfType: Record<string, RecordFamily> = {
  '0-3': 'deal',
  deal: 'deal',
  '0-2': 'company',
  company: 'company',
};

/** Notifications from a verified HubSpot batch; our own writes are dropped here. */
export function hubspotNotifications(
  events: readonly HubspotEvent[],
  installationOf: (portalId: string) => string | undefined,
  appId: string,
): { notifications: Notification[]; ownEchoes: number; ignored: number } {
  const notifications: Notification[] = [];
  let ownEchoes = 0;
  let ignored = 0;
  for (const event of events) {
    const installationId = installationOf(String(event.portalId));
    const type = event.objectTypeId ?? event.subscriptionType.split('.')[0] ?? '';
    const family = familyOfType[type];
    if (installationId === undefined || family === undefined) {
      ignored++;
      continue;
    }
    if (event.changeSource === 'INTEGRATION' && event.sourceId === appId) {
      ownEchoes++;
      continue;
    }
    const ids = new Set<string>();
    if (event.objectId !== undefined) ids.add(String(event.objectId));
    if (event.subscriptionType.endsWith('associationChange')) {
      // Association changes do not move hs_lastmodifieddate: the deal's labels are re-read.
      const dealId =
        family === 'deal'
          ? (event.fromObjectId ?? event.objectId)
          : String(event.associationType ?? '').startsWith('COMPANY_TO_DEAL')
            ? event.toObjectId
            : undefined;
      if (dealId !== undefined) {
        notifications.push({
          installationId,
          family: 'deal',
          side: 'hubspot',
          id: String(dealId),
          occurredAt: undefined,
          associations: true,
        });
      }
      continue;
    }
    const mergedIds = new Set((event.mergedObjectIds ?? []).map(String));
    for (const merged of mergedIds) ids.add(merged);
    for (const id of ids) {
      notifications.push({
        installationId,
        family,
        side: 'hubspot',
        id,
        occurredAt: event.occurredAt,
        ...(mergedIds.has(id) ? { merged: true } : {}),
      });
    }
  }
  return { notifications, ownEchoes, ignored };
}

/**
 * Queues one job per record not already reflected by the sync. Returns how many were queued and
 * how many were stale.
 */
export async function enqueueNotifications(
  db: Database,
  queues: QueueSet,
  notifications: readonly Notification[],
  debounceMs: number,
  /** The initial import: its record jobs go to the back-fill lane (Bulk API 2.0 when large). */
  backfill = false,
): Promise<{ queued: number; stale: number }> {
  // Latest notification per record.
  const latest = new Map<string, Notification>();
  for (const n of notifications) {
    const key = `${n.installationId}|${n.family}|${n.side}|${n.id}`;
    const seen = latest.get(key);
    // An association change is never stale (its time says nothing about the deal's modstamp).
    if (seen?.associations === true) continue;
    if (
      seen === undefined ||
      n.associations === true ||
      (n.occurredAt ?? 0) > (seen.occurredAt ?? 0)
    )
      latest.set(key, n);
  }
  const unique = [...latest.values()];
  const stale = new Set<Notification>();
  for (const installationId of new Set(unique.map((n) => n.installationId))) {
    for (const side of ['hubspot', 'salesforce'] as const) {
      const group = unique.filter(
        (n) => n.installationId === installationId && n.side === side && n.occurredAt !== undefined,
      );
      if (group.length === 0) continue;
      const column = side === 'hubspot' ? idLinks.hubspotId : idLinks.salesforceId;
      const rows = await db
        .select({
          hubspotId: idLinks.hubspotId,
          salesforceId: idLinks.salesforceId,
          hubspotModifiedAt: idLinks.hubspotModifiedAt,
          salesforceModifiedAt: idLinks.salesforceModifiedAt,
        })
        .from(idLinks)
        .where(
          and(
            eq(idLinks.installationId, installationId),
            inArray(
              column,
              group.map((n) => n.id),
            ),
          ),
        );
      const rowOf = new Map<string, (typeof rows)[number]>();
      for (const r of rows) {
        const id = side === 'hubspot' ? r.hubspotId : r.salesforceId;
        if (id !== null && !rowOf.has(id)) rowOf.set(id, r);
      }
      for (const n of group) {
        const row = rowOf.get(n.id);
        const seenAt = side === 'hubspot' ? row?.hubspotModifiedAt : row?.salesforceModifiedAt;
        if (seenAt !== null && seenAt !== undefined && (n.occurredAt ?? 0) <= seenAt.getTime())
          stale.add(n);
      }
    }
  }
  const fresh = unique.filter((n) => !stale.has(n));
  // Marks the record jobs read: deals whose associations changed, records merged away.
  for (const [prefix, marked] of [
    ['assoc', notifications.filter((n) => n.associations === true)],
    ['merged', notifications.filter((n) => n.merged === true)],
  ] as const) {
    if (marked.length === 0) continue;
    const gates = createGates(
      async () => (await queues.queue(SYNC_RECORD_QUEUE).getBackend().client) as never,
      queues.prefix,
    );
    for (const installationId of new Set(marked.map((n) => n.installationId))) {
      await gates.mark(
        `${prefix}:${installationId}`,
        marked.filter((n) => n.installationId === installationId).map((n) => n.id),
      );
    }
  }
  await Promise.all(
    fresh.map((n) => {
      const data: SyncRecordData = {
        installationId: n.installationId,
        kind: n.family,
        side: n.side,
        id: n.id,
        ...(backfill ? { backfill } : {}),
      };
      return queues.enqueue(syncRecordJob, data, recordJobOptions(data, { debounceMs }));
    }),
  );
  return { queued: fresh.length, stale: stale.size };
}
