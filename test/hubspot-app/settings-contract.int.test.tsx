import {
  Alert,
  Button,
  Input,
  Link,
  NumberInput,
  Select,
  StatusTag,
  Tabs,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { settingsApiFor } from '../../hubspot-app/src/app/settings/api.ts';
import { PartnerbridgeSettings } from '../../hubspot-app/src/app/settings/panels/PartnerbridgeSettings.tsx';
import { INSTALLER_USER_ID, installPortal, seedAcmeScenario } from '../server/cards/support.ts';
import { manualClock, startTestServer, type TestServer } from '../support/server.ts';
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

function renderSettings() {
  const bridge = bridgeHubspotFetch(server, {
    origin,
    portalId: PORTAL,
    userId: INSTALLER_USER_ID,
    clock,
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
