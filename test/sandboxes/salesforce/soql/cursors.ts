import { SalesforceApiError } from '../errors.ts';
import { keyPrefixes, makeId } from '../ids.ts';

// Query locators for `queryMore`: the result of a query is snapshotted when it runs and served in
// batches from `GET …/query/<locator>-<offset>`. Idle locators expire after 15 minutes.

const IDLE_MS = 15 * 60_000;

type Cursor = {
  orgId: string;
  records: unknown[];
  batchSize: number;
  totalSize: number;
  /** `/services/data/v62.0/query` or `…/tooling/query`, for `nextRecordsUrl`. */
  basePath: string;
  lastUsedAt: number;
};

export type QueryPage = {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: unknown[];
};

export const invalidLocator = () =>
  new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');

export class QueryCursors {
  private readonly cursors = new Map<string, Cursor>();
  private readonly clock: () => number;
  private counter = 0;

  constructor(clock: () => number) {
    this.clock = clock;
  }

  /** The first page of a result; opens a locator when more remain. */
  open(input: Omit<Cursor, 'lastUsedAt'>): QueryPage {
    if (input.records.length <= input.batchSize) {
      return { totalSize: input.totalSize, done: true, records: input.records };
    }
    this.counter += 1;
    const locator = makeId(keyPrefixes.QueryLocator, 'Q0', this.counter);
    this.cursors.set(locator, { ...input, lastUsedAt: this.clock() });
    return this.page(locator, 0);
  }

  /** The page at `<locator>-<offset>` (or the first page of a bare locator). */
  next(orgId: string, locatorAndOffset: string): QueryPage {
    this.expire();
    const match = /^([0-9A-Za-z]{18})(?:-(\d+))?$/.exec(locatorAndOffset);
    if (match === null) throw invalidLocator();
    const [, locator = '', offset = '0'] = match;
    const cursor = this.cursors.get(locator);
    if (cursor === undefined || cursor.orgId !== orgId) throw invalidLocator();
    if (Number(offset) >= cursor.records.length) throw invalidLocator();
    cursor.lastUsedAt = this.clock();
    return this.page(locator, Number(offset));
  }

  private page(locator: string, offset: number): QueryPage {
    const cursor = this.cursors.get(locator);
    if (cursor === undefined) throw invalidLocator();
    const end = offset + cursor.batchSize;
    const records = cursor.records.slice(offset, end);
    if (end >= cursor.records.length) {
      return { totalSize: cursor.totalSize, done: true, records };
    }
    return {
      totalSize: cursor.totalSize,
      done: false,
      nextRecordsUrl: `${cursor.basePath}/${locator}-${end}`,
      records,
    };
  }

  private expire() {
    const now = this.clock();
    for (const [locator, cursor] of this.cursors) {
      if (now - cursor.lastUsedAt > IDLE_MS) this.cursors.delete(locator);
    }
  }
}
