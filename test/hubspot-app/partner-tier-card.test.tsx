import {
  Alert,
  Button,
  DescriptionList,
  EmptyState,
  ErrorState,
  Heading,
  List,
  LoadingSpinner,
  ProgressBar,
  StatisticsItem,
  StatisticsTrend,
  StatusTag,
  TableCell,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCardApi } from '../../hubspot-app/src/app/cards/api.ts';
import { createApiClient } from '../../hubspot-app/src/app/cards/common/api-client.ts';
import { PartnerTierCard } from '../../hubspot-app/src/app/cards/tier/PartnerTierCard.tsx';
import { deferred, fakeHubspotFetch, json, TEST_ORIGIN, textOf } from './fake-hubspot.ts';
import {
  aCustomerTierCard,
  anApiError,
  anEmptyTierCard,
  aPartnerTierCard,
  usd,
} from './fixtures.ts';

const TIER = '/api/v1/companies/7000001/tier-card';

function renderCard() {
  const renderer = createRenderer('crm.record.tab');
  const api = createCardApi(createApiClient({ origin: TEST_ORIGIN, log: () => {} }));
  renderer.render(<PartnerTierCard hubspotCompanyId="7000001" api={api} />);
  return renderer;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('PartnerTierCard', () => {
  it('shows a spinner while the card loads', async () => {
    const never = deferred<Response>();
    const fake = fakeHubspotFetch({ [`GET ${TIER}`]: () => never.promise });
    const { findByTestId } = renderCard();
    expect(findByTestId(LoadingSpinner, 'tier-loading')).toBeDefined();
    await vi.waitFor(() =>
      expect(fake.spy).toHaveBeenCalledWith(`${TEST_ORIGIN}${TIER}`, {
        method: 'GET',
        timeout: 15_000,
      }),
    );
  });

  it("shows a partner's tier, progress per requirement with the gap, forecast, revenue, commissions and onboarding", async () => {
    fakeHubspotFetch({ [`GET ${TIER}`]: () => json(aPartnerTierCard()) });
    const { findByTestId, findAll, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(Tag, 'tier-badge')).toBeDefined());

    expect(findByTestId(Tag, 'tier-badge').text).toBe('Bronze');
    expect(findAll(Heading)[0]?.text).toBe('Acme Resellers');
    expect(findByTestId(Text, 'partner-line').text).toBe(
      'channel · reseller · partner since 2025-01-01 · Bronze since 2025-01-01',
    );

    const customers = findByTestId(ProgressBar, 'requirement-customers');
    expect(customers.props).toMatchObject({
      title: 'Customers',
      value: 7,
      maxValue: 15,
      valueDescription: '7 of 15 · 8 to go',
      variant: 'warning',
    });
    expect(findByTestId(ProgressBar, 'requirement-trailing_revenue').props).toMatchObject({
      value: 4_000_000,
      maxValue: 5_000_000,
      valueDescription: '$40,000.00 of $50,000.00 · $10,000.00 to go',
    });
    expect(findByTestId(ProgressBar, 'requirement-certified_salespeople').props).toMatchObject({
      valueDescription: '2 of 2 · met',
      variant: 'success',
    });
    expect(findByTestId(ProgressBar, 'requirement-training').props.valueDescription).toBe(
      'advanced training, needs advanced · met',
    );
    expect(findByTestId(Text, 'tier-forecast').text).toBe(
      'At the current weighted pipeline, Acme Resellers reaches Silver around 2026-09-30 (projected $55,000.00 revenue, 15.40 customers).',
    );

    expect(findByTestId(StatisticsTrend, 'revenue-growth').props).toMatchObject({
      value: '100 %',
      direction: 'increase',
    });
    expect(textOf(findByTestId(List, 'onboarding-remaining'))).toBe(
      'First co-sold deal registered Launch review',
    );
    expect(findByTestId(StatusTag, 'onboarding-pace').text).toBe('On track');
    expect(findByTestId(ProgressBar, 'phase-launch').props).toMatchObject({
      value: 3,
      maxValue: 5,
      valueDescription: '3 of 5 done',
    });
    expect(findByTestId(Text, 'onboarding-line').text).toBe('Week 6: Launch phase.');
  });

  it('shows commissions earned, pending, payable and paid', async () => {
    fakeHubspotFetch({ [`GET ${TIER}`]: () => json(aPartnerTierCard()) });
    const { findByTestId, findAll, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(Tag, 'tier-badge')).toBeDefined());
    const statistics = findAll(StatisticsItem);
    expect(statistics.map((item) => [item.props.label, item.props.number])).toEqual([
      ['Revenue, last 12 months', '$40,000.00'],
      ['Customers', 7],
      ['Commissions earned', '$6,000.00'],
    ]);
    expect(textOf(findByTestId(DescriptionList, 'partner-commissions'))).toBe(
      '$2,000.00 $1,500.00 $2,500.00',
    );
  });

  it('explains a tier kept during the grace period, and a top tier with nothing above it', async () => {
    const card = aPartnerTierCard({
      tier: {
        id: 'gold',
        name: 'Gold',
        since: '2025-06-01',
        qualifiedTier: 'silver',
        qualifiedTierName: 'Silver',
        change: {
          kind: 'held_in_grace',
          qualifiesFor: 'silver',
          qualifiesForName: 'Silver',
          until: '2026-05-30',
        },
      },
      progress: null,
      forecast: {
        kind: 'unreachable',
        code: 'top_tier',
        reason: 'Gold is the highest tier this partner can reach.',
      },
      revenue: {
        trailing: usd(18_000_000),
        previousTrailing: usd(24_000_000),
        growth: '-0.2500',
        growthFormatted: '-25 %',
        windowMonths: 12,
      },
    });
    fakeHubspotFetch({ [`GET ${TIER}`]: () => json(card) });
    const { findByTestId, maybeFindByTestId, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(Alert, 'tier-change')).toBeDefined());
    expect(findByTestId(Alert, 'tier-change').props.title).toBe(
      'Gold kept during the grace period',
    );
    expect(textOf(findByTestId(Alert, 'tier-change'))).toBe(
      'Current numbers qualify for Silver; Acme Resellers keeps Gold until 2026-05-30 unless it qualifies again.',
    );
    expect(findByTestId(Text, 'tier-top').text).toBe('Gold is the top tier of the program.');
    expect(maybeFindByTestId(ProgressBar, 'requirement-customers')).toBeNull();
    expect(findByTestId(Text, 'tier-forecast').text).toBe(
      'Gold is the highest tier this partner can reach.',
    );
    expect(findByTestId(StatisticsTrend, 'revenue-growth').props.direction).toBe('decrease');
  });

  it('shows, for a customer company, the partners credited on its deals', async () => {
    fakeHubspotFetch({ [`GET ${TIER}`]: () => json(aCustomerTierCard()) });
    const { findByTestId, findAll, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(Text, 'customer-deals')).toBeDefined());
    expect(findByTestId(Text, 'customer-deals').text).toBe(
      '3 won · 1 open · 1 lost deals in Partnerbridge',
    );
    const rows = findAll(TableRow).filter((row) =>
      row.props.testId?.startsWith('customer-partner-'),
    );
    expect(rows.map((row) => textOf(row))).toEqual([
      'Acme Resellers channel · Bronze 2 1 $60,000.00',
      'Beta CRM technology · Bronze 1 0 $15,000.00',
    ]);
    expect(findByTestId(TableCell, 'customer-total').text).toBe('$75,000.00');
  });

  it('says why there is nothing for a company outside the program', async () => {
    fakeHubspotFetch({ [`GET ${TIER}`]: () => json(anEmptyTierCard()) });
    const { findByTestId, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(EmptyState, 'tier-empty')).toBeDefined());
    expect(textOf(findByTestId(EmptyState, 'tier-empty'))).toBe(
      'This company is neither a partner nor a customer with deals Partnerbridge knows.',
    );
  });

  it('says what failed when the answer is not the contract, and loads again on Retry', async () => {
    const fake = fakeHubspotFetch({
      [`GET ${TIER}`]: [
        () => json({ kind: 'partner', asOf: '2026-03-10' }),
        () => json(anApiError('forbidden', 'portal 123 has not installed Partnerbridge'), 403),
        () => json(anEmptyTierCard()),
      ],
    });
    const { findByTestId, waitFor } = renderCard();
    await waitFor(() => expect(findByTestId(ErrorState, 'tier-error')).toBeDefined());
    expect(findByTestId(ErrorState, 'tier-error').props.title).toBe(
      "Could not load this company's partner program",
    );
    expect(findByTestId(Text, 'tier-error-message').text).toMatch(
      /^Partnerbridge answered in a form this app does not understand \(programVersion: /,
    );
    findByTestId(Button, 'tier-error-retry').trigger('onClick');
    await waitFor(() =>
      expect(findByTestId(Text, 'tier-error-message').text).toBe(
        'portal 123 has not installed Partnerbridge',
      ),
    );
    expect(findByTestId(ErrorState, 'tier-error').props.type).toBe('lock');
    findByTestId(Button, 'tier-error-retry').trigger('onClick');
    await waitFor(() => expect(findByTestId(EmptyState, 'tier-empty')).toBeDefined());
    expect(fake.to(`GET ${TIER}`)).toHaveLength(3);
  });
});
