import { type Config, ConfigError, parseConfig } from './config.ts';
import type { Logger } from './logger.ts';

/**
 * Parses the environment or exits: a bad configuration prints every offending variable (never a
 * value) on stderr and stops the process with status 78 (EX_CONFIG).
 */
export function loadConfigOrExit(env: Readonly<Record<string, string | undefined>>): Config {
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/**
 * SIGTERM/SIGINT run `close` once, then exit 0 (1 if closing failed). A second signal while
 * closing exits at once with 1.
 */
export function exitOnSignals(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
