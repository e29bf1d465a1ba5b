import { EmptyState, Text } from '@hubspot/ui-extensions';
import type { CardApi } from '../api.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';
import { CustomerPartners } from './CustomerPartners.tsx';
import { PartnerProgram } from './PartnerProgram.tsx';

// The company card: for a partner, its tier card (the partner manager's view); for a customer,
// the partners credited on its deals; otherwise an empty state saying why there is nothing.

export type PartnerTierCardProps = {
  hubspotCompanyId: string;
  api: Pick<CardApi, 'tierCard'>;
};

export function PartnerTierCard({ hubspotCompanyId, api }: PartnerTierCardProps) {
  const card = useRemoteData(`company:${hubspotCompanyId}`, () => api.tierCard(hubspotCompanyId));
  const state = card.state;
  if (state.status === 'loading') {
    return <LoadingState label="Loading this company's partner program" testId="tier-loading" />;
  }
  if (state.status === 'error') {
    return (
      <ErrorPanel
        what="Could not load this company's partner program"
        error={state.error}
        onRetry={card.reload}
        testId="tier-error"
      />
    );
  }
  const data = state.data;
  switch (data.kind) {
    case 'partner':
      return <PartnerProgram card={data} />;
    case 'customer':
      return <CustomerPartners card={data} />;
    case 'empty':
      return (
        <EmptyState
          title="Not in the partner program"
          imageName="companies"
          layout="vertical"
          testId="tier-empty"
        >
          <Text>{data.message}</Text>
        </EmptyState>
      );
  }
}
