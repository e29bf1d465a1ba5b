import { defaultProgram } from '@partnerbridge/shared';
import {
  type ProgramSettings,
  type ProgramTerms,
  programSettingsSchema,
  type RuleSaved,
  type RulesSettings,
  rulesSettingsSchema,
  type WhatIfResult,
  whatIfResultSchema,
} from '@partnerbridge/shared/api';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { termsOf } from '../../../server/src/cards/program-store.ts';
import { reconcileInstallationNow } from '../../../server/src/cards/reconcile.ts';
import { programVersions } from '../../../server/src/db/schema/program.ts';
import { testDatabaseDrivers } from '../../support/database.ts';
import { manualClock, startTestServer, type TestServer } from '../../support/server.ts';
import {
  callCard,
  countRows,
  INSTALLER_USER_ID,
  installPortal,
  newKey,
  REP_USER_ID,
  seedAcmeScenario,
} from './support.ts';

const PORTAL = '5301';
const WHAT_IF_PORTAL = '5302';
const MANAGER = '902';

type ErrorBody = {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
};

const resellerRule = (name: string, rate = '0.12') => ({
  name,
  effectiveFrom: '2026-03-10',
  match: { partnerSubtype: 'reseller' },
  payout: { kind: 'percent', rate },
  base: 'credited_amount',
  schedule: { kind: 'one_time' },
  holdingDays: 30,
  clawbackDays: 90,
});

describe.each(testDatabaseDrivers())('settings API [%s]', (driver) => {
  const clock = manualClock(Date.UTC(2026, 2, 10, 12));
  let server: TestServer;
  let installationId: string;
  let whatIfInstallation: string;
  let acmeId: string;

  const admin = <T = unknown>(request: {
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    path: string;
    body?: unknown;
    userId?: string;
    portalId?: string;
  }) => callCard<T>(server, { portalId: PORTAL, userId: INSTALLER_USER_ID, ...request });

  beforeAll(async () => {
    server = await startTestServer({ clock, driver });
    installationId = (await installPortal(server.services.db, PORTAL)).id;
    whatIfInstallation = (await installPortal(server.services.db, WHAT_IF_PORTAL)).id;
    acmeId = (await seedAcmeScenario(server.services.db, whatIfInstallation)).acme.id;
    await reconcileInstallationNow(server.services.db, whatIfInstallation, '2026-03-10');
  });
  afterAll(async () => {
    await server.close();
  });

  describe('roles', () => {
    it('tells each user its role', async () => {
      expect((await admin({ path: '/api/v1/me' })).body).toEqual({
        portalId: PORTAL,
        userId: INSTALLER_USER_ID,
        role: 'admin',
        reason: 'installed Partnerbridge in this portal',
      });
      expect((await admin({ path: '/api/v1/me', userId: REP_USER_ID })).body).toMatchObject({
        role: 'member',
      });
    });

    it('refuses settings to other users with 403 naming why', async () => {
      const response = await admin({ path: '/api/v1/settings/program', userId: REP_USER_ID });
      expect(response.status).toBe(403);
      expect((response.body as ErrorBody).error).toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('no Partnerbridge role was granted'),
      });
    });

    it('lets the installer grant and revoke roles; a partner manager reads but does not edit', async () => {
      const granted = await admin({
        method: 'PUT',
        path: `/api/v1/settings/admins/${MANAGER}`,
        body: { role: 'partner_manager' },
      });
      expect(granted.status).toBe(200);
      expect(granted.body).toMatchObject({
        installer: { userId: INSTALLER_USER_ID, email: `admin-${PORTAL}@example.com` },
        users: [{ userId: MANAGER, role: 'partner_manager', addedBy: 'rep@example.com' }],
      });
      expect((await admin({ path: '/api/v1/settings/program', userId: MANAGER })).status).toBe(200);
      const edit = await admin({
        method: 'PUT',
        path: '/api/v1/settings/program',
        userId: MANAGER,
        body: { terms: termsOf(defaultProgram) },
      });
      expect(edit.status).toBe(403);
      expect((edit.body as ErrorBody).error.message).toContain('is not a Partnerbridge admin');
      expect((await admin({ path: '/api/v1/settings/admins', userId: MANAGER })).status).toBe(403);

      const installer = await admin({
        method: 'PUT',
        path: `/api/v1/settings/admins/${INSTALLER_USER_ID}`,
        body: { role: 'partner_manager' },
      });
      expect(installer.status).toBe(422);
      expect(
        (await admin({ method: 'DELETE', path: `/api/v1/settings/admins/${MANAGER}` })).status,
      ).toBe(204);
      expect(
        (await admin({ method: 'DELETE', path: `/api/v1/settings/admins/${MANAGER}` })).status,
      ).toBe(404);
      expect((await admin({ path: '/api/v1/settings/program', userId: MANAGER })).status).toBe(403);
      const badRole = await admin({
        method: 'PUT',
        path: `/api/v1/settings/admins/${MANAGER}`,
        body: { role: 'owner' },
      });
      expect((badRole.body as ErrorBody).error.issues?.[0]?.path).toBe('body.role');
    });
  });

  describe('program versions', () => {
    it('starts from the default program, version 1', async () => {
      const response = await admin<ProgramSettings>({ path: '/api/v1/settings/program' });
      const body = programSettingsSchema.parse(response.body);
      expect(body.current).toMatchObject({
        version: 1,
        effectiveFrom: '2000-01-01',
        createdBy: 'partnerbridge',
      });
      expect(body.current.terms.tiers.map((tier) => tier.id)).toEqual([
        'bronze',
        'silver',
        'gold',
        'platinum',
      ]);
      expect(body.history.map((entry) => entry.version)).toEqual([1]);
    });

    it('names the offending field of a malformed program (400) and changes nothing', async () => {
      const terms = structuredClone(termsOf(defaultProgram)) as Record<string, unknown> & {
        tiers: { requirements: { min?: unknown }[] }[];
      };
      const first = terms.tiers[0]?.requirements[1];
      if (first !== undefined) first.min = -3;
      const response = await admin({
        method: 'PUT',
        path: '/api/v1/settings/program',
        body: { terms },
      });
      expect(response.status).toBe(400);
      expect((response.body as ErrorBody).error.issues?.[0]?.path).toBe(
        'body.terms.tiers[0].requirements[1].min',
      );
      expect(await countRows(server.services.db, 'program_versions', installationId)).toBe(1);
    });

    it('refuses an inconsistent program (422) with issues by path: a rule pays a removed tier', async () => {
      const terms = structuredClone(termsOf(defaultProgram));
      terms.tiers = terms.tiers.filter((tier) => tier.id !== 'bronze');
      const response = await admin({
        method: 'PUT',
        path: '/api/v1/settings/program',
        body: { terms },
      });
      expect(response.status).toBe(422);
      expect((response.body as ErrorBody).error.issues).toContainEqual({
        path: 'body.program',
        message: 'rule channel-tier-commission v1 pays unknown tier bronze',
      });
      expect(await countRows(server.services.db, 'program_versions', installationId)).toBe(1);
    });

    it('refuses a version taking effect in the past', async () => {
      const response = await admin({
        method: 'PUT',
        path: '/api/v1/settings/program',
        body: { terms: termsOf(defaultProgram), effectiveFrom: '2026-01-01' },
      });
      expect(response.status).toBe(422);
      expect((response.body as ErrorBody).error.issues?.[0]?.path).toBe('body.effectiveFrom');
    });

    it('saves a tier requirement edit as a new version; the old one stays as it was', async () => {
      const terms = structuredClone(termsOf(defaultProgram));
      const silver = terms.tiers.find((tier) => tier.id === 'silver');
      const customers = silver?.requirements.find(
        (requirement) => requirement.kind === 'customers',
      );
      if (customers?.kind !== 'customers') throw new Error('silver has a customers requirement');
      customers.min = 12;
      const key = newKey();
      const save = () =>
        admin<ProgramSettings>({
          method: 'PUT',
          path: '/api/v1/settings/program',
          body: { terms, note: 'Silver needs 12 customers', idempotencyKey: key },
        });
      const saved = await save();
      expect(saved.status).toBe(200);
      expect(saved.body.current).toMatchObject({
        version: 2,
        effectiveFrom: '2026-03-10',
        note: 'Silver needs 12 customers',
      });
      expect(saved.body.history.map((entry) => entry.version)).toEqual([2, 1]);
      const replay = await save();
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await countRows(server.services.db, 'program_versions', installationId)).toBe(2);

      const scheduled = await admin<ProgramSettings>({
        method: 'PUT',
        path: '/api/v1/settings/program',
        body: { terms: termsOf(defaultProgram), effectiveFrom: '2026-07-01' },
      });
      expect(scheduled.body.current.version).toBe(2);
      expect(scheduled.body.scheduled.map((entry) => [entry.version, entry.effectiveFrom])).toEqual(
        [[3, '2026-07-01']],
      );
      const [v1] = await server.services.db
        .select({ document: programVersions.document })
        .from(programVersions)
        .where(
          and(eq(programVersions.installationId, installationId), eq(programVersions.version, 1)),
        );
      if (v1 === undefined) throw new Error('version 1 is stored');
      const storedSilver = (v1.document as ProgramTerms).tiers.find((tier) => tier.id === 'silver');
      expect(storedSilver?.requirements).toContainEqual({ kind: 'customers', min: 15 });
    });
  });

  describe('commission rules', () => {
    it('lists the default rules, all in force, without ambiguity', async () => {
      const body = rulesSettingsSchema.parse(
        (await admin<RulesSettings>({ path: '/api/v1/settings/rules' })).body,
      );
      expect(body.rules.map((rule) => [rule.ruleId, rule.status])).toEqual([
        ['channel-tier-commission', 'active'],
        ['content-motion-share', 'active'],
        ['crm-alliance-co-sell', 'active'],
        ['crm-alliance-referral', 'active'],
        ['marketing-agency-recurring', 'active'],
        ['system-integrator-project', 'active'],
        ['technology-motion-share', 'active'],
      ]);
      expect(body.ambiguities).toEqual([]);
      expect(body.rules[3]?.current).toMatchObject({
        version: 1,
        specificity: 72,
        effectiveTo: null,
      });
    });

    it('creates a rule effective today', async () => {
      const response = await admin<RuleSaved>({
        method: 'POST',
        path: '/api/v1/settings/rules',
        body: resellerRule('Reseller special'),
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        saved: { id: 'reseller-special', version: 1, name: 'Reseller special' },
        rule: {
          ruleId: 'reseller-special',
          status: 'active',
          versions: [{ version: 1, createdBy: 'rep@example.com' }],
        },
      });
      const again = await admin({
        method: 'POST',
        path: '/api/v1/settings/rules',
        body: resellerRule('Reseller special'),
      });
      expect(again.status).toBe(409);
    });

    it('refuses a rule that ties with another (422 naming both) and saves nothing', async () => {
      const before = await countRows(
        server.services.db,
        'commission_rule_versions',
        installationId,
      );
      const response = await admin({
        method: 'POST',
        path: '/api/v1/settings/rules',
        body: resellerRule('Reseller promo', '0.13'),
      });
      expect(response.status).toBe(422);
      const error = (response.body as ErrorBody).error;
      expect(error.message).toContain('"Reseller promo" (reseller-promo v1)');
      expect(error.message).toContain('"Reseller special" (reseller-special v1)');
      expect(error.issues).toEqual([
        expect.objectContaining({ path: 'body.match', code: 'ambiguous_rules' }),
      ]);
      expect(await countRows(server.services.db, 'commission_rule_versions', installationId)).toBe(
        before,
      );
      // Made more specific (a motion), it no longer ties.
      const specific = await admin({
        method: 'POST',
        path: '/api/v1/settings/rules',
        body: {
          ...resellerRule('Reseller promo', '0.13'),
          match: { partnerSubtype: 'reseller', motion: 'co_sell' },
        },
      });
      expect(specific.status).toBe(201);
    });

    it('names invalid rule fields', async () => {
      const past = await admin({
        method: 'POST',
        path: '/api/v1/settings/rules',
        body: { ...resellerRule('Backdated'), effectiveFrom: '2025-01-01' },
      });
      expect(past.status).toBe(422);
      expect((past.body as ErrorBody).error.issues?.[0]?.path).toBe('body.effectiveFrom');
      const flatRecurring = await admin({
        method: 'POST',
        path: '/api/v1/settings/rules',
        body: {
          ...resellerRule('Flat monthly'),
          match: { partnerId: '00000000-0000-4000-8000-000000000001' },
          payout: { kind: 'flat', amount: { amountMinor: 10_000, currency: 'USD' } },
          schedule: { kind: 'recurring', months: 6 },
        },
      });
      expect(flatRecurring.status).toBe(422);
      expect((flatRecurring.body as ErrorBody).error.issues?.[0]).toMatchObject({
        path: 'body.schedule',
        message: 'a flat payout is paid once',
      });
      const unknownTier = await admin({
        method: 'POST',
        path: '/api/v1/settings/rules',
        body: { ...resellerRule('Diamond'), match: { tier: 'diamond', partnerSubtype: 'agency' } },
      });
      expect(unknownTier.status).toBe(422);
      expect((unknownTier.body as ErrorBody).error.message).toContain(
        'matches unknown tier diamond',
      );
      const malformed = await admin({
        method: 'POST',
        path: '/api/v1/settings/rules',
        body: { ...resellerRule('Bad rate'), payout: { kind: 'percent', rate: '12%' } },
      });
      expect(malformed.status).toBe(400);
      expect((malformed.body as ErrorBody).error.issues?.[0]?.path).toBe('body.payout.rate');
    });

    it('adds a version and retires a rule, never editing a stored version', async () => {
      const version = await admin<RuleSaved>({
        method: 'POST',
        path: '/api/v1/settings/rules/reseller-special/versions',
        body: { ...resellerRule('Reseller special', '0.14'), effectiveFrom: '2026-04-01' },
      });
      expect(version.status).toBe(201);
      expect(version.body.saved).toEqual({
        id: 'reseller-special',
        version: 2,
        name: 'Reseller special',
      });
      expect(version.body.rule.current?.version).toBe(1);
      const early = await admin({
        method: 'POST',
        path: '/api/v1/settings/rules/reseller-special/versions',
        body: resellerRule('Reseller special', '0.15'),
      });
      expect(early.status).toBe(422);
      expect((early.body as ErrorBody).error.message).toContain(
        'a later version must take effect later than v2',
      );
      const retired = await admin<RuleSaved>({
        method: 'POST',
        path: '/api/v1/settings/rules/reseller-special/retire',
        body: { effectiveTo: '2026-06-01', note: 'promotion over' },
      });
      expect(retired.status).toBe(200);
      expect(
        retired.body.rule.versions.map((entry) => [
          entry.version,
          entry.effectiveFrom,
          entry.effectiveTo,
        ]),
      ).toEqual([
        [1, '2026-03-10', null],
        [2, '2026-04-01', '2026-06-01'],
      ]);
      expect(retired.body.rule.status).toBe('active');
      expect(
        (
          await admin({
            method: 'POST',
            path: '/api/v1/settings/rules/nope/retire',
            body: { effectiveTo: '2026-06-01' },
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await admin({
            method: 'POST',
            path: '/api/v1/settings/rules/Bad_Id/versions',
            body: resellerRule('x'),
          })
        ).status,
      ).toBe(400);
    });
  });

  describe('what-if', () => {
    const whatIf = (body: unknown) =>
      callCard<WhatIfResult>(server, {
        method: 'POST',
        path: '/api/v1/settings/what-if',
        portalId: WHAT_IF_PORTAL,
        userId: INSTALLER_USER_ID,
        body,
      });

    it('replays closed deals under a proposed rule: per-partner and total deltas', async () => {
      const response = await whatIf({
        rules: [
          {
            ruleId: 'acme-bonus',
            name: 'Acme bonus',
            effectiveFrom: '2024-06-01',
            match: { partnerId: acmeId },
            payout: { kind: 'percent', rate: '0.10' },
            base: 'credited_amount',
            schedule: { kind: 'one_time' },
            holdingDays: 30,
            clawbackDays: 90,
          },
        ],
      });
      expect(response.status).toBe(200);
      const body = whatIfResultSchema.parse(response.body);
      // Seven won deals, $80,000 credited: Bronze 5 % today, 10 % under the proposal.
      expect(body.dealsReplayed).toBe(7);
      expect(body.rows).toEqual([
        {
          partner: expect.objectContaining({ id: acmeId, name: 'Acme Resellers' }),
          current: { amountMinor: 400_000, currency: 'USD', formatted: '$4,000.00' },
          proposed: { amountMinor: 800_000, currency: 'USD', formatted: '$8,000.00' },
          delta: { amountMinor: 400_000, currency: 'USD', formatted: '$4,000.00' },
        },
      ]);
      expect(body.totals.delta.formatted).toBe('$4,000.00');
      expect(body.issues).toEqual({ current: [], proposed: [] });
      expect(body.ambiguities).toEqual([]);
      expect(
        await countRows(server.services.db, 'commission_rule_versions', whatIfInstallation),
      ).toBe(7);
    });

    it('limits the replay to a period and reports ties the proposal would create', async () => {
      const tie = {
        name: 'Channel flat',
        effectiveFrom: '2024-06-01',
        match: { partnerType: 'channel', tier: 'bronze' },
        payout: { kind: 'percent', rate: '0.07' },
        base: 'credited_amount',
        schedule: { kind: 'one_time' },
        holdingDays: 30,
        clawbackDays: 90,
      };
      const body = whatIfResultSchema.parse(
        (await whatIf({ rules: [tie], period: { from: '2025-06-01', to: '2025-12-31' } })).body,
      );
      expect(body.dealsReplayed).toBe(4);
      expect(body.ambiguities).toEqual([
        expect.objectContaining({
          rules: [
            { id: 'channel-flat', version: 1, name: 'Channel flat' },
            { id: 'channel-tier-commission', version: 1, name: 'Channel tier commission' },
          ],
          from: '2024-06-01',
        }),
      ]);
      // The tie is an error the admin sees on every deal it touches, never a silent pick.
      expect(body.issues.proposed).toHaveLength(4);
      expect(body.issues.proposed[0]).toMatchObject({
        code: 'ambiguous_rules',
        partnerName: 'Acme Resellers',
      });
      expect(body.totals.proposed.amountMinor).toBe(0);
    });

    it('names bad fields of a proposal', async () => {
      const response = await whatIf({ period: { from: '2026-01-01', to: '2025-01-01' } });
      expect(response.status).toBe(400);
      expect((response.body as unknown as ErrorBody).error.issues?.[0]?.path).toBe(
        'body.period.to',
      );
    });
  });

  describe('FX rates', () => {
    it('lists dated quotes and adds new ones idempotently, naming bad fields', async () => {
      expect((await admin({ path: '/api/v1/settings/fx-rates' })).body).toEqual({ rates: [] });
      const quote = { base: 'GBP', quote: 'USD', on: '2026-02-27', rate: '1.2650' };
      const added = await admin({
        method: 'POST',
        path: '/api/v1/settings/fx-rates',
        body: { rates: [quote] },
      });
      expect(added.status).toBe(200);
      const again = await admin({
        method: 'POST',
        path: '/api/v1/settings/fx-rates',
        body: { rates: [quote] },
      });
      expect(again.body).toEqual(added.body);
      expect(added.body).toEqual({
        rates: [{ ...quote, createdBy: 'rep@example.com', createdAt: expect.any(String) }],
      });
      const bad = await admin({
        method: 'POST',
        path: '/api/v1/settings/fx-rates',
        body: { rates: [{ ...quote, rate: '-1' }] },
      });
      expect(bad.status).toBe(400);
      expect((bad.body as ErrorBody).error.issues?.[0]?.path).toBe('body.rates[0].rate');
    });
  });

  describe('program metrics', () => {
    it('reports partner revenue, growth and commissions for a period', async () => {
      const response = await callCard(server, {
        path: '/api/v1/metrics?from=2025-03-11&to=2026-03-10',
        portalId: WHAT_IF_PORTAL,
        userId: INSTALLER_USER_ID,
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        period: { from: '2025-03-11', to: '2026-03-10' },
        previousPeriod: { from: '2024-03-11', to: '2025-03-10' },
        partnerRevenue: { amountMinor: 6_000_000 },
        previousPartnerRevenue: { amountMinor: 2_000_000 },
        growth: '2.0000',
        contribution: '1.0000',
        activePartners: 1,
        commissions: { amountMinor: 300_000, formatted: '$3,000.00' },
        partners: [
          expect.objectContaining({
            partner: expect.objectContaining({ name: 'Acme Resellers' }),
            active: true,
          }),
        ],
      });
      const bad = await callCard(server, {
        path: '/api/v1/metrics?from=2026-03-10&to=2025-01-01',
        portalId: WHAT_IF_PORTAL,
        userId: INSTALLER_USER_ID,
      });
      expect((bad.body as ErrorBody).error.issues?.[0]?.path).toBe('query.to');
      const member = await callCard(server, {
        path: '/api/v1/metrics?from=2025-03-11&to=2026-03-10',
        portalId: WHAT_IF_PORTAL,
      });
      expect(member.status).toBe(403);
    });
  });

  describe('API reference', () => {
    it('documents every cards endpoint in /openapi.json and /docs', async () => {
      const document = (await (await server.fetch('/openapi.json')).json()) as {
        paths: Record<string, Record<string, unknown>>;
        components: { schemas: Record<string, unknown> };
      };
      for (const [path, method] of [
        ['/api/v1/deals/{hubspotDealId}', 'get'],
        ['/api/v1/deals/{hubspotDealId}/tags', 'post'],
        ['/api/v1/deals/{hubspotDealId}/tags/{tagId}', 'patch'],
        ['/api/v1/deals/{hubspotDealId}/tags/{tagId}', 'delete'],
        ['/api/v1/deals/{hubspotDealId}/tags/{tagId}/registration', 'post'],
        ['/api/v1/partners', 'get'],
        ['/api/v1/companies/{hubspotCompanyId}/tier-card', 'get'],
        ['/api/v1/settings/program', 'put'],
        ['/api/v1/settings/rules/{ruleId}/versions', 'post'],
        ['/api/v1/settings/what-if', 'post'],
        ['/api/v1/ledger/export.csv', 'get'],
        ['/api/v1/ledger/exports', 'post'],
        ['/api/v1/metrics', 'get'],
      ] as const) {
        expect(document.paths[path]?.[method], `${method} ${path}`).toBeDefined();
      }
      expect(Object.keys(document.components.schemas)).toEqual(
        expect.arrayContaining(['DealView', 'TagMutationResponse', 'TierCard', 'WhatIfResult']),
      );
      const docs = await (await server.fetch('/docs')).text();
      expect(docs).toContain('/api/v1/deals/{hubspotDealId}/tags');
    });
  });
});
