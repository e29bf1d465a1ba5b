import type { MappedObjectKind, ObjectMapping, SyncSide } from './sync-mapping.ts';

// What a deletion on one side does to the linked record on the other, pure. The engine reads both
// sides, confirms the deletion (HubSpot's archived read, Salesforce's recycle bin), and asks here.
//
// - Accounts (partner and customer companies) are only ever unlinked: deleting a Salesforce
//   account deletes its opportunities, contacts and cases with it, and a partner company carries
//   the commission ledger and tier history; a CRM clean-up must not cascade through the sync.
// - A deletion the engine could not confirm (a record missing but not archived or in the recycle
//   bin: purged, out of the integration user's reach) only unlinks, and so does a merge (the
//   merged-away record lives on in the surviving one).
// - Delete against update: the deletion wins unless the surviving record holds a user edit made
//   after the deletion that the sync has not carried yet. Someone still working on the record is
//   a stronger signal than a clean-up on the other side, so it is kept, unlinked, and audited.

export const deletionReasons = [
  'propagated',
  'policy_unlink',
  'accounts_unlink',
  'not_confirmed',
  'merged',
  'already_deleted',
  'edited_after_delete',
] as const;
export type DeletionReason = (typeof deletionReasons)[number];

export type DeletionInput = {
  readonly kind: MappedObjectKind;
  readonly policy: ObjectMapping['deletes'];
  readonly deletedSide: SyncSide;
  /** When the deletion happened (epoch ms); null when no deletion is on record. */
  readonly deletedAt: number | null;
  /** The record was merged into another (HubSpot archives the merged-away one). */
  readonly merged?: boolean;
  /** The linked record on the other side, as read now. */
  readonly survivor:
    | { readonly exists: false }
    | {
        readonly exists: true;
        /** Its last modification (epoch ms), when known. */
        readonly modifiedAt: number | null;
        /** Its mapped values differ from what the sync last wrote or agreed (a user edit). */
        readonly unsyncedEdit: boolean;
      };
};

export type DeletionDecision = {
  /** `delete`: delete (Salesforce) or archive (HubSpot) the survivor; always tombstone the link. */
  readonly action: 'delete' | 'unlink';
  readonly reason: DeletionReason;
};

/** The decision for one linked record deleted on one side. */
export function decideDeletion(input: DeletionInput): DeletionDecision {
  if (!input.survivor.exists) return { action: 'unlink', reason: 'already_deleted' };
  if (input.kind !== 'deal') return { action: 'unlink', reason: 'accounts_unlink' };
  if (input.policy === 'unlink') return { action: 'unlink', reason: 'policy_unlink' };
  if (input.merged === true) return { action: 'unlink', reason: 'merged' };
  if (input.deletedAt === null) return { action: 'unlink', reason: 'not_confirmed' };
  const { modifiedAt, unsyncedEdit } = input.survivor;
  if (unsyncedEdit && modifiedAt !== null && modifiedAt > input.deletedAt) {
    return { action: 'unlink', reason: 'edited_after_delete' };
  }
  return { action: 'delete', reason: 'propagated' };
}
