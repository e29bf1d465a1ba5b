import {
  accountObject,
  deleteByIds,
  findDeletedByIds,
  opportunityObject,
  type WriteResult,
} from '@partnerbridge/salesforce-connector';
import type {
  CommonValue,
  ObjectMapping,
  ReferenceResolver,
  SyncSide,
} from '@partnerbridge/shared/sync';
import { type DeletionDecision, decideDeletion } from '@partnerbridge/shared/sync-deletes';
import { and, eq, inArray } from 'drizzle-orm';
import { idLinks } from '../db/schema/sync.ts';
import {
  batchArchive,
  batchRead,
  type HubspotObjectType,
  type HubspotRecord,
} from './hubspot/hubspot-objects.ts';
import { projectDeletions } from './projection.ts';
import { matchesShadows } from './shadow-compare.ts';
import type { SyncContext } from './sync-context.ts';
import type { AuditEntry, IdLink, LinkedKind } from './sync-store.ts';

// Linked records deleted on one side, settled in one pass per batch: confirm each deletion and
// its time (HubSpot's archived read, one call per 100; Salesforce's recycle bin by queryAll, one
// call per chunk of ids), decide per record (`decideDeletion`: deals follow the mapping's
// `deletes` policy, accounts only unlink, a newer unsynced edit keeps the survivor), delete the
// survivors (Salesforce collections, 200 a call; HubSpot batch archive, 100 a call), then
// tombstone the links, audit, and archive our projection. Our own deletions come back only as
// echoes that the intake drops (changeSource INTEGRATION; CDC changeOrigin client=partnerbridge)
// or as polled records of tombstoned links, which queue nothing.

export type GoneLink = {
  readonly link: IdLink & { hubspotId: string; salesforceId: string };
  readonly kind: LinkedKind;
  readonly mapping: ObjectMapping;
  /** The HubSpot record as read now (undefined: gone). */
  readonly hubspot: HubspotRecord | undefined;
  /** The Salesforce record as read now (undefined: gone). */
  readonly salesforce:
    | {
        readonly modifiedMs: number | null;
        readonly values: Readonly<Record<string, unknown>>;
      }
    | undefined;
  /** Shadows of the surviving side, if any. */
  readonly survivorShadows: Readonly<Record<string, CommonValue>> | undefined;
};

export type SettledDeletion =
  | { readonly ok: true; readonly decision: DeletionDecision }
  | { readonly ok: false; readonly failure: WriteResult };

function msOf(value: string | null | undefined): number | null {
  const ms = Date.parse(value ?? '');
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Settles the deletions of one batch. Calls that fail as a whole throw (the caller retries those
 * records; everything here is idempotent: a deleted or archived record counts as deleted).
 */
export async function settleDeletions(
  ctx: SyncContext,
  family: 'deal' | 'company',
  gone: readonly GoneLink[],
  references: ReferenceResolver,
  audit: AuditEntry[],
  at: Date,
): Promise<{
  settled: Map<GoneLink, SettledDeletion>;
  changed: { dealIds: string[]; partnerIds: string[] };
}> {
  const settled = new Map<GoneLink, SettledDeletion>();
  if (gone.length === 0) return { settled, changed: { dealIds: [], partnerIds: [] } };
  const hubspotType: HubspotObjectType = family === 'deal' ? 'deals' : 'companies';
  const sobject = family === 'deal' ? opportunityObject : accountObject;

  // 1. Confirm the deletions and their times.
  const hubspotGone = gone.filter((g) => g.hubspot === undefined).map((g) => g.link.hubspotId);
  const salesforceGone = gone
    .filter((g) => g.salesforce === undefined)
    .map((g) => g.link.salesforceId);
  // Merged away (the intake marked them from merge webhooks): not deletions.
  const merged = await ctx.gates.takeMarked(`merged:${ctx.installationId}`, hubspotGone);
  const archived =
    hubspotGone.length === 0
      ? new Map<string, HubspotRecord>()
      : await batchRead(ctx.hubspot, hubspotType, hubspotGone, ['hs_lastmodifieddate'], {
          archived: true,
        });
  const binned =
    salesforceGone.length === 0
      ? new Map<string, { deletedAt: string }>()
      : await ctx.callSalesforce((sf) =>
          findDeletedByIds({ ...sf, object: sobject, ids: salesforceGone }),
        );

  // 2. Decide.
  const decided = gone.map((g) => {
    const deletedSide: SyncSide = g.hubspot === undefined ? 'hubspot' : 'salesforce';
    const deletedAt =
      deletedSide === 'hubspot'
        ? msOf(archived.get(g.link.hubspotId)?.archivedAt)
        : msOf(binned.get(g.link.salesforceId)?.deletedAt);
    const survivorValues = deletedSide === 'hubspot' ? g.salesforce?.values : g.hubspot?.properties;
    const survivorModified =
      deletedSide === 'hubspot'
        ? (g.salesforce?.modifiedMs ?? null)
        : msOf(g.hubspot?.properties.hs_lastmodifieddate ?? g.hubspot?.updatedAt);
    const survivorSide: SyncSide = deletedSide === 'hubspot' ? 'salesforce' : 'hubspot';
    const decision = decideDeletion({
      kind: g.kind,
      policy: g.mapping.deletes,
      deletedSide,
      deletedAt,
      merged: deletedSide === 'hubspot' && merged.has(g.link.hubspotId),
      survivor:
        survivorValues === undefined
          ? { exists: false }
          : {
              exists: true,
              modifiedAt: survivorModified,
              unsyncedEdit:
                g.survivorShadows !== undefined &&
                !matchesShadows(
                  g.mapping,
                  survivorSide,
                  survivorValues,
                  g.survivorShadows,
                  references,
                ),
            },
    });
    return { g, deletedSide, deletedAt, decision };
  });

  // 3. Delete the survivors, batched.
  const salesforceDeletes = decided.filter(
    (d) => d.decision.action === 'delete' && d.deletedSide === 'hubspot',
  );
  const hubspotArchives = decided.filter(
    (d) => d.decision.action === 'delete' && d.deletedSide === 'salesforce',
  );
  if (salesforceDeletes.length > 0) {
    const results = await ctx.callSalesforce((sf) =>
      deleteByIds({
        ...sf,
        object: sobject,
        ids: salesforceDeletes.map((d) => d.g.link.salesforceId),
      }),
    );
    salesforceDeletes.forEach((d, index) => {
      const result = results[index];
      if (result !== undefined && !result.ok) settled.set(d.g, { ok: false, failure: result });
    });
  }
  if (hubspotArchives.length > 0) {
    await batchArchive(
      ctx.hubspot,
      hubspotType,
      hubspotArchives.map((d) => d.g.link.hubspotId),
    );
  }

  // 4. Tombstones, audit, projection for every record settled.
  const done = decided.filter((d) => !settled.has(d.g));
  for (const d of done) settled.set(d.g, { ok: true, decision: d.decision });
  if (done.length > 0) {
    await ctx.services.db
      .update(idLinks)
      .set({ deletedAt: at, updatedAt: at })
      .where(
        and(
          eq(idLinks.installationId, ctx.installationId),
          inArray(
            idLinks.id,
            done.map((d) => d.g.link.id),
          ),
        ),
      );
  }
  for (const { g, deletedSide, deletedAt, decision } of done) {
    const propagated = decision.action === 'delete';
    audit.push({
      origin: deletedSide,
      action: 'sync.deleted',
      objectKind: g.kind,
      hubspotId: g.link.hubspotId,
      salesforceId: g.link.salesforceId,
      localId: g.link.id,
      before: {
        deletedOn: deletedSide,
        deletedAt: deletedAt === null ? null : new Date(deletedAt).toISOString(),
      },
      after: propagated
        ? { [deletedSide === 'hubspot' ? 'salesforce' : 'hubspot']: 'deleted', link: 'tombstoned' }
        : { link: 'tombstoned' },
      policy: { deletes: g.mapping.deletes },
      decision: {
        deletes: g.mapping.deletes,
        applied: propagated ? 'propagate' : 'unlink',
        reason: decision.reason,
      },
    });
  }
  const hubspotGoneNow = done.filter(
    (d) => d.deletedSide === 'hubspot' || d.decision.action === 'delete',
  );
  const changed = await projectDeletions(
    ctx,
    family,
    {
      archivedHubspotIds: hubspotGoneNow.map((d) => d.g.link.hubspotId),
      unlinkedSalesforceIds: done
        .filter((d) => !hubspotGoneNow.includes(d))
        .map((d) => d.g.link.salesforceId),
    },
    at,
  );
  return { settled, changed };
}
