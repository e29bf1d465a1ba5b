import {
  Alert,
  DescriptionList,
  DescriptionListItem,
  Divider,
  Flex,
  Heading,
  List,
  ProgressBar,
  Statistics,
  StatisticsItem,
  StatisticsTrend,
  StatusTag,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import type { PartnerTierCard, RequirementView } from '../vendor/shared/api/index.ts';

// A partner's tier card: tier and what it brings, each requirement of the next tier with the gap
// and a forecast from weighted pipeline, revenue and growth, customers, commissions, onboarding.

const trainingLevels = ['none', 'basic', 'advanced', 'expert'] as const;

type Bar = { value: number; max: number; description: string };

function barOf(requirement: RequirementView): Bar {
  const status = (gap: string) => (requirement.met ? 'met' : `${gap} to go`);
  switch (requirement.kind) {
    case 'certified_salespeople':
    case 'customers':
      return {
        value: requirement.current,
        max: requirement.required,
        description: `${requirement.current} of ${requirement.required} · ${status(String(requirement.gap))}`,
      };
    case 'trailing_revenue':
      return {
        value: requirement.current.amountMinor,
        max: requirement.required.amountMinor,
        description: `${requirement.current.formatted} of ${requirement.required.formatted} · ${status(requirement.gap.formatted)}`,
      };
    case 'training':
      return {
        value: trainingLevels.indexOf(requirement.current),
        max: trainingLevels.indexOf(requirement.required),
        description: `${requirement.current} training, needs ${requirement.required} · ${status(`${requirement.gap} level${requirement.gap === 1 ? '' : 's'}`)}`,
      };
    case 'strategic_agreement':
      return {
        value: requirement.current ? 1 : 0,
        max: 1,
        description: requirement.current ? 'Agreement signed · met' : 'Agreement not signed yet',
      };
  }
}

const paceBadge = {
  ahead: { label: 'Ahead of plan', variant: 'success' },
  on_track: { label: 'On track', variant: 'success' },
  behind: { label: 'Behind plan', variant: 'warning' },
  completed: { label: 'Completed', variant: 'success' },
} as const;

function TierChange({ card }: { card: PartnerTierCard }) {
  const change = card.tier.change;
  switch (change.kind) {
    case 'unchanged':
      return null;
    case 'promoted':
      return (
        <Alert title={`Promoted to ${card.tier.name}`} variant="success" testId="tier-change">
          {`Up from ${change.fromName} on ${card.tier.since}.`}
        </Alert>
      );
    case 'held_in_grace':
      return (
        <Alert
          title={`${card.tier.name} kept during the grace period`}
          variant="warning"
          testId="tier-change"
        >
          {`Current numbers qualify for ${change.qualifiesForName}; ${card.partner.name} keeps ${card.tier.name} until ${change.until} unless it qualifies again.`}
        </Alert>
      );
    case 'demoted':
      return (
        <Alert title={`Moved down to ${card.tier.name}`} variant="warning" testId="tier-change">
          {`Down from ${change.fromName} on ${card.tier.since}, after the grace period.`}
        </Alert>
      );
  }
}

export function PartnerProgram({ card }: { card: PartnerTierCard }) {
  const { partner, tier, revenue, commissions, onboarding } = card;
  const growth = revenue.growth;
  const pace = paceBadge[onboarding.pace];
  return (
    <Flex direction="column" gap="md" testId="partner-card">
      <Flex direction="row" gap="sm" align="center">
        <Heading>{partner.name}</Heading>
        <Tag variant={tier.id === 'registered' ? 'default' : 'success'} testId="tier-badge">
          {tier.name}
        </Tag>
      </Flex>
      <Text variant="microcopy" testId="partner-line">
        {`${partner.type} · ${partner.subtype} · partner since ${partner.joinedOn} · ${tier.name} since ${tier.since}`}
      </Text>
      <TierChange card={card} />
      {card.issues.length === 0 ? null : (
        <Alert title="Some deals could not be counted" variant="warning" testId="tier-issues">
          {card.issues.join(' ')}
        </Alert>
      )}

      <Statistics testId="partner-statistics">
        <StatisticsItem
          label={`Revenue, last ${revenue.windowMonths} months`}
          number={revenue.trailing.formatted}
        >
          {growth === null || revenue.growthFormatted === null ? (
            <Text variant="microcopy">No revenue in the previous period to compare with</Text>
          ) : (
            <StatisticsTrend
              value={revenue.growthFormatted}
              direction={growth.startsWith('-') ? 'decrease' : 'increase'}
              testId="revenue-growth"
            />
          )}
        </StatisticsItem>
        <StatisticsItem label="Customers" number={card.customers} />
        <StatisticsItem label="Commissions earned" number={commissions.earned.formatted} />
      </Statistics>
      <DescriptionList direction="row" testId="partner-commissions">
        <DescriptionListItem label="Pending (holding period)">
          <Text>{commissions.pending.formatted}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Payable">
          <Text>{commissions.payable.formatted}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Paid">
          <Text>{commissions.paid.formatted}</Text>
        </DescriptionListItem>
      </DescriptionList>

      <Divider />
      {card.progress === null ? (
        <Text testId="tier-top">{`${tier.name} is the top tier of the program.`}</Text>
      ) : (
        <Flex direction="column" gap="sm" testId="tier-progress">
          <Heading>
            {card.progress.goal === 'reach'
              ? `Progress to ${card.progress.tierName}`
              : `To keep ${card.progress.tierName}`}
          </Heading>
          {card.progress.requirements.map((requirement) => {
            const bar = barOf(requirement);
            return (
              <ProgressBar
                key={requirement.kind}
                title={requirement.label}
                value={bar.value}
                maxValue={Math.max(bar.max, 1)}
                valueDescription={bar.description}
                variant={requirement.met ? 'success' : 'warning'}
                testId={`requirement-${requirement.kind}`}
              />
            );
          })}
        </Flex>
      )}
      <Text testId="tier-forecast">
        {card.forecast.kind === 'reachable'
          ? `At the current weighted pipeline, ${partner.name} reaches ${card.forecast.tierName} around ${card.forecast.expectedOn} (projected ${card.forecast.projectedRevenue.formatted} revenue, ${card.forecast.projectedCustomers} customers).`
          : card.forecast.reason}
      </Text>

      {card.benefits === null ? null : (
        <Flex direction="column" gap="xs" testId="tier-benefits">
          <Heading>{`${tier.name} benefits`}</Heading>
          <List variant="unordered-styled">
            {[...card.benefits.support, ...card.benefits.perks].map((benefit) => (
              <Text key={benefit}>{benefit}</Text>
            ))}
            <Text>{`Business review: ${card.benefits.businessReview}`}</Text>
          </List>
        </Flex>
      )}

      <Divider />
      <Flex direction="column" gap="xs" testId="onboarding">
        <Flex direction="row" gap="sm" align="center">
          <Heading>Onboarding</Heading>
          <StatusTag variant={pace.variant} testId="onboarding-pace">
            {pace.label}
          </StatusTag>
        </Flex>
        <Text testId="onboarding-line">
          {onboarding.currentPhase === null
            ? `Week ${onboarding.week}: every phase is complete.`
            : `Week ${onboarding.week}: ${onboarding.currentPhase.label} phase.`}
        </Text>
        {onboarding.phases.map((phase) => (
          <ProgressBar
            key={phase.id}
            title={phase.label}
            value={phase.done}
            maxValue={Math.max(phase.total, 1)}
            valueDescription={`${phase.done} of ${phase.total} done`}
            variant={phase.done === phase.total ? 'success' : 'warning'}
            testId={`phase-${phase.id}`}
          />
        ))}
        {onboarding.remaining.length === 0 ? null : (
          <List variant="unordered-styled" testId="onboarding-remaining">
            {onboarding.remaining.map((item) => (
              <Text key={item.id}>{item.label}</Text>
            ))}
          </List>
        )}
      </Flex>
    </Flex>
  );
}
