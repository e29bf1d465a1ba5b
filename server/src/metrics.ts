import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CrmSystem } from './db/vocabulary.ts';

export const jobOutcomes = ['completed', 'failed', 'retried', 'dead_lettered'] as const;
export type JobOutcome = (typeof jobOutcomes)[number];

/** Reports per-state job counts of every queue when /metrics is scraped. */
export type QueueDepthSource = () => Promise<
  readonly { queue: string; counts: Readonly<Record<string, number>> }[]
>;

/**
 * The process's Prometheus metrics. Each app/worker graph owns its registry (tests build several
 * in one process); the helpers are what other modules call.
 */
export type Metrics = {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobOutcomes: Counter<'queue' | 'outcome'>;
  readonly jobDuration: Histogram<'queue'>;
  readonly crmApiCalls: Counter<'provider' | 'installation' | 'status'>;
  readonly crmRateLimited: Counter<'provider' | 'installation'>;
  /** Counts one CRM API response (status 0 = network error) for a tenant. */
  recordCrmCall(provider: CrmSystem, installationId: string, status: number): void;
  recordJob(queue: string, outcome: JobOutcome, durationMs?: number): void;
  /** Sets where queue depths come from (the composition root's queue set). */
  setQueueDepthSource(source: QueueDepthSource): void;
};

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const httpRequestDuration = new Histogram({
    name: 'pb_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const jobOutcomeCounter = new Counter({
    name: 'pb_job_outcomes_total',
    help: 'Jobs finished per queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'pb_job_duration_seconds',
    help: 'Job processing time per queue',
    labelNames: ['queue'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  const crmApiCalls = new Counter({
    name: 'pb_crm_api_calls_total',
    help: 'CRM API calls per provider, installation and response status',
    labelNames: ['provider', 'installation', 'status'] as const,
    registers: [registry],
  });
  const crmRateLimited = new Counter({
    name: 'pb_crm_api_rate_limited_total',
    help: 'CRM API 429 responses per provider and installation',
    labelNames: ['provider', 'installation'] as const,
    registers: [registry],
  });

  let depthSource: QueueDepthSource | undefined;
  new Gauge({
    name: 'pb_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (depthSource === undefined) return;
      for (const { queue, counts } of await depthSource()) {
        for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
      }
    },
  });

  return {
    registry,
    httpRequestDuration,
    jobOutcomes: jobOutcomeCounter,
    jobDuration,
    crmApiCalls,
    crmRateLimited,
    recordCrmCall(provider, installationId, status) {
      crmApiCalls.inc({ provider, installation: installationId, status: String(status) });
      if (status === 429) crmRateLimited.inc({ provider, installation: installationId });
    },
    recordJob(queue, outcome, durationMs) {
      jobOutcomeCounter.inc({ queue, outcome });
      if (durationMs !== undefined) jobDuration.observe({ queue }, durationMs / 1000);
    },
    setQueueDepthSource(source) {
      depthSource = source;
    },
  };
}
