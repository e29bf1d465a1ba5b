import { createHash, randomUUID } from 'node:crypto';
import type { Rng } from '../../common/rng.ts';
import type { ChangeEventFaults } from './change-event-faults.ts';

// One org's Change Data Capture stream: events in commit order with opaque, increasing (not
// contiguous) replay ids, retained for 72 hours of sandbox time.

export const RETENTION_MS = 72 * 3_600_000;

export const changeTypes = [
  'CREATE',
  'UPDATE',
  'DELETE',
  'UNDELETE',
  'GAP_CREATE',
  'GAP_UPDATE',
  'GAP_DELETE',
  'GAP_UNDELETE',
  'GAP_OVERFLOW',
] as const;
export type ChangeType = (typeof changeTypes)[number];

export type ChangeEventHeader = {
  entityName: string;
  recordIds: string[];
  changeType: ChangeType;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  nulledFields: string[];
  diffFields: string[];
  changedFields: string[];
};

export type ChangeEventData = {
  schema: string;
  payload: { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;
  event: { replayId: number; EventUuid: string };
};

export type ChangeEvent = {
  replayId: number;
  entityName: string;
  committedAt: number;
  data: ChangeEventData;
};

/** A change made by one DML operation, before it becomes an event. */
export type RecordChange = {
  entityName: string;
  recordId: string;
  changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
  /** Field values carried by the event (all populated fields on create, changed ones on update). */
  fields: Record<string, unknown>;
  changedFields: string[];
  nulledFields: string[];
};

export type CommitContext = {
  changeOrigin: string;
  commitUser: string;
  commitTimestamp: number;
};

export type PublishedEvent = {
  event: ChangeEvent;
  /** Deliver twice to live subscribers. */
  duplicate: boolean;
  /** Hold back behind the next event delivered to live subscribers. */
  delay: boolean;
};

export function channelFor(entityName: string): string {
  return `/data/${entityName}ChangeEvent`;
}

export const allChangeEventsChannel = '/data/ChangeEvents';

function schemaIdFor(entityName: string): string {
  return createHash('sha256').update(`schema:${entityName}`).digest('base64url').slice(0, 22);
}

export class ChangeEventLog {
  private readonly events: ChangeEvent[] = [];
  private readonly listeners = new Set<(published: PublishedEvent) => void>();
  private lastReplayId: number;
  private lastPurgedReplayId: number;
  private commitNumber = 10_000_000_000;
  private readonly rng: Rng;
  private readonly faults: ChangeEventFaults;

  constructor(rng: Rng, faults: ChangeEventFaults) {
    this.rng = rng;
    this.faults = faults;
    this.lastReplayId = rng.int(1_000, 9_000);
    this.lastPurgedReplayId = this.lastReplayId;
  }

  onPublish(listener: (published: PublishedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes the changes of one committed transaction. */
  commit(changes: readonly RecordChange[], context: CommitContext): ChangeEvent[] {
    if (changes.length === 0) return [];
    const transactionKey = randomUUID().replaceAll('-', '').slice(0, 32);
    this.commitNumber += this.rng.int(1, 50);
    const published: PublishedEvent[] = changes.map((change, index) => {
      const faults = this.faults.decide(change.entityName);
      const gap = faults.has('gap') || faults.has('gap-overflow');
      const changeType: ChangeType = faults.has('gap-overflow')
        ? 'GAP_OVERFLOW'
        : gap
          ? (`GAP_${change.changeType}` as ChangeType)
          : change.changeType;
      this.lastReplayId += this.rng.int(1, 7);
      const header: ChangeEventHeader = {
        entityName: change.entityName,
        recordIds: changeType === 'GAP_OVERFLOW' ? [] : [change.recordId],
        changeType,
        changeOrigin: context.changeOrigin,
        transactionKey,
        sequenceNumber: index + 1,
        commitTimestamp: context.commitTimestamp,
        commitNumber: this.commitNumber,
        commitUser: context.commitUser,
        nulledFields: gap ? [] : change.nulledFields,
        diffFields: [],
        changedFields: gap ? [] : change.changedFields,
      };
      const event: ChangeEvent = {
        replayId: this.lastReplayId,
        entityName: change.entityName,
        committedAt: context.commitTimestamp,
        data: {
          schema: schemaIdFor(change.entityName),
          payload: { ChangeEventHeader: header, ...(gap ? {} : change.fields) },
          event: { replayId: this.lastReplayId, EventUuid: randomUUID() },
        },
      };
      this.events.push(event);
      return { event, duplicate: faults.has('duplicate'), delay: faults.has('out-of-order') };
    });
    for (const entry of published) {
      for (const listener of this.listeners) listener(entry);
    }
    return published.map((p) => p.event);
  }

  /** Events still retained at `now`, oldest first. */
  retained(now: number): ChangeEvent[] {
    const cutoff = now - RETENTION_MS;
    while (this.events.length > 0) {
      const first = this.events[0];
      if (first === undefined || first.committedAt > cutoff) break;
      this.lastPurgedReplayId = first.replayId;
      this.events.shift();
    }
    return [...this.events];
  }

  latestReplayId(): number {
    return this.lastReplayId;
  }

  /** Whether `replayId` can be replayed from: the last purged id up to the newest one. */
  isReplayable(replayId: number, now: number): boolean {
    this.retained(now);
    return replayId >= this.lastPurgedReplayId && replayId <= this.lastReplayId;
  }
}
