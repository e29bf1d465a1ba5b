import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from '../../server/src/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe(createLogger, () => {
  it('redacts tokens, secrets and authorization headers wherever they sit', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        accessToken: 'at-secret',
        tokens: { refresh_token: 'rt-secret', clientSecret: 'cs-secret' },
        req: { headers: { authorization: 'Bearer abc-secret', cookie: 'pb=cookie-secret' } },
        deep: { nested: { access_token: 'nested-secret' } },
      },
      'hello',
    );
    const line = lines.join('');
    for (const secret of [
      'at-secret',
      'rt-secret',
      'cs-secret',
      'abc-secret',
      'cookie-secret',
      'nested-secret',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });
});

describe(redactUrl, () => {
  it('blanks OAuth codes, states and tickets in logged URLs', () => {
    expect(redactUrl('/oauth/hubspot/callback?code=abc&state=def&x=1')).toBe(
      '/oauth/hubspot/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&x=1',
    );
    expect(redactUrl('/healthz')).toBe('/healthz');
    expect(redactUrl('/a?portalId=1')).toBe('/a?portalId=1');
  });
});
