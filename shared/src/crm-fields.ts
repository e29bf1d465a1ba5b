// The CRM vocabulary Partnerbridge relies on: the standard HubSpot properties and Salesforce fields
// we read, and the custom ones we provision on install (HubSpot property group `partnerbridge`,
// Salesforce fields prefixed `PB_`). Pure data, shared by the connector, the server and the
// sandboxes so that all of them agree on names.

export const partnerTypeValues = ['technology', 'channel', 'strategic', 'content'] as const;
export const partnerRoleValues = ['sourced', 'influenced'] as const;
export const motionValues = ['referral', 'co_sell', 'white_label', 'enterprise'] as const;
export const tierValues = ['registered', 'bronze', 'silver', 'gold', 'platinum'] as const;
export const trainingLevelValues = ['none', 'basic', 'advanced', 'expert'] as const;

type Option = { readonly label: string; readonly value: string };

const options = (values: readonly string[]): readonly Option[] =>
  values.map((value) => ({
    value,
    label: value
      .split('_')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join('-'),
  }));

export const HUBSPOT_PROPERTY_GROUP = { name: 'partnerbridge', label: 'Partnerbridge' } as const;

export type HubspotPropertyDefinition = {
  readonly name: string;
  readonly label: string;
  readonly type: 'bool' | 'date' | 'datetime' | 'enumeration' | 'number' | 'string';
  readonly fieldType: 'booleancheckbox' | 'date' | 'number' | 'select' | 'text' | 'textarea';
  readonly options?: readonly Option[];
  readonly hasUniqueValue?: boolean;
};

const yesNo: readonly Option[] = [
  { label: 'Yes', value: 'true' },
  { label: 'No', value: 'false' },
];

/** Custom company properties Partnerbridge provisions in a HubSpot portal. */
export const hubspotCompanyProperties = [
  {
    name: 'pb_is_partner',
    label: 'Is a partner',
    type: 'bool',
    fieldType: 'booleancheckbox',
    options: yesNo,
  },
  {
    name: 'pb_partner_type',
    label: 'Partner type',
    type: 'enumeration',
    fieldType: 'select',
    options: options(partnerTypeValues),
  },
  { name: 'pb_partner_subtype', label: 'Partner subtype', type: 'string', fieldType: 'text' },
  {
    name: 'pb_partner_tier',
    label: 'Partner tier',
    type: 'enumeration',
    fieldType: 'select',
    options: options(tierValues),
  },
  {
    name: 'pb_certified_salespeople',
    label: 'Certified salespeople',
    type: 'number',
    fieldType: 'number',
  },
  {
    name: 'pb_training_level',
    label: 'Training level',
    type: 'enumeration',
    fieldType: 'select',
    options: options(trainingLevelValues),
  },
  {
    name: 'pb_agreement_signed',
    label: 'Strategic agreement signed',
    type: 'bool',
    fieldType: 'booleancheckbox',
    options: yesNo,
  },
  { name: 'pb_partner_since', label: 'Partner since', type: 'date', fieldType: 'date' },
  {
    name: 'pb_salesforce_account_id',
    label: 'Salesforce account id',
    type: 'string',
    fieldType: 'text',
  },
] as const satisfies readonly HubspotPropertyDefinition[];

/** Custom deal properties Partnerbridge provisions in a HubSpot portal. */
export const hubspotDealProperties = [
  {
    name: 'pb_partner_company_id',
    label: 'Primary partner (company id)',
    type: 'string',
    fieldType: 'text',
  },
  {
    name: 'pb_partner_role',
    label: 'Partner role',
    type: 'enumeration',
    fieldType: 'select',
    options: options(partnerRoleValues),
  },
  {
    name: 'pb_partner_motion',
    label: 'Partner motion',
    type: 'enumeration',
    fieldType: 'select',
    options: options(motionValues),
  },
  {
    name: 'pb_partner_commission',
    label: 'Partner commission',
    type: 'number',
    fieldType: 'number',
  },
  {
    name: 'pb_commission_explanation',
    label: 'Commission explanation',
    type: 'string',
    fieldType: 'textarea',
  },
  {
    name: 'pb_salesforce_opportunity_id',
    label: 'Salesforce opportunity id',
    type: 'string',
    fieldType: 'text',
  },
] as const satisfies readonly HubspotPropertyDefinition[];

/** Deal → company association labels used to record partner tags natively in HubSpot. */
export const hubspotPartnerAssociationLabels = [
  { name: 'pb_sourced_partner', label: 'Sourced partner', role: 'sourced' },
  { name: 'pb_influencing_partner', label: 'Influencing partner', role: 'influenced' },
] as const;

/** HubSpot's default sales pipeline, with the stage ids the API uses. */
export const hubspotDefaultPipeline = {
  id: 'default',
  stages: [
    {
      id: 'appointmentscheduled',
      label: 'Appointment scheduled',
      probability: '0.2',
      category: 'open',
    },
    { id: 'qualifiedtobuy', label: 'Qualified to buy', probability: '0.4', category: 'open' },
    {
      id: 'presentationscheduled',
      label: 'Presentation scheduled',
      probability: '0.6',
      category: 'open',
    },
    {
      id: 'decisionmakerboughtin',
      label: 'Decision maker bought-in',
      probability: '0.8',
      category: 'open',
    },
    { id: 'contractsent', label: 'Contract sent', probability: '0.9', category: 'open' },
    { id: 'closedwon', label: 'Closed won', probability: '1', category: 'won' },
    { id: 'closedlost', label: 'Closed lost', probability: '0', category: 'lost' },
  ],
} as const;

/** Standard HubSpot properties Partnerbridge reads. */
export const hubspotStandardProperties = {
  deal: [
    'dealname',
    'amount',
    'deal_currency_code',
    'dealstage',
    'pipeline',
    'closedate',
    'createdate',
    'dealtype',
    'hs_lastmodifieddate',
    'hs_object_id',
  ],
  company: ['name', 'domain', 'industry', 'country', 'type', 'hs_lastmodifieddate', 'hs_object_id'],
} as const;

export type SalesforceFieldDefinition = {
  readonly name: string;
  readonly label: string;
  readonly type:
    | 'Text'
    | 'Picklist'
    | 'Number'
    | 'Checkbox'
    | 'Date'
    | 'Currency'
    | 'Lookup'
    | 'LongTextArea';
  readonly length?: number;
  readonly precision?: number;
  readonly scale?: number;
  readonly picklistValues?: readonly string[];
  readonly externalId?: boolean;
  readonly unique?: boolean;
  readonly referenceTo?: string;
};

/** Custom Account fields Partnerbridge provisions in a Salesforce org. */
export const salesforceAccountFields = [
  {
    name: 'PB_HubSpot_Company_Id__c',
    label: 'HubSpot company id',
    type: 'Text',
    length: 64,
    externalId: true,
    unique: true,
  },
  { name: 'PB_Is_Partner__c', label: 'Is a partner', type: 'Checkbox' },
  {
    name: 'PB_Partner_Type__c',
    label: 'Partner type',
    type: 'Picklist',
    picklistValues: partnerTypeValues,
  },
  { name: 'PB_Partner_Subtype__c', label: 'Partner subtype', type: 'Text', length: 80 },
  {
    name: 'PB_Partner_Tier__c',
    label: 'Partner tier',
    type: 'Picklist',
    picklistValues: tierValues,
  },
  {
    name: 'PB_Certified_Salespeople__c',
    label: 'Certified salespeople',
    type: 'Number',
    precision: 6,
    scale: 0,
  },
  {
    name: 'PB_Training_Level__c',
    label: 'Training level',
    type: 'Picklist',
    picklistValues: trainingLevelValues,
  },
  { name: 'PB_Agreement_Signed__c', label: 'Strategic agreement signed', type: 'Checkbox' },
  { name: 'PB_Partner_Since__c', label: 'Partner since', type: 'Date' },
] as const satisfies readonly SalesforceFieldDefinition[];

/** Custom Opportunity fields Partnerbridge provisions in a Salesforce org. */
export const salesforceOpportunityFields = [
  {
    name: 'PB_HubSpot_Deal_Id__c',
    label: 'HubSpot deal id',
    type: 'Text',
    length: 64,
    externalId: true,
    unique: true,
  },
  {
    name: 'PB_Partner_Account__c',
    label: 'Partner account',
    type: 'Lookup',
    referenceTo: 'Account',
  },
  {
    name: 'PB_Partner_Role__c',
    label: 'Partner role',
    type: 'Picklist',
    picklistValues: partnerRoleValues,
  },
  {
    name: 'PB_Partner_Motion__c',
    label: 'Partner motion',
    type: 'Picklist',
    picklistValues: motionValues,
  },
  {
    name: 'PB_Partner_Commission__c',
    label: 'Partner commission',
    type: 'Currency',
    precision: 16,
    scale: 2,
  },
  {
    name: 'PB_Commission_Explanation__c',
    label: 'Commission explanation',
    type: 'LongTextArea',
    length: 4000,
  },
] as const satisfies readonly SalesforceFieldDefinition[];

/** Salesforce's default opportunity stages (OpportunityStage), with their flags. */
export const salesforceOpportunityStages = [
  { name: 'Prospecting', probability: '0.1', isClosed: false, isWon: false },
  { name: 'Qualification', probability: '0.1', isClosed: false, isWon: false },
  { name: 'Needs Analysis', probability: '0.2', isClosed: false, isWon: false },
  { name: 'Value Proposition', probability: '0.5', isClosed: false, isWon: false },
  { name: 'Id. Decision Makers', probability: '0.6', isClosed: false, isWon: false },
  { name: 'Perception Analysis', probability: '0.7', isClosed: false, isWon: false },
  { name: 'Proposal/Price Quote', probability: '0.75', isClosed: false, isWon: false },
  { name: 'Negotiation/Review', probability: '0.9', isClosed: false, isWon: false },
  { name: 'Closed Won', probability: '1', isClosed: true, isWon: true },
  { name: 'Closed Lost', probability: '0', isClosed: true, isWon: false },
] as const;

/** Standard Salesforce fields Partnerbridge reads. */
export const salesforceStandardFields = {
  Opportunity: [
    'Id',
    'Name',
    'AccountId',
    'Amount',
    'CurrencyIsoCode',
    'StageName',
    'CloseDate',
    'Probability',
    'Type',
    'IsClosed',
    'IsWon',
    'CreatedDate',
    'LastModifiedDate',
    'SystemModstamp',
    'IsDeleted',
  ],
  Account: [
    'Id',
    'Name',
    'Website',
    'Industry',
    'BillingCountry',
    'Type',
    'LastModifiedDate',
    'SystemModstamp',
    'IsDeleted',
  ],
} as const;

/** The currencies the demo data and sandboxes use; the program currency is USD by default. */
export const demoCurrencies = ['USD', 'EUR', 'GBP', 'CAD', 'JPY'] as const;
