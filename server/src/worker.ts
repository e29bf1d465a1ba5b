import { createLogger } from './logger.ts';
import { startRuntime } from './main.ts';
import { exitOnSignals, loadConfigOrExit } from './process-lifecycle.ts';

// Production entry point for a worker process (run as many as the queues need).
const config = loadConfigOrExit(process.env);
const log = createLogger({ level: config.logLevel, base: { service: 'partnerbridge-worker' } });
if (config.database.kind === 'pglite') {
  // A PGlite directory belongs to one process; web and workers together need Postgres.
  log.fatal('worker processes need DATABASE_URL (PGlite serves a single process: use npm start)');
  process.exit(78);
}
try {
  const runtime = await startRuntime(config, { web: false, worker: true, log });
  exitOnSignals(log, runtime.close);
  // After the signal handlers: a SIGTERM from here on is a clean shutdown (tests wait for this).
  log.info('worker process ready');
} catch (error) {
  log.fatal({ err: error }, 'worker process failed to start');
  process.exitCode = 1;
}
