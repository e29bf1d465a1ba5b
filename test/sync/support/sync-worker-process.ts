import { createSyncJobs } from '../../../server/src/jobs/sync-jobs.ts';
import { createLogger } from '../../../server/src/logger.ts';
import { startRuntime } from '../../../server/src/main.ts';
import { exitOnSignals, loadConfigOrExit } from '../../../server/src/process-lifecycle.ts';
import type { SyncOptions } from '../../../server/src/sync/sync-context.ts';

// A worker process for the process tests: what server/src/worker.ts does (configuration from the
// environment, the real runtime, signal handling), with the sync jobs built from test tunables
// (`PB_TEST_SYNC_OPTIONS`, `PB_TEST_POLL_EVERY_MS`) and short stalled-job detection, so a killed
// worker's records come back in seconds rather than minutes. Tells its parent over IPC once its
// workers are running.

const config = loadConfigOrExit(process.env);
const log = createLogger({
  level: config.logLevel,
  base: { service: 'partnerbridge-test-worker' },
});
if (config.database.kind === 'pglite') {
  log.fatal('worker processes need DATABASE_URL');
  process.exit(78);
}
const options = JSON.parse(process.env.PB_TEST_SYNC_OPTIONS ?? '{}') as SyncOptions;
const pollEveryMs = Number(process.env.PB_TEST_POLL_EVERY_MS ?? 60_000);
const runtime = await startRuntime(config, {
  web: false,
  worker: true,
  log,
  jobs: createSyncJobs(options, { pollEveryMs }),
  // A killed worker's jobs are taken over within ~12 s instead of BullMQ's 30-60 s (the lock still
  // outlives a few seconds of a busy event loop, so a live worker never loses its jobs).
  stalledJobs: { lockDurationMs: 10_000, stalledIntervalMs: 2_000 },
});
exitOnSignals(log, runtime.close);
process.send?.({ ready: process.pid });
