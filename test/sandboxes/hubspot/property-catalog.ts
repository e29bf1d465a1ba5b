import {
  demoCurrencies,
  HUBSPOT_PROPERTY_GROUP,
  type HubspotPropertyDefinition,
  hubspotCompanyProperties,
  hubspotDealProperties,
  hubspotDefaultPipeline,
} from '@partnerbridge/shared/crm-fields';
import type { ObjectTypeName } from './object-types.ts';

// The property definitions a fresh portal has (a realistic subset of HubSpot's standard deal and
// company properties) and the ones Partnerbridge provisions on install.

export const propertyTypes = [
  'bool',
  'date',
  'datetime',
  'enumeration',
  'number',
  'phone_number',
  'string',
] as const;
export type PropertyType = (typeof propertyTypes)[number];

export const fieldTypes = [
  'booleancheckbox',
  'calculation_equation',
  'checkbox',
  'date',
  'file',
  'html',
  'number',
  'phonenumber',
  'radio',
  'select',
  'text',
  'textarea',
] as const;
export type FieldType = (typeof fieldTypes)[number];

export type PropertyOption = {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
  description?: string;
};

export type PropertyDefinition = {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: FieldType;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  hasUniqueValue: boolean;
  hidden: boolean;
  formField: boolean;
  hubspotDefined: boolean;
  calculated: boolean;
  externalOptions: boolean;
  /** Values are maintained by HubSpot; writes are rejected with READ_ONLY_VALUE. */
  readOnlyValue: boolean;
  readOnlyDefinition: boolean;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
};

export type PropertyGroupDefinition = {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
};

type StandardProperty = {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: FieldType;
  group?: string;
  options?: readonly (readonly [value: string, label: string])[];
  readOnly?: boolean;
  calculated?: boolean;
  hidden?: boolean;
  description?: string;
};

const companyTypes = [
  ['PROSPECT', 'Prospect'],
  ['PARTNER', 'Partner'],
  ['RESELLER', 'Reseller'],
  ['VENDOR', 'Vendor'],
  ['OTHER', 'Other'],
] as const;

const lifecycleStages = [
  ['subscriber', 'Subscriber'],
  ['lead', 'Lead'],
  ['marketingqualifiedlead', 'Marketing Qualified Lead'],
  ['salesqualifiedlead', 'Sales Qualified Lead'],
  ['opportunity', 'Opportunity'],
  ['customer', 'Customer'],
  ['evangelist', 'Evangelist'],
  ['other', 'Other'],
] as const;

// A subset of HubSpot's industry picklist, values exactly as the API uses them.
const industries = [
  ['ACCOUNTING', 'Accounting'],
  ['AIRLINES_AVIATION', 'Airlines/Aviation'],
  ['APPAREL_FASHION', 'Apparel & Fashion'],
  ['AUTOMOTIVE', 'Automotive'],
  ['BANKING', 'Banking'],
  ['BIOTECHNOLOGY', 'Biotechnology'],
  ['BUILDING_MATERIALS', 'Building Materials'],
  ['COMPUTER_HARDWARE', 'Computer Hardware'],
  ['COMPUTER_SOFTWARE', 'Computer Software'],
  ['CONSTRUCTION', 'Construction'],
  ['CONSUMER_ELECTRONICS', 'Consumer Electronics'],
  ['CONSUMER_GOODS', 'Consumer Goods'],
  ['CONSUMER_SERVICES', 'Consumer Services'],
  ['EDUCATION_MANAGEMENT', 'Education Management'],
  ['E_LEARNING', 'E-Learning'],
  ['FINANCIAL_SERVICES', 'Financial Services'],
  ['FOOD_BEVERAGES', 'Food & Beverages'],
  ['HOSPITAL_HEALTH_CARE', 'Hospital & Health Care'],
  ['HOSPITALITY', 'Hospitality'],
  ['INFORMATION_TECHNOLOGY_AND_SERVICES', 'Information Technology and Services'],
  ['INSURANCE', 'Insurance'],
  ['INTERNET', 'Internet'],
  ['LOGISTICS_AND_SUPPLY_CHAIN', 'Logistics and Supply Chain'],
  ['MANAGEMENT_CONSULTING', 'Management Consulting'],
  ['MARKETING_AND_ADVERTISING', 'Marketing and Advertising'],
  ['MEDIA_PRODUCTION', 'Media Production'],
  ['REAL_ESTATE', 'Real Estate'],
  ['RETAIL', 'Retail'],
  ['TELECOMMUNICATIONS', 'Telecommunications'],
  ['UTILITIES', 'Utilities'],
] as const;

const currencyLabels: Record<(typeof demoCurrencies)[number], string> = {
  USD: 'US Dollar',
  EUR: 'Euro',
  GBP: 'British Pound',
  CAD: 'Canadian Dollar',
  JPY: 'Japanese Yen',
};

const sharedSystemProperties: readonly StandardProperty[] = [
  {
    name: 'hs_object_id',
    label: 'Record ID',
    type: 'number',
    fieldType: 'number',
    readOnly: true,
    description:
      "The unique ID for this record. This value is set automatically by HubSpot and can't be edited.",
  },
  { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date' },
  {
    name: 'hs_lastmodifieddate',
    label: 'Last Modified Date',
    type: 'datetime',
    fieldType: 'date',
    readOnly: true,
  },
  {
    name: 'hs_merged_object_ids',
    label: 'Merged Record IDs',
    type: 'enumeration',
    fieldType: 'checkbox',
    readOnly: true,
    hidden: true,
  },
];

const standardDealProperties: readonly StandardProperty[] = [
  { name: 'dealname', label: 'Deal Name', type: 'string', fieldType: 'text' },
  { name: 'amount', label: 'Amount', type: 'number', fieldType: 'number' },
  {
    name: 'deal_currency_code',
    label: 'Currency',
    type: 'enumeration',
    fieldType: 'select',
    options: demoCurrencies.map((code) => [code, currencyLabels[code]] as const),
  },
  {
    name: 'pipeline',
    label: 'Pipeline',
    type: 'enumeration',
    fieldType: 'select',
    options: [[hubspotDefaultPipeline.id, 'Sales Pipeline']],
  },
  {
    name: 'dealstage',
    label: 'Deal Stage',
    type: 'enumeration',
    fieldType: 'radio',
    options: hubspotDefaultPipeline.stages.map((stage) => [stage.id, stage.label] as const),
  },
  { name: 'closedate', label: 'Close Date', type: 'datetime', fieldType: 'date' },
  {
    name: 'dealtype',
    label: 'Deal Type',
    type: 'enumeration',
    fieldType: 'radio',
    options: [
      ['newbusiness', 'New Business'],
      ['existingbusiness', 'Existing Business'],
    ],
  },
  { name: 'description', label: 'Deal Description', type: 'string', fieldType: 'textarea' },
  {
    name: 'hs_priority',
    label: 'Priority',
    type: 'enumeration',
    fieldType: 'select',
    options: [
      ['low', 'Low'],
      ['medium', 'Medium'],
      ['high', 'High'],
    ],
  },
  { name: 'closed_won_reason', label: 'Closed Won Reason', type: 'string', fieldType: 'textarea' },
  {
    name: 'closed_lost_reason',
    label: 'Closed Lost Reason',
    type: 'string',
    fieldType: 'textarea',
  },
  {
    name: 'hs_is_closed',
    label: 'Is Deal Closed?',
    type: 'bool',
    fieldType: 'booleancheckbox',
    options: [
      ['true', 'Yes'],
      ['false', 'No'],
    ],
    readOnly: true,
    calculated: true,
  },
  {
    name: 'hs_is_closed_won',
    label: 'Is Closed Won',
    type: 'bool',
    fieldType: 'booleancheckbox',
    options: [
      ['true', 'Yes'],
      ['false', 'No'],
    ],
    readOnly: true,
    calculated: true,
  },
  {
    name: 'hs_deal_stage_probability',
    label: 'Deal Probability',
    type: 'number',
    fieldType: 'number',
    readOnly: true,
    calculated: true,
  },
  ...sharedSystemProperties,
];

const standardCompanyProperties: readonly StandardProperty[] = [
  { name: 'name', label: 'Company name', type: 'string', fieldType: 'text' },
  { name: 'domain', label: 'Company Domain Name', type: 'string', fieldType: 'text' },
  { name: 'website', label: 'Website URL', type: 'string', fieldType: 'text' },
  { name: 'phone', label: 'Phone Number', type: 'string', fieldType: 'phonenumber' },
  {
    name: 'industry',
    label: 'Industry',
    type: 'enumeration',
    fieldType: 'select',
    options: industries,
  },
  { name: 'country', label: 'Country/Region', type: 'string', fieldType: 'text' },
  { name: 'city', label: 'City', type: 'string', fieldType: 'text' },
  { name: 'state', label: 'State/Region', type: 'string', fieldType: 'text' },
  { name: 'description', label: 'Description', type: 'string', fieldType: 'textarea' },
  {
    name: 'numberofemployees',
    label: 'Number of Employees',
    type: 'number',
    fieldType: 'number',
  },
  { name: 'annualrevenue', label: 'Annual Revenue', type: 'number', fieldType: 'number' },
  { name: 'type', label: 'Type', type: 'enumeration', fieldType: 'select', options: companyTypes },
  {
    name: 'lifecyclestage',
    label: 'Lifecycle Stage',
    type: 'enumeration',
    fieldType: 'radio',
    options: lifecycleStages,
  },
  ...sharedSystemProperties,
];

export const standardGroups: Record<ObjectTypeName, PropertyGroupDefinition[]> = {
  deal: [{ name: 'dealinformation', label: 'Deal information', displayOrder: -1, archived: false }],
  company: [
    { name: 'companyinformation', label: 'Company information', displayOrder: -1, archived: false },
  ],
};

function toOptions(options: readonly (readonly [string, string])[] | undefined): PropertyOption[] {
  return (options ?? []).map(([value, label], index) => ({
    value,
    label,
    displayOrder: index,
    hidden: false,
  }));
}

/** The standard properties of a fresh portal, as full definitions. */
export function standardProperties(type: ObjectTypeName, at: number): PropertyDefinition[] {
  const list = type === 'deal' ? standardDealProperties : standardCompanyProperties;
  const group = standardGroups[type][0]?.name ?? 'information';
  return list.map((property, index) => ({
    name: property.name,
    label: property.label,
    type: property.type,
    fieldType: property.fieldType,
    groupName: property.group ?? group,
    description: property.description ?? '',
    options: toOptions(property.options),
    displayOrder: index,
    hasUniqueValue: false,
    hidden: property.hidden ?? false,
    formField: !property.readOnly,
    hubspotDefined: true,
    calculated: property.calculated ?? false,
    externalOptions: false,
    readOnlyValue: property.readOnly ?? false,
    readOnlyDefinition: true,
    archived: false,
    createdAt: at,
    updatedAt: at,
  }));
}

export const partnerbridgeGroup: PropertyGroupDefinition = {
  name: HUBSPOT_PROPERTY_GROUP.name,
  label: HUBSPOT_PROPERTY_GROUP.label,
  displayOrder: 10,
  archived: false,
};

/** Partnerbridge's custom properties (crm-fields.ts) as the property-create bodies we send. */
export function partnerbridgePropertyInputs(
  type: ObjectTypeName,
): readonly HubspotPropertyDefinition[] {
  return type === 'deal' ? hubspotDealProperties : hubspotCompanyProperties;
}
