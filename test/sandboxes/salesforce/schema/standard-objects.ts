import { demoCurrencies, salesforceOpportunityStages } from '@partnerbridge/shared/crm-fields';
import { keyPrefixes } from '../ids.ts';
import { type FieldDef, field, type ObjectDef, picklist, systemField } from './fields.ts';

// The standard objects of a fresh org, reduced to the fields an integration like ours touches.

const auditFields = (): FieldDef[] => [
  systemField({ name: 'IsDeleted', label: 'Deleted', type: 'boolean' }),
  systemField({ name: 'CreatedDate', label: 'Created Date', type: 'datetime', nillable: false }),
  systemField({
    name: 'CreatedById',
    label: 'Created By ID',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'CreatedBy',
    nillable: false,
  }),
  systemField({
    name: 'LastModifiedDate',
    label: 'Last Modified Date',
    type: 'datetime',
    nillable: false,
  }),
  systemField({
    name: 'LastModifiedById',
    label: 'Last Modified By ID',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'LastModifiedBy',
    nillable: false,
  }),
  systemField({
    name: 'SystemModstamp',
    label: 'System Modstamp',
    type: 'datetime',
    nillable: false,
  }),
];

const idField = (label: string): FieldDef =>
  systemField({ name: 'Id', label, type: 'id', nillable: false, idLookup: true });

const ownerField = (): FieldDef =>
  field({
    name: 'OwnerId',
    label: 'Owner ID',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'Owner',
    nillable: false,
    defaultedOnCreate: true,
  });

const currencyField = (currencies: readonly string[]): FieldDef =>
  field({
    name: 'CurrencyIsoCode',
    label: 'Currency ISO Code',
    type: 'picklist',
    length: 3,
    picklistValues: picklist(currencies),
    restrictedPicklist: true,
    nillable: false,
    defaultedOnCreate: true,
  });

const industries = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Other',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
] as const;

export const accountTypes = [
  'Prospect',
  'Customer - Direct',
  'Customer - Channel',
  'Channel Partner / Reseller',
  'Installation Partner',
  'Technology Partner',
  'Other',
] as const;

export const opportunityTypes = [
  'New Customer',
  'Existing Customer - Upgrade',
  'Existing Customer - Replacement',
  'Existing Customer - Downgrade',
] as const;

const leadSources = [
  'Web',
  'Phone Inquiry',
  'Partner Referral',
  'Purchased List',
  'Other',
] as const;

export const forecastCategories = [
  'Omitted',
  'Pipeline',
  'BestCase',
  'Forecast',
  'Closed',
] as const;

function account(currencies: readonly string[] | undefined): ObjectDef {
  return {
    name: 'Account',
    label: 'Account',
    labelPlural: 'Accounts',
    keyPrefix: keyPrefixes.Account,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    undeletable: true,
    queryable: true,
    idFormat: 'salesforce',
    changeEvents: true,
    fields: [
      idField('Account ID'),
      field({
        name: 'Name',
        label: 'Account Name',
        type: 'string',
        nillable: false,
        nameField: true,
      }),
      field({
        name: 'Type',
        label: 'Account Type',
        type: 'picklist',
        length: 255,
        picklistValues: picklist(accountTypes),
      }),
      field({
        name: 'ParentId',
        label: 'Parent Account ID',
        type: 'reference',
        referenceTo: ['Account'],
        relationshipName: 'Parent',
        childRelationshipName: 'ChildAccounts',
      }),
      field({ name: 'BillingStreet', label: 'Billing Street', type: 'textarea' }),
      field({ name: 'BillingCity', label: 'Billing City', type: 'string', length: 40 }),
      field({ name: 'BillingState', label: 'Billing State/Province', type: 'string', length: 80 }),
      field({
        name: 'BillingPostalCode',
        label: 'Billing Zip/Postal Code',
        type: 'string',
        length: 20,
      }),
      field({ name: 'BillingCountry', label: 'Billing Country', type: 'string', length: 80 }),
      field({ name: 'Phone', label: 'Account Phone', type: 'phone', length: 40 }),
      field({ name: 'Website', label: 'Website', type: 'url', length: 255 }),
      field({
        name: 'Industry',
        label: 'Industry',
        type: 'picklist',
        length: 255,
        picklistValues: picklist(industries),
      }),
      field({
        name: 'AnnualRevenue',
        label: 'Annual Revenue',
        type: 'currency',
        precision: 18,
        scale: 0,
      }),
      field({ name: 'NumberOfEmployees', label: 'Employees', type: 'int', digits: 8 }),
      field({
        name: 'Description',
        label: 'Account Description',
        type: 'textarea',
        length: 32000,
        extraTypeInfo: 'plaintextarea',
      }),
      ownerField(),
      ...(currencies === undefined ? [] : [currencyField(currencies)]),
      ...auditFields(),
    ],
  };
}

function opportunity(currencies: readonly string[] | undefined): ObjectDef {
  return {
    name: 'Opportunity',
    label: 'Opportunity',
    labelPlural: 'Opportunities',
    keyPrefix: keyPrefixes.Opportunity,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    undeletable: true,
    queryable: true,
    idFormat: 'salesforce',
    changeEvents: true,
    fields: [
      idField('Opportunity ID'),
      field({
        name: 'AccountId',
        label: 'Account ID',
        type: 'reference',
        referenceTo: ['Account'],
        relationshipName: 'Account',
        childRelationshipName: 'Opportunities',
      }),
      field({
        name: 'Name',
        label: 'Name',
        type: 'string',
        length: 120,
        nillable: false,
        nameField: true,
      }),
      field({
        name: 'Description',
        label: 'Description',
        type: 'textarea',
        length: 32000,
        extraTypeInfo: 'plaintextarea',
      }),
      field({
        name: 'StageName',
        label: 'Stage',
        type: 'picklist',
        length: 255,
        nillable: false,
        picklistValues: picklist(salesforceOpportunityStages.map((s) => s.name)),
        restrictedPicklist: true,
      }),
      field({ name: 'Amount', label: 'Amount', type: 'currency', precision: 18, scale: 2 }),
      field({
        name: 'Probability',
        label: 'Probability (%)',
        type: 'percent',
        precision: 3,
        scale: 0,
        defaultedOnCreate: true,
      }),
      field({
        name: 'ExpectedRevenue',
        label: 'Expected Amount',
        type: 'currency',
        precision: 18,
        scale: 2,
        createable: false,
        updateable: false,
        calculated: true,
      }),
      field({ name: 'CloseDate', label: 'Close Date', type: 'date', nillable: false }),
      field({
        name: 'Type',
        label: 'Opportunity Type',
        type: 'picklist',
        length: 255,
        picklistValues: picklist(opportunityTypes),
      }),
      field({ name: 'NextStep', label: 'Next Step', type: 'string', length: 255 }),
      field({
        name: 'LeadSource',
        label: 'Lead Source',
        type: 'picklist',
        length: 255,
        picklistValues: picklist(leadSources),
      }),
      systemField({ name: 'IsClosed', label: 'Closed', type: 'boolean' }),
      systemField({ name: 'IsWon', label: 'Won', type: 'boolean' }),
      field({
        name: 'ForecastCategoryName',
        label: 'Forecast Category',
        type: 'picklist',
        length: 255,
        picklistValues: picklist(forecastCategories, [
          'Omitted',
          'Pipeline',
          'Best Case',
          'Commit',
          'Closed',
        ]),
        restrictedPicklist: true,
        defaultedOnCreate: true,
      }),
      ownerField(),
      ...(currencies === undefined ? [] : [currencyField(currencies)]),
      ...auditFields(),
    ],
  };
}

function user(): ObjectDef {
  return {
    name: 'User',
    label: 'User',
    labelPlural: 'Users',
    keyPrefix: keyPrefixes.User,
    custom: false,
    createable: false,
    updateable: false,
    deletable: false,
    undeletable: false,
    queryable: true,
    idFormat: 'salesforce',
    changeEvents: false,
    fields: [
      idField('User ID'),
      field({ name: 'Username', label: 'Username', type: 'string', length: 80, nillable: false }),
      field({ name: 'FirstName', label: 'First Name', type: 'string', length: 40 }),
      field({ name: 'LastName', label: 'Last Name', type: 'string', length: 80, nillable: false }),
      field({
        name: 'Name',
        label: 'Full Name',
        type: 'string',
        length: 121,
        createable: false,
        updateable: false,
        nameField: true,
      }),
      field({ name: 'Email', label: 'Email', type: 'email', length: 128, nillable: false }),
      field({ name: 'IsActive', label: 'Active', type: 'boolean' }),
      field({
        name: 'UserType',
        label: 'User Type',
        type: 'picklist',
        length: 40,
        picklistValues: picklist(['Standard', 'AutomatedProcess']),
        createable: false,
        updateable: false,
      }),
      ...auditFields().filter((f) => f.name !== 'IsDeleted'),
    ],
  };
}

export type StandardObjectsOptions = {
  /** Currencies of a multi-currency org; undefined for a single-currency org (no CurrencyIsoCode). */
  currencies?: readonly string[];
};

/** The standard objects of a fresh org. */
export function standardObjects(options: StandardObjectsOptions = {}): ObjectDef[] {
  return [account(options.currencies), opportunity(options.currencies), user()];
}

export const defaultCurrencies: readonly string[] = demoCurrencies;
