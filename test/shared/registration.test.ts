import {
  checkRegistration,
  customerIdSchema,
  dealIdSchema,
  defaultProgram,
  type RegistrationClaim,
  registrationState,
} from '@partnerbridge/shared';
import { describe, expect, it } from 'vitest';
import { aRegistration, partnerId } from './builders.ts';

const policy = { protectionWindowDays: 90, expiryDays: 60 };
const held = aRegistration({ partnerId: 'partner-1', registeredOn: '2025-01-10' });

function claim(overrides: Partial<RegistrationClaim> = {}): RegistrationClaim {
  return {
    partnerId: partnerId('partner-2'),
    customerId: customerIdSchema.parse('customer-1'),
    dealId: dealIdSchema.parse('deal-1'),
    on: '2025-02-01',
    ...overrides,
  };
}

describe('checkRegistration', () => {
  it('flags a second partner on a registered deal, naming the holder and until when', () => {
    expect(checkRegistration(claim(), [held], policy)).toEqual({
      success: false,
      error: {
        code: 'registration_conflict',
        message:
          'Deal deal-1 is registered to partner partner-1 (registration registration-1, approved) until 2025-03-10.',
        conflicts: [
          {
            code: 'deal_registered',
            registrationId: 'registration-1',
            holder: 'partner-1',
            until: '2025-03-10',
            reason:
              'Deal deal-1 is registered to partner partner-1 (registration registration-1, approved) until 2025-03-10.',
          },
        ],
      },
    });
  });

  it('flags another deal of a protected customer inside the protection window', () => {
    const result = checkRegistration(
      claim({ dealId: dealIdSchema.parse('deal-9') }),
      [held],
      policy,
    );
    expect(result).toMatchObject({
      success: false,
      error: {
        conflicts: [{ code: 'customer_protected', holder: 'partner-1', until: '2025-04-09' }],
      },
    });
  });

  it('lets the claim through once the deal registration expired and the customer window closed', () => {
    expect(
      checkRegistration(claim({ on: '2025-03-11', dealId: undefined }), [held], {
        ...policy,
        protectionWindowDays: 60,
      }),
    ).toEqual({
      success: true,
      data: { dealProtectedUntil: '2025-05-09', customerProtectedUntil: '2025-05-09' },
    });
    // expired on the deal, still protected as a customer
    expect(checkRegistration(claim({ on: '2025-03-11' }), [held], policy)).toMatchObject({
      success: false,
      error: { conflicts: [{ code: 'customer_protected' }] },
    });
  });

  it('treats pending registrations as holding, rejected ones as nothing', () => {
    const pending = aRegistration({ status: 'pending' });
    expect(checkRegistration(claim(), [pending], policy).success).toBe(false);
    const rejected = aRegistration({ status: 'rejected' });
    expect(checkRegistration(claim(), [rejected], policy).success).toBe(true);
  });

  it('never flags a partner against itself, nor against registrations made after the claim', () => {
    expect(
      checkRegistration(claim({ partnerId: partnerId('partner-1') }), [held], policy).success,
    ).toBe(true);
    expect(checkRegistration(claim({ on: '2025-01-09' }), [held], policy).success).toBe(true);
  });

  it('lists every conflict in registration order', () => {
    const second = aRegistration({
      id: 'registration-0',
      partnerId: 'partner-3',
      dealId: 'deal-7',
    });
    const result = checkRegistration(claim(), [held, second], policy);
    expect(
      result.success === false && result.error.conflicts.map((c) => [c.registrationId, c.code]),
    ).toEqual([
      ['registration-0', 'customer_protected'],
      ['registration-1', 'deal_registered'],
    ]);
  });

  it('uses the program defaults: 90 days of protection', () => {
    expect(
      checkRegistration(claim({ on: '2025-04-09' }), [held], defaultProgram.registration).success,
    ).toBe(false);
    expect(
      checkRegistration(claim({ on: '2025-04-10' }), [held], defaultProgram.registration).success,
    ).toBe(true);
  });
});

describe('registrationState', () => {
  it('is active until the expiry, then expired; rejected stays rejected', () => {
    expect(registrationState(held, '2025-03-10', policy)).toBe('active');
    expect(registrationState(held, '2025-03-11', policy)).toBe('expired');
    expect(registrationState(aRegistration({ status: 'rejected' }), '2025-01-10', policy)).toBe(
      'rejected',
    );
  });
});
