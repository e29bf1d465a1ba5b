import {
  Button,
  ButtonRow,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import type { AttributionView } from '../vendor/shared/api/index.ts';
import type { TagRow } from './deal-view-changes.ts';
import { motionLabel, registrationBadge, roleLabel } from './labels.ts';

// The deal's partner tags: who, how, what share of the deal they are credited, and whether the
// tag counts yet.

function CreditCell({ attribution, row }: { attribution: AttributionView; row: TagRow }) {
  const credit =
    row.tag === null || attribution.status !== 'computed'
      ? undefined
      : attribution.credits.find((c) => c.tagId === row.id);
  if (credit === undefined) return <Text testId={`tag-credit-${row.id}`}>—</Text>;
  return (
    <>
      <Text testId={`tag-credit-${row.id}`}>
        {`${credit.credited.formatted} (${credit.shareFormatted})`}
      </Text>
      <Text variant="microcopy" testId={`tag-credit-why-${row.id}`}>
        {credit.explanation}
      </Text>
    </>
  );
}

const pendingLabel = { creating: 'Saving…', saving: 'Saving…', removing: 'Removing…' } as const;

export function TagsTable({
  rows,
  attribution,
  onEdit,
  onRemove,
}: {
  rows: readonly TagRow[];
  attribution: AttributionView;
  onEdit: (row: TagRow) => void;
  onRemove: (row: TagRow) => void;
}) {
  return (
    <Table bordered testId="tags-table">
      <TableHead>
        <TableRow>
          <TableHeader>Partner</TableHeader>
          <TableHeader>Role</TableHeader>
          <TableHeader>Motion</TableHeader>
          <TableHeader>Credit</TableHeader>
          <TableHeader>Status</TableHeader>
          <TableHeader>Actions</TableHeader>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((row) => {
          const badge = row.tag === null ? null : registrationBadge(row.tag.registration);
          return (
            <TableRow key={row.id} testId={`tag-row-${row.id}`}>
              <TableCell>
                <Text format={{ fontWeight: 'demibold' }}>{row.partner.name}</Text>
                <Text variant="microcopy">
                  {`${row.partner.tierName} · ${row.partner.type}${row.taggedBy === null ? '' : ` · tagged by ${row.taggedBy}`}`}
                </Text>
              </TableCell>
              <TableCell>{roleLabel(row.role)}</TableCell>
              <TableCell>
                {row.share === null
                  ? motionLabel(row.motion)
                  : `${motionLabel(row.motion)} · explicit share ${row.share}`}
              </TableCell>
              <TableCell>
                <CreditCell attribution={attribution} row={row} />
              </TableCell>
              <TableCell>
                {row.pending !== null ? (
                  <StatusTag variant="info" testId={`tag-pending-${row.id}`}>
                    {pendingLabel[row.pending]}
                  </StatusTag>
                ) : badge === null ? null : (
                  <StatusTag variant={badge.variant} testId={`tag-status-${row.id}`}>
                    {badge.label}
                  </StatusTag>
                )}
              </TableCell>
              <TableCell>
                <ButtonRow>
                  <Button
                    size="sm"
                    variant="transparent"
                    disabled={row.pending !== null}
                    onClick={() => onEdit(row)}
                    testId={`edit-tag-${row.id}`}
                  >
                    Change
                  </Button>
                  <Button
                    size="sm"
                    variant="destructive"
                    disabled={row.pending !== null}
                    onClick={() => onRemove(row)}
                    testId={`remove-tag-${row.id}`}
                  >
                    Remove
                  </Button>
                </ButtonRow>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
