// One org's records. Records are immutable snapshots replaced on every write, so a transaction can
// undo itself by putting back what it replaced (allOrNone collections, composite requests).

/** Stored values: datetimes as epoch milliseconds, dates as `YYYY-MM-DD`. */
export type Value = string | number | boolean | null;

export type StoredRecord = {
  readonly id: string;
  readonly sobject: string;
  readonly values: Readonly<Record<string, Value>>;
  /** When it went to the recycle bin; null while live. */
  readonly deletedAt: number | null;
  /** The parent whose deletion cascaded to this record (restored when the parent is). */
  readonly cascadeFrom: string | null;
  /** Creation order, the default order of query results. */
  readonly seq: number;
};

type UndoEntry = { id: string; previous: StoredRecord | undefined };

export class RecordStore {
  private readonly byId = new Map<string, StoredRecord>();
  private readonly byType = new Map<string, Map<string, StoredRecord>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private nextSeq = 1;
  private undoLog: UndoEntry[] | null = null;

  get(id: string): StoredRecord | undefined {
    return this.byId.get(id);
  }

  /** Records of one type in creation order; live only unless `includeDeleted`. */
  list(sobject: string, includeDeleted = false): StoredRecord[] {
    const records = [...(this.byType.get(sobject)?.values() ?? [])];
    return includeDeleted ? records : records.filter((r) => r.deletedAt === null);
  }

  count(sobject: string): number {
    return this.byType.get(sobject)?.size ?? 0;
  }

  allocateSeq(): number {
    return this.nextSeq++;
  }

  put(record: StoredRecord): void {
    const previous = this.byId.get(record.id);
    this.undoLog?.push({ id: record.id, previous });
    this.replace(record.id, previous, record);
  }

  /** Removes a record for good (recycle bin purge). */
  purge(id: string): void {
    const previous = this.byId.get(id);
    if (previous === undefined) return;
    this.undoLog?.push({ id, previous });
    this.replace(id, previous, undefined);
  }

  /** Live records of `sobject` whose `field` equals `value` (case-insensitive unless told). */
  findByField(
    sobject: string,
    field: string,
    value: string,
    caseSensitive = false,
  ): StoredRecord[] {
    const index = this.indexFor(sobject, field, caseSensitive);
    const ids = index.get(caseSensitive ? value : value.toLowerCase()) ?? new Set<string>();
    return [...ids]
      .map((id) => this.byId.get(id))
      .filter((r): r is StoredRecord => r !== undefined && r.deletedAt === null);
  }

  /** Runs `work` as one transaction: when it throws or returns false, every write is undone. */
  transaction<T>(work: () => T, shouldCommit: (result: T) => boolean = () => true): T {
    if (this.undoLog !== null) return work();
    const log: UndoEntry[] = [];
    this.undoLog = log;
    try {
      const result = work();
      if (!shouldCommit(result)) this.rollback(log);
      return result;
    } catch (error) {
      this.rollback(log);
      throw error;
    } finally {
      this.undoLog = null;
    }
  }

  /** A savepoint inside the running transaction. */
  mark(): number {
    if (this.undoLog === null) throw new Error('savepoints need a running transaction');
    return this.undoLog.length;
  }

  /** Undoes the writes made since `mark` inside the running transaction. */
  rollbackTo(mark: number): void {
    if (this.undoLog === null) throw new Error('savepoints need a running transaction');
    this.rollback(this.undoLog.splice(mark));
  }

  private rollback(log: UndoEntry[]): void {
    for (const entry of log.reverse()) {
      this.replace(entry.id, this.byId.get(entry.id), entry.previous);
    }
  }

  private replace(id: string, previous: StoredRecord | undefined, next: StoredRecord | undefined) {
    const sobject = (next ?? previous)?.sobject;
    if (sobject === undefined) return;
    for (const [key, index] of this.indexes) {
      const [type, field, sensitivity] = key.split('\u0000');
      if (type !== sobject || field === undefined) continue;
      const fold = (v: Value | undefined) =>
        typeof v === 'string' ? (sensitivity === 'cs' ? v : v.toLowerCase()) : undefined;
      const before = fold(previous?.values[field]);
      if (before !== undefined) index.get(before)?.delete(id);
      const after = fold(next?.values[field]);
      if (after !== undefined) {
        const ids = index.get(after) ?? new Set<string>();
        ids.add(id);
        index.set(after, ids);
      }
    }
    const typeMap = this.byType.get(sobject) ?? new Map<string, StoredRecord>();
    this.byType.set(sobject, typeMap);
    if (next === undefined) {
      this.byId.delete(id);
      typeMap.delete(id);
    } else {
      this.byId.set(id, next);
      typeMap.set(id, next);
    }
  }

  private indexFor(sobject: string, field: string, caseSensitive: boolean) {
    const key = [sobject, field, caseSensitive ? 'cs' : 'ci'].join('\u0000');
    let index = this.indexes.get(key);
    if (index === undefined) {
      index = new Map();
      for (const record of this.byType.get(sobject)?.values() ?? []) {
        const value = record.values[field];
        if (typeof value !== 'string') continue;
        const folded = caseSensitive ? value : value.toLowerCase();
        const ids = index.get(folded) ?? new Set<string>();
        ids.add(record.id);
        index.set(folded, ids);
      }
      this.indexes.set(key, index);
    }
    return index;
  }
}
