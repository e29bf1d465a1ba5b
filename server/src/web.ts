import { createLogger } from './logger.ts';
import { startRuntime } from './main.ts';
import { exitOnSignals, loadConfigOrExit } from './process-lifecycle.ts';

// Production entry point for an HTTP process (run several behind the load balancer).
const config = loadConfigOrExit(process.env);
const log = createLogger({ level: config.logLevel, base: { service: 'partnerbridge-web' } });
try {
  const runtime = await startRuntime(config, { web: true, worker: false, log });
  exitOnSignals(log, runtime.close);
} catch (error) {
  log.fatal({ err: error }, 'web process failed to start');
  process.exitCode = 1;
}
