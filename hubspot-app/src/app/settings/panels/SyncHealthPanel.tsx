import {
  type AddAlertAction,
  Button,
  ButtonRow,
  DescriptionList,
  DescriptionListItem,
  EmptyState,
  Flex,
  Heading,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { SyncHealthView } from '../admin-contract.ts';
import type { SettingsApi } from '../api.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';
import { ApiBudgets } from './ApiBudgets.tsx';

// Sync health an admin can act on: each side's connection, lag and API usage; the daily API
// budgets (caps, set by admins); what fails grouped by type; the dead letters (records that failed
// for good) with Replay and Discard.

type SystemHealth = SyncHealthView['hubspot'];

function SystemTile({ name, health }: { name: string; health: SystemHealth }) {
  const usage = health.apiUsage;
  return (
    <Tile testId={`health-${name.toLowerCase()}`}>
      <Flex direction="row" gap="sm" align="center">
        <Heading>{name}</Heading>
        <StatusTag
          variant={
            health.connected ? (health.failedPolls.length > 0 ? 'warning' : 'success') : 'default'
          }
        >
          {health.connected
            ? health.failedPolls.length > 0
              ? 'Polling fails'
              : 'Connected'
            : 'Not connected'}
        </StatusTag>
      </Flex>
      <DescriptionList direction="row">
        <DescriptionListItem label="Last successful poll">
          <Text>
            {health.lastSuccessfulPoll === null
              ? 'never'
              : `${health.lastSuccessfulPoll} (${health.lagSeconds ?? 0} s ago)`}
          </Text>
        </DescriptionListItem>
        <DescriptionListItem label="API calls today">
          <Text testId={`health-${name.toLowerCase()}-calls`}>
            {`${usage.calls}${usage.dailyLimit === null ? '' : ` of ${usage.dailyLimit}`} (${usage.state}; ${usage.rateLimited} rate-limited)`}
          </Text>
        </DescriptionListItem>
      </DescriptionList>
      {health.failedPolls.map((poll) => (
        <Text
          key={poll.object}
          variant="microcopy"
        >{`${poll.object}: ${poll.error ?? 'failed'}`}</Text>
      ))}
    </Tile>
  );
}

export function SyncHealthPanel({
  api,
  addAlert,
  canEdit,
}: {
  api: Pick<
    SettingsApi,
    | 'syncHealth'
    | 'deadLetters'
    | 'replayDeadLetter'
    | 'discardDeadLetter'
    | 'budgets'
    | 'setBudget'
  >;
  addAlert: AddAlertAction;
  canEdit: boolean;
}) {
  const health = useRemoteData('health', () => api.syncHealth());
  const letters = useRemoteData('dead-letters', () => api.deadLetters());
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  // Replay syncs the record again; discard closes the letter for good (kept as history).
  async function resolve(id: string, action: 'replay' | 'discard'): Promise<void> {
    setBusy((current) => new Set([...current, id]));
    const result =
      action === 'replay' ? await api.replayDeadLetter(id) : await api.discardDeadLetter(id);
    setBusy((current) => new Set([...current].filter((other) => other !== id)));
    if (!result.ok) {
      addAlert({
        type: 'danger',
        title: action === 'replay' ? 'Could not replay the record' : 'Could not discard it',
        message: result.error.message,
      });
      return;
    }
    letters.update((current) => ({
      deadLetters: current.deadLetters.filter((letter) => letter.id !== id),
    }));
    addAlert({
      type: 'success',
      message:
        action === 'replay'
          ? 'The record is queued to sync again from the current state of both sides.'
          : 'Discarded: the record stays as it is on both sides.',
    });
    health.refresh();
  }

  return (
    <Flex direction="column" gap="md" testId="sync-health">
      {health.state.status === 'loading' ? (
        <LoadingState label="Loading sync health" testId="health-loading" />
      ) : health.state.status === 'error' ? (
        <ErrorPanel
          what="Could not load sync health"
          error={health.state.error}
          onRetry={health.reload}
          testId="health-error"
        />
      ) : (
        <>
          <Flex direction="row" gap="sm" wrap>
            <SystemTile name="HubSpot" health={health.state.data.hubspot} />
            <SystemTile name="Salesforce" health={health.state.data.salesforce} />
          </Flex>
          <Text testId="health-reviews">{`${health.state.data.pendingReviews} records wait for an identity review.`}</Text>
          <Text testId="health-outbox">
            {health.state.data.outbox.pending === 0
              ? 'Every Partnerbridge change (tags, commissions, tiers) is written to both CRMs.'
              : `${health.state.data.outbox.pending} Partnerbridge changes wait to be written to the CRMs (oldest ${health.state.data.outbox.oldestAt ?? ''}).`}
          </Text>
          <Heading>Errors by type</Heading>
          {health.state.data.errors.length === 0 ? (
            <Text testId="health-no-errors">No open sync error.</Text>
          ) : (
            <Table bordered density="compact" testId="health-errors">
              <TableHead>
                <TableRow>
                  <TableHeader>Type</TableHeader>
                  <TableHeader>Records</TableHeader>
                  <TableHeader>Last</TableHeader>
                  <TableHeader>For example</TableHeader>
                </TableRow>
              </TableHead>
              <TableBody>
                {health.state.data.errors.map((group) => (
                  <TableRow key={group.type} testId={`health-error-${group.type}`}>
                    <TableCell>{group.type}</TableCell>
                    <TableCell>{group.count}</TableCell>
                    <TableCell>{group.lastFailedAt}</TableCell>
                    <TableCell>{group.examples[0]?.reason ?? ''}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </>
      )}
      <Heading>Daily API budgets</Heading>
      <Text variant="microcopy">
        Our calls to each CRM per UTC day. At the reserve line back-fills and imports wait while
        live changes keep syncing; at the cap the sync pauses until midnight UTC, or until the cap
        is raised or cleared.
      </Text>
      <ApiBudgets api={api} addAlert={addAlert} canEdit={canEdit} />
      <Heading>Dead letters</Heading>
      {letters.state.status === 'loading' ? (
        <LoadingState label="Loading dead letters" testId="letters-loading" />
      ) : letters.state.status === 'error' ? (
        <ErrorPanel
          what="Could not load the dead letters"
          error={letters.state.error}
          onRetry={letters.reload}
          testId="letters-error"
        />
      ) : letters.state.data.deadLetters.length === 0 ? (
        <EmptyState
          title="Nothing failed for good"
          imageName="successfullyConnectedEmail"
          layout="horizontal"
          testId="letters-empty"
        >
          <Text>Records that fail after every retry land here with the reason, to replay.</Text>
        </EmptyState>
      ) : (
        <Table bordered density="compact" testId="letters">
          <TableHead>
            <TableRow>
              <TableHeader>Type</TableHeader>
              <TableHeader>Why</TableHeader>
              <TableHeader>Attempts</TableHeader>
              <TableHeader>Last failed</TableHeader>
              <TableHeader> </TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {letters.state.data.deadLetters.map((letter) => (
              <TableRow key={letter.id} testId={`letter-${letter.id}`}>
                <TableCell>{letter.errorType}</TableCell>
                <TableCell>{letter.reason}</TableCell>
                <TableCell>{letter.attempts}</TableCell>
                <TableCell>{letter.lastFailedAt}</TableCell>
                <TableCell>
                  {canEdit ? (
                    <ButtonRow>
                      <Button
                        size="sm"
                        disabled={busy.has(letter.id)}
                        onClick={() => resolve(letter.id, 'replay')}
                        testId={`replay-${letter.id}`}
                      >
                        Replay
                      </Button>
                      <Button
                        size="sm"
                        variant="transparent"
                        disabled={busy.has(letter.id)}
                        onClick={() => resolve(letter.id, 'discard')}
                        testId={`discard-${letter.id}`}
                      >
                        Discard
                      </Button>
                    </ButtonRow>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Flex>
  );
}
