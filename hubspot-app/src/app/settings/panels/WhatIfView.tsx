import {
  Alert,
  Flex,
  Heading,
  Table,
  TableBody,
  TableCell,
  TableFooter,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import type { WhatIfResult } from '../vendor/shared/api/index.ts';

// The effect of a proposed change on past deals, before it is published: commission per partner
// under the current and the proposed program, the difference, and what either cannot pay.

export function WhatIfView({ result, testId }: { result: WhatIfResult; testId: string }) {
  const period =
    result.period === null
      ? 'every closed deal'
      : `deals closed ${result.period.from} to ${result.period.to}`;
  const problems = [
    ...result.ambiguities.map((ambiguity) => ambiguity.message),
    ...result.issues.proposed.map((issue) => `${issue.dealName}: ${issue.message}`),
  ];
  return (
    <Flex direction="column" gap="xs" testId={testId}>
      <Heading>What this change would have paid</Heading>
      <Text variant="microcopy" testId={`${testId}-scope`}>
        {`${result.dealsReplayed} deals replayed (${period}), as of ${result.asOf}.`}
      </Text>
      {problems.length === 0 ? null : (
        <Alert
          title="The proposal cannot pay every deal"
          variant="warning"
          testId={`${testId}-problems`}
        >
          {problems.join(' ')}
        </Alert>
      )}
      {result.rows.length === 0 ? (
        <Text testId={`${testId}-empty`}>No partner earns a commission under either program.</Text>
      ) : (
        <Table bordered density="compact" testId={`${testId}-table`}>
          <TableHead>
            <TableRow>
              <TableHeader>Partner</TableHeader>
              <TableHeader align="right">Now</TableHeader>
              <TableHeader align="right">Proposed</TableHeader>
              <TableHeader align="right">Difference</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {result.rows.map((row) => (
              <TableRow key={row.partner.id} testId={`${testId}-row-${row.partner.id}`}>
                <TableCell>{row.partner.name}</TableCell>
                <TableCell align="right">{row.current.formatted}</TableCell>
                <TableCell align="right">{row.proposed.formatted}</TableCell>
                <TableCell align="right">{row.delta.formatted}</TableCell>
              </TableRow>
            ))}
          </TableBody>
          <TableFooter>
            <TableRow>
              <TableCell>Total</TableCell>
              <TableCell align="right">{result.totals.current.formatted}</TableCell>
              <TableCell align="right">{result.totals.proposed.formatted}</TableCell>
              <TableCell align="right" testId={`${testId}-delta`}>
                {result.totals.delta.formatted}
              </TableCell>
            </TableRow>
          </TableFooter>
        </Table>
      )}
    </Flex>
  );
}
