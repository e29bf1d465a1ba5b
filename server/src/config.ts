import path from 'node:path';
import { z } from 'zod';

/** Thrown when the environment does not describe a runnable server; lists every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly { variable: string; reason: string }[];

  constructor(problems: readonly { variable: string; reason: string }[]) {
    super(
      [
        'Invalid configuration; fix these environment variables:',
        ...problems.map((p) => `  - ${p.variable}: ${p.reason}`),
      ].join('\n'),
    );
    this.problems = problems;
  }
}

/** Variables whose values never appear in logs, error messages or summaries. */
export const secretVariables = [
  'TOKEN_ENCRYPTION_KEY',
  'TOKEN_ENCRYPTION_PREVIOUS_KEYS',
  'HUBSPOT_CLIENT_SECRET',
  'SALESFORCE_CLIENT_SECRET',
  'SALESFORCE_JWT_PRIVATE_KEY',
  'ADMIN_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
] as const;

export const nodeEnvs = ['development', 'production', 'test'] as const;
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const DEFAULT_HUBSPOT_SCOPES = [
  'oauth',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.schemas.deals.read',
  'crm.schemas.deals.write',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
] as const;

const KEY_BYTES = 32;

const optionalString = z.string().trim().min(1).optional();

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

function decodeKey(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === KEY_BYTES ? bytes : undefined;
}

const encryptionKey = z.string().transform((value, ctx) => {
  const key = decodeKey(value.trim());
  if (key === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `must be ${KEY_BYTES} random bytes, base64-encoded (e.g. \`openssl rand -base64 32\`)`,
    });
    return z.NEVER;
  }
  return key;
});

const previousKeys = z.string().transform((value, ctx) => {
  const parts = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const keys: Buffer[] = [];
  for (const [index, part] of parts.entries()) {
    const key = decodeKey(part);
    if (key === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${index + 1} is not ${KEY_BYTES} base64-encoded bytes`,
      });
      return z.NEVER;
    }
    keys.push(key);
  }
  return keys;
});

const scopeList = z.string().transform((value) =>
  value
    .split(/[\s,]+/)
    .map((scope) => scope.trim())
    .filter((scope) => scope !== ''),
);

// Env values are strings; this parses `true`, `false`, a hop count or a list of subnets.
const trustProxy = z.string().transform((value): boolean | number | string => {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
});

// PEM keys often arrive with literal `\n` in env files.
const pemKey = z
  .string()
  .transform((value) => value.replace(/\\n/g, '\n').trim())
  .refine((value) => /-----BEGIN (RSA )?PRIVATE KEY-----/.test(value), {
    message: 'must be a PEM private key (-----BEGIN PRIVATE KEY-----)',
  });

const envSchema = z.object({
  NODE_ENV: z.enum(nodeEnvs).default('development'),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PORT: integer(0, 65_535).default(3000),
  PUBLIC_BASE_URL: httpUrl.optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  TRUST_PROXY: trustProxy.default(false),
  RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(600),
  SHUTDOWN_TIMEOUT_MS: integer(1_000, 600_000).default(25_000),

  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .optional(),
  DATABASE_POOL_MAX: integer(1, 1_000).default(10),
  PGLITE_DIR: z.string().trim().min(1).default('.data/pglite'),

  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, {
      error: 'must be 1-32 lowercase letters, digits, "-" or "_"',
    })
    .default('pb'),
  WORKER_CONCURRENCY: integer(1, 1_000).default(5),

  TOKEN_ENCRYPTION_KEY: encryptionKey,
  TOKEN_ENCRYPTION_PREVIOUS_KEYS: previousKeys.optional(),
  ADMIN_TOKEN: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),

  HUBSPOT_APP_ID: z.string().regex(/^\d+$/, { error: 'must be the numeric HubSpot app id' }),
  HUBSPOT_CLIENT_ID: z.string().trim().min(1, { error: 'is required' }),
  HUBSPOT_CLIENT_SECRET: z.string().trim().min(1, { error: 'is required' }),
  HUBSPOT_API_BASE_URL: httpUrl.default('https://api.hubapi.com'),
  HUBSPOT_AUTHORIZE_URL: httpUrl.default('https://app.hubspot.com/oauth/authorize'),
  HUBSPOT_SCOPES: scopeList.optional(),
  HUBSPOT_OPTIONAL_SCOPES: scopeList.optional(),

  SALESFORCE_CLIENT_ID: optionalString,
  SALESFORCE_CLIENT_SECRET: optionalString,
  SALESFORCE_LOGIN_URL: httpUrl.default('https://login.salesforce.com'),
  SALESFORCE_API_VERSION: z
    .string()
    .regex(/^\d{2,3}\.0$/, { error: 'must look like 62.0' })
    .default('62.0'),
  SALESFORCE_SCOPES: z.string().trim().min(1).default('api refresh_token offline_access'),
  SALESFORCE_JWT_PRIVATE_KEY: pemKey.optional(),
  SALESFORCE_JWT_USERNAME: optionalString,
});

type Env = z.infer<typeof envSchema>;

/** Every environment variable the server reads (documented in .env.example). */
export const configVariables = Object.keys(envSchema.shape) as (keyof Env)[];

export type DatabaseConfig =
  | { readonly kind: 'postgres'; readonly url: string; readonly poolMax: number }
  /** `dir: undefined` = in-memory (PGLITE_DIR=memory://). */
  | { readonly kind: 'pglite'; readonly dir: string | undefined };

export type SalesforceConfig = {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly loginUrl: string;
  readonly apiVersion: string;
  readonly scopes: string;
  readonly jwt:
    | { readonly privateKeyPem: string; readonly defaultUsername: string | undefined }
    | undefined;
};

export type Config = {
  readonly env: (typeof nodeEnvs)[number];
  readonly host: string;
  readonly port: number;
  /** Origin (plus optional path prefix) HubSpot signs URLs against; no trailing slash. */
  readonly publicBaseUrl: string;
  readonly logLevel: (typeof logLevels)[number];
  readonly http: {
    readonly trustProxy: boolean | number | string;
    readonly rateLimitPerMinute: number;
  };
  readonly shutdownTimeoutMs: number;
  readonly database: DatabaseConfig;
  readonly redis: { readonly url: string };
  readonly queue: { readonly prefix: string; readonly concurrency: number };
  readonly security: {
    readonly tokenKey: Buffer;
    readonly previousTokenKeys: readonly Buffer[];
    readonly adminToken: string | undefined;
  };
  readonly hubspot: {
    readonly appId: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly apiBaseUrl: string;
    readonly authorizeUrl: string;
    readonly scopes: readonly string[];
    readonly optionalScopes: readonly string[];
  };
  readonly salesforce: SalesforceConfig | undefined;
};

type Problem = { variable: string; reason: string };

// Runs on the raw strings so that these are reported together with the per-variable problems.
function crossFieldProblems(env: Readonly<Record<string, string>>): Problem[] {
  const problems: Problem[] = [];
  const hasId = env.SALESFORCE_CLIENT_ID !== undefined;
  const hasSecret = env.SALESFORCE_CLIENT_SECRET !== undefined;
  if (hasId && !hasSecret) {
    problems.push({
      variable: 'SALESFORCE_CLIENT_SECRET',
      reason: 'is required when SALESFORCE_CLIENT_ID is set',
    });
  }
  if (hasSecret && !hasId) {
    problems.push({
      variable: 'SALESFORCE_CLIENT_ID',
      reason: 'is required when SALESFORCE_CLIENT_SECRET is set',
    });
  }
  if (env.SALESFORCE_JWT_PRIVATE_KEY !== undefined && !hasId) {
    problems.push({
      variable: 'SALESFORCE_CLIENT_ID',
      reason: 'is required when SALESFORCE_JWT_PRIVATE_KEY is set (it is the JWT issuer)',
    });
  }
  if (env.SALESFORCE_JWT_USERNAME !== undefined && env.SALESFORCE_JWT_PRIVATE_KEY === undefined) {
    problems.push({
      variable: 'SALESFORCE_JWT_PRIVATE_KEY',
      reason: 'is required when SALESFORCE_JWT_USERNAME is set',
    });
  }
  if (env.NODE_ENV === 'production') {
    if (env.PUBLIC_BASE_URL === undefined) {
      problems.push({ variable: 'PUBLIC_BASE_URL', reason: 'is required in production' });
    } else if (!env.PUBLIC_BASE_URL.trim().startsWith('https://')) {
      problems.push({
        variable: 'PUBLIC_BASE_URL',
        reason: 'must be https:// in production (HubSpot only calls HTTPS origins)',
      });
    }
    if (env.DATABASE_URL === undefined) {
      problems.push({
        variable: 'DATABASE_URL',
        reason: 'is required in production (PGlite is for a single local process)',
      });
    }
  }
  if (env.PUBLIC_BASE_URL !== undefined && URL.canParse(env.PUBLIC_BASE_URL)) {
    const url = new URL(env.PUBLIC_BASE_URL);
    if (url.search !== '' || url.hash !== '') {
      problems.push({
        variable: 'PUBLIC_BASE_URL',
        reason: 'must not contain a query string or fragment',
      });
    }
  }
  return problems;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function toConfig(env: Env, cwd: string): Config {
  const database: DatabaseConfig =
    env.DATABASE_URL !== undefined
      ? { kind: 'postgres', url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX }
      : {
          kind: 'pglite',
          dir: env.PGLITE_DIR === 'memory://' ? undefined : path.resolve(cwd, env.PGLITE_DIR),
        };
  const salesforce: SalesforceConfig | undefined =
    env.SALESFORCE_CLIENT_ID !== undefined && env.SALESFORCE_CLIENT_SECRET !== undefined
      ? {
          clientId: env.SALESFORCE_CLIENT_ID,
          clientSecret: env.SALESFORCE_CLIENT_SECRET,
          loginUrl: withoutTrailingSlash(env.SALESFORCE_LOGIN_URL),
          apiVersion: env.SALESFORCE_API_VERSION,
          scopes: env.SALESFORCE_SCOPES,
          jwt:
            env.SALESFORCE_JWT_PRIVATE_KEY !== undefined
              ? {
                  privateKeyPem: env.SALESFORCE_JWT_PRIVATE_KEY,
                  defaultUsername: env.SALESFORCE_JWT_USERNAME,
                }
              : undefined,
        }
      : undefined;
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicBaseUrl: withoutTrailingSlash(env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`),
    logLevel: env.LOG_LEVEL,
    http: { trustProxy: env.TRUST_PROXY, rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    database,
    redis: { url: env.REDIS_URL },
    queue: { prefix: env.QUEUE_PREFIX, concurrency: env.WORKER_CONCURRENCY },
    security: {
      tokenKey: env.TOKEN_ENCRYPTION_KEY,
      previousTokenKeys: env.TOKEN_ENCRYPTION_PREVIOUS_KEYS ?? [],
      adminToken: env.ADMIN_TOKEN,
    },
    hubspot: {
      appId: env.HUBSPOT_APP_ID,
      clientId: env.HUBSPOT_CLIENT_ID,
      clientSecret: env.HUBSPOT_CLIENT_SECRET,
      apiBaseUrl: withoutTrailingSlash(env.HUBSPOT_API_BASE_URL),
      authorizeUrl: env.HUBSPOT_AUTHORIZE_URL,
      scopes: env.HUBSPOT_SCOPES ?? [...DEFAULT_HUBSPOT_SCOPES],
      optionalScopes: env.HUBSPOT_OPTIONAL_SCOPES ?? [],
    },
    salesforce,
  };
}

function reasonFor(issue: z.core.$ZodIssue, present: boolean): string {
  if (!present) return 'is required';
  if (issue.code === 'invalid_value') {
    return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
  }
  return issue.message;
}

// Empty strings count as unset, as most dotenv tools write `KEY=` for "no value".
function normalize(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[key] = value;
  }
  return out;
}

/**
 * Parses the environment once at start-up. Throws a ConfigError naming every offending variable
 * (never their values: some are secrets).
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: { cwd?: string } = {},
): Config {
  const normalized = normalize(env);
  const result = envSchema.safeParse(normalized);
  const problems = new Map<string, string[]>();
  const add = (variable: string, reason: string) =>
    problems.set(variable, [...(problems.get(variable) ?? []), reason]);
  for (const issue of result.error?.issues ?? []) {
    const variable = String(issue.path[0] ?? '(environment)');
    add(variable, reasonFor(issue, normalized[variable] !== undefined));
  }
  for (const problem of crossFieldProblems(normalized)) add(problem.variable, problem.reason);
  if (!result.success || problems.size > 0) {
    throw new ConfigError(
      [...problems.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([variable, reasons]) => ({ variable, reason: reasons.join('; ') })),
    );
  }
  return toConfig(result.data, options.cwd ?? process.cwd());
}

/** True when the environment names real CRM credentials (otherwise `npm start` runs sandboxes). */
export function hasCrmCredentials(env: Readonly<Record<string, string | undefined>>): boolean {
  const set = normalize(env);
  return set.HUBSPOT_CLIENT_ID !== undefined || set.SALESFORCE_CLIENT_ID !== undefined;
}

const REDACTED = '[redacted]';

/** A loggable view of the configuration: secrets replaced, connection URLs stripped of passwords. */
export function describeConfig(config: Config): Record<string, unknown> {
  const stripPassword = (url: string) => {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = REDACTED;
    return parsed.toString();
  };
  return {
    env: config.env,
    listen: `${config.host}:${config.port}`,
    publicBaseUrl: config.publicBaseUrl,
    database:
      config.database.kind === 'postgres'
        ? { kind: 'postgres', url: stripPassword(config.database.url) }
        : { kind: 'pglite', dir: config.database.dir ?? 'memory://' },
    redis: stripPassword(config.redis.url),
    queuePrefix: config.queue.prefix,
    hubspot: {
      appId: config.hubspot.appId,
      clientId: config.hubspot.clientId,
      clientSecret: REDACTED,
      apiBaseUrl: config.hubspot.apiBaseUrl,
    },
    salesforce:
      config.salesforce === undefined
        ? 'not configured'
        : {
            clientId: config.salesforce.clientId,
            clientSecret: REDACTED,
            loginUrl: config.salesforce.loginUrl,
            apiVersion: config.salesforce.apiVersion,
            jwt: config.salesforce.jwt === undefined ? 'off' : 'on',
          },
    adminToken: config.security.adminToken === undefined ? 'not set' : REDACTED,
  };
}
