import {
  type CurrencyCode,
  type DealStage,
  InvariantError,
  type IsoDate,
  type IsoInstant,
  type Money,
  type Motion,
  motions,
  type PartnerRole,
  partnerRoles,
} from '@partnerbridge/shared';
import {
  salesforceOpportunityFields,
  salesforceOpportunityStages,
} from '@partnerbridge/shared/crm-fields';
import { z } from 'zod';
import { toId18 } from '../api/ids.ts';
import {
  fieldValuesFor,
  type SalesforceObject,
  type ToDomainOptions,
  toWritableFor,
} from './declaration.ts';
import { customFieldSpec, type FieldSpec, spec, type WritableFields } from './fields.ts';
import {
  canonicalDecimal,
  isCurrencyCode,
  moneyToSalesforceNumber,
  normalizeDate,
  normalizeInstant,
  parseMoney,
} from './values.ts';

// Opportunity: the Salesforce side of a deal, with the partner tag in our PB_ fields.

const text = z.string().nullable().optional();
const decimal = z.union([z.number(), z.string()]).nullable().optional();
const flag = z.boolean().nullable().optional();

export const opportunityRecordSchema = z.looseObject({
  Id: z.string().min(15),
  Name: text,
  AccountId: text,
  Amount: decimal,
  CurrencyIsoCode: text,
  StageName: text,
  CloseDate: text,
  Probability: decimal,
  Type: text,
  IsClosed: flag,
  IsWon: flag,
  CreatedDate: text,
  LastModifiedDate: text,
  LastModifiedById: text,
  SystemModstamp: z.string(),
  IsDeleted: z.boolean().optional(),
  PB_HubSpot_Deal_Id__c: text,
  PB_Partner_Account__c: text,
  PB_Partner_Role__c: text,
  PB_Partner_Motion__c: text,
  PB_Partner_Commission__c: decimal,
  PB_Commission_Explanation__c: text,
});
export type OpportunityRecord = z.infer<typeof opportunityRecordSchema>;

export const opportunityFields: readonly FieldSpec[] = [
  spec('Id', 'id', { writable: false }),
  spec('Name', 'text'),
  spec('AccountId', 'reference'),
  spec('Amount', 'currency'),
  spec('CurrencyIsoCode', 'picklist', { optional: true }),
  spec('StageName', 'picklist'),
  spec('CloseDate', 'date'),
  spec('Probability', 'percent'),
  spec('Type', 'picklist'),
  spec('IsClosed', 'boolean', { writable: false }),
  spec('IsWon', 'boolean', { writable: false }),
  spec('CreatedDate', 'datetime', { writable: false }),
  spec('LastModifiedDate', 'datetime', { writable: false }),
  spec('LastModifiedById', 'reference', { writable: false }),
  spec('SystemModstamp', 'datetime', { writable: false }),
  spec('IsDeleted', 'boolean', { writable: false }),
  ...salesforceOpportunityFields.map(customFieldSpec),
];

export type OpportunityPartner = {
  /** The partner's Account id (18 characters). */
  readonly accountId: string;
  readonly role: PartnerRole | null;
  readonly motion: Motion | null;
};

/** An Opportunity as the domain sees it. `issues` lists values that could not be read. */
export type OpportunitySnapshot = {
  readonly object: 'Opportunity';
  readonly id: string;
  readonly modstamp: IsoInstant;
  readonly deleted: boolean;
  readonly createdAt: IsoInstant | null;
  readonly lastModifiedAt: IsoInstant | null;
  readonly lastModifiedById: string | null;
  readonly hubspotDealId: string | null;
  readonly name: string | null;
  readonly accountId: string | null;
  readonly currency: CurrencyCode | null;
  readonly amount: Money | null;
  readonly stage: { readonly name: string; readonly category: DealStage } | null;
  readonly closeDate: IsoDate | null;
  /** Percent as exact decimal text (`"75"` = 75 %). */
  readonly probability: string | null;
  readonly type: string | null;
  readonly partner: OpportunityPartner | null;
  readonly commission: Money | null;
  readonly commissionExplanation: string | null;
  readonly issues: readonly string[];
};

/** What the domain may change on an Opportunity; only the keys present are written. */
export type OpportunityChanges = {
  readonly name?: string;
  readonly accountId?: string | null;
  readonly amount?: Money | null;
  readonly stageName?: string;
  readonly closeDate?: IsoDate;
  /** Percent as decimal text (`"75"`). */
  readonly probability?: string | null;
  readonly type?: string | null;
  readonly hubspotDealId?: string | null;
  readonly partner?: {
    readonly accountId: string;
    readonly role: PartnerRole;
    readonly motion: Motion;
  } | null;
  readonly commission?: Money | null;
  readonly commissionExplanation?: string | null;
};

/** The stage's category: Salesforce's default stages by name, else the record's IsClosed/IsWon. */
export function stageCategory(
  stageName: string,
  flags: { isClosed?: boolean | null | undefined; isWon?: boolean | null | undefined } = {},
): DealStage | undefined {
  const known = salesforceOpportunityStages.find((s) => s.name === stageName);
  if (known !== undefined) return known.isWon ? 'won' : known.isClosed ? 'lost' : 'open';
  if (flags.isClosed === true) return flags.isWon === true ? 'won' : 'lost';
  if (flags.isClosed === false) return 'open';
  return undefined;
}

function oneOf<T extends string>(values: readonly T[], value: string | null | undefined) {
  return value !== null && value !== undefined && (values as readonly string[]).includes(value)
    ? (value as T)
    : null;
}

function nonEmpty(value: string | null | undefined): string | null {
  return value === null || value === undefined || value === '' ? null : value;
}

function toDomainWith(
  record: OpportunityRecord,
  options: ToDomainOptions = {},
): OpportunitySnapshot {
  const issues: string[] = [];
  const modstamp = normalizeInstant(record.SystemModstamp);
  if (modstamp === undefined) throw new RangeError(`bad SystemModstamp on ${record.Id}`);

  const rawCurrency = nonEmpty(record.CurrencyIsoCode) ?? options.defaultCurrency ?? 'USD';
  const currency = isCurrencyCode(rawCurrency) ? rawCurrency : null;
  if (currency === null) issues.push(`unsupported currency ${rawCurrency}`);
  const money = (field: 'Amount' | 'PB_Partner_Commission__c') => {
    const value = record[field];
    if (value === null || value === undefined || currency === null) return null;
    const parsed = parseMoney(value, currency);
    if (parsed === undefined) issues.push(`${field} is not a number: ${String(value)}`);
    return parsed ?? null;
  };

  const stageName = nonEmpty(record.StageName);
  let stage: OpportunitySnapshot['stage'] = null;
  if (stageName !== null) {
    const category = stageCategory(stageName, { isClosed: record.IsClosed, isWon: record.IsWon });
    if (category === undefined) issues.push(`unknown stage ${stageName}, read as open`);
    stage = { name: stageName, category: category ?? 'open' };
  }

  const closeDate = nonEmpty(record.CloseDate);
  const parsedCloseDate = closeDate === null ? null : (normalizeDate(closeDate) ?? null);
  if (closeDate !== null && parsedCloseDate === null) issues.push(`bad CloseDate ${closeDate}`);

  const partnerAccount = nonEmpty(record.PB_Partner_Account__c);
  const role = nonEmpty(record.PB_Partner_Role__c);
  const motion = nonEmpty(record.PB_Partner_Motion__c);
  if (role !== null && oneOf(partnerRoles, role) === null)
    issues.push(`unknown partner role ${role}`);
  if (motion !== null && oneOf(motions, motion) === null) issues.push(`unknown motion ${motion}`);

  const probability =
    record.Probability === null || record.Probability === undefined
      ? null
      : (canonicalDecimal(record.Probability) ?? null);
  const idOrNull = (value: string | null | undefined) => {
    const id = nonEmpty(value);
    return id === null ? null : (toId18(id) ?? id);
  };

  return {
    object: 'Opportunity',
    id: toId18(record.Id) ?? record.Id,
    modstamp,
    deleted: record.IsDeleted === true,
    createdAt: normalizeInstant(record.CreatedDate) ?? null,
    lastModifiedAt: normalizeInstant(record.LastModifiedDate) ?? null,
    lastModifiedById: idOrNull(record.LastModifiedById),
    hubspotDealId: nonEmpty(record.PB_HubSpot_Deal_Id__c),
    name: nonEmpty(record.Name),
    accountId: idOrNull(record.AccountId),
    currency,
    amount: money('Amount'),
    stage,
    closeDate: parsedCloseDate,
    probability,
    type: nonEmpty(record.Type),
    partner:
      partnerAccount === null
        ? null
        : {
            accountId: toId18(partnerAccount) ?? partnerAccount,
            role: oneOf(partnerRoles, role),
            motion: oneOf(motions, motion),
          },
    commission: money('PB_Partner_Commission__c'),
    commissionExplanation: nonEmpty(record.PB_Commission_Explanation__c),
    issues,
  };
}

function fromDomainWith(fields: readonly FieldSpec[]) {
  const multiCurrency = fields.some((f) => f.name === 'CurrencyIsoCode');
  return (changes: OpportunityChanges): WritableFields => {
    const out: WritableFields = {};
    if (
      changes.amount !== undefined &&
      changes.amount !== null &&
      changes.commission !== undefined &&
      changes.commission !== null &&
      changes.amount.currency !== changes.commission.currency
    ) {
      throw new InvariantError('an opportunity has one currency: amount and commission differ');
    }
    if (changes.name !== undefined) out.Name = changes.name;
    if (changes.accountId !== undefined) out.AccountId = changes.accountId;
    if (changes.amount !== undefined) {
      out.Amount = changes.amount === null ? null : moneyToSalesforceNumber(changes.amount);
      if (changes.amount !== null && multiCurrency) out.CurrencyIsoCode = changes.amount.currency;
    }
    if (changes.stageName !== undefined) out.StageName = changes.stageName;
    if (changes.closeDate !== undefined) out.CloseDate = changes.closeDate;
    if (changes.probability !== undefined) {
      out.Probability = changes.probability === null ? null : Number(changes.probability);
    }
    if (changes.type !== undefined) out.Type = changes.type;
    if (changes.hubspotDealId !== undefined) out.PB_HubSpot_Deal_Id__c = changes.hubspotDealId;
    if (changes.partner !== undefined) {
      out.PB_Partner_Account__c = changes.partner?.accountId ?? null;
      out.PB_Partner_Role__c = changes.partner?.role ?? null;
      out.PB_Partner_Motion__c = changes.partner?.motion ?? null;
    }
    if (changes.commission !== undefined) {
      out.PB_Partner_Commission__c =
        changes.commission === null ? null : moneyToSalesforceNumber(changes.commission);
      if (changes.commission !== null && multiCurrency && changes.amount === undefined) {
        out.CurrencyIsoCode = changes.commission.currency;
      }
    }
    if (changes.commissionExplanation !== undefined) {
      out.PB_Commission_Explanation__c = changes.commissionExplanation;
    }
    return out;
  };
}

type OpportunityObject = SalesforceObject<
  'Opportunity',
  OpportunityRecord,
  OpportunitySnapshot,
  OpportunityChanges
>;

function buildOpportunityObject(fields: readonly FieldSpec[]): OpportunityObject {
  return {
    sobject: 'Opportunity',
    keyPrefix: '006',
    fields,
    cursorField: 'SystemModstamp',
    externalIdField: 'PB_HubSpot_Deal_Id__c',
    parentField: 'AccountId',
    nameField: 'Name',
    websiteField: null,
    recordSchema: opportunityRecordSchema,
    toDomain: toDomainWith,
    fromDomain: fromDomainWith(fields),
    fieldValues: fieldValuesFor(fields),
    toWritable: toWritableFor('Opportunity', fields),
    withFields: buildOpportunityObject,
  };
}

/** The Opportunity declaration (multi-currency; narrow it with `narrowToOrg` for other orgs). */
export const opportunityObject: OpportunityObject = buildOpportunityObject(opportunityFields);
