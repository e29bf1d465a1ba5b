import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configVariables,
  describeConfig,
  hasCrmCredentials,
  parseConfig,
  secretVariables,
} from '../../server/src/config.ts';

const key = Buffer.alloc(32, 3).toString('base64');

const valid = {
  REDIS_URL: 'redis://127.0.0.1:6390',
  TOKEN_ENCRYPTION_KEY: key,
  HUBSPOT_APP_ID: '123',
  HUBSPOT_CLIENT_ID: 'client',
  HUBSPOT_CLIENT_SECRET: 'hubspot-secret-value',
};

function problemsOf(env: Record<string, string | undefined>) {
  try {
    parseConfig(env, { cwd: '/srv/app' });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(parseConfig, () => {
  it('parses a minimal environment with documented defaults', () => {
    const config = parseConfig(valid, { cwd: '/srv/app' });
    expect(config.port).toBe(3000);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.database).toEqual({ kind: 'pglite', dir: '/srv/app/.data/pglite' });
    expect(config.hubspot.apiBaseUrl).toBe('https://api.hubapi.com');
    expect(config.hubspot.authorizeUrl).toBe('https://app.hubspot.com/oauth/authorize');
    expect(config.hubspot.scopes).toContain('crm.objects.deals.write');
    expect(config.salesforce).toBeUndefined();
    expect(config.queue.prefix).toBe('pb');
    expect(config.security.tokenKey).toHaveLength(32);
  });

  it('names every offending variable at once, with a reason each', () => {
    const error = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://not-redis',
      DATABASE_URL: 'mysql://db',
      TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=',
      SALESFORCE_CLIENT_ID: 'sf-client',
    });
    expect(error.problems.map((p) => p.variable)).toEqual([
      'DATABASE_URL',
      'HUBSPOT_APP_ID',
      'HUBSPOT_CLIENT_ID',
      'HUBSPOT_CLIENT_SECRET',
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
      'SALESFORCE_CLIENT_SECRET',
      'TOKEN_ENCRYPTION_KEY',
    ]);
    expect(error.message).toContain('HUBSPOT_CLIENT_ID: is required');
    expect(error.message).toContain('TOKEN_ENCRYPTION_KEY: must be 32 random bytes');
    expect(error.message).toContain(
      'SALESFORCE_CLIENT_SECRET: is required when SALESFORCE_CLIENT_ID',
    );
  });

  it('never echoes secret values in its messages', () => {
    const error = problemsOf({
      ...valid,
      TOKEN_ENCRYPTION_KEY: 'super-secret-but-wrong-key',
      ADMIN_TOKEN: 'too-short-admin-secret',
    });
    expect(error.message).not.toContain('super-secret-but-wrong-key');
    expect(error.message).not.toContain('too-short-admin-secret');
    expect(error.problems.map((p) => p.variable)).toEqual(['ADMIN_TOKEN', 'TOKEN_ENCRYPTION_KEY']);
  });

  it('treats empty values as unset', () => {
    const error = problemsOf({ ...valid, HUBSPOT_CLIENT_SECRET: '  ' });
    expect(error.problems).toEqual([{ variable: 'HUBSPOT_CLIENT_SECRET', reason: 'is required' }]);
  });

  it('requires https, Postgres and a public URL in production', () => {
    const error = problemsOf({ ...valid, NODE_ENV: 'production' });
    expect(error.problems.map((p) => p.variable)).toEqual(['DATABASE_URL', 'PUBLIC_BASE_URL']);
    const http = problemsOf({
      ...valid,
      NODE_ENV: 'production',
      PUBLIC_BASE_URL: 'http://pb.example.com',
      DATABASE_URL: 'postgres://db/pb',
    });
    expect(http.problems).toEqual([
      { variable: 'PUBLIC_BASE_URL', reason: expect.stringContaining('https://') },
    ]);
  });

  it('builds the Salesforce section only when both client id and secret are set', () => {
    const config = parseConfig({
      ...valid,
      SALESFORCE_CLIENT_ID: 'sf',
      SALESFORCE_CLIENT_SECRET: 'sf-secret',
      SALESFORCE_LOGIN_URL: 'https://test.salesforce.com/',
      SALESFORCE_JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----',
      SALESFORCE_JWT_USERNAME: 'integration@example.com',
    });
    expect(config.salesforce).toMatchObject({
      clientId: 'sf',
      loginUrl: 'https://test.salesforce.com',
      apiVersion: '62.0',
      jwt: { defaultUsername: 'integration@example.com' },
    });
    expect(config.salesforce?.jwt?.privateKeyPem).toContain('\nabc\n');
  });

  it('uses Postgres when DATABASE_URL is set and in-memory PGlite for memory://', () => {
    expect(parseConfig({ ...valid, DATABASE_URL: 'postgres://u:p@db:5432/pb' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/pb',
      poolMax: 10,
    });
    expect(parseConfig({ ...valid, PGLITE_DIR: 'memory://' }).database).toEqual({
      kind: 'pglite',
      dir: undefined,
    });
  });

  it('reads previous encryption keys for rotation', () => {
    const previous = Buffer.alloc(32, 9).toString('base64');
    const config = parseConfig({ ...valid, TOKEN_ENCRYPTION_PREVIOUS_KEYS: `${previous}, ` });
    expect(config.security.previousTokenKeys).toHaveLength(1);
  });
});

describe(describeConfig, () => {
  it('redacts secrets and passwords in URLs', () => {
    const config = parseConfig({
      ...valid,
      DATABASE_URL: 'postgres://pb:db-password@db:5432/pb',
      REDIS_URL: 'redis://:redis-password@cache:6379',
      ADMIN_TOKEN: 'a'.repeat(40),
    });
    const text = JSON.stringify(describeConfig(config));
    for (const secret of [
      'db-password',
      'redis-password',
      'hubspot-secret-value',
      'a'.repeat(40),
      key,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('lists the secret variables the logger must never print', () => {
    expect(secretVariables).toContain('HUBSPOT_CLIENT_SECRET');
    expect(secretVariables).toContain('TOKEN_ENCRYPTION_KEY');
  });
});

describe(hasCrmCredentials, () => {
  it('is false without CRM client ids (sandbox mode) and true with either', () => {
    expect(hasCrmCredentials({})).toBe(false);
    expect(hasCrmCredentials({ HUBSPOT_CLIENT_ID: ' ' })).toBe(false);
    expect(hasCrmCredentials({ HUBSPOT_CLIENT_ID: 'x' })).toBe(true);
    expect(hasCrmCredentials({ SALESFORCE_CLIENT_ID: 'x' })).toBe(true);
  });
});

describe('.env.example', () => {
  it('documents every variable the configuration reads', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set(
      [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]),
    );
    expect(configVariables.filter((variable) => !documented.has(variable))).toEqual([]);
  });
});
