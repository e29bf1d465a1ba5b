import {
  opportunityFieldsFromPartnerTag,
  opportunityObject,
  partnerTagFromOpportunity,
  primaryPartnerTag,
} from '@partnerbridge/salesforce-connector';
import {
  type DealId,
  dealIdSchema,
  type PartnerId,
  partnerIdSchema,
  partnerTagSchema,
} from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { fixture, type QueryPage } from './support/fixtures.ts';

// Partner tags set on an Opportunity become the same tag the HubSpot card creates, and our
// primary tag goes back onto the Opportunity's three partner fields.

const dealId: DealId = dealIdSchema.parse('deal-1');
const partnerId: PartnerId = partnerIdSchema.parse('partner-aperture');
const partnerAccount = '001A10000000001IAA';
const opportunity = opportunityObject.toDomain(
  opportunityObject.recordSchema.parse(fixture<QueryPage>('opportunity-query.json').records[0]),
);
const partners = (accountId: string) => (accountId === partnerAccount ? partnerId : undefined);

describe(partnerTagFromOpportunity, () => {
  it('creates the card-shaped tag with source salesforce', () => {
    const result = partnerTagFromOpportunity(opportunity, {
      dealId,
      partnerIdForAccount: partners,
    });
    expect(result).toEqual({
      success: true,
      data: {
        dealId,
        partnerId,
        role: 'sourced',
        motion: 'referral',
        touchedAt: '2025-04-25T00:00:00.000Z',
        taggedBy: 'salesforce:005A10000000003IAA',
        source: 'salesforce',
        opportunityId: '006A10000000001IAA',
        partnerAccountId: partnerAccount,
      },
    });
    // Without our extra keys it is exactly the core's PartnerTag.
    if (!result.success || result.data === null) throw new Error('expected a tag');
    const { source: _s, opportunityId: _o, partnerAccountId: _p, ...tag } = result.data;
    expect(partnerTagSchema.parse(tag)).toEqual(tag);
  });

  it('dates the tag by the change event when given', () => {
    const result = partnerTagFromOpportunity(opportunity, {
      dealId,
      partnerIdForAccount: partners,
      touchedAt: '2026-03-02T10:00:00.000Z',
      taggedBy: '005A10000000001IAA',
    });
    expect(result.success && result.data).toMatchObject({
      touchedAt: '2026-03-02T10:00:00.000Z',
      taggedBy: 'salesforce:005A10000000001IAA',
    });
  });

  it('reports untagged, unknown and incomplete partners', () => {
    expect(
      partnerTagFromOpportunity(
        { ...opportunity, partner: null },
        { dealId, partnerIdForAccount: partners },
      ),
    ).toEqual({ success: true, data: null });
    expect(
      partnerTagFromOpportunity(
        { ...opportunity, deleted: true },
        { dealId, partnerIdForAccount: partners },
      ),
    ).toEqual({ success: true, data: null });
    expect(
      partnerTagFromOpportunity(opportunity, { dealId, partnerIdForAccount: () => undefined }),
    ).toEqual({
      success: false,
      error: { code: 'unknown_partner_account', partnerAccountId: partnerAccount },
    });
    const bare = {
      ...opportunity,
      partner: { accountId: partnerAccount, role: null, motion: null },
    };
    expect(partnerTagFromOpportunity(bare, { dealId, partnerIdForAccount: partners })).toEqual({
      success: false,
      error: {
        code: 'incomplete_partner_tag',
        partnerAccountId: partnerAccount,
        missing: ['role', 'motion'],
      },
    });
    const defaulted = partnerTagFromOpportunity(bare, {
      dealId,
      partnerIdForAccount: partners,
      defaults: { role: 'influenced', motion: 'referral' },
    });
    expect(defaulted.success && defaulted.data).toMatchObject({
      role: 'influenced',
      motion: 'referral',
    });
  });
});

describe(primaryPartnerTag, () => {
  const tag = (partner: string, role: 'sourced' | 'influenced', touchedAt: string) => ({
    partnerId: partnerIdSchema.parse(partner),
    role,
    touchedAt,
  });

  it('prefers sourced, then the earliest touch, then the partner id', () => {
    const tags = [
      tag('b', 'influenced', '2026-01-01T00:00:00Z'),
      tag('c', 'sourced', '2026-02-01T00:00:00Z'),
      tag('a', 'sourced', '2026-02-01T00:00:00Z'),
    ];
    expect(primaryPartnerTag(tags)?.partnerId).toBe('a');
    expect(primaryPartnerTag([...tags].reverse())?.partnerId).toBe('a');
    expect(primaryPartnerTag([])).toBeUndefined();
  });
});

describe(opportunityFieldsFromPartnerTag, () => {
  it('writes the tag, clears for none, and needs the partner in Salesforce', () => {
    const accounts = (id: PartnerId) => (id === partnerId ? partnerAccount : undefined);
    expect(
      opportunityFieldsFromPartnerTag(
        { partnerId, role: 'influenced', motion: 'co_sell' },
        accounts,
      ),
    ).toEqual({
      success: true,
      data: {
        PB_Partner_Account__c: partnerAccount,
        PB_Partner_Role__c: 'influenced',
        PB_Partner_Motion__c: 'co_sell',
      },
    });
    expect(opportunityFieldsFromPartnerTag(null, accounts)).toEqual({
      success: true,
      data: { PB_Partner_Account__c: null, PB_Partner_Role__c: null, PB_Partner_Motion__c: null },
    });
    const other = partnerIdSchema.parse('other');
    expect(
      opportunityFieldsFromPartnerTag(
        { partnerId: other, role: 'sourced', motion: 'referral' },
        accounts,
      ),
    ).toEqual({
      success: false,
      error: { code: 'partner_not_in_salesforce', partnerId: other },
    });
  });

  it('round-trips: the fields written read back as the same tag', () => {
    const written = opportunityFieldsFromPartnerTag(
      { partnerId, role: 'influenced', motion: 'white_label' },
      () => partnerAccount,
    );
    if (!written.success) throw new Error('expected fields');
    const reread = opportunityObject.toDomain(
      opportunityObject.recordSchema.parse({
        ...fixture<QueryPage>('opportunity-query.json').records[0],
        ...written.data,
      }),
    );
    const tag = partnerTagFromOpportunity(reread, { dealId, partnerIdForAccount: partners });
    expect(tag.success && tag.data).toMatchObject({
      partnerId,
      role: 'influenced',
      motion: 'white_label',
    });
  });
});
