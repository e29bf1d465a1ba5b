import {
  type SalesforceFieldDefinition,
  salesforceAccountFields,
  salesforceOpportunityFields,
} from '@partnerbridge/shared/crm-fields';
import type { DemoCustomer, DemoDeal, DemoPartner, DemoProgram } from '../../seed/demo-program.ts';
import { transact, type WriteContext } from '../dml/dml.ts';
import { DAY_MS, dateToMs } from '../format.ts';
import { metadataForDefinition } from '../schema/custom-fields.ts';
import { createCustomField } from '../store/custom-fields.ts';
import type { Org } from '../store/org.ts';

// Renders the neutral demo program into Salesforce records: partner and customer Accounts and
// Opportunities, in an org where Partnerbridge's `PB_` fields are provisioned. Records are written
// through the same validation as API writes, dated as the program says, without change events.

export type HubspotIdMaps = {
  /** Demo company key (partner or customer) → HubSpot company id. */
  companies: ReadonlyMap<string, string>;
  /** Demo deal key → HubSpot deal id. */
  deals: ReadonlyMap<string, string>;
};

export type SeededIds = {
  /** Demo company key → Account id. */
  accounts: Map<string, string>;
  /** Demo deal key → Opportunity id. */
  opportunities: Map<string, string>;
};

const industryMap: Record<string, string> = {
  COMPUTER_SOFTWARE: 'Technology',
  MARKETING_AND_ADVERTISING: 'Media',
  FINANCIAL_SERVICES: 'Finance',
  HOSPITAL_HEALTH_CARE: 'Healthcare',
  RETAIL: 'Retail',
  LOGISTICS_AND_SUPPLY_CHAIN: 'Transportation',
  EDUCATION_MANAGEMENT: 'Education',
  CONSUMER_GOODS: 'Manufacturing',
};

const partnerAccountType: Record<DemoPartner['type'], string> = {
  channel: 'Channel Partner / Reseller',
  technology: 'Technology Partner',
  strategic: 'Installation Partner',
  content: 'Other',
};

const minorUnits: Record<string, number> = { JPY: 1 };

/** Creates Partnerbridge's custom fields on Account and Opportunity where they are missing. */
export function provisionPartnerbridgeFields(org: Org, userId: string, now: number): void {
  const provision = (sobject: string, definitions: readonly SalesforceFieldDefinition[]) => {
    const object = org.object(sobject);
    if (object === undefined) return;
    for (const definition of definitions) {
      if (org.hasField(sobject, definition.name)) continue;
      createCustomField(
        org,
        `${sobject}.${definition.name}`,
        metadataForDefinition(object, definition),
        userId,
        now,
      );
    }
  };
  provision('Account', salesforceAccountFields);
  provision('Opportunity', salesforceOpportunityFields);
}

function partnerFields(partner: DemoPartner, hubspotId: string | undefined) {
  return {
    Name: partner.name,
    Website: `https://${partner.domain}`,
    Industry: industryMap[partner.industry] ?? 'Other',
    BillingCountry: partner.country,
    Type: partnerAccountType[partner.type],
    PB_Is_Partner__c: true,
    PB_Partner_Type__c: partner.type,
    PB_Partner_Subtype__c: partner.subtype,
    PB_Partner_Tier__c: partner.targetTier,
    PB_Certified_Salespeople__c: partner.certifiedSalespeople,
    PB_Training_Level__c: partner.trainingLevel,
    PB_Agreement_Signed__c: partner.agreementSigned,
    PB_Partner_Since__c: partner.partnerSince,
    PB_HubSpot_Company_Id__c: partner.salesforce === 'linked' ? (hubspotId ?? null) : null,
  };
}

function customerFields(customer: DemoCustomer, hubspotId: string | undefined) {
  return {
    Name: customer.name,
    Website: `https://${customer.domain}`,
    Industry: industryMap[customer.industry] ?? 'Other',
    BillingCountry: customer.country,
    Type: 'Customer - Direct',
    PB_Is_Partner__c: false,
    PB_HubSpot_Company_Id__c: customer.salesforce === 'linked' ? (hubspotId ?? null) : null,
  };
}

function opportunityFields(
  deal: DemoDeal,
  accountId: string,
  partnerAccounts: ReadonlyMap<string, string>,
  hubspotId: string | undefined,
) {
  const tag = deal.tags.find((t) => t.role === 'sourced') ?? deal.tags[0];
  const partnerAccountId = tag === undefined ? undefined : partnerAccounts.get(tag.partnerKey);
  return {
    Name: deal.name,
    AccountId: accountId,
    StageName: deal.salesforceStage,
    CloseDate: deal.closeDate,
    Amount: deal.amountMinor / (minorUnits[deal.currency] ?? 100),
    CurrencyIsoCode: deal.currency,
    Type: deal.dealType === 'newbusiness' ? 'New Customer' : 'Existing Customer - Upgrade',
    PB_HubSpot_Deal_Id__c: deal.presence === 'both' ? (hubspotId ?? null) : null,
    PB_Partner_Account__c: partnerAccountId ?? null,
    PB_Partner_Role__c: partnerAccountId === undefined ? null : (tag?.role ?? null),
    PB_Partner_Motion__c: partnerAccountId === undefined ? null : (tag?.motion ?? null),
  };
}

/**
 * Seeds the demo program into `org` (provisioning the PB_ fields first). Linked companies and
 * `both` deals carry the HubSpot ids from `hubspotIds` (left empty when a key is missing).
 */
export function seedDemo(
  org: Org,
  program: DemoProgram,
  hubspotIds: HubspotIdMaps,
  now: number,
): SeededIds {
  provisionPartnerbridgeFields(org, org.users.admin, now);
  const account = org.object('Account');
  const opportunity = org.object('Opportunity');
  if (account === undefined || opportunity === undefined)
    throw new Error('standard objects missing');
  const asOf = Date.parse(program.asOf);
  const context: WriteContext = {
    org,
    userId: org.users.salesRep,
    now,
    source: { kind: 'seed' },
  };
  const accounts = new Map<string, string>();
  const opportunities = new Map<string, string>();
  const at = (ms: number) => Math.min(ms, now);
  transact(context, (session) => {
    for (const partner of program.partners) {
      context.now = at(dateToMs(partner.partnerSince));
      accounts.set(
        partner.key,
        session.create(account, partnerFields(partner, hubspotIds.companies.get(partner.key))),
      );
    }
    program.customers.forEach((customer, index) => {
      if (customer.salesforce === 'absent') return;
      context.now = at(asOf - (400 + (index % 400)) * DAY_MS);
      accounts.set(
        customer.key,
        session.create(account, customerFields(customer, hubspotIds.companies.get(customer.key))),
      );
    });
    const partnerAccounts = new Map(
      program.partners.flatMap((p) => {
        const id = accounts.get(p.key);
        return id === undefined ? [] : [[p.key, id] as const];
      }),
    );
    for (const deal of program.deals) {
      if (deal.presence === 'hubspot') continue;
      const accountId = accounts.get(deal.customerKey);
      if (accountId === undefined) continue;
      context.now = at(Date.parse(deal.createdAt));
      opportunities.set(
        deal.key,
        session.create(
          opportunity,
          opportunityFields(deal, accountId, partnerAccounts, hubspotIds.deals.get(deal.key)),
        ),
      );
    }
  });
  return { accounts, opportunities };
}
