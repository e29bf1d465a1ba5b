import { z } from 'zod';
import { toId18 } from '../api/ids.ts';
import { CALL_OPTIONS_CLIENT } from '../auth/app-config.ts';
import { accountObject } from '../objects/account.ts';
import type { SyncedObjectName } from '../objects/declaration.ts';
import type { FieldValue, FieldValues } from '../objects/fields.ts';
import { opportunityObject } from '../objects/opportunity.ts';

// Change Data Capture messages (CometD `/data/<Object>ChangeEvent`) normalised into what the sync
// engine acts on. Pure: tested on recorded messages.

export const changeTypes = [
  'CREATE',
  'UPDATE',
  'DELETE',
  'UNDELETE',
  'GAP_CREATE',
  'GAP_UPDATE',
  'GAP_DELETE',
  'GAP_UNDELETE',
  'GAP_OVERFLOW',
] as const;
export type ChangeType = (typeof changeTypes)[number];

/**
 * What the engine must do with an event:
 * - apply: the event carries the change (changed fields' new values in `values`);
 * - reread: the event lacks the values (gap) or came out of order: read the records by id;
 * - resync: ids are unknown (GAP_OVERFLOW, wildcard ids): reconcile the whole object by polling.
 */
export type EventHandling = 'apply' | 'reread' | 'resync';

export type SalesforceChangeEvent = {
  readonly object: SyncedObjectName;
  readonly channel: string;
  readonly changeType: ChangeType;
  readonly handling: EventHandling;
  /** 18-character ids (several when one transaction changed several records identically). */
  readonly recordIds: readonly string[];
  readonly changedFields: readonly string[];
  readonly nulledFields: readonly string[];
  readonly diffFields: readonly string[];
  /** When the transaction committed (epoch ms). */
  readonly commitTimestamp: number;
  readonly commitUser: string | null;
  readonly changeOrigin: string;
  /** Our own write: `client=partnerbridge` in changeOrigin, or made by our integration user. */
  readonly isOwnWrite: boolean;
  readonly ownWriteSignal: 'call_options' | 'integration_user' | null;
  readonly transactionKey: string | null;
  /** Order of this change inside its transaction. */
  readonly sequenceNumber: number | null;
  readonly replayId: number;
  /** Delivered after an event with a higher replay id (the values may be stale). */
  readonly outOfOrder: boolean;
  /** The payload's fields as sent (compound address fields flattened). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The declared fields present (and the nulled ones), normalised like `fieldValues`. */
  readonly values: FieldValues;
};

export const changeEventMessageSchema = z.looseObject({
  payload: z.looseObject({
    ChangeEventHeader: z.looseObject({
      entityName: z.string(),
      recordIds: z.array(z.string()),
      changeType: z.enum(changeTypes),
      changeOrigin: z.string().nullish(),
      transactionKey: z.string().nullish(),
      sequenceNumber: z.number().nullish(),
      commitTimestamp: z.number(),
      commitUser: z.string().nullish(),
      nulledFields: z.array(z.string()).nullish(),
      diffFields: z.array(z.string()).nullish(),
      changedFields: z.array(z.string()).nullish(),
    }),
  }),
  event: z.looseObject({ replayId: z.number() }),
});

const declarations = { Opportunity: opportunityObject, Account: accountObject } as const;

export function channelFor(object: SyncedObjectName): string {
  return `/data/${object}ChangeEvent`;
}

/** The `client=` of a changeOrigin (`com/salesforce/api/rest/62.0;client=partnerbridge`). */
export function changeOriginClient(changeOrigin: string): string | null {
  for (const part of changeOrigin.split(';')) {
    const [key, value] = part.split('=');
    if (key?.trim() === 'client' && value !== undefined) return value.trim();
  }
  return null;
}

// CDC sends compound fields nested (BillingAddress: { Country }); REST reads them flat.
function flatten(payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (key === 'ChangeEventHeader') continue;
    if (
      key.endsWith('Address') &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
    ) {
      const prefix = key.slice(0, -'Address'.length);
      for (const [part, partValue] of Object.entries(value)) out[`${prefix}${part}`] = partValue;
      continue;
    }
    out[key] = value;
  }
  return out;
}

export type NormalizeOptions = {
  /** Our integration user's id: its commits are our writes even without `client=`. */
  readonly integrationUserId?: string | undefined;
  /** Set by the subscription when a higher replay id was already delivered on the channel. */
  readonly outOfOrder?: boolean;
};

/** A CometD message as a normalised event; undefined for messages that are not change events. */
export function normalizeChangeEvent(
  channel: string,
  message: unknown,
  options: NormalizeOptions = {},
): SalesforceChangeEvent | undefined {
  const parsed = changeEventMessageSchema.safeParse(message);
  if (!parsed.success) return undefined;
  const header = parsed.data.payload.ChangeEventHeader;
  const object = header.entityName;
  if (object !== 'Opportunity' && object !== 'Account') return undefined;
  const declaration = declarations[object];
  const fields = flatten(parsed.data.payload);
  const nulledFields = header.nulledFields ?? [];
  const values: Record<string, FieldValue> = { ...declaration.fieldValues(fields) };
  const declared = new Set(declaration.fields.map((f) => f.name));
  for (const name of nulledFields) if (declared.has(name)) values[name] = null;

  const changeOrigin = header.changeOrigin ?? '';
  const byClient = changeOriginClient(changeOrigin) === CALL_OPTIONS_CLIENT;
  const integrationUser =
    options.integrationUserId !== undefined &&
    header.commitUser !== null &&
    header.commitUser !== undefined &&
    toId18(header.commitUser) === toId18(options.integrationUserId);
  const wildcard = header.recordIds.some((id) => id.includes('*'));
  const outOfOrder = options.outOfOrder === true;
  const handling: EventHandling =
    header.changeType === 'GAP_OVERFLOW' || wildcard
      ? 'resync'
      : header.changeType.startsWith('GAP_') || outOfOrder
        ? 'reread'
        : 'apply';
  return {
    object,
    channel,
    changeType: header.changeType,
    handling,
    recordIds: header.recordIds.map((id) => toId18(id) ?? id),
    changedFields: header.changedFields ?? [],
    nulledFields,
    diffFields: header.diffFields ?? [],
    commitTimestamp: header.commitTimestamp,
    commitUser: header.commitUser ?? null,
    changeOrigin,
    isOwnWrite: byClient || integrationUser,
    ownWriteSignal: byClient ? 'call_options' : integrationUser ? 'integration_user' : null,
    transactionKey: header.transactionKey ?? null,
    sequenceNumber: header.sequenceNumber ?? null,
    replayId: parsed.data.event.replayId,
    outOfOrder,
    fields,
    values,
  };
}
