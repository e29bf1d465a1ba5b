import { z } from 'zod';

// Branded identifiers: a PartnerId cannot be passed where a DealId is expected. Ids are opaque
// CRM or database ids; ':' is refused because ledger line ids are built by joining ids with it.
const idString = z
  .string()
  .min(1)
  .regex(/^[^:\s]+$/, 'ids may not contain ":" or whitespace');

export const partnerIdSchema = idString.brand<'PartnerId'>();
export type PartnerId = z.infer<typeof partnerIdSchema>;

export const dealIdSchema = idString.brand<'DealId'>();
export type DealId = z.infer<typeof dealIdSchema>;

export const customerIdSchema = idString.brand<'CustomerId'>();
export type CustomerId = z.infer<typeof customerIdSchema>;

export const ruleIdSchema = idString.brand<'RuleId'>();
export type RuleId = z.infer<typeof ruleIdSchema>;

export const tierIdSchema = idString.brand<'TierId'>();
export type TierId = z.infer<typeof tierIdSchema>;

export const registrationIdSchema = idString.brand<'RegistrationId'>();
export type RegistrationId = z.infer<typeof registrationIdSchema>;

export const ledgerLineIdSchema = z.string().min(1).brand<'LedgerLineId'>();
export type LedgerLineId = z.infer<typeof ledgerLineIdSchema>;

export const exportIdSchema = idString.brand<'ExportId'>();
export type ExportId = z.infer<typeof exportIdSchema>;
