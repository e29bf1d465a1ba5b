import { Alert, Button, ButtonRow, Flex, Text, TextArea } from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { ConflictView } from '../vendor/shared/api/index.ts';

// Tags waiting for a partner manager because another partner holds the deal or the customer.
// Everyone sees why and who holds the registration; partner managers and admins decide here.

export type Decision = { decision: 'approve' } | { decision: 'reject'; note: string };

function ConflictAlert({
  conflict,
  canDecide,
  busy,
  onDecide,
}: {
  conflict: ConflictView;
  canDecide: boolean;
  busy: boolean;
  onDecide: (conflict: ConflictView, decision: Decision) => void;
}) {
  const [rejecting, setRejecting] = useState(false);
  const [note, setNote] = useState('');
  const holder = conflict.holder;
  return (
    <Alert
      variant="warning"
      title={`${conflict.partnerName} waits for a partner manager`}
      testId={`conflict-${conflict.tagId}`}
    >
      <Text testId={`conflict-reason-${conflict.tagId}`}>{conflict.reason}</Text>
      <Text testId={`conflict-holder-${conflict.tagId}`}>
        {`Registration held by ${holder.partnerName}${holder.hubspotDealId === null ? '' : ` (deal ${holder.hubspotDealId})`} until ${conflict.until}.`}
      </Text>
      {canDecide ? (
        <Flex direction="column" gap="xs">
          {rejecting ? (
            <TextArea
              name={`rejectNote-${conflict.tagId}`}
              label="Why is it rejected? The rep sees this note."
              value={note}
              onInput={setNote}
              onChange={setNote}
              testId={`reject-note-${conflict.tagId}`}
            />
          ) : null}
          <ButtonRow>
            {rejecting ? (
              <Button
                variant="destructive"
                disabled={busy || note.trim() === ''}
                onClick={() => onDecide(conflict, { decision: 'reject', note: note.trim() })}
                testId={`reject-confirm-${conflict.tagId}`}
              >
                Reject
              </Button>
            ) : (
              <>
                <Button
                  variant="primary"
                  disabled={busy}
                  onClick={() => onDecide(conflict, { decision: 'approve' })}
                  testId={`approve-${conflict.tagId}`}
                >
                  {`Approve ${conflict.partnerName}`}
                </Button>
                <Button
                  variant="secondary"
                  disabled={busy}
                  onClick={() => setRejecting(true)}
                  testId={`reject-${conflict.tagId}`}
                >
                  Reject…
                </Button>
              </>
            )}
          </ButtonRow>
        </Flex>
      ) : null}
    </Alert>
  );
}

export function ConflictList({
  conflicts,
  canDecide,
  busyTagIds,
  onDecide,
}: {
  conflicts: readonly ConflictView[];
  canDecide: boolean;
  busyTagIds: ReadonlySet<string>;
  onDecide: (conflict: ConflictView, decision: Decision) => void;
}) {
  if (conflicts.length === 0) return null;
  return (
    <Flex direction="column" gap="xs" testId="conflicts">
      {conflicts.map((conflict) => (
        <ConflictAlert
          key={conflict.tagId}
          conflict={conflict}
          canDecide={canDecide}
          busy={busyTagIds.has(conflict.tagId)}
          onDecide={onDecide}
        />
      ))}
    </Flex>
  );
}
