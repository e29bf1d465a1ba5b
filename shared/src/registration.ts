import { z } from 'zod';
import { addDays, type IsoDate, isoDateSchema } from './calendar.ts';
import { fail, ok, type Result } from './errors.ts';
import {
  type CustomerId,
  customerIdSchema,
  type DealId,
  dealIdSchema,
  type PartnerId,
  partnerIdSchema,
  type RegistrationId,
  registrationIdSchema,
} from './ids.ts';

/**
 * A registration protects its deal until it expires (`expiryDays`) and its customer for
 * `protectionWindowDays`, both counted from the day it was registered; a rejected one protects
 * nothing.
 */
export const registrationPolicySchema = z.strictObject({
  protectionWindowDays: z.int().min(0),
  expiryDays: z.int().min(1),
});
export type RegistrationPolicy = z.infer<typeof registrationPolicySchema>;

export const registrationStatuses = ['pending', 'approved', 'rejected'] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

export const registrationSchema = z.strictObject({
  id: registrationIdSchema,
  partnerId: partnerIdSchema,
  customerId: customerIdSchema,
  dealId: dealIdSchema.optional(),
  status: z.enum(registrationStatuses),
  registeredOn: isoDateSchema,
});
export type Registration = z.infer<typeof registrationSchema>;

/** A partner's claim on a customer (and maybe a deal), e.g. a rep tagging it on a deal. */
export type RegistrationClaim = {
  readonly partnerId: PartnerId;
  readonly customerId: CustomerId;
  readonly dealId?: DealId | undefined;
  readonly on: IsoDate;
};

export const conflictCodes = ['deal_registered', 'customer_protected'] as const;
export type ConflictCode = (typeof conflictCodes)[number];

export type RegistrationConflict = {
  readonly code: ConflictCode;
  readonly registrationId: RegistrationId;
  readonly holder: PartnerId;
  /** Last day the holder's protection lasts. */
  readonly until: IsoDate;
  readonly reason: string;
};

export type RegistrationConflictError = {
  readonly code: 'registration_conflict';
  readonly message: string;
  readonly conflicts: readonly RegistrationConflict[];
};

export type RegistrationState = 'active' | 'expired' | 'rejected';

/** Last day a registration protects its deal. */
export function dealProtectedUntil(
  registration: Registration,
  policy: RegistrationPolicy,
): IsoDate {
  return addDays(registration.registeredOn, policy.expiryDays - 1);
}

/** Last day a registration protects its customer (before its registration day when the window is 0). */
export function customerProtectedUntil(
  registration: Pick<Registration, 'registeredOn'>,
  policy: RegistrationPolicy,
): IsoDate {
  return addDays(registration.registeredOn, policy.protectionWindowDays - 1);
}

export function registrationState(
  registration: Registration,
  on: IsoDate,
  policy: RegistrationPolicy,
): RegistrationState {
  if (registration.status === 'rejected') return 'rejected';
  return on <= dealProtectedUntil(registration, policy) ? 'active' : 'expired';
}

/**
 * Checks a claim against the registrations that existed on its day. Another partner's active
 * registration on the same deal, or its protection of the same customer, is a conflict a partner
 * manager must settle; a partner never conflicts with itself.
 */
export function checkRegistration(
  claim: RegistrationClaim,
  registrations: readonly Registration[],
  policy: RegistrationPolicy,
): Result<
  { dealProtectedUntil: IsoDate; customerProtectedUntil: IsoDate },
  RegistrationConflictError
> {
  const conflicts: RegistrationConflict[] = [];
  for (const registration of registrations) {
    if (
      registration.partnerId === claim.partnerId ||
      registration.status === 'rejected' ||
      registration.registeredOn > claim.on
    ) {
      continue;
    }
    if (
      claim.dealId !== undefined &&
      registration.dealId === claim.dealId &&
      registrationState(registration, claim.on, policy) === 'active'
    ) {
      const until = dealProtectedUntil(registration, policy);
      conflicts.push({
        code: 'deal_registered',
        registrationId: registration.id,
        holder: registration.partnerId,
        until,
        reason: `Deal ${claim.dealId} is registered to partner ${registration.partnerId} (registration ${registration.id}, ${registration.status}) until ${until}.`,
      });
      continue;
    }
    const until = customerProtectedUntil(registration, policy);
    if (registration.customerId === claim.customerId && claim.on <= until) {
      conflicts.push({
        code: 'customer_protected',
        registrationId: registration.id,
        holder: registration.partnerId,
        until,
        reason: `Customer ${claim.customerId} is protected for partner ${registration.partnerId} (registration ${registration.id} of ${registration.registeredOn}) until ${until}.`,
      });
    }
  }
  if (conflicts.length > 0) {
    conflicts.sort((a, b) => (a.registrationId < b.registrationId ? -1 : 1));
    return fail({
      code: 'registration_conflict',
      message: conflicts.map((conflict) => conflict.reason).join(' '),
      conflicts,
    });
  }
  const claimed = { registeredOn: claim.on };
  return ok({
    dealProtectedUntil: addDays(claim.on, policy.expiryDays - 1),
    customerProtectedUntil: customerProtectedUntil(claimed, policy),
  });
}
