import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  opportunityFor,
  type SyncHarness,
  startSyncHarness,
} from './support/sync-harness.ts';

describe('two-way deal sync through the sandboxes', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a deal created in HubSpot becomes an opportunity, and edits follow', async () => {
    const deal = h.hubspot.control.userCreate(h.portalId, 'deal', {
      dealname: 'Acme expansion',
      amount: '1200.50',
      dealstage: 'qualifiedtobuy',
      closedate: '2026-12-01T00:00:00.000Z',
    });
    await eventually(() => {
      const opportunity = opportunityFor(h, deal.id);
      expect(opportunity).toMatchObject({
        Name: 'Acme expansion',
        Amount: 1200.5,
        StageName: 'Qualification',
        CloseDate: '2026-12-01',
      });
    });
    await eventually(() => {
      const record = h.hubspot.control.getRecord(h.portalId, 'deal', deal.id);
      expect(record?.properties.pb_salesforce_opportunity_id).toBe(opportunityFor(h, deal.id).Id);
    });
    h.hubspot.control.userEdit(h.portalId, 'deal', deal.id, { dealname: 'Acme expansion II' });
    await eventually(() => {
      expect(opportunityFor(h, deal.id).Name).toBe('Acme expansion II');
    });
  });
});
