import {
  type AddAlertAction,
  Button,
  ButtonRow,
  EmptyState,
  Flex,
  Heading,
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
import type { IdentityReviewView, ResolveReviewBody } from '../admin-contract.ts';
import type { SettingsApi } from '../api.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';

// Identity reviews: a company or account with several possible twins on the other CRM waits for
// a person instead of getting a duplicate. Each shows the record and its candidates (name,
// domain, id, CRM); an admin links one, creates a new twin, or keeps the record apart.

const crm = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;
const recordNoun = { hubspot: 'company', salesforce: 'account' } as const;

type ReviewRecord = IdentityReviewView['record'];

const recordText = (record: ReviewRecord) =>
  `${record.name ?? '(no name stored)'}${record.domain === null ? '' : ` · ${record.domain}`}`;

function ReviewTile({
  review,
  canEdit,
  busy,
  onResolve,
}: {
  review: IdentityReviewView;
  canEdit: boolean;
  busy: boolean;
  onResolve: (body: ResolveReviewBody, done: string) => void;
}) {
  const other = review.side === 'hubspot' ? 'salesforce' : 'hubspot';
  const link = (id: string): ResolveReviewBody =>
    review.side === 'hubspot'
      ? { action: 'link', salesforceId: id }
      : { action: 'link', hubspotId: id };
  return (
    <Tile testId={`review-${review.id}`}>
      <Heading>{`${crm[review.side]} ${recordNoun[review.side]}: ${recordText(review.record)}`}</Heading>
      <Text variant="microcopy">{`${review.reason} (${review.objectKind}, ${crm[review.side]} id ${review.record.id})`}</Text>
      <Table bordered density="compact" testId={`review-${review.id}-candidates`}>
        <TableHead>
          <TableRow>
            <TableHeader>{`${crm[other]} ${recordNoun[other]}`}</TableHeader>
            <TableHeader>Domain</TableHeader>
            <TableHeader>Id</TableHeader>
            <TableHeader>Matched on</TableHeader>
            <TableHeader> </TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {review.candidates.map((candidate) => (
            <TableRow key={candidate.id} testId={`candidate-${candidate.id}`}>
              <TableCell>{candidate.name ?? ''}</TableCell>
              <TableCell>{candidate.domain ?? ''}</TableCell>
              <TableCell>{`${crm[candidate.system]} ${candidate.id}`}</TableCell>
              <TableCell>{candidate.matchedOn.join(', ')}</TableCell>
              <TableCell>
                {canEdit ? (
                  <Button
                    size="sm"
                    disabled={busy}
                    onClick={() =>
                      onResolve(
                        link(candidate.id),
                        `Linked to ${crm[other]} ${recordNoun[other]} ${candidate.name ?? candidate.id}: they sync from now on.`,
                      )
                    }
                    testId={`link-${review.id}-${candidate.id}`}
                  >
                    Link
                  </Button>
                ) : null}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {canEdit ? (
        <ButtonRow>
          <Button
            size="sm"
            disabled={busy}
            onClick={() =>
              onResolve(
                { action: 'create' },
                `A new ${crm[other]} ${recordNoun[other]} will be created for it.`,
              )
            }
            testId={`create-${review.id}`}
          >
            {`None of them: create in ${crm[other]}`}
          </Button>
          <Button
            size="sm"
            variant="transparent"
            disabled={busy}
            onClick={() =>
              onResolve(
                { action: 'keep_apart' },
                'Kept apart: the record stays without a twin and is not synced.',
              )
            }
            testId={`keep-apart-${review.id}`}
          >
            Keep apart
          </Button>
        </ButtonRow>
      ) : null}
    </Tile>
  );
}

export function IdentityReviewsPanel({
  api,
  addAlert,
  canEdit,
}: {
  api: Pick<SettingsApi, 'reviews' | 'resolveReview'>;
  addAlert: AddAlertAction;
  canEdit: boolean;
}) {
  const reviews = useRemoteData('reviews', () => api.reviews());
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  async function resolve(id: string, body: ResolveReviewBody, done: string): Promise<void> {
    setBusy((current) => new Set([...current, id]));
    const result = await api.resolveReview(id, body);
    setBusy((current) => new Set([...current].filter((other) => other !== id)));
    if (!result.ok) {
      addAlert({
        type: 'danger',
        title: 'Could not resolve the review',
        message: result.error.message,
      });
      return;
    }
    reviews.update((current) => ({ reviews: current.reviews.filter((r) => r.id !== id) }));
    addAlert({ type: 'success', message: done });
  }

  if (reviews.state.status === 'loading')
    return <LoadingState label="Loading identity reviews" testId="reviews-loading" />;
  if (reviews.state.status === 'error') {
    return (
      <ErrorPanel
        what="Could not load the identity reviews"
        error={reviews.state.error}
        onRetry={reviews.reload}
        testId="reviews-error"
      />
    );
  }
  if (reviews.state.data.reviews.length === 0) {
    return (
      <EmptyState
        title="No identity review waits"
        imageName="successfullyConnectedEmail"
        layout="horizontal"
        testId="reviews-empty"
      >
        <Text>
          A company or account with several possible twins on the other CRM waits here instead of
          getting a duplicate.
        </Text>
      </EmptyState>
    );
  }
  return (
    <Flex direction="column" gap="md" testId="reviews">
      {canEdit ? null : (
        <Text testId="reviews-read-only">Only a Partnerbridge admin can resolve reviews.</Text>
      )}
      {reviews.state.data.reviews.map((review) => (
        <ReviewTile
          key={review.id}
          review={review}
          canEdit={canEdit}
          busy={busy.has(review.id)}
          onResolve={(body, done) => resolve(review.id, body, done)}
        />
      ))}
    </Flex>
  );
}
