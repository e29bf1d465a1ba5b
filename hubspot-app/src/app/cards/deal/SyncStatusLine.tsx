import { Flex, StatusTag, Text } from '@hubspot/ui-extensions';
import type { SyncStatusView } from '../vendor/shared/api/index.ts';
import { syncStatusBadge, systemLabel } from './labels.ts';

// Where this deal stands in HubSpot and Salesforce, with the last sync error in words.

export function SyncStatusLine({ sync }: { sync: readonly SyncStatusView[] }) {
  return (
    <Flex direction="column" gap="xs" testId="sync-status">
      <Flex direction="row" gap="sm" wrap>
        {sync.map((status) => {
          const badge = syncStatusBadge[status.status];
          const waiting = status.pendingChanges > 0 ? ` (${status.pendingChanges} waiting)` : '';
          return (
            <StatusTag key={status.system} variant={badge.variant} testId={`sync-${status.system}`}>
              {`${systemLabel[status.system]}: ${badge.label}${waiting}`}
            </StatusTag>
          );
        })}
      </Flex>
      {sync
        .filter((status) => status.lastError !== null)
        .map((status) => (
          <Text key={status.system} variant="microcopy" testId={`sync-error-${status.system}`}>
            {`${systemLabel[status.system]}: ${status.lastError?.reason ?? ''} (${status.lastError?.errorType ?? ''})`}
          </Text>
        ))}
    </Flex>
  );
}
