import {
  HUBSPOT_PROPERTY_GROUP,
  hubspotPartnerAssociationLabels,
} from '@partnerbridge/shared/crm-fields';
import type { DemoDeal, DemoProgram } from '../seed/demo-program.ts';
import { DEAL_TO_COMPANY_PRIMARY } from './association-store.ts';
import type { CrmStore, Portal, WriteOptions } from './crm-store.ts';
import { HubspotError } from './errors.ts';
import type { ObjectTypeName } from './object-types.ts';
import { buildPropertyDefinition, propertyCreateSchema } from './properties-routes.ts';
import { partnerbridgeGroup, partnerbridgePropertyInputs } from './property-catalog.ts';

// Renders the neutral demo program into a portal that looks like Partnerbridge is installed:
// the `partnerbridge` property group, our custom properties and association labels exist;
// partners are companies flagged as partners; deals carry their partner tags as properties
// and labelled associations. Tier and commission properties stay empty (Partnerbridge
// computes them), and so do the pb_salesforce_* ids.

export type DemoSeedResult = {
  companies: Map<string, string>;
  deals: Map<string, string>;
};

const DAY_MS = 86_400_000;

const seedWrite: WriteOptions = {
  source: { changeSource: 'IMPORT', sourceId: 'sandbox-demo-seed', userId: undefined },
  silent: true,
};

const minorDigits: Record<string, number> = { JPY: 0 };

/** Creates Partnerbridge's property group, properties and association labels (idempotent). */
export function installPartnerbridgeSchema(store: CrmStore, portal: Portal): void {
  for (const type of ['deal', 'company'] as const satisfies readonly ObjectTypeName[]) {
    if (!portal.groups[type].has(HUBSPOT_PROPERTY_GROUP.name)) {
      store.addGroup(portal, type, { ...partnerbridgeGroup });
    }
    for (const input of partnerbridgePropertyInputs(type)) {
      if (portal.properties[type].has(input.name)) continue;
      const body = propertyCreateSchema.parse({
        ...input,
        groupName: HUBSPOT_PROPERTY_GROUP.name,
        options: input.options?.map((option) => ({ ...option })),
      });
      const definition = buildPropertyDefinition(store, portal, type, body);
      if (definition instanceof HubspotError) throw definition;
      store.addProperty(portal, type, definition);
    }
  }
  for (const label of hubspotPartnerAssociationLabels) {
    if (portal.associations.definitions.some((definition) => definition.name === label.name))
      continue;
    portal.associations.createLabel({ name: label.name, label: label.label });
  }
}

function amountString(amountMinor: number, currency: string): string {
  const digits = minorDigits[currency] ?? 2;
  if (digits === 0) return String(amountMinor);
  const scale = 10 ** digits;
  const major = Math.floor(amountMinor / scale);
  const minor = String(amountMinor % scale).padStart(digits, '0');
  return `${major}.${minor}`;
}

function createValidated(
  store: CrmStore,
  portal: Portal,
  type: ObjectTypeName,
  properties: Record<string, string>,
  createdAt: number,
): string {
  const validated = store.validate(portal, type, properties);
  if (validated.errors.length > 0) {
    throw new Error(
      `demo seed produced invalid ${type} values: ${JSON.stringify(validated.errors)}`,
    );
  }
  return store.create(portal, type, validated.values, seedWrite, createdAt).id;
}

function labelTypeId(portal: Portal, role: 'sourced' | 'influenced'): number {
  const name = hubspotPartnerAssociationLabels.find((label) => label.role === role)?.name;
  const definition = portal.associations.definitions.find((candidate) => candidate.name === name);
  if (definition === undefined)
    throw new Error(`association label for ${role} partners is missing`);
  return definition.dealToCompany;
}

/** Seeds the program; returns the HubSpot ids by demo key (deals only for those HubSpot holds). */
export function seedDemoProgram(
  store: CrmStore,
  portal: Portal,
  program: DemoProgram,
): DemoSeedResult {
  installPartnerbridgeSchema(store, portal);
  const companies = new Map<string, string>();
  const deals = new Map<string, string>();
  const hubspotDeals = program.deals.filter((deal) => deal.presence !== 'salesforce');
  const firstDealAt = new Map<string, number>();
  const wonCustomers = new Set<string>();
  for (const deal of hubspotDeals) {
    const created = Date.parse(deal.createdAt);
    firstDealAt.set(
      deal.customerKey,
      Math.min(firstDealAt.get(deal.customerKey) ?? created, created),
    );
    if (deal.category === 'won') wonCustomers.add(deal.customerKey);
  }
  const asOf = Date.parse(program.asOf);

  for (const partner of program.partners) {
    const since = Date.parse(`${partner.partnerSince}T00:00:00Z`);
    const id = createValidated(
      store,
      portal,
      'company',
      {
        name: partner.name,
        domain: partner.domain,
        industry: partner.industry,
        country: partner.country,
        type: 'PARTNER',
        pb_is_partner: 'true',
        pb_partner_type: partner.type,
        pb_partner_subtype: partner.subtype,
        pb_certified_salespeople: String(partner.certifiedSalespeople),
        pb_training_level: partner.trainingLevel,
        pb_agreement_signed: String(partner.agreementSigned),
        pb_partner_since: partner.partnerSince,
      },
      since,
    );
    companies.set(partner.key, id);
  }

  for (const customer of program.customers) {
    const createdAt = (firstDealAt.get(customer.key) ?? asOf - 400 * DAY_MS) - DAY_MS;
    const id = createValidated(
      store,
      portal,
      'company',
      {
        name: customer.name,
        domain: customer.domain,
        industry: customer.industry,
        country: customer.country,
        lifecyclestage: wonCustomers.has(customer.key) ? 'customer' : 'opportunity',
      },
      createdAt,
    );
    companies.set(customer.key, id);
  }

  for (const deal of hubspotDeals) {
    deals.set(deal.key, seedDeal(store, portal, deal, companies));
  }
  return { companies, deals };
}

function seedDeal(
  store: CrmStore,
  portal: Portal,
  deal: DemoDeal,
  companies: ReadonlyMap<string, string>,
): string {
  const primaryTag = deal.tags.find((tag) => tag.role === 'sourced') ?? deal.tags[0];
  const properties: Record<string, string> = {
    dealname: deal.name,
    amount: amountString(deal.amountMinor, deal.currency),
    deal_currency_code: deal.currency,
    pipeline: 'default',
    dealstage: deal.hubspotStage,
    closedate: `${deal.closeDate}T00:00:00.000Z`,
    createdate: deal.createdAt,
    dealtype: deal.dealType,
  };
  if (primaryTag !== undefined) {
    const partnerId = companies.get(primaryTag.partnerKey);
    if (partnerId === undefined) throw new Error(`unknown partner ${primaryTag.partnerKey}`);
    properties.pb_partner_company_id = partnerId;
    properties.pb_partner_role = primaryTag.role;
    properties.pb_partner_motion = primaryTag.motion;
  }
  const id = createValidated(store, portal, 'deal', properties, Date.parse(deal.createdAt));
  const customerId = companies.get(deal.customerKey);
  if (customerId === undefined) throw new Error(`unknown customer ${deal.customerKey}`);
  store.associate(portal, 'deal', id, customerId, [DEAL_TO_COMPANY_PRIMARY], seedWrite);
  for (const tag of deal.tags) {
    const partnerId = companies.get(tag.partnerKey);
    if (partnerId === undefined) throw new Error(`unknown partner ${tag.partnerKey}`);
    store.associate(portal, 'deal', id, partnerId, [labelTypeId(portal, tag.role)], seedWrite);
  }
  return id;
}
