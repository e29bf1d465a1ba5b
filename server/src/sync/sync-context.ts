import type { ApiCallMeter, SalesforceContext } from '@partnerbridge/salesforce-connector';
import type { MappingDocument, SyncSide } from '@partnerbridge/shared/sync';
import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import { createUsageRecorder, type UsageRecorder } from './api-usage.ts';
import { createHubspotApi, type HubspotApi, type HubspotLimits } from './hubspot/hubspot-api.ts';
import { recomputeAfterSync } from './recompute-hook.ts';
import type { Gates } from './redis-gates.ts';
import { fromSalesforceError, SyncCallError } from './sync-errors.ts';
import { currentMapping } from './sync-store.ts';

// Everything one unit of sync work for one installation needs, built per batch: the mapping in
// force, the HubSpot API behind the portal's limiter, a Salesforce context behind the org's gate,
// and a usage recorder flushed at the end.

export type SyncOptions = {
  /** Records gathered into one batch at most (HubSpot calls are cut at 100, Salesforce at 200). */
  readonly maxBatch: number;
  /** Back-fills and the initial import: their own batches, written through Bulk API 2.0. */
  readonly backfill?: BackfillOptions;
  /** How long the batcher waits for more records before running a smaller batch. */
  readonly lingerMs: number;
  /** Debounce of per-record jobs: bursts on one record within this window collapse. */
  readonly debounceMs: number;
  readonly hubspot: HubspotLimits;
  /** Pause of an org's calls after REQUEST_LIMIT_EXCEEDED. */
  readonly salesforcePauseMs: number;
  /** How long a record lock lives without release (a killed worker's locks free themselves). */
  readonly lockTtlMs: number;
  /** Attempts of a record job before a transient failure is dead-lettered. */
  readonly attempts: number;
  /** Back-off base of retried record jobs (exponential, jittered). */
  readonly backoffMs: number;
  /** Re-read window of incremental polls. */
  readonly pollOverlapMs: number;
  /**
   * How often the HubSpot poll reads the archived records (deletions whose webhook was lost).
   * Default 15 minutes: the list has no time filter, so it costs one call per 100 archived.
   */
  readonly archivedPollEveryMs?: number;
  /**
   * Work held by a daily API cap (see api-usage.ts) checks again after this long at the latest
   * (sooner at midnight UTC): how soon a raised or cleared cap lets it go. Default 15 minutes.
   */
  readonly budgetRecheckMs?: number;
  /** Salesforce change events (see change-events.ts); defaults when absent. */
  readonly changeEvents?: ChangeEventOptions;
  /** Called after records were imported or updated from a CRM (ledger and tier recomputation). */
  readonly onRecordsSynced?: (
    services: Services,
    installationId: string,
    changed: { dealIds: readonly string[]; partnerIds: readonly string[] },
  ) => Promise<void>;
};

export type ChangeEventOptions = {
  /** How long a subscriber's lock lives without renewal (it renews every third of it). */
  readonly lockTtlMs: number;
  /** How long the handshake and subscriptions may take before the org counts as without CDC. */
  readonly connectTimeoutMs: number;
  /** After "unavailable" (no CDC, or the stream is down), when to try subscribing again. */
  readonly unavailableRetryMs: number;
  /** The Salesforce poll's cadence while change events flow (reconciliation). */
  readonly reconcileEveryMs: number;
};

export type BackfillOptions = {
  /** Back-fill records gathered into one batch at most (HubSpot reads stay 100 a call). */
  readonly maxBatch: number;
  /**
   * The batch runs once no back-fill record arrived for this long (or `maxBatch` are waiting, or
   * five times this passed since the first one waited).
   */
  readonly lingerMs: number;
  /**
   * More Salesforce writes than this in one back-fill batch go through one Bulk API 2.0 upsert
   * job (a handful of calls) instead of sObject Collections (one call per 200). Salesforce's own
   * guidance is ~2,000. Live changes always use collections (latency).
   */
  readonly bulkThreshold: number;
  /** Bulk job status poll interval and how long to wait for a job before retrying its records. */
  readonly bulkPollIntervalMs: number;
  readonly bulkPollTimeoutMs: number;
};

// 4,000, not 10,000: a batch's bookkeeping is one statement per table (links, shadows, audit),
// and 10,000 records ran the runtime out of memory (4 GB heap) in the back-fill bench, and would
// pass Postgres's 65,535 bind parameters; those statements would need chunking first.
export const defaultBackfillOptions: BackfillOptions = {
  maxBatch: 4_000,
  lingerMs: 2_000,
  bulkThreshold: 2_000,
  bulkPollIntervalMs: 2_000,
  bulkPollTimeoutMs: 10 * 60_000,
};

export const defaultChangeEventOptions: ChangeEventOptions = {
  lockTtlMs: 30_000,
  connectTimeoutMs: 30_000,
  unavailableRetryMs: 10 * 60_000,
  reconcileEveryMs: 15 * 60_000,
};

export const defaultArchivedPollEveryMs = 15 * 60_000;
export const defaultBudgetRecheckMs = 15 * 60_000;

export const defaultSyncOptions: SyncOptions = {
  maxBatch: 1_000,
  backfill: defaultBackfillOptions,
  lingerMs: 250,
  debounceMs: 500,
  hubspot: {
    tenSecondly: 110,
    searchPerSecond: 5,
    rateLimitPauseMs: 10_000,
    maxInlineWaitMs: 12_000,
    serverErrorRetries: 2,
  },
  salesforcePauseMs: 60_000,
  lockTtlMs: 120_000,
  attempts: 6,
  backoffMs: 1_000,
  pollOverlapMs: 120_000,
  changeEvents: defaultChangeEventOptions,
  onRecordsSynced: recomputeAfterSync,
};

export type SyncContext = {
  readonly services: Services;
  readonly installationId: string;
  readonly mapping: MappingDocument;
  readonly mappingVersion: number;
  readonly hubspot: HubspotApi;
  readonly usage: UsageRecorder;
  readonly gates: Gates;
  readonly options: SyncOptions;
  readonly log: Logger;
  now(): number;
  /** The org's connection (made on first use); throws when no org is linked. */
  salesforce(): Promise<SalesforceContext>;
  /** Runs a Salesforce call behind the org's pause gate, as SyncCallErrors. */
  callSalesforce<T>(call: (context: SalesforceContext) => Promise<T>): Promise<T>;
  /** Salesforce calls made through this context. */
  salesforceCalls(): number;
};

export async function createSyncContext(input: {
  services: Services;
  installationId: string;
  gates: Gates;
  options: SyncOptions;
  log: Logger;
}): Promise<SyncContext> {
  const { services, installationId, gates, options } = input;
  const now = () => services.clock.now();
  const usage = createUsageRecorder(services.db, installationId, now);
  const mapping = await currentMapping(services.db, installationId);
  const hubspot = createHubspotApi({
    clients: services.hubspot,
    installationId,
    gates,
    usage,
    limits: options.hubspot,
    now,
  });
  let salesforceCalls = 0;
  const meter: ApiCallMeter = {
    recordCall() {
      salesforceCalls++;
      usage.record('salesforce', { status: 200 });
    },
    recordUsage(apiUsage) {
      usage.note('salesforce', apiUsage);
    },
  };
  let connection: Promise<SalesforceContext> | undefined;
  const salesforce = () => {
    connection ??= (async () => {
      if (services.salesforce === undefined) {
        throw new SyncCallError('salesforce', 'auth', {
          errorCode: 'NOT_CONFIGURED',
          message: 'no Salesforce connected app is configured',
        });
      }
      try {
        return { connection: await services.salesforce.forInstallation(installationId), meter };
      } catch (error) {
        throw new SyncCallError('salesforce', 'auth', {
          errorCode: 'NOT_CONNECTED',
          message: (error as Error).message,
          cause: error,
        });
      }
    })();
    return connection;
  };
  const gateKey = `sf:${installationId}`;
  return {
    services,
    installationId,
    mapping: mapping.document,
    mappingVersion: mapping.version,
    hubspot,
    usage,
    gates,
    options,
    log: input.log,
    now,
    salesforce,
    salesforceCalls: () => salesforceCalls,
    async callSalesforce(call) {
      const paused = await gates.pausedUntil(gateKey, now());
      if (paused > 0) {
        throw new SyncCallError('salesforce', 'rate_limited', {
          errorCode: 'PAUSED',
          message: 'Salesforce calls for this org are paused',
          retryAfterMs: paused - now(),
        });
      }
      try {
        return await call(await salesforce());
      } catch (error) {
        const failure = fromSalesforceError(error, options.salesforcePauseMs);
        if (failure.kind === 'rate_limited') {
          await gates.pause(gateKey, now() + options.salesforcePauseMs, now());
        }
        throw failure;
      }
    },
  };
}

export const sides: readonly SyncSide[] = ['hubspot', 'salesforce'];
