import { defaultMappingDocument } from '@partnerbridge/shared/sync';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAdmin } from '../../server/src/cards/admins.ts';
import { queryRows } from '../../server/src/db/database.ts';
import { auditLog, deadLetters } from '../../server/src/db/schema/audit.ts';
import { idLinks } from '../../server/src/db/schema/sync.ts';
import { syncSettingsRoutes } from '../../server/src/routes/sync-settings/sync-settings-routes.ts';
import { testDatabaseDrivers } from '../support/database.ts';
import { manualClock, startTestServer, type TestServer } from '../support/server.ts';
import { callCard, INSTALLER_USER_ID, installPortal, REP_USER_ID } from './cards/support.ts';

// The settings page's sync routes (`/api/v1/sync/...`), table-driven: refused unsigned (401), for
// a portal without an installation (403 not_installed), to a user without a role (403 forbidden),
// changes refused to a partner manager; bad input answered 400 naming the field; no Salesforce
// org linked answered 409 naming Salesforce; nothing written by any refused request. Identity
// reviews: a link names one of the review's candidates on the right side (422 naming the field),
// a resolved review is a 409. API budgets: an admin sets and clears a CRM's daily cap, audited
// with the signed user; a partner manager reads it.

const PORTAL = '5801';
const MANAGER_USER_ID = '902';
const UUID = '00000000-0000-4000-8000-000000000001';

type Call = { method: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown };
type ErrorBody = { error: { code: string; message: string; issues?: { path: string }[] } };

/** A request each route accepts, so refusals come from auth, not from validation. */
function validCall(method: string, path: string): Call {
  const filled = path
    .replace(':deadLetterId', UUID)
    .replace(':linkId', UUID)
    .replace(':provider', 'hubspot');
  const query = filled.endsWith('/fields') ? '?kind=deal' : '';
  const document = defaultMappingDocument();
  const body = filled.endsWith('/resolve')
    ? { action: 'keep_apart' }
    : filled.includes('/budgets/')
      ? { dailyLimit: 5_000 }
      : filled.endsWith('/mappings/dry-run') || method === 'put'
        ? { document, ...(method === 'put' ? { baseVersion: 0 } : {}) }
        : undefined;
  return {
    method: method.toUpperCase() as Call['method'],
    path: `${filled}${query}`,
    ...(body === undefined ? {} : { body }),
  };
}

const endpoints = syncSettingsRoutes.map((route) => ({
  name: `${route.method.toUpperCase()} ${route.path}`,
  call: validCall(route.method, route.path),
  changes: route.method !== 'get',
}));
const changes = endpoints.filter((endpoint) => endpoint.changes);

describe.each(testDatabaseDrivers())('settings sync API auth [%s]', (driver) => {
  const clock = manualClock(Date.UTC(2026, 2, 10, 12));
  let server: TestServer;
  let installationId: string;
  let letterId: string;
  let hubspotReview: string;
  let salesforceReview: string;

  const written = async () => {
    const [row] = await queryRows<{
      mappings: number;
      letters: string;
      audit: number;
      links: string;
      budgets: string | null;
    }>(
      server.services.db,
      sql`select
        (select string_agg(status || ':' || coalesce(hubspot_id, '') || ':' || coalesce(salesforce_id, ''), ',' order by id)
          from id_links where installation_id = ${installationId}) as links,
        (select count(*)::int from sync_mappings where installation_id = ${installationId}) as mappings,
        (select string_agg(status || ':' || coalesce(resolved_by, ''), ',') from dead_letters
          where installation_id = ${installationId}) as letters,
        (select count(*)::int from audit_log where installation_id = ${installationId}) as audit,
        (select string_agg(provider || ':' || daily_limit || ':' || reserve_percent, ',' order by provider)
          from api_budgets where installation_id = ${installationId}) as budgets`,
    );
    return row;
  };

  beforeAll(async () => {
    server = await startTestServer({ clock, driver });
    const installation = await installPortal(server.services.db, PORTAL);
    installationId = installation.id;
    await putAdmin(server.services.db, {
      installation,
      actor: 'test',
      userId: MANAGER_USER_ID,
      body: { role: 'partner_manager' },
    });
    const [letter] = await server.services.db
      .insert(deadLetters)
      .values({
        installationId,
        queue: 'sync-record',
        jobName: 'sync-record',
        errorType: 'validation',
        reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Amount too large',
        payload: {
          record: { installationId, kind: 'deal', side: 'hubspot', id: '42' },
          attempted: { Amount: 999999 },
          system: 'salesforce',
          errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        },
        attempts: 4,
      })
      .returning({ id: deadLetters.id });
    letterId = letter?.id ?? '';
    const reviews = await server.services.db
      .insert(idLinks)
      .values([
        {
          installationId,
          objectKind: 'customer',
          hubspotId: '7001',
          status: 'pending_review',
          review: {
            reason: 'several Salesforce accounts match this company',
            record: { name: 'Initech', domain: 'initech.example' },
            candidates: ['001A0000000001AAAA', '001A0000000002AAAA'].map((salesforceId, i) => ({
              salesforceId,
              name: `Initech ${i}`,
              website: 'https://initech.example',
              matchedOn: ['domain'],
            })),
          },
        },
        {
          installationId,
          objectKind: 'customer',
          salesforceId: '001A0000000003AAAA',
          status: 'pending_review',
          review: {
            reason: 'several HubSpot companies match this account',
            record: { name: 'Globex', domain: 'globex.example' },
            candidates: ['8001', '8002'].map((hubspotId) => ({
              hubspotId,
              name: 'Globex',
              domain: 'globex.example',
              matchedOn: ['domain'],
            })),
          },
        },
      ])
      .returning({ id: idLinks.id });
    hubspotReview = reviews[0]?.id ?? '';
    salesforceReview = reviews[1]?.id ?? '';
  });
  afterAll(async () => {
    await server.close();
  });

  it('covers every settings sync route', () => {
    expect(endpoints.map((endpoint) => endpoint.name)).toEqual([
      'GET /api/v1/sync/health',
      'GET /api/v1/sync/mappings',
      'GET /api/v1/sync/fields',
      'POST /api/v1/sync/mappings/dry-run',
      'PUT /api/v1/sync/mappings',
      'GET /api/v1/sync/dead-letters',
      'POST /api/v1/sync/dead-letters/:deadLetterId/replay',
      'POST /api/v1/sync/dead-letters/:deadLetterId/discard',
      'GET /api/v1/sync/reviews',
      'POST /api/v1/sync/reviews/:linkId/resolve',
      'GET /api/v1/sync/budgets',
      'PUT /api/v1/sync/budgets/:provider',
    ]);
  });

  it.each(endpoints)('$name: unsigned → 401, nothing written', async ({ call }) => {
    const before = await written();
    const separator = call.path.includes('?') ? '&' : '?';
    const response = await server.fetch(`${call.path}${separator}portalId=${PORTAL}`, {
      method: call.method,
      ...(call.body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(call.body) }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.code).toBe('invalid_signature');
    expect(await written()).toEqual(before);
  });

  it.each(endpoints)(
    '$name: a portal without an installation → 403 not_installed',
    async ({ call }) => {
      const response = await callCard<ErrorBody>(server, {
        ...call,
        portalId: '5899',
        userId: INSTALLER_USER_ID,
      });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('not_installed');
    },
  );

  it.each(endpoints)(
    '$name: a user without a role → 403 forbidden, nothing written',
    async ({ call }) => {
      const before = await written();
      const response = await callCard<ErrorBody>(server, {
        ...call,
        portalId: PORTAL,
        userId: REP_USER_ID,
      });
      expect(response.status).toBe(403);
      expect(response.body.error).toMatchObject({
        code: 'forbidden',
        message: expect.stringMatching(/is not a (Partnerbridge admin|partner manager)/),
      });
      expect(await written()).toEqual(before);
    },
  );

  it.each(changes)(
    '$name: a partner manager → 403 forbidden, nothing written',
    async ({ call }) => {
      const before = await written();
      const response = await callCard<ErrorBody>(server, {
        ...call,
        portalId: PORTAL,
        userId: MANAGER_USER_ID,
      });
      expect(response.status).toBe(403);
      expect(response.body.error.message).toContain('is not a Partnerbridge admin');
      expect(await written()).toEqual(before);
    },
  );

  it('lets a partner manager read health, the mapping, the budgets and the dead letters', async () => {
    for (const path of ['/api/v1/sync/health', '/api/v1/sync/mappings', '/api/v1/sync/budgets']) {
      const response = await callCard(server, { path, portalId: PORTAL, userId: MANAGER_USER_ID });
      expect(response.status, path).toBe(200);
    }
    const letters = await callCard<{ deadLetters: { id: string; system: string }[] }>(server, {
      path: '/api/v1/sync/dead-letters?status=open',
      portalId: PORTAL,
      userId: MANAGER_USER_ID,
    });
    expect(letters.body.deadLetters).toEqual([
      expect.objectContaining({ id: letterId, system: 'salesforce', errorType: 'validation' }),
    ]);
  });

  it.each([
    { call: { method: 'GET', path: '/api/v1/sync/fields?kind=lead' }, field: 'query.kind' },
    { call: { method: 'GET', path: '/api/v1/sync/fields' }, field: 'query.kind' },
    {
      call: { method: 'GET', path: '/api/v1/sync/dead-letters?status=lost' },
      field: 'query.status',
    },
    {
      call: { method: 'GET', path: '/api/v1/sync/dead-letters?limit=0' },
      field: 'query.limit',
    },
    {
      call: { method: 'PUT', path: '/api/v1/sync/mappings', body: { baseVersion: 0 } },
      field: 'body.document',
    },
    {
      call: {
        method: 'PUT',
        path: '/api/v1/sync/mappings',
        body: { document: defaultMappingDocument(), baseVersion: -1 },
      },
      field: 'body.baseVersion',
    },
    {
      call: {
        method: 'PUT',
        path: '/api/v1/sync/mappings',
        body: { document: defaultMappingDocument(), baseVersion: 0, createdBy: 'someone else' },
      },
      field: 'body',
    },
    {
      call: {
        method: 'POST',
        path: '/api/v1/sync/mappings/dry-run',
        body: { document: defaultMappingDocument(), sample: 0 },
      },
      field: 'body.sample',
    },
    {
      call: { method: 'POST', path: '/api/v1/sync/dead-letters/42/replay' },
      field: 'params.deadLetterId',
    },
    {
      call: { method: 'POST', path: '/api/v1/sync/dead-letters/42/discard' },
      field: 'params.deadLetterId',
    },
    {
      call: { method: 'POST', path: `/api/v1/sync/reviews/42/resolve`, body: { action: 'create' } },
      field: 'params.linkId',
    },
    {
      call: {
        method: 'POST',
        path: `/api/v1/sync/reviews/${UUID}/resolve`,
        body: { action: 'merge' },
      },
      field: 'body.action',
    },
    {
      call: {
        method: 'POST',
        path: `/api/v1/sync/reviews/${UUID}/resolve`,
        body: { action: 'link' },
      },
      field: 'body.salesforceId',
    },
    {
      call: {
        method: 'POST',
        path: `/api/v1/sync/reviews/${UUID}/resolve`,
        body: { action: 'link', hubspotId: 'acme' },
      },
      field: 'body.hubspotId',
    },
    {
      call: {
        method: 'POST',
        path: `/api/v1/sync/reviews/${UUID}/resolve`,
        body: { action: 'link', hubspotId: '8001', salesforceId: '001A0000000001AAAA' },
      },
      field: 'body.salesforceId',
    },
    ...[
      { body: { dailyLimit: 0 }, field: 'body.dailyLimit', message: 'at least 1 call per day' },
      { body: { dailyLimit: -5 }, field: 'body.dailyLimit', message: 'at least 1 call per day' },
      { body: { dailyLimit: 2.5 }, field: 'body.dailyLimit', message: 'whole number' },
      { body: { dailyLimit: '1000' }, field: 'body.dailyLimit', message: 'whole number' },
      { body: {}, field: 'body.dailyLimit', message: 'whole number' },
      {
        body: { dailyLimit: 10_000_001 },
        field: 'body.dailyLimit',
        message: 'at most 10,000,000 calls per day',
      },
      {
        body: { dailyLimit: 1000, reservePercent: 101 },
        field: 'body.reservePercent',
        message: 'between 0 and 100',
      },
      { body: { dailyLimit: 1000, provider: 'salesforce' }, field: 'body', message: '' },
    ].map(({ body, field, message }) => ({
      call: { method: 'PUT', path: '/api/v1/sync/budgets/hubspot', body },
      field,
      message,
    })),
    {
      call: { method: 'PUT', path: '/api/v1/sync/budgets/pipedrive', body: { dailyLimit: 1 } },
      field: 'params.provider',
    },
  ] as { call: Call; field: string; message?: string }[])(
    '$call.method $call.path $call.body: 400 naming $field, nothing written',
    async ({ call, field, message }) => {
      const before = await written();
      const response = await callCard<ErrorBody>(server, {
        ...call,
        portalId: PORTAL,
        userId: INSTALLER_USER_ID,
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.issues?.map((issue) => issue.path)).toContain(field);
      if (message !== undefined) {
        expect(response.body.error.issues).toContainEqual(
          expect.objectContaining({ path: field, message: expect.stringContaining(message) }),
        );
      }
      expect(await written()).toEqual(before);
    },
  );

  it.each([
    validCall('get', '/api/v1/sync/fields'),
    validCall('post', '/api/v1/sync/mappings/dry-run'),
    validCall('put', '/api/v1/sync/mappings'),
  ])(
    '$method $path without a Salesforce org → 409 naming Salesforce, nothing written',
    async (call) => {
      const before = await written();
      const response = await callCard<ErrorBody>(server, {
        ...call,
        portalId: PORTAL,
        userId: INSTALLER_USER_ID,
      });
      expect(response.status).toBe(409);
      expect(response.body.error.message).toContain('Salesforce is not linked');
      expect(await written()).toEqual(before);
    },
  );

  it('health says Salesforce is not connected; an unknown dead letter is a 404', async () => {
    const health = await callCard<{ salesforce: { connected: boolean } }>(server, {
      path: '/api/v1/sync/health',
      portalId: PORTAL,
      userId: INSTALLER_USER_ID,
    });
    expect(health.status).toBe(200);
    expect(health.body.salesforce.connected).toBe(false);
    const before = await written();
    const missing = await callCard<ErrorBody>(server, {
      method: 'POST',
      path: `/api/v1/sync/dead-letters/${UUID}/replay`,
      portalId: PORTAL,
      userId: INSTALLER_USER_ID,
    });
    expect(missing.status).toBe(404);
    expect(await written()).toEqual(before);
  });

  it('discards a dead letter as the signed admin; a second discard is a 404', async () => {
    const path = `/api/v1/sync/dead-letters/${letterId}/discard`;
    const call = { method: 'POST' as const, path, portalId: PORTAL, userId: INSTALLER_USER_ID };
    const discarded = await callCard(server, call);
    expect(discarded).toMatchObject({ status: 200, body: { discarded: true } });
    expect((await written())?.letters).toBe('discarded:rep@example.com');
    expect((await callCard(server, call)).status).toBe(404);
  });

  it('lets a partner manager read the reviews of both sides, with the records and candidates', async () => {
    const response = await callCard<{ reviews: unknown[] }>(server, {
      path: '/api/v1/sync/reviews',
      portalId: PORTAL,
      userId: MANAGER_USER_ID,
    });
    expect(response.status).toBe(200);
    expect(response.body.reviews).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: hubspotReview,
          side: 'hubspot',
          record: { system: 'hubspot', id: '7001', name: 'Initech', domain: 'initech.example' },
          candidates: [
            {
              system: 'salesforce',
              id: '001A0000000001AAAA',
              name: 'Initech 0',
              domain: 'https://initech.example',
              matchedOn: ['domain'],
            },
            expect.objectContaining({ id: '001A0000000002AAAA' }),
          ],
        }),
        expect.objectContaining({
          id: salesforceReview,
          side: 'salesforce',
          reason: 'several HubSpot companies match this account',
          record: expect.objectContaining({ system: 'salesforce', id: '001A0000000003AAAA' }),
          candidates: [
            expect.objectContaining({ system: 'hubspot', id: '8001', name: 'Globex' }),
            expect.objectContaining({ system: 'hubspot', id: '8002' }),
          ],
        }),
      ]),
    );
  });

  it.each([
    {
      review: () => hubspotReview,
      body: { action: 'link', hubspotId: '8001' },
      field: 'body.hubspotId',
      message: 'name one of its Salesforce account candidates in salesforceId',
    },
    {
      review: () => hubspotReview,
      body: { action: 'link', salesforceId: '001A0000000009AAAA' },
      field: 'body.salesforceId',
      message: "is not one of this review's candidates",
    },
    {
      review: () => salesforceReview,
      body: { action: 'link', hubspotId: '9999' },
      field: 'body.hubspotId',
      message: "is not one of this review's candidates",
    },
    {
      review: () => salesforceReview,
      body: { action: 'link', salesforceId: '001A0000000001AAAA' },
      field: 'body.salesforceId',
      message: 'name one of its HubSpot company candidates in hubspotId',
    },
  ])(
    'resolve $body: 422 naming $field, nothing written',
    async ({ review, body, field, message }) => {
      const before = await written();
      const response = await callCard<ErrorBody>(server, {
        method: 'POST',
        path: `/api/v1/sync/reviews/${review()}/resolve`,
        body,
        portalId: PORTAL,
        userId: INSTALLER_USER_ID,
      });
      expect(response.status).toBe(422);
      expect(response.body.error.message).toContain(message);
      expect(response.body.error.issues?.map((issue) => issue.path)).toEqual([field]);
      expect(await written()).toEqual(before);
    },
  );

  it('an unknown review is a 404; a review resolved already is a 409, nothing written', async () => {
    const call = (id: string) =>
      callCard<ErrorBody>(server, {
        method: 'POST',
        path: `/api/v1/sync/reviews/${id}/resolve`,
        body: { action: 'keep_apart' },
        portalId: PORTAL,
        userId: INSTALLER_USER_ID,
      });
    const before = await written();
    expect((await call(UUID)).status).toBe(404);
    expect(await written()).toEqual(before);
    expect(await call(salesforceReview)).toMatchObject({ status: 200, body: { resolved: true } });
    const [audit] = await server.services.db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.installationId, installationId),
          eq(auditLog.action, 'sync.identity_resolved'),
        ),
      );
    expect(audit).toMatchObject({
      actor: 'rep@example.com',
      salesforceId: '001A0000000003AAAA',
      after: { action: 'keep_apart' },
    });
    const after = await written();
    const again = await call(salesforceReview);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('already resolved');
    expect(await written()).toEqual(after);
    const list = await callCard<{ reviews: { id: string }[] }>(server, {
      path: '/api/v1/sync/reviews',
      portalId: PORTAL,
      userId: INSTALLER_USER_ID,
    });
    expect(list.body.reviews.map((r) => r.id)).toEqual([hubspotReview]);
  });

  it('an admin sets, changes and clears a daily cap, audited with the signed user', async () => {
    const put = (provider: string, body: unknown) =>
      callCard<Record<string, unknown>>(server, {
        method: 'PUT',
        path: `/api/v1/sync/budgets/${provider}`,
        body,
        portalId: PORTAL,
        userId: INSTALLER_USER_ID,
      });
    const budgets = async () =>
      (
        await callCard<{ budgets: Record<string, unknown>[] }>(server, {
          path: '/api/v1/sync/budgets',
          portalId: PORTAL,
          userId: MANAGER_USER_ID,
        })
      ).body.budgets;
    const audits = async () =>
      server.services.db
        .select()
        .from(auditLog)
        .where(
          and(eq(auditLog.installationId, installationId), eq(auditLog.objectKind, 'api_budget')),
        )
        .orderBy(auditLog.id);

    expect(await budgets()).toEqual(
      ['hubspot', 'salesforce'].map((provider) => ({
        provider,
        dailyLimit: null,
        reservePercent: 25,
        reserveLine: null,
        day: '2026-03-10',
        used: 0,
        state: 'ok',
        resumesAt: null,
      })),
    );
    expect(await put('hubspot', { dailyLimit: 40_000 })).toMatchObject({
      status: 200,
      body: { provider: 'hubspot', dailyLimit: 40_000, reservePercent: 25, reserveLine: 30_000 },
    });
    expect(await put('salesforce', { dailyLimit: 1_000, reservePercent: 10 })).toMatchObject({
      status: 200,
      body: { provider: 'salesforce', dailyLimit: 1_000, reservePercent: 10, reserveLine: 900 },
    });
    expect((await written())?.budgets).toBe('hubspot:40000:25,salesforce:1000:10');
    const health = await callCard<{ hubspot: { apiUsage: Record<string, unknown> } }>(server, {
      path: '/api/v1/sync/health',
      portalId: PORTAL,
      userId: MANAGER_USER_ID,
    });
    expect(health.body.hubspot.apiUsage).toMatchObject({ dailyLimit: 40_000, state: 'ok' });

    expect(await put('hubspot', { dailyLimit: null })).toMatchObject({
      status: 200,
      body: { provider: 'hubspot', dailyLimit: null, reserveLine: null, state: 'ok' },
    });
    expect((await written())?.budgets).toBe('salesforce:1000:10');
    expect((await budgets()).map((b) => [b.provider, b.dailyLimit])).toEqual([
      ['hubspot', null],
      ['salesforce', 1_000],
    ]);
    expect(
      (await audits()).map(({ actor, origin, action, before, after }) => ({
        actor,
        origin,
        action,
        before,
        after,
      })),
    ).toEqual([
      {
        actor: 'rep@example.com',
        origin: 'admin',
        action: 'sync.budget_set',
        before: null,
        after: { provider: 'hubspot', dailyLimit: 40_000, reservePercent: 25 },
      },
      {
        actor: 'rep@example.com',
        origin: 'admin',
        action: 'sync.budget_set',
        before: null,
        after: { provider: 'salesforce', dailyLimit: 1_000, reservePercent: 10 },
      },
      {
        actor: 'rep@example.com',
        origin: 'admin',
        action: 'sync.budget_cleared',
        before: { provider: 'hubspot', dailyLimit: 40_000, reservePercent: 25 },
        after: null,
      },
    ]);
  });
});
