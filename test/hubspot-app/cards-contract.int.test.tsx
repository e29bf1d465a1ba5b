import {
  Alert,
  Button,
  ProgressBar,
  SearchInput,
  StatusTag,
  TableCell,
  Tag,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cardApiFor } from '../../hubspot-app/src/app/cards/api.ts';
import { DealPartnersCard } from '../../hubspot-app/src/app/cards/deal/DealPartnersCard.tsx';
import { PartnerTierCard } from '../../hubspot-app/src/app/cards/tier/PartnerTierCard.tsx';
import { reconcileInstallationNow } from '../../server/src/cards/reconcile.ts';
import {
  aDeal,
  aPartner,
  INSTALLER_USER_ID,
  installPortal,
  REP_USER_ID,
  seedAcmeScenario,
  seedDeal,
  seedPartner,
  setTierHistory,
} from '../server/cards/support.ts';
import { manualClock, startTestServer, type TestServer } from '../support/server.ts';
import { fire, textOf } from './fake-hubspot.ts';
import { bridgeHubspotFetch, productionProfile } from './hubspot-bridge.ts';

// The cards against the real server: requests signed the way HubSpot signs hubspot.fetch, to the
// API origin of the production deploy profile, answered by the real routes over a seeded
// projection, parsed by the vendored contract and rendered.

const profile = productionProfile();
const origin = profile.variables.API_ORIGIN;
const context = { variables: profile.variables };
const clock = manualClock(Date.UTC(2026, 2, 10, 12));
const DEALS_PORTAL = '6201';
const TIERS_PORTAL = '6202';

let server: TestServer;
let acme: { id: string; name: string };
let beta: { id: string; name: string };

beforeAll(async () => {
  // The server believes it is reached at the profile's origin: that is the URL HubSpot signs.
  server = await startTestServer({ clock, env: { PUBLIC_BASE_URL: origin } });
  const db = server.services.db;
  const deals = await installPortal(db, DEALS_PORTAL);
  acme = await seedPartner(
    db,
    deals.id,
    aPartner({ name: 'Acme Resellers', hubspotCompanyId: '7100001' }),
  );
  await setTierHistory(db, deals.id, acme.id, [{ tier: 'gold', since: '2025-06-01' }]);
  beta = await seedPartner(
    db,
    deals.id,
    aPartner({ name: 'Beta CRM', type: 'technology', subtype: 'crm', hubspotCompanyId: '7100002' }),
  );
  const customer = { hubspotCompanyId: '5300001', name: 'Northwind Traders' };
  await seedDeal(
    db,
    deals.id,
    aDeal({
      hubspotDealId: '8300001',
      name: 'Northwind platform',
      amountMinor: 8_000_000,
      stageCategory: 'won',
      stageId: 'closedwon',
      closeDate: '2026-03-01',
      probability: '1',
      customer,
    }),
  );
  await seedDeal(
    db,
    deals.id,
    aDeal({
      hubspotDealId: '8300002',
      name: 'Northwind expansion',
      amountMinor: 2_000_000,
      customer,
    }),
  );
  const tiers = await installPortal(db, TIERS_PORTAL);
  await seedAcmeScenario(db, tiers.id);
  await reconcileInstallationNow(db, tiers.id, '2026-03-10');
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

function renderDeal(hubspotDealId: string, userId = REP_USER_ID) {
  const bridge = bridgeHubspotFetch(server, { origin, portalId: DEALS_PORTAL, userId, clock });
  const renderer = createRenderer('crm.record.tab');
  const addAlert = vi.fn();
  renderer.render(
    <DealPartnersCard
      hubspotDealId={hubspotDealId}
      api={cardApiFor(context)}
      addAlert={addAlert}
    />,
  );
  return { ...renderer, bridge, addAlert };
}

function conflictsOf(renderer: ReturnType<typeof renderDeal>) {
  return renderer.findAll(Alert).filter((alert) => alert.props.testId?.startsWith('conflict-'));
}

async function tagPartner(
  renderer: ReturnType<typeof renderDeal>,
  partner: { id: string; name: string },
  query: string,
): Promise<void> {
  const { findByTestId, waitFor } = renderer;
  await waitFor(() => expect(findByTestId(Button, 'add-partner')).toBeDefined(), {
    timeoutInMs: 5_000,
  });
  findByTestId(Button, 'add-partner').trigger('onClick');
  fire(findByTestId(SearchInput, 'partner-search'), 'onInput', query);
  await waitFor(() => expect(findByTestId(Button, `select-partner-${partner.id}`)).toBeDefined(), {
    timeoutInMs: 5_000,
  });
  findByTestId(Button, `select-partner-${partner.id}`).trigger('onClick');
  findByTestId(Button, 'tag-submit').trigger('onClick');
}

describe('deal partners card against the server', () => {
  it('tags a partner end to end and shows the real credit and commission with its explanation', async () => {
    const renderer = renderDeal('8300001');
    const { findByTestId, waitFor, bridge, addAlert } = renderer;
    await waitFor(() => expect(findByTestId(Text, 'deal-name').text).toBe('Northwind platform'), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(Text, 'deal-line').text).toBe('$80,000.00 · won on 2026-03-01');

    await tagPartner(renderer, acme, 'acme');
    await waitFor(() => expect(addAlert).toHaveBeenCalled(), { timeoutInMs: 5_000 });
    expect(addAlert.mock.calls[0]?.[0]).toMatchObject({
      type: 'success',
      message: expect.stringContaining('Acme Resellers'),
    });
    await waitFor(() => expect(findByTestId(Text, `commission-why-${acme.id}`)).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    const why = findByTestId(Text, `commission-why-${acme.id}`).text ?? '';
    expect(why).toContain('15 %');
    expect(why).toContain('$80,000.00');
    expect(findByTestId(TableCell, `commission-amount-${acme.id}`).text).toBe('$12,000.00');

    expect(bridge.refused).toEqual([]);
    expect(
      bridge.forwarded.map((call) => [call.method, new URL(call.url).pathname, call.status]),
    ).toEqual(
      expect.arrayContaining([
        ['GET', '/api/v1/deals/8300001', 200],
        ['GET', '/api/v1/partners', 200],
        ['POST', '/api/v1/deals/8300001/tags', 201],
      ]),
    );
  });

  // Runs after the test above: Acme's tag on the won deal registered the customer for Acme.
  it("shows a second partner's claim on the same customer as a conflict with the real reason, and lets the installer decide", async () => {
    const rep = renderDeal('8300002');
    await tagPartner(rep, beta, 'beta');
    await rep.waitFor(() => expect(conflictsOf(rep)).toHaveLength(1), { timeoutInMs: 5_000 });
    expect(rep.addAlert.mock.calls[0]?.[0]).toMatchObject({
      type: 'warning',
      message: expect.stringContaining('pending review by a partner manager'),
    });
    const [conflict] = conflictsOf(rep);
    const tagId = conflict?.props.testId?.slice('conflict-'.length) ?? '';
    expect(textOf(rep.findByTestId(Alert, `conflict-${tagId}`))).toContain(
      'Northwind Traders is protected for Acme Resellers',
    );
    expect(rep.findByTestId(Text, `conflict-holder-${tagId}`).text).toBe(
      'Registration held by Acme Resellers (deal 8300001) until 2026-06-07.',
    );
    // A rep cannot decide; the installer is an admin and can.
    expect(rep.maybeFindByTestId(Button, `reject-${tagId}`)).toBeNull();
    vi.restoreAllMocks();
    const admin = renderDeal('8300002', INSTALLER_USER_ID);
    await admin.waitFor(() => expect(admin.findByTestId(Button, `reject-${tagId}`)).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    admin.findByTestId(Button, `reject-${tagId}`).trigger('onClick');
    fire(
      admin.findByTestId(TextArea, `reject-note-${tagId}`),
      'onInput',
      'Acme registered Northwind first',
    );
    admin.findByTestId(Button, `reject-confirm-${tagId}`).trigger('onClick');
    await admin.waitFor(
      () => expect(admin.findByTestId(StatusTag, `tag-status-${tagId}`).text).toBe('Rejected'),
      { timeoutInMs: 5_000 },
    );
    expect(admin.bridge.forwarded).toContainEqual({
      method: 'POST',
      url: `${origin}/api/v1/deals/8300002/tags/${tagId}/registration`,
      status: 200,
    });
  });
});

describe('partner tier card against the server', () => {
  it("renders a partner's real tier card: tier, requirement gaps, revenue and onboarding", async () => {
    bridgeHubspotFetch(server, { origin, portalId: TIERS_PORTAL, userId: REP_USER_ID, clock });
    const { render, findByTestId, waitFor } = createRenderer('crm.record.tab');
    render(<PartnerTierCard hubspotCompanyId="7000001" api={cardApiFor(context)} />);
    await waitFor(() => expect(findByTestId(Tag, 'tier-badge').text).toBe('Bronze'), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(ProgressBar, 'requirement-customers').props).toMatchObject({
      value: 7,
      maxValue: 15,
      valueDescription: '7 of 15 · 8 to go',
    });
    expect(findByTestId(ProgressBar, 'requirement-trailing_revenue').props.valueDescription).toBe(
      '$60,000.00 of $50,000.00 · met',
    );
    expect(findByTestId(Text, 'tier-forecast').text).toBe(
      'Weighted open pipeline brings customers to 8.00 (needs 15).',
    );
  });

  it('renders a customer company with the partners credited on its deals', async () => {
    bridgeHubspotFetch(server, { origin, portalId: TIERS_PORTAL, userId: REP_USER_ID, clock });
    const { render, findByTestId, waitFor } = createRenderer('crm.record.tab');
    render(<PartnerTierCard hubspotCompanyId="6000001" api={cardApiFor(context)} />);
    await waitFor(() => expect(findByTestId(Text, 'customer-deals')).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(Text, 'customer-deals').text).toBe(
      '1 won · 0 open · 0 lost deals in Partnerbridge',
    );
  });
});
