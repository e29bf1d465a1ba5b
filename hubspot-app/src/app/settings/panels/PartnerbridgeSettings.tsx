import { type AddAlertAction, EmptyState, Tab, Tabs, Text } from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { SettingsApi } from '../api.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';
import { ConnectionsPanel } from './ConnectionsPanel.tsx';
import { IdentityReviewsPanel } from './IdentityReviewsPanel.tsx';
import { MappingsPanel } from './MappingsPanel.tsx';
import { ProgramPanel } from './ProgramPanel.tsx';
import { RulesPanel } from './RulesPanel.tsx';
import { SyncHealthPanel } from './SyncHealthPanel.tsx';

// The admin's page: connections, the program's tiers, commission rules (each change previewed
// with what-if before it is saved), sync mappings (dry run before saving), sync health and the
// identity reviews (records with several possible twins). Only the open tab loads its data.

export type SettingsPageProps = {
  api: SettingsApi;
  addAlert: AddAlertAction;
};

const tabs = [
  { id: 'connections', title: 'Connections' },
  { id: 'program', title: 'Program & tiers' },
  { id: 'rules', title: 'Commission rules' },
  { id: 'mappings', title: 'Sync mappings' },
  { id: 'health', title: 'Sync health' },
  { id: 'reviews', title: 'Identity reviews' },
] as const;
type TabId = (typeof tabs)[number]['id'];

export function PartnerbridgeSettings({ api, addAlert }: SettingsPageProps) {
  const me = useRemoteData('me', () => api.me());
  const [tab, setTab] = useState<TabId>('connections');
  if (me.state.status === 'loading') {
    return <LoadingState label="Checking your Partnerbridge role" testId="settings-loading" />;
  }
  if (me.state.status === 'error') {
    return (
      <ErrorPanel
        what="Could not open Partnerbridge settings"
        error={me.state.error}
        onRetry={me.reload}
        testId="settings-error"
      />
    );
  }
  const role = me.state.data;
  if (role.role === 'member') {
    return (
      <EmptyState
        title="Partnerbridge settings are for admins"
        imageName="lock"
        layout="vertical"
        testId="settings-forbidden"
      >
        <Text>{`You have no Partnerbridge role (${role.reason}). The user who installed the app, or an admin they added, can grant one.`}</Text>
      </EmptyState>
    );
  }
  const canEdit = role.role === 'admin';
  const panel = (id: TabId) => {
    switch (id) {
      case 'connections':
        return <ConnectionsPanel api={api} addAlert={addAlert} canEdit={canEdit} />;
      case 'program':
        return <ProgramPanel api={api} addAlert={addAlert} canEdit={canEdit} />;
      case 'rules':
        return <RulesPanel api={api} addAlert={addAlert} canEdit={canEdit} />;
      case 'mappings':
        return <MappingsPanel api={api} addAlert={addAlert} canEdit={canEdit} />;
      case 'health':
        return <SyncHealthPanel api={api} addAlert={addAlert} canEdit={canEdit} />;
      case 'reviews':
        return <IdentityReviewsPanel api={api} addAlert={addAlert} canEdit={canEdit} />;
    }
  };
  return (
    <Tabs
      selected={tab}
      onSelectedChange={(selected: string | number) => setTab(selected as TabId)}
      testId="settings-tabs"
    >
      {tabs.map((entry) => (
        <Tab key={entry.id} tabId={entry.id} title={entry.title} testId={`tab-${entry.id}`}>
          {tab === entry.id ? panel(entry.id) : null}
        </Tab>
      ))}
    </Tabs>
  );
}
