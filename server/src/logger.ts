import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

const CENSOR = '[redacted]';

// Query parameters that carry credentials or single-use secrets (OAuth callbacks, link tickets).
const SENSITIVE_QUERY_PARAMS = new Set([
  'code',
  'state',
  'ticket',
  'token',
  'access_token',
  'refresh_token',
  'assertion',
  'client_secret',
]);

const SECRET_KEYS = [
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'privateKeyPem',
  'tokenKey',
  'previousTokenKeys',
  'adminToken',
  'password',
  'assertion',
  'authorization',
  'cookie',
];

/** Paths pino blanks out wherever they appear in a log line (one or two levels deep). */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hubspot-signature"]',
  'req.headers["x-hubspot-signature-v3"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
];

/** Replaces the values of credential-bearing query parameters so URLs can be logged. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  let changed = false;
  for (const key of [...params.keys()]) {
    if (SENSITIVE_QUERY_PARAMS.has(key.toLowerCase())) {
      params.set(key, CENSOR);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, queryStart)}?${params.toString()}` : url;
}

export type LoggerOptions = {
  level: string;
  /** Defaults to stdout; tests pass a stream they can read. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
};

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? { service: 'partnerbridge' },
      redact: { paths: redactPaths, censor: CENSOR },
      serializers: { err: pino.stdSerializers.err },
    },
    // Synchronous writes: nothing is lost when the process exits right after logging.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
