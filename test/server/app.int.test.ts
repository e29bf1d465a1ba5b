import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, NotFoundError, UnprocessableError } from '../../server/src/errors.ts';
import { Reply } from '../../server/src/http/reply.ts';
import { defineRoute } from '../../server/src/http/route.ts';
import { appRoutes } from '../../server/src/http/routes.ts';
import { startLocalRedis } from '../../server/src/infra/local-redis.ts';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../support/server.ts';

// Routes that exist only in this test, to drive the route helper and the error middleware.
const echoRoute = defineRoute({
  method: 'post',
  path: '/test/echo/:id',
  summary: 'echo',
  auth: 'public',
  paramsSchema: z.strictObject({ id: z.uuid() }),
  querySchema: z.strictObject({ limit: z.coerce.number().int().min(1).max(10).optional() }),
  bodySchema: z.strictObject({
    amountMinor: z.int().min(0),
    partners: z.array(z.strictObject({ share: z.string().regex(/^0(\.\d+)?$|^1$/) })),
  }),
  responseSchema: z.object({ id: z.string(), total: z.int() }),
  handler: async ({ params, body }) => ({
    id: params.id,
    total: body.amountMinor,
    extra: 'dropped by the response schema',
  }),
});

const failingRoute = defineRoute({
  method: 'get',
  path: '/test/fail/:kind',
  summary: 'fails',
  auth: 'public',
  paramsSchema: z.strictObject({ kind: z.enum(['404', '409', '422', '500']) }),
  handler: async ({ params }) => {
    if (params.kind === '404') throw new NotFoundError('deal 42 not found');
    if (params.kind === '409') throw new ConflictError('tag already exists');
    if (params.kind === '422') {
      throw new UnprocessableError('shares exceed 100%', {
        issues: [{ path: 'body.partners', message: 'shares sum to 1.2' }],
      });
    }
    throw new Error('database password is hunter2');
  },
});

const htmlRoute = defineRoute({
  method: 'get',
  path: '/test/page',
  summary: 'html',
  auth: 'public',
  hidden: true,
  handler: async () => Reply.html('<p>hi</p>'),
});

const noBodyRoute = defineRoute({
  method: 'post',
  path: '/test/no-body',
  summary: 'takes no body',
  auth: 'public',
  responseSchema: z.strictObject({ ok: z.boolean() }),
  handler: async () => ({ ok: true, leaked: 'secret' }) as { ok: boolean },
});

const id = '7f1e9a3c-2b4d-4e5f-8a6b-1c2d3e4f5a6b';

describe('the app', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      routes: [...appRoutes, echoRoute, failingRoute, htmlRoute, noBodyRoute],
    });
  });
  afterAll(async () => {
    await server.close();
  });

  describe('health', () => {
    it('answers /healthz without touching dependencies', async () => {
      const response = await server.fetch('/healthz');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    });

    it('answers /readyz when the database and Redis answer', async () => {
      const response = await server.fetch('/readyz');
      expect(await response.json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', redis: 'ok' },
      });
    });
  });

  describe('metrics', () => {
    it('exposes HTTP latency per route, queue depths and the CRM counters', async () => {
      await server.fetch('/healthz');
      await server.fetch(`/test/fail/404`);
      server.services.metrics.recordCrmCall('hubspot', 'inst-1', 429);
      const response = await server.fetch('/metrics');
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toMatch(
        /pb_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/,
      );
      expect(text).toContain('route="/test/fail/:kind",status="404"');
      expect(text).toMatch(/pb_queue_jobs\{queue="purge-expired",state="waiting"\} 0/);
      expect(text).toContain(
        'pb_crm_api_calls_total{provider="hubspot",installation="inst-1",status="429"} 1',
      );
      expect(text).toContain(
        'pb_crm_api_rate_limited_total{provider="hubspot",installation="inst-1"} 1',
      );
      expect(text).toContain('process_cpu_user_seconds_total');
    });
  });

  describe('validation and the error shape', () => {
    it('validates params, query and body, strips unknown response fields', async () => {
      const response = await server.fetch(`/test/echo/${id}?limit=3`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ amountMinor: 1500, partners: [{ share: '0.5' }] }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id, total: 1500 });
    });

    it('lists every invalid field with its path in one 400', async () => {
      const response = await server.fetch('/test/echo/not-a-uuid?limit=99', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ amountMinor: 1.5, partners: [{ share: '2' }], extra: true }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as {
        error: { code: string; message: string; issues: { path: string }[] };
      };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.issues.map((issue) => issue.path).sort()).toEqual([
        'body',
        'body.amountMinor',
        'body.partners[0].share',
        'params.id',
        'query.limit',
      ]);
      expect(body.error.message).toContain('params.id');
    });

    it('refuses malformed JSON, non-JSON bodies, bodies where none is taken, and huge bodies', async () => {
      const malformed = await server.fetch(`/test/echo/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"amountMinor":',
      });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({
        error: { code: 'invalid_json', message: 'request body is not valid JSON' },
      });

      const form = await server.fetch(`/test/echo/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=1',
      });
      expect(form.status).toBe(415);

      const unexpected = await server.fetch('/api/v1/installation/salesforce', {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
        body: '{"installationId":"someone-elses"}',
      });
      // Signature checks come first: an unsigned request never reaches validation.
      expect(unexpected.status).toBe(401);

      const huge = await server.fetch(`/test/echo/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ amountMinor: 1, partners: [], pad: 'x'.repeat(1_100_000) }),
      });
      expect(huge.status).toBe(413);
      expect(((await huge.json()) as { error: { code: string } }).error.code).toBe(
        'payload_too_large',
      );
    });

    it('refuses a body on a route that takes none', async () => {
      const response = await server.fetch('/test/no-body', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"x":1}',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: 'validation_failed', issues: [{ path: 'body' }] },
      });
    });

    it('turns a handler breaking its response schema into a 500, not a leak', async () => {
      const response = await server.fetch('/test/no-body', { method: 'POST' });
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain('secret');
    });

    it.each([
      ['404', 404, 'not_found', 'deal 42 not found'],
      ['409', 409, 'conflict', 'tag already exists'],
      ['422', 422, 'unprocessable', 'shares exceed 100%'],
    ])('maps a %s domain error to its status and code', async (kind, status, code, message) => {
      const response = await server.fetch(`/test/fail/${kind}`);
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error).toMatchObject({ code, message });
    });

    it('answers unknown errors with a 500 that reveals nothing', async () => {
      const response = await server.fetch('/test/fail/500');
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        error: { code: 'internal', message: 'internal error' },
      });
    });

    it('answers unknown routes with 404 in the same shape', async () => {
      const response = await server.fetch('/api/v1/nothing-here');
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { code: 'not_found', message: 'no route for GET /api/v1/nothing-here' },
      });
    });

    it('sends security headers, a request id, and no-store on API paths', async () => {
      const response = await server.fetch('/api/v1/installation');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
      expect(response.headers.get('x-powered-by')).toBeNull();
    });
  });

  describe('API documentation', () => {
    it('serves an OpenAPI 3.1 document generated from the routes’ schemas', async () => {
      const response = await server.fetch('/openapi.json');
      const document = (await response.json()) as {
        openapi: string;
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
        components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      };
      expect(document.openapi).toBe('3.1.0');
      for (const route of appRoutes.filter((r) => !r.hidden)) {
        const path = route.path.replace(/:(\w+)/g, '{$1}');
        expect(document.paths[path]?.[route.method], `${route.method} ${path}`).toBeDefined();
      }
      expect(document.paths['/test/page']).toBeUndefined();
      const echo = document.paths['/test/echo/{id}']?.post;
      expect(Object.keys(echo?.responses ?? {}).sort()).toEqual(['200', '400', '500']);
      expect(document.components.schemas.ErrorResponse).toBeDefined();
      expect(Object.keys(document.components.securitySchemes)).toEqual([
        'hubspotSignature',
        'operatorToken',
      ]);
      const installation = document.paths['/api/v1/installation']?.get;
      expect(Object.keys(installation?.responses ?? {})).toEqual(
        expect.arrayContaining(['200', '401', '403', '429']),
      );
    });

    it('renders a readable, self-contained reference page', async () => {
      const response = await server.fetch('/docs');
      expect(response.headers.get('content-type')).toContain('text/html');
      const html = await response.text();
      expect(html).toContain('Partnerbridge API');
      expect(html).toContain('/api/v1/installation/salesforce/connect');
      expect(html).toContain('<code>amountMinor</code>');
      expect(html).not.toMatch(/<script|<link[^>]+href="https?:/);
    });

    it('serves non-JSON replies from route handlers', async () => {
      const response = await server.fetch('/test/page');
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toBe('<p>hi</p>');
    });
  });

  describe('validation of the built-in routes', () => {
    const issuesOf = async (response: Response) => {
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { issues: { path: string }[] } };
      return body.error.issues.map((issue) => issue.path);
    };
    const operator = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

    it('names the bad query parameter of the OAuth routes', async () => {
      expect(await issuesOf(await server.fetch('/oauth/hubspot/install?portal_id=abc'))).toEqual([
        'query.portal_id',
      ]);
      expect(await issuesOf(await server.fetch('/oauth/hubspot/callback?code=x'))).toEqual([
        'query.state',
      ]);
      expect(await issuesOf(await server.fetch('/oauth/salesforce/install'))).toEqual([
        'query.ticket',
      ]);
      expect(await issuesOf(await server.fetch('/oauth/salesforce/callback?code=x'))).toEqual([
        'query.state',
      ]);
    });

    it('names bad params and bodies of the operator routes, and 404s unknown installations', async () => {
      const badParams = await server.fetch('/admin/api/installations/not-a-uuid', {
        method: 'DELETE',
        headers: operator,
      });
      expect(await issuesOf(badParams)).toEqual(['params.installationId']);
      const badBody = await server.fetch(`/admin/api/installations/${id}/salesforce/jwt`, {
        method: 'POST',
        headers: { ...operator, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 42, other: true }),
      });
      expect((await issuesOf(badBody)).sort()).toEqual(['body', 'body.username']);
      const unknown = await server.fetch(`/admin/api/installations/${id}`, {
        method: 'DELETE',
        headers: operator,
      });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({
        error: { code: 'not_found', message: 'installation not found' },
      });
    });
  });

  describe('operator routes', () => {
    it('need the admin token', async () => {
      const anonymous = await server.fetch('/admin/api/installations');
      expect(anonymous.status).toBe(401);
      const wrong = await server.fetch('/admin/api/installations', {
        headers: { authorization: 'Bearer not-the-token' },
      });
      expect(wrong.status).toBe(401);
      const right = await server.fetch('/admin/api/installations', {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      expect(right.status).toBe(200);
      expect(await right.json()).toEqual({ installations: [] });
    });

    it('refuse state changes started by a page on another origin', async () => {
      const response = await server.fetch(`/admin/api/installations/${id}`, {
        method: 'DELETE',
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          origin: 'https://evil.example',
        },
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: { code: 'forbidden', message: 'cross-origin operator requests are not allowed' },
      });
    });

    it('protect the queue dashboard (Basic auth for browsers)', async () => {
      const anonymous = await server.fetch('/admin/queues');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
      const basic = Buffer.from(`ops:${TEST_ADMIN_TOKEN}`).toString('base64');
      const board = await server.fetch('/admin/queues', {
        headers: { authorization: `Basic ${basic}` },
      });
      expect(board.status).toBe(200);
      expect(await board.text()).toContain('<base href="/admin/queues/"');
    });
  });
});

describe('the app without ADMIN_TOKEN', () => {
  it('mounts no queue dashboard and refuses operator routes', async () => {
    const server = await startTestServer({ env: { ADMIN_TOKEN: undefined } });
    try {
      expect((await server.fetch('/admin/queues')).status).toBe(404);
      const response = await server.fetch('/admin/api/installations', {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      expect(response.status).toBe(403);
    } finally {
      await server.close();
    }
  });
});

describe('readiness without Redis', () => {
  it('answers 503 naming Redis when it goes away', async () => {
    const redis = await startLocalRedis();
    const server = await startTestServer({ env: { REDIS_URL: redis.url } });
    try {
      expect((await server.fetch('/readyz')).status).toBe(200);
      await redis.stop();
      const response = await server.fetch('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: { code: 'unavailable', message: 'not ready: redis unreachable' },
      });
      expect((await server.fetch('/healthz')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
