import { type DealView, dealViewSchema } from '@partnerbridge/shared/api';
import {
  hubspotDefaultPipeline,
  hubspotPartnerAssociationLabels,
} from '@partnerbridge/shared/crm-fields';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  normalizeSubtype,
  upsertDeal,
  upsertImportedTag,
  upsertPartner,
} from '../../../server/src/cards/projection.ts';
import { reconcileInstallationNow } from '../../../server/src/cards/reconcile.ts';
import {
  type HubspotSandbox,
  type PublicObject,
  startHubspotSandbox,
} from '../../sandboxes/hubspot/index.ts';
import { manualClock, startTestServer, type TestServer } from '../../support/server.ts';
import { callCard, installPortal } from './support.ts';

// The seeded demo program, end to end: a few demo deals are read from the HubSpot sandbox (its
// control API, no HTTP calls), written into the projection with the repository functions the sync
// engine uses, and the deal card's signed request answers with what the core computed.

const ASOF = '2026-03-10';
const PRIMARY_COMPANY = 5;

function minorUnits(amount: string): number {
  const [whole = '0', fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

/** The rate the default program pays a technology partner for a motion (crm alliances first). */
function expectedRate(subtype: string, motion: string): string {
  if (subtype === 'crm' && motion === 'referral') return '0.15';
  if (subtype === 'crm' && motion === 'co_sell') return '0.20';
  return { referral: '0.10', co_sell: '0.20', white_label: '0.30' }[motion] ?? '0';
}

/** amount × rate (two decimals), rounded half-to-even like the core. */
function commissionOf(amountMinor: number, rate: string): number {
  const exact = amountMinor * Number(rate.replace('0.', ''));
  const whole = Math.floor(exact / 100);
  const rest = exact % 100;
  return rest > 50 || (rest === 50 && whole % 2 === 1) ? whole + 1 : whole;
}

describe('deal card over the seeded demo program', () => {
  const clock = manualClock(Date.UTC(2026, 2, 10, 12));
  let sandbox: HubspotSandbox;
  let server: TestServer;
  let portalId: string;
  const imported: { deal: PublicObject; partner: PublicObject }[] = [];

  beforeAll(async () => {
    sandbox = await startHubspotSandbox({
      clock: () => clock.now(),
      demo: { deals: 400, asOf: `${ASOF}T00:00:00.000Z` },
    });
    server = await startTestServer({ clock });
    const demo = sandbox.demo;
    if (demo === undefined) throw new Error('the sandbox seeds a demo portal');
    portalId = String(demo.portalId);
    const installation = await installPortal(server.services.db, portalId);
    const { control } = sandbox;
    const companies = new Map(
      control.listRecords(demo.portalId, 'company').map((company) => [company.id, company]),
    );
    const labels = new Map<string, 'sourced' | 'influenced'>(
      hubspotPartnerAssociationLabels.map((label) => [label.label, label.role]),
    );
    // Won USD deals sourced by a technology partner: paid by motion, whatever the partner's tier.
    const candidates = control.listRecords(demo.portalId, 'deal').filter((deal) => {
      const partner = companies.get(deal.properties.pb_partner_company_id ?? '');
      return (
        deal.properties.dealstage === 'closedwon' &&
        deal.properties.deal_currency_code === 'USD' &&
        deal.properties.pb_partner_role === 'sourced' &&
        deal.properties.pb_partner_motion !== 'enterprise' &&
        partner?.properties.pb_partner_type === 'technology'
      );
    });
    expect(candidates.length).toBeGreaterThan(3);

    for (const record of candidates.slice(0, 3)) {
      const deal = control.getRecord(demo.portalId, 'deal', record.id);
      if (deal === undefined) throw new Error('listed deal exists');
      const associations = control.associations(demo.portalId, 'deal', deal.id);
      const customerId = associations.find((association) =>
        association.associationTypes.some((type) => type.typeId === PRIMARY_COMPANY),
      )?.toObjectId;
      const customer = customerId === undefined ? undefined : companies.get(customerId);
      const stage = hubspotDefaultPipeline.stages.find(
        (entry) => entry.id === deal.properties.dealstage,
      );
      const dealRow = await upsertDeal(server.services.db, installation.id, {
        hubspotDealId: deal.id,
        name: deal.properties.dealname ?? '',
        amountMinor: minorUnits(deal.properties.amount ?? '0'),
        currency: deal.properties.deal_currency_code ?? 'USD',
        pipelineId: deal.properties.pipeline ?? null,
        stageId: deal.properties.dealstage ?? null,
        stageCategory: stage?.category ?? 'open',
        createdOn: (deal.properties.createdate ?? '').slice(0, 10),
        closeDate: (deal.properties.closedate ?? '').slice(0, 10),
        probability: stage?.probability ?? '0',
        dealType: deal.properties.dealtype ?? 'newbusiness',
        customer: { hubspotCompanyId: customerId ?? null, name: customer?.properties.name ?? null },
      });
      for (const association of associations) {
        const label = association.associationTypes.find((type) =>
          labels.has(type.label ?? ''),
        )?.label;
        const company = companies.get(association.toObjectId);
        if (label === undefined || company === undefined) continue;
        const partner = await upsertPartner(server.services.db, installation.id, {
          hubspotCompanyId: company.id,
          name: company.properties.name ?? '',
          type: company.properties.pb_partner_type as 'technology',
          subtype: normalizeSubtype(company.properties.pb_partner_subtype ?? ''),
          joinedOn: company.properties.pb_partner_since ?? ASOF,
          certifiedSalespeople: Number(company.properties.pb_certified_salespeople ?? 0),
          trainingLevel: (company.properties.pb_training_level ?? 'none') as 'none',
          strategicAgreementSigned: company.properties.pb_agreement_signed === 'true',
        });
        const primary = company.id === deal.properties.pb_partner_company_id;
        await upsertImportedTag(server.services.db, installation.id, {
          dealId: dealRow.id,
          partnerId: partner.id,
          role: labels.get(label) ?? 'influenced',
          motion: primary ? (deal.properties.pb_partner_motion as 'referral') : 'referral',
          touchedAt: new Date(deal.properties.createdate ?? `${ASOF}T00:00:00Z`),
          taggedBy: 'hubspot-import',
          source: 'import',
        });
        if (primary) imported.push({ deal, partner: company });
      }
    }
    await reconcileInstallationNow(server.services.db, installation.id, ASOF);
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.stop();
  });

  it('answers a signed deal view with the commission the core computed from the demo data', async () => {
    expect(imported).toHaveLength(3);
    for (const { deal, partner } of imported) {
      const response = await callCard<DealView>(server, {
        path: `/api/v1/deals/${deal.id}`,
        portalId,
      });
      expect(response.status).toBe(200);
      const view = dealViewSchema.parse(response.body);
      const amountMinor = minorUnits(deal.properties.amount ?? '0');
      expect(view.deal).toMatchObject({
        hubspotDealId: deal.id,
        name: deal.properties.dealname,
        stage: 'won',
        amount: { amountMinor, currency: 'USD' },
      });
      expect(view.attribution).toMatchObject({ status: 'computed', model: 'sourced_takes_all' });
      const commission = view.commissions.find(
        (entry) => entry.partnerName === partner.properties.name,
      );
      const rate = expectedRate(
        normalizeSubtype(partner.properties.pb_partner_subtype ?? ''),
        deal.properties.pb_partner_motion ?? '',
      );
      expect(commission).toMatchObject({ kind: 'commission', rate, status: expect.any(String) });
      if (commission?.kind !== 'commission') throw new Error('a commission is computed');
      expect(commission.total.amountMinor).toBe(commissionOf(amountMinor, rate));
      expect(commission.explanation).toContain(`= ${commission.total.formatted}`);
      expect(['pending', 'payable']).toContain(commission.status);
      expect(commission.ledger?.lines[0]).toMatchObject({ kind: 'accrual' });
    }
  });
});
