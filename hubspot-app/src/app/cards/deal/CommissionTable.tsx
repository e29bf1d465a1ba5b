import {
  Alert,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import type { AttributionView, CommissionView } from '../vendor/shared/api/index.ts';
import { commissionStatusBadge } from './labels.ts';

// What each partner earns on this deal and why: the rule, the rate, the base and the split, as
// the server explains it. Errors (ambiguous rules, a missing FX rate) are shown, never hidden.

function amountOf(commission: CommissionView): string {
  if (commission.kind === 'commission') return commission.total.formatted;
  if (commission.kind === 'no_commission') return 'None';
  return 'Needs an admin';
}

function whyOf(commission: CommissionView): string {
  if (commission.kind === 'error') {
    const rules = commission.rules.map((rule) => `${rule.name} v${rule.version}`).join(' and ');
    return rules === '' ? commission.message : `${commission.message} (${rules})`;
  }
  if (commission.kind === 'no_commission') return commission.explanation;
  const extras = [
    commission.capped ? 'capped' : null,
    commission.fx === null ? null : commission.fx.description,
    commission.installments.length > 1
      ? `paid in ${commission.installments.length} installments`
      : null,
  ].filter((extra) => extra !== null);
  return extras.length === 0
    ? commission.explanation
    : `${commission.explanation} (${extras.join('; ')})`;
}

export function CommissionTable({
  attribution,
  commissions,
}: {
  attribution: AttributionView;
  commissions: readonly CommissionView[];
}) {
  return (
    <>
      {attribution.status === 'error' ? (
        <Alert title="Credits could not be computed" variant="danger" testId="attribution-error">
          {`${attribution.message} (${attribution.modelLabel})`}
        </Alert>
      ) : null}
      {commissions.length === 0 ? (
        <Text testId="commissions-empty">No partner earns a commission on this deal yet.</Text>
      ) : (
        <Table bordered testId="commissions-table">
          <TableHead>
            <TableRow>
              <TableHeader>Partner</TableHeader>
              <TableHeader>Status</TableHeader>
              <TableHeader>Commission</TableHeader>
              <TableHeader>Why</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {commissions.map((commission) => {
              const badge = commissionStatusBadge[commission.status];
              return (
                <TableRow key={commission.partnerId} testId={`commission-${commission.partnerId}`}>
                  <TableCell>{commission.partnerName}</TableCell>
                  <TableCell>
                    <StatusTag variant={commission.kind === 'error' ? 'danger' : badge.variant}>
                      {commission.kind === 'error' ? 'Error' : badge.label}
                    </StatusTag>
                  </TableCell>
                  <TableCell testId={`commission-amount-${commission.partnerId}`}>
                    {amountOf(commission)}
                  </TableCell>
                  <TableCell>
                    <Text testId={`commission-why-${commission.partnerId}`}>
                      {whyOf(commission)}
                    </Text>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
    </>
  );
}
