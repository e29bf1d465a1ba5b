import { hubspot } from '@hubspot/ui-extensions';
import { cardApiFor } from './api.ts';
import { PartnerTierCard } from './tier/PartnerTierCard.tsx';

hubspot.extend<'crm.record.tab'>(({ context }) => (
  <PartnerTierCard hubspotCompanyId={String(context.crm.objectId)} api={cardApiFor(context)} />
));
