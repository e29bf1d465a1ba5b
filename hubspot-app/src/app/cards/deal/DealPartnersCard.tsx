import {
  type AddAlertAction,
  Alert,
  Button,
  Divider,
  EmptyState,
  Flex,
  Heading,
  Text,
} from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { CardApi } from '../api.ts';
import { type ApiResult, newIdempotencyKey, type UiError } from '../common/api-client.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';
import type { ConflictView, DealSummary, TagMutationResponse } from '../vendor/shared/api/index.ts';
import { AddPartnerForm, type TagDraft } from './AddPartnerForm.tsx';
import { CommissionTable } from './CommissionTable.tsx';
import { ConflictList, type Decision } from './ConflictList.tsx';
import { applyTagMutation, type PendingChange, type TagRow, tagRows } from './deal-view-changes.ts';
import { EditTagForm, type TagChange } from './EditTagForm.tsx';
import { fractionFromPercent } from './labels.ts';
import { SyncStatusLine } from './SyncStatusLine.tsx';
import { TagsTable } from './TagsTable.tsx';

// The rep's card on a deal: the partners tagged on it with role, motion and credit, conflicts with
// their reason and holder, what each partner earns and why, and the deal's sync status. Tagging,
// changing and removing show at once and roll back with an alert if the server refuses.

export type DealPartnersCardProps = {
  hubspotDealId: string;
  api: CardApi;
  addAlert: AddAlertAction;
};

type Panel =
  | { kind: 'none' }
  | { kind: 'add'; draft: TagDraft; failure: string | null }
  | { kind: 'edit'; tagId: string };

const newDraft = (): TagDraft => ({
  key: newIdempotencyKey(),
  partner: null,
  role: 'sourced',
  motion: 'referral',
  sharePercent: undefined,
});

function dealLine(deal: DealSummary): string {
  const stage =
    deal.stage === 'open'
      ? `open, expected to close ${deal.closeDate}`
      : `${deal.stage} on ${deal.closeDate}`;
  const reversal =
    deal.reversal === null ? '' : ` · ${deal.reversal.reason} on ${deal.reversal.on}`;
  return `${deal.amount.formatted} · ${stage}${reversal}`;
}

export function DealPartnersCard({ hubspotDealId, api, addAlert }: DealPartnersCardProps) {
  const deal = useRemoteData(`deal:${hubspotDealId}`, () => api.dealView(hubspotDealId));
  const me = useRemoteData('me', () => api.me());
  const [pending, setPending] = useState<readonly PendingChange[]>([]);
  const [deciding, setDeciding] = useState<ReadonlySet<string>>(new Set());
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });

  async function mutate(
    change: PendingChange | null,
    call: () => Promise<ApiResult<TagMutationResponse>>,
    failureTitle: string,
    onFailure?: (error: UiError) => void,
  ): Promise<void> {
    if (change !== null) setPending((current) => [...current, change]);
    const result = await call();
    if (change !== null) setPending((current) => current.filter((c) => c !== change));
    if (!result.ok) {
      addAlert({ type: 'danger', title: failureTitle, message: result.error.message });
      onFailure?.(result.error);
      return;
    }
    deal.update((view) => applyTagMutation(view, result.data));
    addAlert({
      type: result.data.outcome === 'pending_review' ? 'warning' : 'success',
      message: result.data.message,
    });
    // The answer carries the new effect but not the sync status; fetch it behind the data.
    deal.refresh();
  }

  function submitTag(draft: TagDraft): void {
    const partner = draft.partner;
    if (partner === null) return;
    const share =
      draft.sharePercent === undefined ? undefined : fractionFromPercent(draft.sharePercent);
    setPanel({ kind: 'none' });
    void mutate(
      {
        kind: 'create',
        key: draft.key,
        partner,
        role: draft.role,
        motion: draft.motion,
        share: share ?? null,
      },
      () =>
        api.createTag(hubspotDealId, {
          idempotencyKey: draft.key,
          partnerId: partner.id,
          role: draft.role,
          motion: draft.motion,
          ...(share === undefined ? {} : { share }),
        }),
      `Could not tag ${partner.name}`,
      // Back to the form as it was, same key: saving again retries the same action.
      (error) => setPanel({ kind: 'add', draft, failure: error.message }),
    );
  }

  function saveTag(row: TagRow, change: TagChange) {
    const share =
      change.sharePercent === undefined ? null : (fractionFromPercent(change.sharePercent) ?? null);
    setPanel({ kind: 'none' });
    void mutate(
      { kind: 'update', tagId: row.id, role: change.role, motion: change.motion, share },
      () =>
        api.updateTag(hubspotDealId, row.id, {
          idempotencyKey: newIdempotencyKey(),
          role: change.role,
          motion: change.motion,
          share,
        }),
      `Could not change ${row.partner.name}'s tag`,
    );
  }

  function removeTag(row: TagRow): void {
    void mutate(
      { kind: 'remove', tagId: row.id },
      () => api.removeTag(hubspotDealId, row.id),
      `Could not remove ${row.partner.name}`,
    );
  }

  function decide(conflict: ConflictView, decision: Decision): void {
    setDeciding((current) => new Set([...current, conflict.tagId]));
    void mutate(
      null,
      () =>
        api.decideRegistration(hubspotDealId, conflict.tagId, {
          idempotencyKey: newIdempotencyKey(),
          ...decision,
        }),
      `Could not ${decision.decision} ${conflict.partnerName}`,
    ).finally(() =>
      setDeciding((current) => new Set([...current].filter((id) => id !== conflict.tagId))),
    );
  }

  const state = deal.state;
  if (state.status === 'loading') {
    return <LoadingState label="Loading this deal's partners" testId="deal-loading" />;
  }
  if (state.status === 'error') {
    if (state.error.kind === 'server' && state.error.code === 'deal_not_synced') {
      return (
        <EmptyState
          title="Not synced yet"
          imageName="deals"
          layout="vertical"
          testId="deal-not-synced"
        >
          <Text>{state.error.message}</Text>
          <Button onClick={deal.reload} testId="deal-not-synced-retry">
            Check again
          </Button>
        </EmptyState>
      );
    }
    return (
      <ErrorPanel
        what="Could not load this deal's partners"
        error={state.error}
        onRetry={deal.reload}
        testId="deal-error"
      />
    );
  }

  const view = state.data;
  const rows = tagRows(view.tags, pending);
  const canDecide = me.state.status === 'success' && me.state.data.role !== 'member';
  const editing = panel.kind === 'edit' ? rows.find((row) => row.id === panel.tagId) : undefined;
  const addButton = (
    <Button
      variant="primary"
      onClick={() => setPanel({ kind: 'add', draft: newDraft(), failure: null })}
      testId="add-partner"
    >
      Add partner
    </Button>
  );

  return (
    <Flex direction="column" gap="md" testId="deal-card">
      <Flex direction="column" gap="xs">
        <Text format={{ fontWeight: 'bold' }} testId="deal-name">
          {view.deal.name}
        </Text>
        <Text testId="deal-line">{dealLine(view.deal)}</Text>
        <Text variant="microcopy">{`Credit model: ${view.attribution.modelLabel}`}</Text>
        <SyncStatusLine sync={view.sync} />
      </Flex>
      {state.refreshError === null ? null : (
        <Alert title="Could not refresh this deal" variant="warning" testId="deal-refresh-error">
          <Text>{state.refreshError.message}</Text>
          <Button size="sm" onClick={deal.refresh} testId="deal-refresh-retry">
            Retry
          </Button>
        </Alert>
      )}
      <ConflictList
        conflicts={view.conflicts}
        canDecide={canDecide}
        busyTagIds={deciding}
        onDecide={decide}
      />
      {rows.length === 0 && panel.kind !== 'add' ? (
        <EmptyState
          title="No partners on this deal yet"
          imageName="companies"
          layout="vertical"
          testId="deal-empty"
        >
          <Text>Tag the partner who sourced or influenced this deal to credit it.</Text>
          {addButton}
        </EmptyState>
      ) : rows.length === 0 ? null : (
        <TagsTable
          rows={rows}
          attribution={view.attribution}
          onEdit={(row) => setPanel({ kind: 'edit', tagId: row.id })}
          onRemove={removeTag}
        />
      )}
      {editing === undefined ? null : (
        <EditTagForm
          key={editing.id}
          row={editing}
          onSave={(change) => saveTag(editing, change)}
          onCancel={() => setPanel({ kind: 'none' })}
        />
      )}
      {panel.kind === 'add' ? (
        <AddPartnerForm
          api={api}
          draft={panel.draft}
          failure={panel.failure}
          taggedPartnerIds={new Set(rows.map((row) => row.partner.id))}
          onChange={(draft) =>
            // A changed draft is a new action: a new idempotency key.
            setPanel({ kind: 'add', draft: { ...draft, key: newIdempotencyKey() }, failure: null })
          }
          onSubmit={submitTag}
          onCancel={() => setPanel({ kind: 'none' })}
        />
      ) : rows.length === 0 ? null : (
        addButton
      )}
      <Divider />
      <Heading>What partners earn</Heading>
      <CommissionTable attribution={view.attribution} commissions={view.commissions} />
    </Flex>
  );
}
