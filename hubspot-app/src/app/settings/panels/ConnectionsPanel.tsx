import {
  type AddAlertAction,
  Button,
  ButtonRow,
  DescriptionList,
  DescriptionListItem,
  Flex,
  Heading,
  Link,
  StatusTag,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { SalesforceLink } from '../admin-contract.ts';
import type { SettingsApi } from '../api.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';

// Which HubSpot portal and Salesforce org this installation is connected to; connecting an org
// goes through Salesforce's consent screen in a new tab, disconnecting revokes its tokens.

export function ConnectionsPanel({
  api,
  addAlert,
  canEdit,
}: {
  api: Pick<SettingsApi, 'installation' | 'connectSalesforce' | 'disconnectSalesforce'>;
  addAlert: AddAlertAction;
  canEdit: boolean;
}) {
  const installation = useRemoteData('installation', () => api.installation());
  const [link, setLink] = useState<SalesforceLink | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  async function connect(): Promise<void> {
    setBusy(true);
    const result = await api.connectSalesforce();
    setBusy(false);
    if (result.ok) setLink(result.data);
    else
      addAlert({
        type: 'danger',
        title: 'Could not start connecting Salesforce',
        message: result.error.message,
      });
  }

  async function disconnect(): Promise<void> {
    setBusy(true);
    const result = await api.disconnectSalesforce();
    setBusy(false);
    setConfirming(false);
    if (!result.ok) {
      addAlert({
        type: 'danger',
        title: 'Could not disconnect Salesforce',
        message: result.error.message,
      });
      return;
    }
    addAlert({ type: 'success', message: 'Salesforce is disconnected; its tokens are revoked.' });
    installation.reload();
  }

  const state = installation.state;
  if (state.status === 'loading')
    return <LoadingState label="Loading connections" testId="connections-loading" />;
  if (state.status === 'error') {
    return (
      <ErrorPanel
        what="Could not load the connections"
        error={state.error}
        onRetry={installation.reload}
        testId="connections-error"
      />
    );
  }
  const { hubspot, salesforce } = state.data;
  return (
    <Flex direction="column" gap="md" testId="connections">
      <Tile>
        <Flex direction="row" gap="sm" align="center">
          <Heading>HubSpot</Heading>
          <StatusTag variant={hubspot === null ? 'danger' : 'success'} testId="hubspot-status">
            {hubspot === null ? 'Not connected' : 'Connected'}
          </StatusTag>
        </Flex>
        {hubspot === null ? null : (
          <DescriptionList direction="row">
            <DescriptionListItem label="Portal">
              <Text>{`${hubspot.portalId}${hubspot.hubDomain === null ? '' : ` (${hubspot.hubDomain})`}`}</Text>
            </DescriptionListItem>
            <DescriptionListItem label="Scopes">
              <Text>{hubspot.scopes.join(', ')}</Text>
            </DescriptionListItem>
          </DescriptionList>
        )}
      </Tile>
      <Tile>
        <Flex direction="row" gap="sm" align="center">
          <Heading>Salesforce</Heading>
          <StatusTag
            variant={salesforce === null ? 'warning' : 'success'}
            testId="salesforce-status"
          >
            {salesforce === null ? 'Not connected' : 'Connected'}
          </StatusTag>
        </Flex>
        {salesforce === null ? (
          <Flex direction="column" gap="xs">
            <Text>Connect a Salesforce org to sync deals and partners both ways.</Text>
            {link === null ? (
              <Button
                variant="primary"
                disabled={!canEdit || busy}
                onClick={connect}
                testId="salesforce-connect"
              >
                Connect Salesforce
              </Button>
            ) : (
              <>
                <Link href={{ url: link.url, external: true }} testId="salesforce-consent">
                  Open Salesforce to approve access
                </Link>
                <Text variant="microcopy">{`This link works once, until ${link.expiresAt}.`}</Text>
                <Button onClick={installation.reload} testId="salesforce-check">
                  I approved it: check again
                </Button>
              </>
            )}
          </Flex>
        ) : (
          <Flex direction="column" gap="xs">
            <DescriptionList direction="row">
              <DescriptionListItem label="Org">
                <Text testId="salesforce-org">{salesforce.orgId}</Text>
              </DescriptionListItem>
              <DescriptionListItem label="Instance">
                <Text>{salesforce.instanceUrl ?? 'unknown'}</Text>
              </DescriptionListItem>
              <DescriptionListItem label="Connected">
                <Text>{`${salesforce.authKind === 'jwt_bearer' ? 'JWT bearer' : 'OAuth'}${salesforce.linkedAt === null ? '' : `, ${salesforce.linkedAt}`}`}</Text>
              </DescriptionListItem>
            </DescriptionList>
            {canEdit ? (
              <ButtonRow>
                {confirming ? (
                  <>
                    <Button
                      variant="destructive"
                      disabled={busy}
                      onClick={disconnect}
                      testId="salesforce-disconnect-confirm"
                    >
                      Yes, disconnect and stop syncing
                    </Button>
                    <Button
                      onClick={() => setConfirming(false)}
                      testId="salesforce-disconnect-cancel"
                    >
                      Keep it
                    </Button>
                  </>
                ) : (
                  <Button
                    variant="destructive"
                    onClick={() => setConfirming(true)}
                    testId="salesforce-disconnect"
                  >
                    Disconnect Salesforce
                  </Button>
                )}
              </ButtonRow>
            ) : null}
          </Flex>
        )}
      </Tile>
    </Flex>
  );
}
