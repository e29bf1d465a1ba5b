import type { SalesforceContext } from '../api/api-calls.ts';
import { type BulkOptions, bulkUpsert } from './bulk-upsert.ts';
import type { RetryPolicy } from './chunking.ts';
import { type UpsertRecord, upsertCollections, type WriteResult } from './collections.ts';

// The one upsert the sync engine calls: sObject Collections (⌈n/200⌉ calls, per-record results,
// lock retries) up to the threshold, one Bulk API 2.0 job above it (a handful of calls for any n).

/** Salesforce's own guidance: Bulk API above ~2,000 records, collections below. */
export const DEFAULT_BULK_THRESHOLD = 2_000;

export type UpsertOptions = SalesforceContext & {
  readonly object: {
    readonly sobject: string;
    readonly keyPrefix: string;
    readonly parentField: string | null;
    readonly externalIdField: string;
  };
  /** Defaults to the object's external id field (the HubSpot id). */
  readonly externalIdField?: string;
  readonly records: readonly UpsertRecord[];
  readonly retry?: RetryPolicy;
  /** More records than this go through Bulk API 2.0; `false` never uses it. Default 2,000. */
  readonly bulkThreshold?: number | false;
  readonly bulk?: BulkOptions;
};

/** Upserts by external id; one result per record, in input order. Never throws Salesforce errors. */
export function upsertByExternalId(options: UpsertOptions): Promise<WriteResult[]> {
  const externalIdField = options.externalIdField ?? options.object.externalIdField;
  const threshold = options.bulkThreshold ?? DEFAULT_BULK_THRESHOLD;
  if (threshold !== false && options.records.length > threshold) {
    return bulkUpsert({
      connection: options.connection,
      meter: options.meter,
      object: options.object,
      externalIdField,
      records: options.records,
      ...(options.bulk === undefined ? {} : { bulk: options.bulk }),
    });
  }
  return upsertCollections({
    connection: options.connection,
    meter: options.meter,
    object: options.object,
    externalIdField,
    records: options.records,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
}

/** Counts of a write's results by outcome, for logs and job metrics. */
export function summarizeWriteResults(results: readonly WriteResult[]): {
  ok: number;
  created: number;
  failed: Readonly<
    Partial<Record<'auth_expired' | 'rate_limited' | 'retry_later' | 'permanent', number>>
  >;
} {
  let ok = 0;
  let created = 0;
  const failed: Partial<
    Record<'auth_expired' | 'rate_limited' | 'retry_later' | 'permanent', number>
  > = {};
  for (const result of results) {
    if (result.ok) {
      ok++;
      if (result.created) created++;
    } else {
      failed[result.error.code] = (failed[result.error.code] ?? 0) + 1;
    }
  }
  return { ok, created, failed };
}
