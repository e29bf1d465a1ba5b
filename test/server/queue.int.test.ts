import { UnrecoverableError } from 'bullmq';
import { eq, lt } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deadLetters } from '../../server/src/db/schema/audit.ts';
import { oauthStates } from '../../server/src/db/schema/installations.ts';
import { upsertHubspotInstallation } from '../../server/src/installs/installations.ts';
import { purgeExpiredJob } from '../../server/src/jobs/purge-expired.job.ts';
import { defineJob } from '../../server/src/queue/job.ts';
import { startTestServer, TEST_HUBSPOT_APP, type TestServer } from '../support/server.ts';

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const seen: string[] = [];
let transientFailuresLeft = 0;
let releaseSlowJob: (() => void) | undefined;

const probeJob = defineJob({
  name: 'test-probe',
  dataSchema: z.strictObject({
    installationId: z.uuid().optional(),
    mode: z.enum(['ok', 'permanent', 'transient', 'slow']),
    label: z.string(),
  }),
  jobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 20 } },
  installationOf: (data) => data.installationId,
  async process(data) {
    if (data.mode === 'permanent') throw new UnrecoverableError(`bad record ${data.label}`);
    if (data.mode === 'transient' && transientFailuresLeft-- > 0) throw new Error('socket hang up');
    if (data.mode === 'slow') {
      await new Promise<void>((resolve) => {
        releaseSlowJob = resolve;
      });
    }
    seen.push(data.label);
    return { label: data.label };
  },
});

describe('queues and workers', () => {
  let server: TestServer;
  let installationId: string;

  beforeAll(async () => {
    server = await startTestServer({ worker: true, jobs: [purgeExpiredJob, probeJob] });
    installationId = (
      await upsertHubspotInstallation(server.services.db, {
        portalId: '5005',
        appId: TEST_HUBSPOT_APP.appId,
        hubDomain: undefined,
        scopes: [],
        installedBy: undefined,
      })
    ).id;
  });
  afterAll(async () => {
    await server.close();
  });

  const stateOf = (jobId: string) => async () => {
    const job = await server.services.queues.queue('test-probe').getJob(jobId);
    const state = await job?.getState();
    return state === 'completed' || state === 'failed' ? state : undefined;
  };

  it('validates data when enqueuing and adds nothing invalid', async () => {
    const invalid = { mode: 'nope', label: 'x' } as unknown as Parameters<
      typeof server.services.queues.enqueue<z.output<typeof probeJob.dataSchema>>
    >[1];
    await expect(server.services.queues.enqueue(probeJob, invalid)).rejects.toMatchObject({
      code: 'validation_failed',
      issues: [{ path: 'job.mode' }],
    });
    const counts = await server.services.queues.queue('test-probe').getJobCounts('waiting');
    expect(counts.waiting).toBe(0);
  });

  it('processes a job and counts its outcome', async () => {
    const jobId = await server.services.queues.enqueue(probeJob, { mode: 'ok', label: 'first' });
    expect(await waitFor(stateOf(jobId))).toBe('completed');
    expect(seen).toContain('first');
    // The outcome is counted by the worker's 'completed' event, which can come a moment after
    // Redis already reports the job completed.
    const counted = 'pb_job_outcomes_total{queue="test-probe",outcome="completed"} 1';
    const metrics = await waitFor(async () => {
      const text =
        await server.services.metrics.registry.getSingleMetricAsString('pb_job_outcomes_total');
      return text.includes(counted) ? text : undefined;
    }).catch(() =>
      server.services.metrics.registry.getSingleMetricAsString('pb_job_outcomes_total'),
    );
    expect(metrics).toContain(counted);
  });

  it('retries transient failures with backoff', async () => {
    transientFailuresLeft = 2;
    const jobId = await server.services.queues.enqueue(probeJob, {
      mode: 'transient',
      label: 'flaky',
    });
    expect(await waitFor(stateOf(jobId))).toBe('completed');
    const metrics =
      await server.services.metrics.registry.getSingleMetricAsString('pb_job_outcomes_total');
    expect(metrics).toContain('outcome="retried"} 2');
  });

  it('dead-letters permanent failures with their installation, type and payload', async () => {
    const jobId = await server.services.queues.enqueue(probeJob, {
      installationId,
      mode: 'permanent',
      label: 'deal-9',
    });
    expect(await waitFor(stateOf(jobId))).toBe('failed');
    const [letter] = await waitFor(async () => {
      const rows = await server.services.db
        .select()
        .from(deadLetters)
        .where(eq(deadLetters.jobId, jobId));
      return rows.length > 0 ? rows : undefined;
    });
    expect(letter).toMatchObject({
      installationId,
      queue: 'test-probe',
      errorType: 'UnrecoverableError',
      reason: 'bad record deal-9',
      status: 'open',
      payload: { installationId, mode: 'permanent', label: 'deal-9' },
    });
  });

  it('fails a job whose payload no longer matches its schema, without retrying', async () => {
    const job = await server.services.queues
      .queue('test-probe')
      .add('test-probe', { mode: 'ok', label: 42 });
    expect(await waitFor(stateOf(job.id ?? ''))).toBe('failed');
    const failed = await server.services.queues.queue('test-probe').getJob(job.id ?? '');
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/invalid job data/);
  });

  it('registers job schedulers on start (idempotently)', async () => {
    const schedulers = await server.services.queues.queue('purge-expired').getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key)).toEqual(['purge-expired-hourly']);
  });

  it('runs the housekeeping job: expired OAuth states go', async () => {
    await server.services.db.insert(oauthStates).values({
      stateHash: 'expired-state',
      purpose: 'hubspot_install',
      browserBindingHash: 'x',
      expiresAt: new Date(Date.now() - 1000),
    });
    const jobId = await server.services.queues.enqueue(purgeExpiredJob, {});
    await waitFor(async () => {
      const job = await server.services.queues.queue('purge-expired').getJob(jobId);
      return (await job?.getState()) === 'completed' ? true : undefined;
    });
    const left = await server.services.db
      .select()
      .from(oauthStates)
      .where(lt(oauthStates.expiresAt, new Date()));
    expect(left).toEqual([]);
  });
});

describe('worker shutdown', () => {
  it('lets an active job finish before closing', async () => {
    const server = await startTestServer({ web: false, worker: true, jobs: [probeJob] });
    const jobId = await server.services.queues.enqueue(probeJob, { mode: 'slow', label: 'slow' });
    await waitFor(async () => (releaseSlowJob === undefined ? undefined : true));
    const closing = server.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    releaseSlowJob?.();
    await closing;
    expect(seen).toContain('slow');
    // The job completed before its worker and connection went away.
    const check = await startTestServer({
      web: false,
      env: { QUEUE_PREFIX: server.config.queue.prefix },
      jobs: [probeJob],
    });
    try {
      const job = await check.services.queues.queue('test-probe').getJob(jobId);
      expect(await job?.getState()).toBe('completed');
    } finally {
      await check.close();
    }
  });
});
