import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Input,
  Link,
  List,
  LoadingSpinner,
  NumberInput,
  Select,
  StatusTag,
  Table,
  TableCell,
  TableRow,
  Tabs,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSettingsApi } from '../../hubspot-app/src/app/settings/api.ts';
import { createApiClient } from '../../hubspot-app/src/app/settings/common/api-client.ts';
import { PartnerbridgeSettings } from '../../hubspot-app/src/app/settings/panels/PartnerbridgeSettings.tsx';
import {
  bodyOf,
  fakeHubspotFetch,
  fire,
  type Handler,
  json,
  TEST_ORIGIN,
  textOf,
} from './fake-hubspot.ts';
import { aMe, anApiError } from './fixtures.ts';
import {
  aBudget,
  aDryRun,
  aNewRule,
  anInstallation,
  aProgramSettings,
  aRuleSaved,
  aRulesSettings,
  aSyncHealth,
  aWhatIf,
  dealFields,
  someBudgets,
  someDeadLetters,
  someMappings,
  someReviews,
} from './settings-fixtures.ts';

function renderSettings(
  routes: Record<string, Handler | Handler[]>,
  role: 'admin' | 'partner_manager' | 'member' = 'admin',
) {
  const fake = fakeHubspotFetch({ 'GET /api/v1/me': () => json(aMe(role)), ...routes });
  const renderer = createRenderer('settings');
  const addAlert = vi.fn();
  const api = createSettingsApi(createApiClient({ origin: TEST_ORIGIN, log: () => {} }));
  renderer.render(<PartnerbridgeSettings api={api} addAlert={addAlert} />);
  return { ...renderer, fake, addAlert };
}

async function openTab(
  renderer: ReturnType<typeof renderSettings>,
  tab: 'program' | 'rules' | 'mappings' | 'health' | 'reviews',
): Promise<void> {
  await renderer.waitFor(() => expect(renderer.findByTestId(Tabs, 'settings-tabs')).toBeDefined());
  fire(renderer.findByTestId(Tabs, 'settings-tabs'), 'onSelectedChange', tab);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('settings page', () => {
  it('checks the role first, and tells a user without one that settings are for admins', async () => {
    const { findByTestId, waitFor } = renderSettings({}, 'member');
    expect(findByTestId(LoadingSpinner, 'settings-loading')).toBeDefined();
    await waitFor(() => expect(findByTestId(EmptyState, 'settings-forbidden')).toBeDefined());
    expect(textOf(findByTestId(EmptyState, 'settings-forbidden'))).toContain(
      'no Partnerbridge role was granted',
    );
  });

  it('says what failed when the page cannot open, and tries again', async () => {
    const { findByTestId, waitFor } = renderSettings({
      'GET /api/v1/me': [
        () => json(anApiError('not_installed', 'portal 123 has not installed Partnerbridge'), 403),
        () => json(aMe('admin')),
      ],
      'GET /api/v1/installation': () => json(anInstallation(false)),
    });
    await waitFor(() => expect(findByTestId(ErrorState, 'settings-error')).toBeDefined());
    expect(findByTestId(Text, 'settings-error-message').text).toBe(
      'portal 123 has not installed Partnerbridge',
    );
    findByTestId(Button, 'settings-error-retry').trigger('onClick');
    await waitFor(() => expect(findByTestId(StatusTag, 'hubspot-status').text).toBe('Connected'));
  });

  describe('connections', () => {
    it('shows HubSpot connected and connects Salesforce through a consent link', async () => {
      const { findByTestId, waitFor, fake } = renderSettings({
        'GET /api/v1/installation': [
          () => json(anInstallation(false)),
          () => json(anInstallation(true)),
        ],
        'POST /api/v1/installation/salesforce/connect': () =>
          json(
            {
              url: 'https://pb.example.com/oauth/salesforce/install?ticket=t1',
              expiresAt: '2026-03-10T12:10:00.000Z',
            },
            201,
          ),
      });
      await waitFor(() =>
        expect(findByTestId(StatusTag, 'salesforce-status').text).toBe('Not connected'),
      );
      expect(findByTestId(StatusTag, 'hubspot-status').text).toBe('Connected');
      findByTestId(Button, 'salesforce-connect').trigger('onClick');
      await waitFor(() => expect(findByTestId(Link, 'salesforce-consent')).toBeDefined());
      expect(findByTestId(Link, 'salesforce-consent').props.href).toEqual({
        url: 'https://pb.example.com/oauth/salesforce/install?ticket=t1',
        external: true,
      });
      expect(fake.to('POST /api/v1/installation/salesforce/connect')[0]?.body).toBeUndefined();
      findByTestId(Button, 'salesforce-check').trigger('onClick');
      await waitFor(() =>
        expect(findByTestId(Text, 'salesforce-org').text).toBe('00D000000000001EAA'),
      );
    });

    it('disconnects Salesforce after a confirmation', async () => {
      const { findByTestId, waitFor, fake, addAlert } = renderSettings({
        'GET /api/v1/installation': [
          () => json(anInstallation(true)),
          () => json(anInstallation(false)),
        ],
        'DELETE /api/v1/installation/salesforce': () => new Response(null, { status: 204 }),
      });
      await waitFor(() => expect(findByTestId(Button, 'salesforce-disconnect')).toBeDefined());
      findByTestId(Button, 'salesforce-disconnect').trigger('onClick');
      expect(fake.to('DELETE /api/v1/installation/salesforce')).toHaveLength(0);
      findByTestId(Button, 'salesforce-disconnect-confirm').trigger('onClick');
      await waitFor(() =>
        expect(findByTestId(StatusTag, 'salesforce-status').text).toBe('Not connected'),
      );
      expect(addAlert).toHaveBeenCalledWith({
        type: 'success',
        message: 'Salesforce is disconnected; its tokens are revoked.',
      });
    });
  });

  describe('program and tiers', () => {
    it('previews a tier change on past deals, shows the server validation errors of a save, then saves', async () => {
      const saved = aProgramSettings({ version: 2, effectiveFrom: '2026-03-10' });
      const renderer = renderSettings({
        'GET /api/v1/installation': () => json(anInstallation(true)),
        'GET /api/v1/settings/program': () => json(aProgramSettings()),
        'POST /api/v1/settings/what-if': () => json(aWhatIf()),
        'PUT /api/v1/settings/program': [
          () =>
            json(
              anApiError('unprocessable', 'the program is inconsistent', [
                {
                  path: 'body.terms.tiers[1].requirements',
                  message: 'silver needs more customers than bronze',
                },
              ]),
              422,
            ),
          () => json(saved),
        ],
      });
      const { findByTestId, waitFor, fake, addAlert } = renderer;
      await openTab(renderer, 'program');
      await waitFor(() => expect(findByTestId(Text, 'program-current')).toBeDefined());
      expect(findByTestId(Text, 'program-current').text).toBe(
        'Partner program (strategy document defaults): version 1, in force since 2000-01-01 (by partnerbridge).',
      );
      expect(findByTestId(NumberInput, 'tier-silver-customers').props.value).toBe(15);
      expect(findByTestId(NumberInput, 'tier-gold-trailing_revenue').props.value).toBe(200_000);

      fire(findByTestId(NumberInput, 'tier-silver-customers'), 'onChange', 3);
      findByTestId(Button, 'program-preview').trigger('onClick');
      await waitFor(() =>
        expect(findByTestId(TableCell, 'program-what-if-delta').text).toBe('$1,500.00'),
      );
      const sentTerms = bodyOf<{ terms: { tiers: { id: string; requirements: unknown[] }[] } }>(
        fake.to('POST /api/v1/settings/what-if')[0],
      ).terms;
      expect(sentTerms.tiers.find((tier) => tier.id === 'silver')?.requirements).toContainEqual({
        kind: 'customers',
        min: 3,
      });

      findByTestId(Button, 'program-save').trigger('onClick');
      await waitFor(() => expect(findByTestId(Alert, 'program-errors')).toBeDefined());
      expect(findByTestId(Text, 'program-errors-message').text).toBe('the program is inconsistent');
      expect(textOf(findByTestId(List, 'program-errors-issues'))).toBe(
        'body.terms.tiers[1].requirements: silver needs more customers than bronze',
      );

      fire(findByTestId(NumberInput, 'tier-silver-customers'), 'onChange', 20);
      findByTestId(Button, 'program-save').trigger('onClick');
      await waitFor(() =>
        expect(addAlert).toHaveBeenCalledWith({
          type: 'success',
          message: 'Program version 2 takes effect on 2026-03-10.',
        }),
      );
      const [first, second] = fake.to('PUT /api/v1/settings/program');
      expect(second?.body).toMatchObject({
        effectiveFrom: '2026-03-10',
        idempotencyKey: expect.stringMatching(/^pb-/),
      });
      expect(bodyOf<{ idempotencyKey: string }>(second).idempotencyKey).not.toBe(
        bodyOf<{ idempotencyKey: string }>(first).idempotencyKey,
      );
    });

    it('is read-only for a partner manager', async () => {
      const renderer = renderSettings(
        {
          'GET /api/v1/installation': () => json(anInstallation(true)),
          'GET /api/v1/settings/program': () => json(aProgramSettings()),
        },
        'partner_manager',
      );
      await openTab(renderer, 'program');
      await renderer.waitFor(() =>
        expect(renderer.findByTestId(Table, 'tier-table')).toBeDefined(),
      );
      expect(renderer.maybeFindByTestId(Button, 'program-save')).toBeNull();
      expect(renderer.findByTestId(NumberInput, 'tier-silver-customers').props.readOnly).toBe(true);
    });
  });

  describe('commission rules', () => {
    it('lists rules with what they pay and to whom, and shows ties as errors', async () => {
      const renderer = renderSettings({
        'GET /api/v1/installation': () => json(anInstallation(true)),
        'GET /api/v1/settings/rules': () => json(aRulesSettings(true)),
        'GET /api/v1/settings/program': () => json(aProgramSettings()),
      });
      await openTab(renderer, 'rules');
      const { findByTestId, waitFor } = renderer;
      await waitFor(() => expect(findByTestId(Table, 'rules-table')).toBeDefined());
      expect(findByTestId(TableCell, 'rule-pays-channel-tier-commission').text).toBe(
        'bronze 5 %, silver 10 % of the credited amount',
      );
      expect(textOf(findByTestId(TableRow, 'rule-crm-alliance-referral'))).toContain(
        'technology partners, subtype crm, referral',
      );
      expect(
        textOf(findByTestId(Alert, 'ambiguity-crm-alliance-referral-crm-referral-bonus')),
      ).toContain('both match technology crm referral deals');
    });

    it('creates a rule after previewing it, sending exactly the draft', async () => {
      const created = aNewRule('Agency recurring share', '0.2');
      const renderer = renderSettings({
        'GET /api/v1/installation': () => json(anInstallation(true)),
        'GET /api/v1/settings/rules': () => json(aRulesSettings()),
        'GET /api/v1/settings/program': () => json(aProgramSettings()),
        'POST /api/v1/settings/what-if': () => json(aWhatIf()),
        'POST /api/v1/settings/rules': () => json(aRuleSaved(created), 201),
      });
      await openTab(renderer, 'rules');
      const { findByTestId, waitFor, fake, addAlert } = renderer;
      await waitFor(() => expect(findByTestId(Button, 'rule-create')).toBeDefined());
      findByTestId(Button, 'rule-create').trigger('onClick');
      fire(findByTestId(Input, 'rule-name'), 'onInput', 'Agency recurring share');
      fire(findByTestId(Select, 'rule-match-type'), 'onChange', 'channel');
      fire(findByTestId(Input, 'rule-match-subtype'), 'onChange', 'agency');
      fire(findByTestId(NumberInput, 'rule-rate'), 'onChange', 20);
      fire(findByTestId(Select, 'rule-schedule'), 'onChange', 'recurring');
      fire(findByTestId(NumberInput, 'rule-months'), 'onChange', 12);

      findByTestId(Button, 'rule-preview').trigger('onClick');
      await waitFor(() =>
        expect(findByTestId(Text, 'rule-what-if-scope').text).toBe(
          '42 deals replayed (every closed deal), as of 2026-03-10.',
        ),
      );
      const draft = {
        name: 'Agency recurring share',
        effectiveFrom: '2026-03-10',
        match: { partnerType: 'channel', partnerSubtype: 'agency' },
        payout: { kind: 'percent', rate: '0.2' },
        base: 'credited_amount',
        schedule: { kind: 'recurring', months: 12 },
        holdingDays: 30,
        clawbackDays: 90,
      };
      expect(fake.to('POST /api/v1/settings/what-if')[0]?.body).toEqual({ rules: [draft] });

      findByTestId(Button, 'rule-save').trigger('onClick');
      await waitFor(() =>
        expect(addAlert).toHaveBeenCalledWith({
          type: 'success',
          message: 'Created Agency recurring share (version 1).',
        }),
      );
      expect(fake.to('POST /api/v1/settings/rules')[0]?.body).toEqual({
        ...draft,
        idempotencyKey: expect.stringMatching(/^pb-/),
      });
      await waitFor(() =>
        expect(findByTestId(TableCell, 'rule-pays-agency-recurring').text).toBe(
          '20 % of the credited amount, monthly',
        ),
      );
    });

    it('shows why a new version was refused (it would tie with another rule)', async () => {
      const renderer = renderSettings({
        'GET /api/v1/installation': () => json(anInstallation(true)),
        'GET /api/v1/settings/rules': () => json(aRulesSettings()),
        'GET /api/v1/settings/program': () => json(aProgramSettings()),
        'POST /api/v1/settings/rules/crm-alliance-referral/versions': () =>
          json(
            anApiError(
              'unprocessable',
              'CRM alliance referral v2 would tie with CRM referral bonus v1 from 2026-03-10',
              [{ path: 'body.match', message: 'same specificity as CRM referral bonus v1' }],
            ),
            422,
          ),
      });
      await openTab(renderer, 'rules');
      const { findByTestId, waitFor, fake } = renderer;
      await waitFor(() =>
        expect(findByTestId(Button, 'rule-new-version-crm-alliance-referral')).toBeDefined(),
      );
      findByTestId(Button, 'rule-new-version-crm-alliance-referral').trigger('onClick');
      expect(findByTestId(NumberInput, 'rule-rate').props.value).toBe(15);
      fire(findByTestId(NumberInput, 'rule-rate'), 'onChange', 17.5);
      findByTestId(Button, 'rule-save').trigger('onClick');
      await waitFor(() => expect(findByTestId(Alert, 'rule-errors')).toBeDefined());
      expect(findByTestId(Text, 'rule-errors-message').text).toContain(
        'would tie with CRM referral bonus v1',
      );
      expect(
        fake.to('POST /api/v1/settings/rules/crm-alliance-referral/versions')[0]?.body,
      ).toMatchObject({
        effectiveFrom: '2026-03-10',
        payout: { kind: 'percent', rate: '0.175' },
      });
    });
  });

  describe('sync mappings', () => {
    it('saves a mapping change only after its dry run, from the real field lists, and shows refusals', async () => {
      const renderer = renderSettings({
        'GET /api/v1/installation': () => json(anInstallation(true)),
        'GET /api/v1/sync/mappings': () => json(someMappings()),
        'GET /api/v1/sync/fields': () => json(dealFields()),
        'POST /api/v1/sync/mappings/dry-run': () => json(aDryRun()),
        'PUT /api/v1/sync/mappings': () =>
          json(
            anApiError(
              'unprocessable',
              'the mapping names fields that do not exist or cannot be written: Salesforce Opportunity has no field named Description',
              [
                {
                  path: 'body.document.objects[0].fields[9].salesforce',
                  message: 'Salesforce Opportunity has no field named Description',
                },
              ],
            ),
            422,
          ),
      });
      await openTab(renderer, 'mappings');
      const { findByTestId, waitFor, fake } = renderer;
      await waitFor(() => expect(findByTestId(Select, 'mapping-hubspot-0')).toBeDefined());
      expect(fake.to('GET /api/v1/sync/fields')[0]?.query.get('kind')).toBe('deal');
      expect(findByTestId(Text, 'mappings-version').text).toBe(
        'Version 3 is in force, saved by admin@example.com on 2026-03-01.',
      );
      expect(findByTestId(Select, 'mapping-hubspot-0').props.options.map((o) => o.value)).toEqual([
        'dealname',
        'amount',
        'description',
        'hs_object_id',
      ]);

      findByTestId(Button, 'mapping-add').trigger('onClick');
      await waitFor(() =>
        expect(findByTestId(Select, 'mapping-hubspot-9').props.value).toBe('description'),
      );
      expect(findByTestId(Select, 'mapping-salesforce-9').props.value).toBe('Description');
      fire(findByTestId(Select, 'mapping-direction-9'), 'onChange', 'hubspot_to_salesforce');
      fire(findByTestId(Select, 'mapping-policy-9'), 'onChange', 'hubspot_wins');
      expect(findByTestId(Button, 'mapping-save').props.disabled).toBe(true);

      findByTestId(Button, 'mapping-dry-run').trigger('onClick');
      await waitFor(() => expect(findByTestId(Text, 'dry-run-summary')).toBeDefined());
      expect(findByTestId(Text, 'dry-run-summary').text).toBe(
        'From 40 of 40 linked records read now: 0 HubSpot and 12 Salesforce field writes.',
      );
      const sent = fake.to('POST /api/v1/sync/mappings/dry-run')[0]?.body as {
        document: { objects: { kind: string; fields: unknown[] }[] };
      };
      expect(sent.document.objects.find((o) => o.kind === 'deal')?.fields.at(-1)).toEqual({
        hubspot: 'description',
        salesforce: 'Description',
        transform: { kind: 'text' },
        direction: 'hubspot_to_salesforce',
        policy: 'hubspot_wins',
      });

      findByTestId(Button, 'mapping-save').trigger('onClick');
      await waitFor(() => expect(findByTestId(Alert, 'mapping-errors')).toBeDefined());
      expect(textOf(findByTestId(List, 'mapping-errors-issues'))).toBe(
        'body.document.objects[0].fields[9].salesforce: Salesforce Opportunity has no field named Description',
      );
      expect(fake.to('PUT /api/v1/sync/mappings')[0]?.body).toEqual({
        document: sent.document,
        baseVersion: 3,
      });
    });
  });

  describe('sync health', () => {
    it('groups errors by type and replays a dead letter', async () => {
      const letters = someDeadLetters();
      const letter = letters.deadLetters[0];
      if (letter === undefined) throw new Error('fixture has a dead letter');
      const renderer = renderSettings({
        'GET /api/v1/installation': () => json(anInstallation(true)),
        'GET /api/v1/sync/health': () => json(aSyncHealth()),
        'GET /api/v1/sync/dead-letters': () => json(letters),
        [`POST /api/v1/sync/dead-letters/${letter.id}/replay`]: () => json({ replayed: true }),
      });
      await openTab(renderer, 'health');
      const { findByTestId, maybeFindByTestId, waitFor, addAlert } = renderer;
      await waitFor(() => expect(findByTestId(Table, 'health-errors')).toBeDefined());
      expect(textOf(findByTestId(TableRow, 'health-error-validation'))).toContain('validation 3');
      expect(findByTestId(Text, 'health-hubspot-calls').text).toBe(
        '1204 of 250000 (ok; 0 rate-limited)',
      );
      expect(findByTestId(Text, 'health-outbox').text).toBe(
        '3 Partnerbridge changes wait to be written to the CRMs (oldest 2026-03-10T11:58:00.000Z).',
      );
      await waitFor(() => expect(findByTestId(Button, `replay-${letter.id}`)).toBeDefined());
      findByTestId(Button, `replay-${letter.id}`).trigger('onClick');
      await waitFor(() => expect(maybeFindByTestId(TableRow, `letter-${letter.id}`)).toBeNull());
      expect(findByTestId(EmptyState, 'letters-empty')).toBeDefined();
      expect(addAlert).toHaveBeenCalledWith({
        type: 'success',
        message: 'The record is queued to sync again from the current state of both sides.',
      });
    });

    it('discards a dead letter, and says why when the server refuses', async () => {
      const letters = someDeadLetters();
      const letter = letters.deadLetters[0];
      if (letter === undefined) throw new Error('fixture has a dead letter');
      const renderer = renderSettings({
        'GET /api/v1/sync/health': () => json(aSyncHealth()),
        'GET /api/v1/sync/dead-letters': () => json(letters),
        [`POST /api/v1/sync/dead-letters/${letter.id}/discard`]: [
          () => json(anApiError('not_found', 'no open dead letter with this id'), 404),
          () => json({ discarded: true }),
        ],
      });
      await openTab(renderer, 'health');
      const { findByTestId, maybeFindByTestId, waitFor, addAlert } = renderer;
      await waitFor(() => expect(findByTestId(Button, `discard-${letter.id}`)).toBeDefined());
      findByTestId(Button, `discard-${letter.id}`).trigger('onClick');
      await waitFor(() => expect(addAlert).toHaveBeenCalled());
      expect(addAlert).toHaveBeenCalledWith({
        type: 'danger',
        title: 'Could not discard it',
        message: 'no open dead letter with this id',
      });
      expect(findByTestId(TableRow, `letter-${letter.id}`)).toBeDefined();
      findByTestId(Button, `discard-${letter.id}`).trigger('onClick');
      await waitFor(() => expect(maybeFindByTestId(TableRow, `letter-${letter.id}`)).toBeNull());
      expect(addAlert).toHaveBeenLastCalledWith({
        type: 'success',
        message: 'Discarded: the record stays as it is on both sides.',
      });
    });

    it('shows the dead letters without Replay or Discard to a partner manager', async () => {
      const letters = someDeadLetters();
      const letter = letters.deadLetters[0];
      if (letter === undefined) throw new Error('fixture has a dead letter');
      const renderer = renderSettings(
        {
          'GET /api/v1/sync/health': () => json(aSyncHealth()),
          'GET /api/v1/sync/dead-letters': () => json(letters),
        },
        'partner_manager',
      );
      await openTab(renderer, 'health');
      const { findByTestId, maybeFindByTestId, waitFor } = renderer;
      await waitFor(() => expect(findByTestId(TableRow, `letter-${letter.id}`)).toBeDefined());
      expect(maybeFindByTestId(Button, `replay-${letter.id}`)).toBeNull();
      expect(maybeFindByTestId(Button, `discard-${letter.id}`)).toBeNull();
    });
  });

  describe('API budgets', () => {
    const capError = () =>
      json(
        anApiError('validation_failed', 'the request is invalid', [
          {
            path: 'body.dailyLimit',
            message: 'dailyLimit must be at most 10,000,000 calls per day',
          },
        ]),
        400,
      );

    it("shows each CRM's calls today against its cap and what is paused", async () => {
      const renderer = renderSettings({
        'GET /api/v1/sync/health': () => json(aSyncHealth()),
        'GET /api/v1/sync/dead-letters': () => json(someDeadLetters()),
        'GET /api/v1/sync/budgets': () => json(someBudgets()),
      });
      await openTab(renderer, 'health');
      const { findByTestId, waitFor } = renderer;
      await waitFor(() => expect(findByTestId(Tile, 'budget-hubspot')).toBeDefined());
      expect(findByTestId(Text, 'budget-hubspot-usage').text).toBe(
        '190000 of 250000 calls today (2026-03-10); back-fills pause at 187500',
      );
      expect(textOf(findByTestId(StatusTag, 'budget-hubspot-state'))).toBe(
        'Reserve reached: back-fills paused',
      );
      expect(findByTestId(Text, 'budget-hubspot-resumes').text).toContain(
        '2026-03-11T00:00:00.000Z',
      );
      expect(findByTestId(Text, 'budget-salesforce-usage').text).toBe(
        '388 calls today (2026-03-10), no cap',
      );
      expect(textOf(findByTestId(StatusTag, 'budget-salesforce-state'))).toBe('OK');
      expect(findByTestId(NumberInput, 'budget-hubspot-limit').props.value).toBe(250_000);
    });

    it('says when a CRM is capped until midnight UTC', async () => {
      const renderer = renderSettings({
        'GET /api/v1/sync/health': () => json(aSyncHealth()),
        'GET /api/v1/sync/dead-letters': () => json(someDeadLetters()),
        'GET /api/v1/sync/budgets': () =>
          json({ budgets: [aBudget({ used: 250_000, state: 'paused' })] }),
      });
      await openTab(renderer, 'health');
      const { findByTestId, waitFor } = renderer;
      await waitFor(() =>
        expect(textOf(findByTestId(StatusTag, 'budget-hubspot-state'))).toBe(
          'Capped: sync paused until midnight UTC',
        ),
      );
    });

    it('lets an admin set a cap, showing the server validation error on the field', async () => {
      const renderer = renderSettings({
        'GET /api/v1/sync/health': () => json(aSyncHealth()),
        'GET /api/v1/sync/dead-letters': () => json(someDeadLetters()),
        'GET /api/v1/sync/budgets': () => json(someBudgets()),
        'PUT /api/v1/sync/budgets/salesforce': [
          capError,
          () =>
            json(
              aBudget({
                provider: 'salesforce',
                dailyLimit: 50_000,
                reservePercent: 10,
                reserveLine: 45_000,
                used: 388,
                state: 'ok',
                resumesAt: null,
              }),
            ),
        ],
      });
      await openTab(renderer, 'health');
      const { findByTestId, waitFor, fake, addAlert } = renderer;
      await waitFor(() => expect(findByTestId(Tile, 'budget-salesforce')).toBeDefined());
      fire(findByTestId(NumberInput, 'budget-salesforce-limit'), 'onChange', 20_000_000);
      fire(findByTestId(NumberInput, 'budget-salesforce-reserve'), 'onChange', 10);
      findByTestId(Button, 'budget-salesforce-save').trigger('onClick');
      await waitFor(() =>
        expect(findByTestId(NumberInput, 'budget-salesforce-limit').props).toMatchObject({
          error: true,
          validationMessage: 'dailyLimit must be at most 10,000,000 calls per day',
        }),
      );
      expect(textOf(findByTestId(List, 'budget-salesforce-errors-issues'))).toBe(
        'body.dailyLimit: dailyLimit must be at most 10,000,000 calls per day',
      );
      expect(fake.to('PUT /api/v1/sync/budgets/salesforce')[0]?.body).toEqual({
        dailyLimit: 20_000_000,
        reservePercent: 10,
      });

      fire(findByTestId(NumberInput, 'budget-salesforce-limit'), 'onChange', 50_000);
      findByTestId(Button, 'budget-salesforce-save').trigger('onClick');
      await waitFor(() =>
        expect(findByTestId(Text, 'budget-salesforce-usage').text).toBe(
          '388 of 50000 calls today (2026-03-10); back-fills pause at 45000',
        ),
      );
      expect(fake.to('PUT /api/v1/sync/budgets/salesforce')[1]?.body).toEqual({
        dailyLimit: 50_000,
        reservePercent: 10,
      });
      expect(findByTestId(NumberInput, 'budget-salesforce-limit').props.error).toBe(false);
      expect(addAlert).toHaveBeenCalledWith({
        type: 'success',
        message: 'Salesforce: at most 50000 calls a day, back-fills pause at 45000.',
      });
    });

    it('lets an admin clear a cap', async () => {
      const renderer = renderSettings({
        'GET /api/v1/sync/health': () => json(aSyncHealth()),
        'GET /api/v1/sync/dead-letters': () => json(someDeadLetters()),
        'GET /api/v1/sync/budgets': () => json(someBudgets()),
        'PUT /api/v1/sync/budgets/hubspot': () =>
          json(aBudget({ dailyLimit: null, reserveLine: null, state: 'ok', resumesAt: null })),
      });
      await openTab(renderer, 'health');
      const { findByTestId, maybeFindByTestId, waitFor, fake } = renderer;
      await waitFor(() => expect(findByTestId(Button, 'budget-hubspot-clear')).toBeDefined());
      findByTestId(Button, 'budget-hubspot-clear').trigger('onClick');
      await waitFor(() =>
        expect(findByTestId(Text, 'budget-hubspot-usage').text).toBe(
          '190000 calls today (2026-03-10), no cap',
        ),
      );
      expect(fake.to('PUT /api/v1/sync/budgets/hubspot')[0]?.body).toEqual({
        dailyLimit: null,
        reservePercent: 25,
      });
      expect(maybeFindByTestId(Text, 'budget-hubspot-resumes')).toBeNull();
      expect(findByTestId(Button, 'budget-hubspot-clear').props.disabled).toBe(true);
    });

    it('shows the budgets read-only to a partner manager', async () => {
      const renderer = renderSettings(
        {
          'GET /api/v1/sync/health': () => json(aSyncHealth()),
          'GET /api/v1/sync/dead-letters': () => json(someDeadLetters()),
          'GET /api/v1/sync/budgets': () => json(someBudgets()),
        },
        'partner_manager',
      );
      await openTab(renderer, 'health');
      const { findByTestId, maybeFindByTestId, waitFor } = renderer;
      await waitFor(() => expect(findByTestId(Tile, 'budget-hubspot')).toBeDefined());
      expect(findByTestId(NumberInput, 'budget-hubspot-limit').props.readOnly).toBe(true);
      expect(findByTestId(NumberInput, 'budget-hubspot-reserve').props.readOnly).toBe(true);
      expect(maybeFindByTestId(Button, 'budget-hubspot-save')).toBeNull();
      expect(maybeFindByTestId(Button, 'budget-salesforce-clear')).toBeNull();
    });

    it('shows a loading state, then an error with Retry', async () => {
      const renderer = renderSettings({
        'GET /api/v1/sync/health': () => json(aSyncHealth()),
        'GET /api/v1/sync/dead-letters': () => json(someDeadLetters()),
        'GET /api/v1/sync/budgets': [
          () => json(anApiError('internal', 'the database is unavailable'), 500),
          () => json(someBudgets()),
        ],
      });
      await openTab(renderer, 'health');
      const { findByTestId, waitFor } = renderer;
      expect(findByTestId(LoadingSpinner, 'budgets-loading')).toBeDefined();
      await waitFor(() => expect(findByTestId(ErrorState, 'budgets-error')).toBeDefined());
      expect(findByTestId(Text, 'budgets-error-message').text).toBe('the database is unavailable');
      findByTestId(Button, 'budgets-error-retry').trigger('onClick');
      await waitFor(() => expect(findByTestId(Tile, 'budget-salesforce')).toBeDefined());
    });
  });

  describe('identity reviews', () => {
    const reviewsAt = (reviews = someReviews()) => {
      const [account, company] = reviews.reviews;
      if (account === undefined || company === undefined) throw new Error('fixture has reviews');
      return { reviews, account, company };
    };

    it('lists each review with its record and candidates, and links one as the admin', async () => {
      const { reviews, account, company } = reviewsAt();
      const renderer = renderSettings({
        'GET /api/v1/sync/reviews': () => json(reviews),
        [`POST /api/v1/sync/reviews/${account.id}/resolve`]: () => json({ resolved: true }),
      });
      await openTab(renderer, 'reviews');
      const { findByTestId, maybeFindByTestId, waitFor, addAlert, fake } = renderer;
      expect(findByTestId(LoadingSpinner, 'reviews-loading')).toBeDefined();
      await waitFor(() => expect(findByTestId(Tile, `review-${account.id}`)).toBeDefined());
      const tile = textOf(findByTestId(Tile, `review-${account.id}`));
      expect(tile).toContain('Salesforce account: Globex · https://globex.example');
      expect(tile).toContain('several HubSpot companies match this account');
      expect(textOf(findByTestId(TableRow, 'candidate-8002'))).toContain(
        'Globex EMEA globex.example HubSpot 8002 domain Link',
      );
      expect(textOf(findByTestId(Tile, `review-${company.id}`))).toContain(
        'HubSpot company: Initech · initech.example',
      );
      findByTestId(Button, `link-${account.id}-8002`).trigger('onClick');
      await waitFor(() => expect(maybeFindByTestId(Tile, `review-${account.id}`)).toBeNull());
      expect(bodyOf(fake.to(`POST /api/v1/sync/reviews/${account.id}/resolve`)[0])).toEqual({
        action: 'link',
        hubspotId: '8002',
      });
      expect(findByTestId(Tile, `review-${company.id}`)).toBeDefined();
      expect(addAlert).toHaveBeenCalledWith({
        type: 'success',
        message: 'Linked to HubSpot company Globex EMEA: they sync from now on.',
      });
    });

    it('sends the Salesforce id for a HubSpot company, create and keep apart, and says why a resolve is refused', async () => {
      const { reviews, account, company } = reviewsAt();
      const renderer = renderSettings({
        'GET /api/v1/sync/reviews': () => json(reviews),
        [`POST /api/v1/sync/reviews/${company.id}/resolve`]: [
          () =>
            json(
              anApiError('conflict', 'this review is already resolved: the record is linked'),
              409,
            ),
          () => json({ resolved: true }),
        ],
        [`POST /api/v1/sync/reviews/${account.id}/resolve`]: () => json({ resolved: true }),
      });
      await openTab(renderer, 'reviews');
      const { findByTestId, maybeFindByTestId, waitFor, addAlert, fake } = renderer;
      await waitFor(() => expect(findByTestId(Tile, `review-${company.id}`)).toBeDefined());
      findByTestId(Button, `link-${company.id}-001A0000000001AAAA`).trigger('onClick');
      await waitFor(() =>
        expect(addAlert).toHaveBeenCalledWith({
          type: 'danger',
          title: 'Could not resolve the review',
          message: 'this review is already resolved: the record is linked',
        }),
      );
      expect(findByTestId(Tile, `review-${company.id}`)).toBeDefined();
      findByTestId(Button, `keep-apart-${company.id}`).trigger('onClick');
      await waitFor(() => expect(maybeFindByTestId(Tile, `review-${company.id}`)).toBeNull());
      findByTestId(Button, `create-${account.id}`).trigger('onClick');
      await waitFor(() => expect(findByTestId(EmptyState, 'reviews-empty')).toBeDefined());
      expect(
        fake.to(`POST /api/v1/sync/reviews/${company.id}/resolve`).map((r) => bodyOf(r)),
      ).toEqual([{ action: 'link', salesforceId: '001A0000000001AAAA' }, { action: 'keep_apart' }]);
      expect(bodyOf(fake.to(`POST /api/v1/sync/reviews/${account.id}/resolve`)[0])).toEqual({
        action: 'create',
      });
    });

    it('says what failed when the list cannot load, and tries again', async () => {
      const renderer = renderSettings({
        'GET /api/v1/sync/reviews': [
          () => json(anApiError('internal', 'database unavailable'), 500),
          () => json({ reviews: [] }),
        ],
      });
      await openTab(renderer, 'reviews');
      const { findByTestId, waitFor } = renderer;
      await waitFor(() => expect(findByTestId(ErrorState, 'reviews-error')).toBeDefined());
      expect(findByTestId(Text, 'reviews-error-message').text).toBe('database unavailable');
      findByTestId(Button, 'reviews-error-retry').trigger('onClick');
      await waitFor(() => expect(findByTestId(EmptyState, 'reviews-empty')).toBeDefined());
    });

    it('shows the reviews without actions to a partner manager', async () => {
      const { reviews, account } = reviewsAt();
      const renderer = renderSettings(
        { 'GET /api/v1/sync/reviews': () => json(reviews) },
        'partner_manager',
      );
      await openTab(renderer, 'reviews');
      const { findByTestId, maybeFindByTestId, waitFor } = renderer;
      await waitFor(() => expect(findByTestId(Tile, `review-${account.id}`)).toBeDefined());
      expect(findByTestId(Text, 'reviews-read-only')).toBeDefined();
      expect(maybeFindByTestId(Button, `link-${account.id}-8001`)).toBeNull();
      expect(maybeFindByTestId(Button, `create-${account.id}`)).toBeNull();
      expect(maybeFindByTestId(Button, `keep-apart-${account.id}`)).toBeNull();
    });
  });
});
