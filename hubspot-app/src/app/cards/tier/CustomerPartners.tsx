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
import type { CustomerTierCard } from '../vendor/shared/api/index.ts';

// A customer company: which partners are credited on its won deals, largest first.

export function CustomerPartners({ card }: { card: CustomerTierCard }) {
  return (
    <Flex direction="column" gap="sm" testId="customer-card">
      <Heading>{card.company.name ?? 'This customer'}</Heading>
      <Text testId="customer-deals">
        {`${card.deals.won} won · ${card.deals.open} open · ${card.deals.lost} lost deals in Partnerbridge`}
      </Text>
      {card.issues.length === 0 ? null : (
        <Alert title="Some deals could not be counted" variant="warning" testId="customer-issues">
          {card.issues.join(' ')}
        </Alert>
      )}
      {card.partners.length === 0 ? (
        <Text testId="customer-no-partners">
          No partner is credited on this customer's won deals.
        </Text>
      ) : (
        <Table bordered testId="customer-partners">
          <TableHead>
            <TableRow>
              <TableHeader>Partner</TableHeader>
              <TableHeader>Won deals</TableHeader>
              <TableHeader>Open deals</TableHeader>
              <TableHeader align="right">Credited</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {card.partners.map((row) => (
              <TableRow key={row.partner.id} testId={`customer-partner-${row.partner.id}`}>
                <TableCell>
                  <Text format={{ fontWeight: 'demibold' }}>{row.partner.name}</Text>
                  <Text variant="microcopy">{`${row.partner.type} · ${row.partner.tierName}`}</Text>
                </TableCell>
                <TableCell>{row.wonDeals}</TableCell>
                <TableCell>{row.openDeals}</TableCell>
                <TableCell align="right">{row.credited.formatted}</TableCell>
              </TableRow>
            ))}
          </TableBody>
          <TableFooter>
            <TableRow>
              <TableCell colSpan={3}>Total credited to partners</TableCell>
              <TableCell align="right" testId="customer-total">
                {card.totalCredited.formatted}
              </TableCell>
            </TableRow>
          </TableFooter>
        </Table>
      )}
    </Flex>
  );
}
