import { hubspot } from '@hubspot/ui-extensions';
import { cardApiFor } from './api.ts';
import { DealPartnersCard } from './deal/DealPartnersCard.tsx';

hubspot.extend<'crm.record.tab'>(({ context, actions }) => (
  <DealPartnersCard
    hubspotDealId={String(context.crm.objectId)}
    api={cardApiFor(context)}
    addAlert={actions.addAlert}
  />
));
