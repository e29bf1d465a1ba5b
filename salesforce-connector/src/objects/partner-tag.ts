import {
  type DealId,
  fail,
  type IsoInstant,
  type Motion,
  ok,
  type PartnerId,
  type PartnerRole,
  type PartnerTag,
  type Result,
} from '@partnerbridge/shared';
import type { WritableFields } from './fields.ts';
import type { OpportunitySnapshot } from './opportunity.ts';

// Partner tagging from Salesforce: a rep who sets Partner account / role / motion on an
// Opportunity creates the same tag a rep creates in the HubSpot card, with source 'salesforce'.
// The inverse writes our primary tag back onto the three fields (one partner slot per
// opportunity; the other tags live only in Partnerbridge and HubSpot).

/** A partner tag read from an Opportunity: the core's PartnerTag plus where it came from. */
export type SalesforcePartnerTag = PartnerTag & {
  readonly source: 'salesforce';
  readonly opportunityId: string;
  readonly partnerAccountId: string;
};

export type PartnerTagIssue =
  | { readonly code: 'unknown_partner_account'; readonly partnerAccountId: string }
  | {
      readonly code: 'incomplete_partner_tag';
      readonly partnerAccountId: string;
      readonly missing: readonly ('role' | 'motion')[];
    };

export type PartnerTagContext = {
  /** Our deal id for this opportunity. */
  readonly dealId: DealId;
  /** Our partner for a partner Account id (18 characters), when the account is a known partner. */
  readonly partnerIdForAccount: (accountId: string) => PartnerId | undefined;
  /**
   * When the tag was set. Use the change event's commitTimestamp when the partner fields were in
   * its changedFields; otherwise the opportunity's LastModifiedDate is the best bound we have.
   */
  readonly touchedAt?: IsoInstant;
  /** Who set it (e.g. the event's commitUser); defaults to the record's LastModifiedById. */
  readonly taggedBy?: string;
  /** Program defaults applied when the rep left role or motion empty. */
  readonly defaults?: { readonly role?: PartnerRole; readonly motion?: Motion };
};

/**
 * The partner tag an Opportunity carries: `null` when no partner is set, an issue when the
 * account is not a known partner or role/motion are missing without a default.
 */
export function partnerTagFromOpportunity(
  opportunity: OpportunitySnapshot,
  context: PartnerTagContext,
): Result<SalesforcePartnerTag | null, PartnerTagIssue> {
  const partner = opportunity.partner;
  if (partner === null || opportunity.deleted) return ok(null);
  const partnerId = context.partnerIdForAccount(partner.accountId);
  if (partnerId === undefined) {
    return fail({ code: 'unknown_partner_account', partnerAccountId: partner.accountId });
  }
  const role = partner.role ?? context.defaults?.role;
  const motion = partner.motion ?? context.defaults?.motion;
  if (role === undefined || motion === undefined) {
    const missing: ('role' | 'motion')[] = [];
    if (role === undefined) missing.push('role');
    if (motion === undefined) missing.push('motion');
    return fail({ code: 'incomplete_partner_tag', partnerAccountId: partner.accountId, missing });
  }
  const touchedAt = context.touchedAt ?? opportunity.lastModifiedAt ?? opportunity.modstamp;
  const taggedBy = context.taggedBy ?? opportunity.lastModifiedById ?? undefined;
  return ok({
    dealId: context.dealId,
    partnerId,
    role,
    motion,
    touchedAt,
    ...(taggedBy === undefined ? {} : { taggedBy: `salesforce:${taggedBy}` }),
    source: 'salesforce',
    opportunityId: opportunity.id,
    partnerAccountId: partner.accountId,
  });
}

/**
 * The tag that occupies the Opportunity's single partner slot: sourced before influenced, then
 * the earliest touch, then the partner id (deterministic whatever the input order).
 */
export function primaryPartnerTag<T extends Pick<PartnerTag, 'role' | 'touchedAt' | 'partnerId'>>(
  tags: readonly T[],
): T | undefined {
  const rank = (tag: T) => (tag.role === 'sourced' ? 0 : 1);
  return [...tags].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.touchedAt < b.touchedAt ? -1 : a.touchedAt > b.touchedAt ? 1 : 0) ||
      (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0),
  )[0];
}

export type PartnerFieldsIssue = {
  readonly code: 'partner_not_in_salesforce';
  readonly partnerId: PartnerId;
};

/**
 * The Opportunity fields for our primary tag (or cleared fields for `null`): the inverse of
 * `partnerTagFromOpportunity`. The partner's Account id comes from the id mapping.
 */
export function opportunityFieldsFromPartnerTag(
  tag: Pick<PartnerTag, 'partnerId' | 'role' | 'motion'> | null,
  accountIdForPartner: (partnerId: PartnerId) => string | undefined,
): Result<WritableFields, PartnerFieldsIssue> {
  if (tag === null) {
    return ok({
      PB_Partner_Account__c: null,
      PB_Partner_Role__c: null,
      PB_Partner_Motion__c: null,
    });
  }
  const accountId = accountIdForPartner(tag.partnerId);
  if (accountId === undefined)
    return fail({ code: 'partner_not_in_salesforce', partnerId: tag.partnerId });
  return ok({
    PB_Partner_Account__c: accountId,
    PB_Partner_Role__c: tag.role,
    PB_Partner_Motion__c: tag.motion,
  });
}
