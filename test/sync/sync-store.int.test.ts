import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertHubspotInstallation } from '../../server/src/installs/installations.ts';
import { loadShadows, saveShadows } from '../../server/src/sync/sync-store.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Write shadows are common values (text or null): what was stored is what is compared, even
// when the text looks like JSON (a number, a boolean, an array).

describe('write shadows', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ web: false });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('round-trip as the text they were, never as the JSON value that text spells', async () => {
    const db = server.services.db;
    const installation = await upsertHubspotInstallation(db, {
      portalId: '9001',
      appId: '4242',
      hubDomain: 'shadows.example',
      scopes: [],
      installedBy: 'tester',
    });
    const fields = {
      amount: '102',
      big: '12345678901234567890.125',
      flag: 'true',
      list: '[1,2]',
      quoted: 'Acme "X"',
      blank: null,
    };
    await saveShadows(db, installation.id, 'deal', 'hubspot', '42', fields, new Date());
    const loaded = await loadShadows(db, installation.id, 'deal', [
      { system: 'hubspot', recordId: '42' },
    ]);
    expect(loaded.get('hubspot:42')).toEqual(fields);
  });
});
