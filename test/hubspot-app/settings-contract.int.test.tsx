import {
  Alert,
  Button,
  EmptyState,
  Input,
  Link,
  NumberInput,
  Select,
  StatusTag,
  TableRow,
  Tabs,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { settingsApiFor } from '../../hubspot-app/src/app/settings/api.ts';
import { PartnerbridgeSettings } from '../../hubspot-app/src/app/settings/panels/PartnerbridgeSettings.tsx';
import { apiBudgets } from '../../server/src/db/schema/api.ts';
import { deadLetters } from '../../server/src/db/schema/audit.ts';
import { idLinks } from '../../server/src/db/schema/sync.ts';
import { INSTALLER_USER_ID, installPortal, seedAcmeScenario } from '../server/cards/support.ts';
import { manualClock, startTestServer, type TestServer } from '../support/server.ts';
import {
  HARNESS_ADMIN_USER_ID,
  type SyncHarness,
  startSyncHarness,
} from '../sync/support/sync-harness.ts';
import { fire, textOf } from './fake-hubspot.ts';
import { bridgeHubspotFetch, productionProfile } from './hubspot-bridge.ts';

// The settings page against the real server, as the user who installed the app (an admin):
// requests signed like HubSpot's, real answers, real refusals.

const profile = productionProfile();
const origin = profile.variables.API_ORIGIN;
const clock = manualClock(Date.UTC(2026, 2, 10, 12));
const PORTAL = '6301';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    clock,
    env: {
      PUBLIC_BASE_URL: origin,
      // A connected app is configured, so the server can hand out Salesforce consent links.
      SALESFORCE_CLIENT_ID: 'pb-test-salesforce-client',
      SALESFORCE_CLIENT_SECRET: 'pb-test-salesforce-secret',
    },
  });
  const installation = await installPortal(server.services.db, PORTAL);
  await seedAcmeScenario(server.services.db, installation.id);
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

function renderSettings(
  target: { server: TestServer; portalId: string; userId: string } = {
    server,
    portalId: PORTAL,
    userId: INSTALLER_USER_ID,
  },
) {
  const bridge = bridgeHubspotFetch(target.server, {
    origin,
    portalId: target.portalId,
    userId: target.userId,
    clock: target.server === server ? clock : target.server.services.clock,
  });
  const renderer = createRenderer('settings');
  const addAlert = vi.fn();
  renderer.render(
    <PartnerbridgeSettings
      api={settingsApiFor({ variables: profile.variables })}
      addAlert={addAlert}
    />,
  );
  return { ...renderer, bridge, addAlert };
}

async function openTab(renderer: ReturnType<typeof renderSettings>, tab: string): Promise<void> {
  await renderer.waitFor(() => expect(renderer.findByTestId(Tabs, 'settings-tabs')).toBeDefined(), {
    timeoutInMs: 5_000,
  });
  fire(renderer.findByTestId(Tabs, 'settings-tabs'), 'onSelectedChange', tab);
}

describe('settings page against the server', () => {
  it('shows the real connections and starts connecting Salesforce', async () => {
    const renderer = renderSettings();
    const { findByTestId, waitFor, bridge } = renderer;
    await waitFor(() => expect(findByTestId(StatusTag, 'hubspot-status').text).toBe('Connected'), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(StatusTag, 'salesforce-status').text).toBe('Not connected');
    findByTestId(Button, 'salesforce-connect').trigger('onClick');
    await waitFor(() => expect(findByTestId(Link, 'salesforce-consent')).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    const href = findByTestId(Link, 'salesforce-consent').props.href as { url: string };
    expect(href.url.startsWith(`${origin}/`)).toBe(true);
    expect(bridge.refused).toEqual([]);
  });

  it('creates a rule, then refuses a second one that would tie with it, with the server reason', async () => {
    const renderer = renderSettings();
    const { findByTestId, waitFor, addAlert } = renderer;
    await openTab(renderer, 'rules');
    const createRule = async (name: string) => {
      await waitFor(() => expect(findByTestId(Button, 'rule-create')).toBeDefined(), {
        timeoutInMs: 5_000,
      });
      findByTestId(Button, 'rule-create').trigger('onClick');
      fire(findByTestId(Input, 'rule-name'), 'onInput', name);
      fire(findByTestId(Select, 'rule-match-type'), 'onChange', 'strategic');
      fire(findByTestId(Select, 'rule-match-motion'), 'onChange', 'enterprise');
      fire(findByTestId(NumberInput, 'rule-rate'), 'onChange', 7);
      findByTestId(Button, 'rule-save').trigger('onClick');
    };
    await createRule('Strategic enterprise share');
    await waitFor(() => expect(addAlert).toHaveBeenCalled(), { timeoutInMs: 5_000 });
    expect(addAlert.mock.calls[0]?.[0]).toEqual({
      type: 'success',
      message: 'Created Strategic enterprise share (version 1).',
    });
    await createRule('Strategic enterprise bonus');
    await waitFor(() => expect(findByTestId(Alert, 'rule-errors')).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(Alert, 'rule-errors').props.title).toBe('The rule was not saved');
    expect(textOf(findByTestId(Alert, 'rule-errors'))).toContain('Strategic enterprise share');
    expect(
      renderer.bridge.forwarded.filter((call) => call.method === 'POST').map((call) => call.status),
    ).toEqual([201, 422]);
  });

  it('previews a tier change on the real deals, then saves it as a new program version', async () => {
    const renderer = renderSettings();
    const { findByTestId, waitFor, addAlert } = renderer;
    await openTab(renderer, 'program');
    await waitFor(() => expect(findByTestId(NumberInput, 'tier-silver-customers')).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(Text, 'program-current').text).toContain('version 1');
    // Silver needs 7 customers instead of 15: Acme (7 customers, $60,000) would be Silver.
    fire(findByTestId(NumberInput, 'tier-silver-customers'), 'onChange', 7);
    findByTestId(Button, 'program-preview').trigger('onClick');
    await waitFor(() => expect(findByTestId(Text, 'program-what-if-scope')).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(Text, 'program-what-if-scope').text).toMatch(
      /^\d+ deals replayed \(every closed deal\), as of 2026-03-10\.$/,
    );

    findByTestId(Button, 'program-save').trigger('onClick');
    await waitFor(() => expect(addAlert).toHaveBeenCalled(), { timeoutInMs: 5_000 });
    expect(addAlert.mock.calls[0]?.[0]).toEqual({
      type: 'success',
      message: 'Program version 2 takes effect on 2026-03-10.',
    });
    await waitFor(() => expect(findByTestId(Text, 'program-current').text).toContain('version 2'), {
      timeoutInMs: 5_000,
    });
  });
});

describe('settings page sync tabs against the server and both sandboxes', () => {
  // The portal installed and the org linked; no worker: the page reads and changes, nothing syncs.
  let h: SyncHarness;
  const asAdmin = () =>
    renderSettings({
      server: h.server,
      portalId: String(h.portalId),
      userId: HARNESS_ADMIN_USER_ID,
    });

  beforeAll(async () => {
    h = await startSyncHarness({ worker: false, env: { PUBLIC_BASE_URL: origin } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('shows health with errors grouped by type, and discards a dead letter', async () => {
    const [letter] = await h.server.services.db
      .insert(deadLetters)
      .values({
        installationId: h.installationId,
        queue: 'sync-record',
        jobName: 'sync-record',
        errorType: 'picklist',
        reason: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Stage: bad value for restricted picklist',
        payload: {
          record: { installationId: h.installationId, kind: 'deal', side: 'hubspot', id: '77' },
          attempted: { StageName: 'Nope' },
          system: 'salesforce',
          errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        },
        attempts: 4,
      })
      .returning({ id: deadLetters.id });
    const id = letter?.id ?? '';
    const renderer = asAdmin();
    const { findByTestId, maybeFindByTestId, waitFor, bridge, addAlert } = renderer;
    await openTab(renderer, 'health');
    await waitFor(() => expect(findByTestId(TableRow, 'health-error-picklist')).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    expect(textOf(findByTestId(TableRow, 'health-error-picklist'))).toContain('picklist 1 ');
    expect(textOf(findByTestId(TableRow, 'health-error-picklist'))).toContain(
      'bad value for restricted picklist',
    );
    expect(findByTestId(Text, 'health-outbox').text).toContain('Every Partnerbridge change');
    await waitFor(() => expect(findByTestId(TableRow, `letter-${id}`)).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    findByTestId(Button, `discard-${id}`).trigger('onClick');
    await waitFor(() => expect(maybeFindByTestId(TableRow, `letter-${id}`)).toBeNull(), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(EmptyState, 'letters-empty')).toBeDefined();
    expect(addAlert).toHaveBeenCalledWith({
      type: 'success',
      message: 'Discarded: the record stays as it is on both sides.',
    });
    expect(bridge.refused).toEqual([]);
    expect(bridge.forwarded.every((call) => call.status === 200)).toBe(true);
  });

  it('sets a daily HubSpot cap from the health tab; the server refuses 0, naming the field', async () => {
    const renderer = asAdmin();
    const { findByTestId, waitFor, bridge, addAlert } = renderer;
    await openTab(renderer, 'health');
    await waitFor(() => expect(findByTestId(Tile, 'budget-hubspot')).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    expect(textOf(findByTestId(StatusTag, 'budget-hubspot-state'))).toBe('OK');
    fire(findByTestId(NumberInput, 'budget-hubspot-limit'), 'onChange', 0);
    findByTestId(Button, 'budget-hubspot-save').trigger('onClick');
    await waitFor(
      () =>
        expect(findByTestId(NumberInput, 'budget-hubspot-limit').props.validationMessage).toBe(
          'dailyLimit must be at least 1 call per day (null clears the cap)',
        ),
      { timeoutInMs: 5_000 },
    );
    fire(findByTestId(NumberInput, 'budget-hubspot-limit'), 'onChange', 5_000);
    findByTestId(Button, 'budget-hubspot-save').trigger('onClick');
    await waitFor(() => expect(addAlert).toHaveBeenCalled(), { timeoutInMs: 5_000 });
    expect(findByTestId(Text, 'budget-hubspot-usage').text).toMatch(
      /^\d+ of 5000 calls today \(\d{4}-\d{2}-\d{2}\); back-fills pause at 3750$/,
    );
    const [stored] = await h.server.services.db
      .select()
      .from(apiBudgets)
      .where(eq(apiBudgets.installationId, h.installationId));
    expect(stored).toMatchObject({ provider: 'hubspot', dailyLimit: 5_000, reservePercent: 25 });
    expect(bridge.forwarded.map((call) => call.status)).toContain(400);
    expect(bridge.refused).toEqual([]);
  });

  it("lists a Salesforce account's identity review and links it to the chosen company", async () => {
    const [review] = await h.server.services.db
      .insert(idLinks)
      .values({
        installationId: h.installationId,
        objectKind: 'customer',
        salesforceId: '001A0000000077AAAA',
        status: 'pending_review',
        review: {
          reason: 'several HubSpot companies match this account',
          record: { name: 'Soylent', domain: 'soylent.example' },
          candidates: ['9101', '9102'].map((hubspotId) => ({
            hubspotId,
            name: `Soylent ${hubspotId}`,
            domain: 'soylent.example',
            matchedOn: ['domain'],
          })),
        },
      })
      .returning({ id: idLinks.id });
    const id = review?.id ?? '';
    const renderer = asAdmin();
    const { findByTestId, maybeFindByTestId, waitFor, bridge } = renderer;
    await openTab(renderer, 'reviews');
    await waitFor(() => expect(findByTestId(Tile, `review-${id}`)).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    expect(textOf(findByTestId(Tile, `review-${id}`))).toContain(
      'Salesforce account: Soylent · soylent.example',
    );
    findByTestId(Button, `link-${id}-9102`).trigger('onClick');
    await waitFor(() => expect(maybeFindByTestId(Tile, `review-${id}`)).toBeNull(), {
      timeoutInMs: 5_000,
    });
    const [link] = await h.server.services.db.select().from(idLinks).where(eq(idLinks.id, id));
    expect(link).toMatchObject({ status: 'linked', hubspotId: '9102' });
    expect(bridge.refused).toEqual([]);
  });

  it("picks field pairs from the portal's and the org's real fields, dry-runs, then saves", async () => {
    const renderer = asAdmin();
    const { findByTestId, waitFor, bridge, addAlert } = renderer;
    await openTab(renderer, 'mappings');
    await waitFor(() => expect(findByTestId(Select, 'mapping-hubspot-0')).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(Text, 'mappings-version').text).toBe(
      'The default mapping is in force (never changed).',
    );
    const hubspotOptions = findByTestId(Select, 'mapping-hubspot-0').props.options as {
      value: string;
    }[];
    const salesforceOptions = findByTestId(Select, 'mapping-salesforce-0').props.options as {
      value: string;
    }[];
    expect(hubspotOptions.map((o) => o.value)).toEqual(
      expect.arrayContaining(['dealname', 'amount', 'description']),
    );
    expect(salesforceOptions.map((o) => o.value)).toEqual(
      expect.arrayContaining(['Name', 'Amount', 'Description']),
    );

    findByTestId(Button, 'mapping-add').trigger('onClick');
    await waitFor(() => expect(findByTestId(Select, 'mapping-hubspot-9')).toBeDefined());
    fire(findByTestId(Select, 'mapping-hubspot-9'), 'onChange', 'description');
    fire(findByTestId(Select, 'mapping-salesforce-9'), 'onChange', 'Description');
    fire(findByTestId(Select, 'mapping-direction-9'), 'onChange', 'hubspot_to_salesforce');
    findByTestId(Button, 'mapping-dry-run').trigger('onClick');
    await waitFor(() => expect(findByTestId(Text, 'dry-run-summary')).toBeDefined(), {
      timeoutInMs: 5_000,
    });
    expect(findByTestId(Text, 'dry-run-summary').text).toBe(
      'From 0 of 0 linked records read now: 0 HubSpot and 0 Salesforce field writes.',
    );
    findByTestId(Button, 'mapping-save').trigger('onClick');
    await waitFor(() => expect(addAlert).toHaveBeenCalled(), { timeoutInMs: 5_000 });
    expect(addAlert.mock.calls[0]?.[0]).toEqual({
      type: 'success',
      message: 'Mapping version 1 saved; 0 linked records are being synced again with it.',
    });
    await waitFor(
      () =>
        expect(findByTestId(Text, 'mappings-version').text).toMatch(
          /^Version 1 is in force, saved by rep@example.com on \d{4}-\d{2}-\d{2}\.$/,
        ),
      { timeoutInMs: 5_000 },
    );
    // The editor reopens on the saved version and reads the fields again (cached a minute).
    await waitFor(
      () => expect(findByTestId(Select, 'mapping-hubspot-9').props.value).toBe('description'),
      {
        timeoutInMs: 5_000,
      },
    );
    expect(bridge.refused).toEqual([]);
    expect(bridge.forwarded.map((call) => `${call.method} ${call.status}`)).toEqual(
      expect.arrayContaining(['POST 200', 'PUT 201']),
    );
  });
});
