import type {
  CustomerId,
  DealId,
  ExportId,
  LedgerLineId,
  PartnerId,
  RegistrationId,
} from '@partnerbridge/shared';

// Our ids are UUIDs or built from them (no ":" or whitespace), which is all the core's branded
// id schemas require; these brand them without re-parsing on every row.

export const asPartnerId = (id: string) => id as PartnerId;
export const asDealId = (id: string) => id as DealId;
export const asCustomerId = (id: string) => id as CustomerId;
export const asLineId = (id: string) => id as LedgerLineId;
export const asRegistrationId = (id: string) => id as RegistrationId;
export const asExportId = (id: string) => id as ExportId;
