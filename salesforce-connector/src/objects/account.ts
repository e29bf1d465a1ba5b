import type { IsoDate, IsoInstant } from '@partnerbridge/shared';
import {
  partnerTypeValues,
  salesforceAccountFields,
  tierValues,
  trainingLevelValues,
} from '@partnerbridge/shared/crm-fields';
import { z } from 'zod';
import { toId18 } from '../api/ids.ts';
import { fieldValuesFor, type SalesforceObject, toWritableFor } from './declaration.ts';
import { customFieldSpec, type FieldSpec, spec, type WritableFields } from './fields.ts';
import { normalizeDate, normalizeDomain, normalizeInstant } from './values.ts';

// Account: both partners (PB_Is_Partner__c, with their program fields) and customers.

const text = z.string().nullable().optional();

export const accountRecordSchema = z.looseObject({
  Id: z.string().min(15),
  Name: text,
  Website: text,
  Industry: text,
  BillingCountry: text,
  Type: text,
  LastModifiedDate: text,
  SystemModstamp: z.string(),
  IsDeleted: z.boolean().optional(),
  PB_HubSpot_Company_Id__c: text,
  PB_Is_Partner__c: z.boolean().nullable().optional(),
  PB_Partner_Type__c: text,
  PB_Partner_Subtype__c: text,
  PB_Partner_Tier__c: text,
  PB_Certified_Salespeople__c: z.union([z.number(), z.string()]).nullable().optional(),
  PB_Training_Level__c: text,
  PB_Agreement_Signed__c: z.boolean().nullable().optional(),
  PB_Partner_Since__c: text,
});
export type AccountRecord = z.infer<typeof accountRecordSchema>;

export const accountFields: readonly FieldSpec[] = [
  spec('Id', 'id', { writable: false }),
  spec('Name', 'text'),
  spec('Website', 'text'),
  spec('Industry', 'picklist'),
  spec('BillingCountry', 'text'),
  spec('Type', 'picklist'),
  spec('LastModifiedDate', 'datetime', { writable: false }),
  spec('SystemModstamp', 'datetime', { writable: false }),
  spec('IsDeleted', 'boolean', { writable: false }),
  ...salesforceAccountFields.map(customFieldSpec),
];

export type PartnerType = (typeof partnerTypeValues)[number];
export type PartnerTier = (typeof tierValues)[number];
export type TrainingLevel = (typeof trainingLevelValues)[number];

export type AccountPartnerProfile = {
  readonly type: PartnerType | null;
  readonly subtype: string | null;
  readonly tier: PartnerTier | null;
  readonly certifiedSalespeople: number | null;
  readonly trainingLevel: TrainingLevel | null;
  readonly agreementSigned: boolean;
  readonly partnerSince: IsoDate | null;
};

/** An Account as the domain sees it: a partner (with its program profile) or a customer. */
export type AccountSnapshot = {
  readonly object: 'Account';
  readonly id: string;
  readonly modstamp: IsoInstant;
  readonly deleted: boolean;
  readonly lastModifiedAt: IsoInstant | null;
  readonly hubspotCompanyId: string | null;
  readonly name: string | null;
  readonly website: string | null;
  /** The website reduced for identity matching (`https://www.acme.com/` → `acme.com`). */
  readonly domain: string | null;
  readonly industry: string | null;
  readonly billingCountry: string | null;
  readonly type: string | null;
  readonly kind: 'partner' | 'customer';
  /** Present for partners. */
  readonly partner: AccountPartnerProfile | null;
  readonly issues: readonly string[];
};

/** What the domain may change on an Account; only the keys present are written. */
export type AccountChanges = {
  readonly name?: string;
  readonly website?: string | null;
  readonly industry?: string | null;
  readonly billingCountry?: string | null;
  readonly type?: string | null;
  readonly hubspotCompanyId?: string | null;
  readonly isPartner?: boolean;
  readonly partnerType?: PartnerType | null;
  readonly partnerSubtype?: string | null;
  readonly tier?: PartnerTier | null;
  readonly certifiedSalespeople?: number | null;
  readonly trainingLevel?: TrainingLevel | null;
  readonly agreementSigned?: boolean;
  readonly partnerSince?: IsoDate | null;
};

function nonEmpty(value: string | null | undefined): string | null {
  return value === null || value === undefined || value === '' ? null : value;
}

function toDomain(record: AccountRecord): AccountSnapshot {
  const issues: string[] = [];
  const modstamp = normalizeInstant(record.SystemModstamp);
  if (modstamp === undefined) throw new RangeError(`bad SystemModstamp on ${record.Id}`);
  const pick = <T extends string>(values: readonly T[], field: keyof AccountRecord): T | null => {
    const value = nonEmpty(record[field] as string | null | undefined);
    if (value === null) return null;
    if ((values as readonly string[]).includes(value)) return value as T;
    issues.push(`unknown ${String(field)} value ${value}`);
    return null;
  };
  const isPartner = record.PB_Is_Partner__c === true;
  const certified = record.PB_Certified_Salespeople__c;
  const certifiedNumber =
    certified === null || certified === undefined || certified === '' ? null : Number(certified);
  const since = nonEmpty(record.PB_Partner_Since__c);
  const website = nonEmpty(record.Website);
  return {
    object: 'Account',
    id: toId18(record.Id) ?? record.Id,
    modstamp,
    deleted: record.IsDeleted === true,
    lastModifiedAt: normalizeInstant(record.LastModifiedDate) ?? null,
    hubspotCompanyId: nonEmpty(record.PB_HubSpot_Company_Id__c),
    name: nonEmpty(record.Name),
    website,
    domain: normalizeDomain(website),
    industry: nonEmpty(record.Industry),
    billingCountry: nonEmpty(record.BillingCountry),
    type: nonEmpty(record.Type),
    kind: isPartner ? 'partner' : 'customer',
    partner: isPartner
      ? {
          type: pick(partnerTypeValues, 'PB_Partner_Type__c'),
          subtype: nonEmpty(record.PB_Partner_Subtype__c),
          tier: pick(tierValues, 'PB_Partner_Tier__c'),
          certifiedSalespeople:
            certifiedNumber !== null && Number.isFinite(certifiedNumber) ? certifiedNumber : null,
          trainingLevel: pick(trainingLevelValues, 'PB_Training_Level__c'),
          agreementSigned: record.PB_Agreement_Signed__c === true,
          partnerSince: since === null ? null : (normalizeDate(since) ?? null),
        }
      : null,
    issues,
  };
}

function fromDomain(changes: AccountChanges): WritableFields {
  const out: WritableFields = {};
  const set = (field: string, value: string | number | boolean | null | undefined) => {
    if (value !== undefined) out[field] = value;
  };
  set('Name', changes.name);
  set('Website', changes.website);
  set('Industry', changes.industry);
  set('BillingCountry', changes.billingCountry);
  set('Type', changes.type);
  set('PB_HubSpot_Company_Id__c', changes.hubspotCompanyId);
  set('PB_Is_Partner__c', changes.isPartner);
  set('PB_Partner_Type__c', changes.partnerType);
  set('PB_Partner_Subtype__c', changes.partnerSubtype);
  set('PB_Partner_Tier__c', changes.tier);
  set('PB_Certified_Salespeople__c', changes.certifiedSalespeople);
  set('PB_Training_Level__c', changes.trainingLevel);
  set('PB_Agreement_Signed__c', changes.agreementSigned);
  set('PB_Partner_Since__c', changes.partnerSince);
  return out;
}

type AccountObject = SalesforceObject<'Account', AccountRecord, AccountSnapshot, AccountChanges>;

function buildAccountObject(fields: readonly FieldSpec[]): AccountObject {
  return {
    sobject: 'Account',
    keyPrefix: '001',
    fields,
    cursorField: 'SystemModstamp',
    externalIdField: 'PB_HubSpot_Company_Id__c',
    parentField: null,
    nameField: 'Name',
    websiteField: 'Website',
    recordSchema: accountRecordSchema,
    toDomain,
    fromDomain,
    fieldValues: fieldValuesFor(fields),
    toWritable: toWritableFor('Account', fields),
    withFields: buildAccountObject,
  };
}

/** The Account declaration (partners and customers). */
export const accountObject: AccountObject = buildAccountObject(accountFields);
