import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  LoadingSpinner,
  NumberInput,
  SearchInput,
  Select,
  StatusTag,
  Table,
  TableCell,
  TableRow,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCardApi } from '../../hubspot-app/src/app/cards/api.ts';
import { createApiClient } from '../../hubspot-app/src/app/cards/common/api-client.ts';
import { DealPartnersCard } from '../../hubspot-app/src/app/cards/deal/DealPartnersCard.tsx';
import {
  deferred,
  fakeHubspotFetch,
  fire,
  json,
  type SentRequest,
  TEST_ORIGIN,
  textOf,
} from './fake-hubspot.ts';
import {
  aConflict,
  aDealView,
  aMe,
  aMutation,
  anApiError,
  aPartnerRef,
  aSearchResult,
  aTag,
  pendingRegistration,
} from './fixtures.ts';

const DEAL = '/api/v1/deals/42';

/** The idempotency key a mutation was sent with. */
function keyOf(request: SentRequest | undefined): string {
  const body = request?.body as { idempotencyKey?: string } | undefined;
  return body?.idempotencyKey ?? 'no request';
}

function renderCard(options: { log?: string[] } = {}) {
  const renderer = createRenderer('crm.record.tab');
  const addAlert = vi.fn();
  const logged = options.log ?? [];
  const api = createCardApi(
    createApiClient({ origin: TEST_ORIGIN, log: (line) => logged.push(line) }),
  );
  renderer.render(<DealPartnersCard hubspotDealId="42" api={api} addAlert={addAlert} />);
  return { ...renderer, addAlert, logged };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('DealPartnersCard', () => {
  it('shows a spinner while the deal loads, asking the API origin with a timeout', async () => {
    const never = deferred<Response>();
    const fake = fakeHubspotFetch({
      [`GET ${DEAL}`]: () => never.promise,
      'GET /api/v1/me': () => json(aMe()),
    });
    const { findByTestId } = renderCard();
    expect(findByTestId(LoadingSpinner, 'deal-loading').props.label).toBe(
      "Loading this deal's partners",
    );
    // Nothing renders while the request runs, so poll with vitest rather than the renderer.
    await vi.waitFor(() =>
      expect(fake.spy).toHaveBeenCalledWith(`${TEST_ORIGIN}${DEAL}`, {
        method: 'GET',
        timeout: 15_000,
      }),
    );
    expect(findByTestId(LoadingSpinner, 'deal-loading')).toBeDefined();
  });

  it("shows the deal's partners with role, motion, credit, commission and why, and its sync status", async () => {
    const acme = aTag(aPartnerRef('Acme Integrations'));
    const influencer = aTag(
      aPartnerRef('Gamma Podcast', { type: 'content', tierName: 'Registered' }),
      {
        role: 'influenced',
        motion: 'referral',
      },
    );
    fakeHubspotFetch({
      [`GET ${DEAL}`]: () => json(aDealView({ tags: [acme, influencer] })),
      'GET /api/v1/me': () => json(aMe()),
    });
    const { findByTestId, findAll, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(Table, 'tags-table')).toBeDefined());

    const row = findByTestId(TableRow, `tag-row-${acme.id}`);
    expect(textOf(row)).toContain('Acme Integrations');
    expect(textOf(row)).toContain('Sourced');
    expect(textOf(row)).toContain('Co-sell');
    expect(findByTestId(Text, `tag-credit-${acme.id}`).text).toBe('$80,000.00 (100 %)');
    expect(findByTestId(Text, `tag-credit-why-${acme.id}`).text).toBe(
      '100 % of $80,000.00 (sourced: takes all)',
    );
    expect(findByTestId(StatusTag, `tag-status-${acme.id}`).text).toBe('Counted');
    expect(textOf(findByTestId(TableRow, `tag-row-${influencer.id}`))).toContain('Influenced');

    expect(findByTestId(TableCell, `commission-amount-${acme.partner.id}`).text).toBe('$16,000.00');
    expect(findByTestId(Text, `commission-why-${acme.partner.id}`).text).toBe(
      'Co-sell revenue share v1: 20 % of $80,000.00 credited = $16,000.00',
    );
    expect(findByTestId(Text, 'deal-line').text).toBe(
      '$80,000.00 · open, expected to close 2026-04-30',
    );
    expect(findByTestId(StatusTag, 'sync-hubspot').text).toBe('HubSpot: In sync');
    expect(findByTestId(StatusTag, 'sync-salesforce').text).toBe(
      'Salesforce: Sync error (1 waiting)',
    );
    expect(findByTestId(Text, 'sync-error-salesforce').text).toContain(
      'Close date cannot be in the past',
    );
    expect(findAll(ErrorState)).toHaveLength(0);
  });

  it('shows an empty state with the way to tag the first partner', async () => {
    fakeHubspotFetch({
      [`GET ${DEAL}`]: () => json(aDealView()),
      'GET /api/v1/me': () => json(aMe()),
    });
    const { findByTestId, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(EmptyState, 'deal-empty')).toBeDefined());
    expect(findByTestId(EmptyState, 'deal-empty').props.title).toBe('No partners on this deal yet');
    expect(findByTestId(Text, 'commissions-empty')).toBeDefined();
    expect(findByTestId(Button, 'add-partner')).toBeDefined();
  });

  it('says what failed with the server message and loads again on Retry', async () => {
    const log: string[] = [];
    const fake = fakeHubspotFetch({
      [`GET ${DEAL}`]: [
        () =>
          json(
            anApiError('unavailable', 'The database is being upgraded; try again in a minute.'),
            503,
          ),
        () => json(aDealView({ tags: [aTag(aPartnerRef('Acme Integrations'))] })),
      ],
      'GET /api/v1/me': () => json(aMe()),
    });
    const { findByTestId, waitFor } = renderCard({ log });
    await waitFor(() => expect(findByTestId(ErrorState, 'deal-error')).toBeDefined());
    expect(findByTestId(ErrorState, 'deal-error').props.title).toBe(
      "Could not load this deal's partners",
    );
    expect(findByTestId(Text, 'deal-error-message').text).toBe(
      'The database is being upgraded; try again in a minute.',
    );
    expect(log).toEqual([
      'GET /api/v1/deals/42 failed (server): The database is being upgraded; try again in a minute.',
    ]);

    findByTestId(Button, 'deal-error-retry').trigger('onClick');
    expect(findByTestId(LoadingSpinner, 'deal-loading')).toBeDefined();
    await waitFor(() => expect(findByTestId(Table, 'tags-table')).toBeDefined());
    expect(fake.to(`GET ${DEAL}`)).toHaveLength(2);
  });

  it('tells the rep a deal has not synced yet instead of failing', async () => {
    fakeHubspotFetch({
      [`GET ${DEAL}`]: () =>
        json(
          anApiError(
            'deal_not_synced',
            'This deal has not synced into Partnerbridge yet (HubSpot deal 42).',
          ),
          404,
        ),
      'GET /api/v1/me': () => json(aMe()),
    });
    const { findByTestId, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(EmptyState, 'deal-not-synced')).toBeDefined());
    expect(textOf(findByTestId(EmptyState, 'deal-not-synced'))).toContain(
      'has not synced into Partnerbridge yet',
    );
  });

  it('tags a partner: search, pick, the pending row while it saves, then the answer', async () => {
    const acme = aPartnerRef('Acme Integrations');
    const beta = aPartnerRef('Beta CRM', { type: 'technology', subtype: 'crm' });
    const created = aTag(acme, { role: 'influenced', motion: 'white_label', share: '0.25' });
    const saving = deferred<Response>();
    const fake = fakeHubspotFetch({
      [`GET ${DEAL}`]: [() => json(aDealView()), () => json(aDealView({ tags: [created] }))],
      'GET /api/v1/me': () => json(aMe()),
      'GET /api/v1/partners': (request) =>
        json(aSearchResult(request.query.get('q') === 'acme' ? [acme] : [acme, beta])),
      [`POST ${DEAL}/tags`]: () => saving.promise,
    });
    const { findByTestId, maybeFindByTestId, waitFor, addAlert } = renderCard();
    await waitFor(() => expect(findByTestId(Button, 'add-partner')).toBeDefined());
    findByTestId(Button, 'add-partner').trigger('onClick');
    await waitFor(() => expect(findByTestId(Table, 'partner-search-results')).toBeDefined());

    fire(findByTestId(SearchInput, 'partner-search'), 'onInput', 'acme');
    await waitFor(() =>
      expect(fake.to('GET /api/v1/partners').at(-1)?.query.get('q')).toBe('acme'),
    );
    await waitFor(() => {
      expect(findByTestId(Button, `select-partner-${acme.id}`)).toBeDefined();
      expect(maybeFindByTestId(Button, `select-partner-${beta.id}`)).toBeNull();
    });
    expect(fake.to('GET /api/v1/partners').at(-1)?.query.get('limit')).toBe('8');

    findByTestId(Button, `select-partner-${acme.id}`).trigger('onClick');
    fire(findByTestId(Select, 'tag-role'), 'onChange', 'influenced');
    fire(findByTestId(Select, 'tag-motion'), 'onChange', 'white_label');
    fire(findByTestId(NumberInput, 'tag-share'), 'onChange', 25);
    expect(findByTestId(Button, 'tag-submit').text).toBe('Tag Acme Integrations');
    findByTestId(Button, 'tag-submit').trigger('onClick');

    // Optimistic: the row is there, marked as saving, before the server answers.
    await waitFor(() => expect(fake.to(`POST ${DEAL}/tags`)).toHaveLength(1));
    const [post] = fake.to(`POST ${DEAL}/tags`);
    expect(post?.body).toEqual({
      idempotencyKey: expect.stringMatching(/^pb-[A-Za-z0-9._:-]{8,}$/),
      partnerId: acme.id,
      role: 'influenced',
      motion: 'white_label',
      share: '0.25',
    });
    expect(post?.options).toMatchObject({ method: 'POST', timeout: 15_000 });
    const pendingRow = findByTestId(TableRow, `tag-row-${keyOf(post)}`);
    expect(textOf(pendingRow)).toContain('Acme Integrations');
    expect(textOf(pendingRow)).toContain('Saving…');

    saving.resolve(json(aMutation(created, [created]), 201));
    await waitFor(() =>
      expect(findByTestId(StatusTag, `tag-status-${created.id}`).text).toBe('Counted'),
    );
    expect(textOf(findByTestId(TableRow, `tag-row-${created.id}`))).toContain(
      'White-label · explicit share 0.25',
    );
    expect(findByTestId(TableCell, `commission-amount-${acme.id}`).text).toBe('$16,000.00');
    expect(addAlert).toHaveBeenCalledWith({
      type: 'success',
      message: 'Tagged Acme Integrations as influenced (white_label).',
    });
    // Then the sync status is fetched behind the data.
    await waitFor(() => expect(fake.to(`GET ${DEAL}`)).toHaveLength(2));
    expect(fake.unexpected).toEqual([]);
  });

  it('shows a conflicting tag as pending review with its reason and who holds the registration', async () => {
    const holder = aTag(aPartnerRef('Acme Integrations'));
    const beta = aPartnerRef('Beta CRM', { type: 'technology', subtype: 'crm' });
    const claim = aTag(beta, {
      counted: false,
      registration: pendingRegistration(),
      motion: 'referral',
    });
    const conflict = aConflict(claim, holder);
    const message = `Tagged Beta CRM as sourced (referral); pending review by a partner manager: ${conflict.reason}`;
    fakeHubspotFetch({
      [`GET ${DEAL}`]: [
        () => json(aDealView({ tags: [holder] })),
        () => json(aDealView({ tags: [holder, claim], conflicts: [conflict] })),
      ],
      'GET /api/v1/me': () => json(aMe('member')),
      'GET /api/v1/partners': () => json(aSearchResult([beta])),
      [`POST ${DEAL}/tags`]: () =>
        json(
          aMutation(claim, [holder, claim], {
            outcome: 'pending_review',
            message,
            conflicts: [conflict],
          }),
          201,
        ),
    });
    const { findByTestId, maybeFindByTestId, waitFor, addAlert } = renderCard();
    await waitFor(() => expect(findByTestId(Button, 'add-partner')).toBeDefined());
    findByTestId(Button, 'add-partner').trigger('onClick');
    await waitFor(() => expect(findByTestId(Button, `select-partner-${beta.id}`)).toBeDefined());
    findByTestId(Button, `select-partner-${beta.id}`).trigger('onClick');
    findByTestId(Button, 'tag-submit').trigger('onClick');

    await waitFor(() => expect(findByTestId(Alert, `conflict-${claim.id}`)).toBeDefined());
    expect(findByTestId(Alert, `conflict-${claim.id}`).props.title).toBe(
      'Beta CRM waits for a partner manager',
    );
    expect(findByTestId(Text, `conflict-reason-${claim.id}`).text).toBe(conflict.reason);
    expect(findByTestId(Text, `conflict-holder-${claim.id}`).text).toBe(
      'Registration held by Acme Integrations (deal 777) until 2026-06-07.',
    );
    expect(findByTestId(StatusTag, `tag-status-${claim.id}`).text).toBe('Pending review');
    expect(findByTestId(Text, `tag-credit-${claim.id}`).text).toBe('—');
    expect(addAlert).toHaveBeenCalledWith({ type: 'warning', message });
    // A rep cannot decide; the buttons are for partner managers.
    expect(maybeFindByTestId(Button, `approve-${claim.id}`)).toBeNull();
  });

  it('lets a partner manager approve a conflicting tag, which then counts', async () => {
    const holder = aTag(aPartnerRef('Acme Integrations'));
    const claim = aTag(aPartnerRef('Beta CRM'), {
      counted: false,
      registration: pendingRegistration(),
    });
    const approved = {
      ...claim,
      counted: true,
      registration: { ...claim.registration, status: 'approved' as const },
    };
    const fake = fakeHubspotFetch({
      [`GET ${DEAL}`]: [
        () => json(aDealView({ tags: [holder, claim], conflicts: [aConflict(claim, holder)] })),
        () => json(aDealView({ tags: [holder, approved] })),
      ],
      'GET /api/v1/me': () => json(aMe('partner_manager')),
      [`POST ${DEAL}/tags/${claim.id}/registration`]: () =>
        json(
          aMutation(approved, [holder, approved], { message: 'Approved Beta CRM on this deal.' }),
        ),
    });
    const { findByTestId, maybeFindByTestId, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(Button, `approve-${claim.id}`)).toBeDefined());
    findByTestId(Button, `approve-${claim.id}`).trigger('onClick');
    await waitFor(() => expect(maybeFindByTestId(Alert, `conflict-${claim.id}`)).toBeNull());
    expect(fake.to(`POST ${DEAL}/tags/${claim.id}/registration`)[0]?.body).toEqual({
      idempotencyKey: expect.stringMatching(/^pb-/),
      decision: 'approve',
    });
    expect(findByTestId(StatusTag, `tag-status-${claim.id}`).text).toBe('Counted');
  });

  it('asks a partner manager why before rejecting, and sends the note', async () => {
    const holder = aTag(aPartnerRef('Acme Integrations'));
    const claim = aTag(aPartnerRef('Beta CRM'), {
      counted: false,
      registration: pendingRegistration(),
    });
    const rejected = {
      ...claim,
      counted: false,
      registration: { ...claim.registration, status: 'rejected' as const },
    };
    const fake = fakeHubspotFetch({
      [`GET ${DEAL}`]: () =>
        json(aDealView({ tags: [holder, claim], conflicts: [aConflict(claim, holder)] })),
      'GET /api/v1/me': () => json(aMe('admin')),
      [`POST ${DEAL}/tags/${claim.id}/registration`]: () =>
        json(
          aMutation(rejected, [holder, rejected], {
            outcome: 'rejected',
            message: 'Rejected Beta CRM.',
          }),
        ),
    });
    const { findByTestId, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(Button, `reject-${claim.id}`)).toBeDefined());
    findByTestId(Button, `reject-${claim.id}`).trigger('onClick');
    expect(findByTestId(Button, `reject-confirm-${claim.id}`).props.disabled).toBe(true);
    fire(findByTestId(TextArea, `reject-note-${claim.id}`), 'onInput', 'Acme registered it first');
    findByTestId(Button, `reject-confirm-${claim.id}`).trigger('onClick');
    await waitFor(() =>
      expect(findByTestId(StatusTag, `tag-status-${claim.id}`).text).toBe('Rejected'),
    );
    expect(fake.to(`POST ${DEAL}/tags/${claim.id}/registration`)[0]?.body).toEqual({
      idempotencyKey: expect.stringMatching(/^pb-/),
      decision: 'reject',
      note: 'Acme registered it first',
    });
  });

  it('removes a tag: the row goes at once and stays gone when the server agrees', async () => {
    const acme = aTag(aPartnerRef('Acme Integrations'));
    const beta = aTag(aPartnerRef('Beta CRM'), { role: 'influenced' });
    const removing = deferred<Response>();
    const fake = fakeHubspotFetch({
      [`GET ${DEAL}`]: [
        () => json(aDealView({ tags: [acme, beta] })),
        () => json(aDealView({ tags: [acme] })),
      ],
      'GET /api/v1/me': () => json(aMe()),
      [`DELETE ${DEAL}/tags/${beta.id}`]: () => removing.promise,
    });
    const { findByTestId, maybeFindByTestId, waitFor, addAlert } = renderCard();
    await waitFor(() => expect(findByTestId(Button, `remove-tag-${beta.id}`)).toBeDefined());
    findByTestId(Button, `remove-tag-${beta.id}`).trigger('onClick');
    await waitFor(() =>
      expect(findByTestId(StatusTag, `tag-pending-${beta.id}`).text).toBe('Removing…'),
    );
    expect(fake.to(`DELETE ${DEAL}/tags/${beta.id}`)[0]?.options).toEqual({
      method: 'DELETE',
      timeout: 15_000,
    });

    const removed = { ...beta, removedAt: '2026-03-10T12:05:00.000Z' };
    removing.resolve(
      json(aMutation(removed, [acme], { outcome: 'removed', message: 'Removed Beta CRM.' })),
    );
    await waitFor(() => expect(maybeFindByTestId(TableRow, `tag-row-${beta.id}`)).toBeNull());
    expect(addAlert).toHaveBeenCalledWith({ type: 'success', message: 'Removed Beta CRM.' });
  });

  it('puts a removed row back and says why when the server refuses', async () => {
    const acme = aTag(aPartnerRef('Acme Integrations'));
    fakeHubspotFetch({
      [`GET ${DEAL}`]: () => json(aDealView({ tags: [acme] })),
      'GET /api/v1/me': () => json(aMe()),
      [`DELETE ${DEAL}/tags/${acme.id}`]: () =>
        json(anApiError('not_found', 'That tag is no longer on this deal; reload the card.'), 404),
    });
    const { findByTestId, waitFor, addAlert } = renderCard();
    await waitFor(() => expect(findByTestId(Button, `remove-tag-${acme.id}`)).toBeDefined());
    findByTestId(Button, `remove-tag-${acme.id}`).trigger('onClick');
    await waitFor(() =>
      expect(addAlert).toHaveBeenCalledWith({
        type: 'danger',
        title: 'Could not remove Acme Integrations',
        message: 'That tag is no longer on this deal; reload the card.',
      }),
    );
    expect(findByTestId(StatusTag, `tag-status-${acme.id}`).text).toBe('Counted');
  });

  it('rolls back a failed tag and reopens the form with the reason; Save retries the same action', async () => {
    const acme = aPartnerRef('Acme Integrations');
    const created = aTag(acme);
    const fake = fakeHubspotFetch({
      [`GET ${DEAL}`]: () => json(aDealView()),
      'GET /api/v1/me': () => json(aMe()),
      'GET /api/v1/partners': () => json(aSearchResult([acme])),
      [`POST ${DEAL}/tags`]: [
        () => json(anApiError('unavailable', 'Partnerbridge is restarting.'), 503),
        () => json(aMutation(created, [created]), 201),
      ],
    });
    const { findByTestId, maybeFindByTestId, waitFor, addAlert } = renderCard();
    await waitFor(() => expect(findByTestId(Button, 'add-partner')).toBeDefined());
    findByTestId(Button, 'add-partner').trigger('onClick');
    await waitFor(() => expect(findByTestId(Button, `select-partner-${acme.id}`)).toBeDefined());
    findByTestId(Button, `select-partner-${acme.id}`).trigger('onClick');
    findByTestId(Button, 'tag-submit').trigger('onClick');

    await waitFor(() =>
      expect(textOf(findByTestId(Alert, 'add-partner-failure'))).toBe(
        'Partnerbridge is restarting.',
      ),
    );
    expect(addAlert).toHaveBeenCalledWith({
      type: 'danger',
      title: 'Could not tag Acme Integrations',
      message: 'Partnerbridge is restarting.',
    });
    expect(maybeFindByTestId(Table, 'tags-table')).toBeNull();

    findByTestId(Button, 'tag-submit').trigger('onClick');
    await waitFor(() => expect(findByTestId(StatusTag, `tag-status-${created.id}`)).toBeDefined());
    const [first, second] = fake.to(`POST ${DEAL}/tags`);
    expect(keyOf(second)).toBe(keyOf(first));
  });

  it("changes a tag's role, motion and share", async () => {
    const acme = aTag(aPartnerRef('Acme Integrations'));
    const changed = {
      ...acme,
      role: 'influenced' as const,
      motion: 'referral' as const,
      share: '0.5',
    };
    const fake = fakeHubspotFetch({
      [`GET ${DEAL}`]: [
        () => json(aDealView({ tags: [acme] })),
        () => json(aDealView({ tags: [changed] })),
      ],
      'GET /api/v1/me': () => json(aMe()),
      [`PATCH ${DEAL}/tags/${acme.id}`]: () => json(aMutation(changed, [changed])),
    });
    const { findByTestId, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(Button, `edit-tag-${acme.id}`)).toBeDefined());
    findByTestId(Button, `edit-tag-${acme.id}`).trigger('onClick');
    fire(findByTestId(Select, 'edit-tag-role'), 'onChange', 'influenced');
    fire(findByTestId(Select, 'edit-tag-motion'), 'onChange', 'referral');
    fire(findByTestId(NumberInput, 'edit-tag-share'), 'onChange', 50);
    findByTestId(Button, 'edit-tag-save').trigger('onClick');
    await waitFor(() =>
      expect(textOf(findByTestId(TableRow, `tag-row-${acme.id}`))).toContain('Influenced'),
    );
    expect(fake.to(`PATCH ${DEAL}/tags/${acme.id}`)[0]?.body).toEqual({
      idempotencyKey: expect.stringMatching(/^pb-/),
      role: 'influenced',
      motion: 'referral',
      share: '0.5',
    });
  });
});
