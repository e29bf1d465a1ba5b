import { type DeletionInput, decideDeletion } from '@partnerbridge/shared/sync-deletes';
import { describe, expect, it } from 'vitest';

const deletedAt = Date.UTC(2026, 5, 1, 12);
const aDeletion = (overrides: Partial<DeletionInput> = {}): DeletionInput => ({
  kind: 'deal',
  policy: 'propagate',
  deletedSide: 'hubspot',
  deletedAt,
  survivor: { exists: true, modifiedAt: deletedAt - 60_000, unsyncedEdit: false },
  ...overrides,
});

describe(decideDeletion, () => {
  it.each([
    ['a deal under propagate is deleted on the other side', aDeletion(), 'delete', 'propagated'],
    [
      'a deal under unlink is only unlinked',
      aDeletion({ policy: 'unlink' }),
      'unlink',
      'policy_unlink',
    ],
    [
      'a partner company is only unlinked, even under propagate',
      aDeletion({ kind: 'partner' }),
      'unlink',
      'accounts_unlink',
    ],
    [
      'a customer company is only unlinked, even under propagate',
      aDeletion({ kind: 'customer', deletedSide: 'salesforce' }),
      'unlink',
      'accounts_unlink',
    ],
    [
      'a deletion with no time on record (merged, purged) only unlinks',
      aDeletion({ deletedAt: null }),
      'unlink',
      'not_confirmed',
    ],
    [
      'a record merged into another is not a deletion',
      aDeletion({ merged: true }),
      'unlink',
      'merged',
    ],
    [
      'both sides gone: nothing left to delete',
      aDeletion({ survivor: { exists: false } }),
      'unlink',
      'already_deleted',
    ],
    [
      'an unsynced edit after the deletion keeps the survivor',
      aDeletion({ survivor: { exists: true, modifiedAt: deletedAt + 1, unsyncedEdit: true } }),
      'unlink',
      'edited_after_delete',
    ],
    [
      'an unsynced edit before the deletion: the deletion is newer and wins',
      aDeletion({ survivor: { exists: true, modifiedAt: deletedAt - 1, unsyncedEdit: true } }),
      'delete',
      'propagated',
    ],
    [
      'a newer modstamp from our own write (values as we wrote them) does not block the deletion',
      aDeletion({ survivor: { exists: true, modifiedAt: deletedAt + 5_000, unsyncedEdit: false } }),
      'delete',
      'propagated',
    ],
  ] as const)('%s', (_name, input, action, reason) => {
    expect(decideDeletion(input)).toEqual({ action, reason });
  });
});
