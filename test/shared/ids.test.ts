import {
  type DealId,
  dealIdSchema,
  type PartnerId,
  partnerIdSchema,
  type RuleId,
  ruleIdSchema,
} from '@partnerbridge/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';

function payPartner(partnerId: PartnerId): PartnerId {
  return partnerId;
}

describe('branded ids', () => {
  it('cannot be swapped: a deal id is not a partner id, nor is a plain string', () => {
    const dealId = dealIdSchema.parse('deal-1');
    const partnerId = partnerIdSchema.parse('partner-1');
    expectTypeOf(partnerId).toEqualTypeOf<PartnerId>();
    expectTypeOf(dealId).not.toEqualTypeOf<PartnerId>();
    expectTypeOf<RuleId>().not.toEqualTypeOf<DealId>();
    expectTypeOf<PartnerId>().toExtend<string>();
    expect(payPartner(partnerId)).toBe('partner-1');
    // @ts-expect-error a DealId is not a PartnerId
    payPartner(dealId);
    // @ts-expect-error a plain string must be parsed first
    payPartner('partner-1');
    // @ts-expect-error neither is a RuleId
    payPartner(ruleIdSchema.parse('rule-1'));
  });

  it('refuses ids that could collide inside ledger line ids', () => {
    expect(partnerIdSchema.safeParse('a:b').success).toBe(false);
    expect(partnerIdSchema.safeParse('').success).toBe(false);
    expect(partnerIdSchema.safeParse('with space').success).toBe(false);
  });
});
