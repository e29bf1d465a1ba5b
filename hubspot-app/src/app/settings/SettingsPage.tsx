import { hubspot } from '@hubspot/ui-extensions';
import { settingsApiFor } from './api.ts';
import { PartnerbridgeSettings } from './panels/PartnerbridgeSettings.tsx';

hubspot.extend<'settings'>(({ context, actions }) => (
  <PartnerbridgeSettings api={settingsApiFor(context)} addAlert={actions.addAlert} />
));
