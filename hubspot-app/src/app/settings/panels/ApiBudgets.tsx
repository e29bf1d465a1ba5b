import {
  type AddAlertAction,
  Button,
  ButtonRow,
  Flex,
  Heading,
  NumberInput,
  StatusTag,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { BudgetView } from '../admin-contract.ts';
import type { SettingsApi } from '../api.ts';
import type { UiError } from '../common/api-client.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';
import { SaveErrors } from './SaveErrors.tsx';

// The daily API budgets in the sync health section: per CRM, our calls today against the admin's
// cap and what the cap holds back (reserve line: back-fills wait; cap: all sync waits until
// midnight UTC). Admins set or clear the cap; partner managers see it read-only.

const names: Record<BudgetView['provider'], string> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
};

const states: Record<
  BudgetView['state'],
  { label: string; variant: 'success' | 'warning' | 'danger' }
> = {
  ok: { label: 'OK', variant: 'success' },
  non_critical_paused: { label: 'Reserve reached: back-fills paused', variant: 'warning' },
  paused: { label: 'Capped: sync paused until midnight UTC', variant: 'danger' },
};

function usageLine(budget: BudgetView): string {
  if (budget.dailyLimit === null) return `${budget.used} calls today (${budget.day}), no cap`;
  return `${budget.used} of ${budget.dailyLimit} calls today (${budget.day}); back-fills pause at ${budget.reserveLine ?? budget.dailyLimit}`;
}

/** The message of the server's issue about `field` (`body.dailyLimit`), if any. */
function issueOf(error: UiError | null, field: string): string | undefined {
  if (error === null || error.kind !== 'server') return undefined;
  return error.issues.find((issue) => issue.path === `body.${field}`)?.message;
}

function BudgetTile({
  budget,
  canEdit,
  api,
  addAlert,
  onSaved,
}: {
  budget: BudgetView;
  canEdit: boolean;
  api: Pick<SettingsApi, 'setBudget'>;
  addAlert: AddAlertAction;
  onSaved: (saved: BudgetView) => void;
}) {
  const name = names[budget.provider];
  const state = states[budget.state];
  const testId = `budget-${budget.provider}`;
  const [dailyLimit, setDailyLimit] = useState<number | undefined>(budget.dailyLimit ?? undefined);
  const [reservePercent, setReservePercent] = useState<number>(budget.reservePercent);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<UiError | null>(null);

  async function save(cap: number | null): Promise<void> {
    setSaving(true);
    const result = await api.setBudget(budget.provider, { dailyLimit: cap, reservePercent });
    setSaving(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setDailyLimit(result.data.dailyLimit ?? undefined);
    onSaved(result.data);
    addAlert({
      type: 'success',
      message:
        result.data.dailyLimit === null
          ? `${name}: no daily cap; held sync resumes within minutes.`
          : `${name}: at most ${result.data.dailyLimit} calls a day, back-fills pause at ${result.data.reserveLine}.`,
    });
  }

  const limitIssue = issueOf(error, 'dailyLimit');
  const reserveIssue = issueOf(error, 'reservePercent');
  return (
    <Tile testId={testId}>
      <Flex direction="row" gap="sm" align="center">
        <Heading>{name}</Heading>
        <StatusTag variant={state.variant} testId={`${testId}-state`}>
          {state.label}
        </StatusTag>
      </Flex>
      <Text testId={`${testId}-usage`}>{usageLine(budget)}</Text>
      {budget.resumesAt === null ? null : (
        <Text variant="microcopy" testId={`${testId}-resumes`}>
          {`Resumes at ${budget.resumesAt}, or as soon as the cap is raised or cleared.`}
        </Text>
      )}
      <Flex direction="row" gap="sm" align="end">
        <NumberInput
          name={`${testId}-limit`}
          label="Daily cap (API calls)"
          placeholder="No cap"
          readOnly={!canEdit}
          min={1}
          {...(dailyLimit === undefined ? {} : { value: dailyLimit })}
          onChange={(value) => setDailyLimit(Number.isFinite(value) ? value : undefined)}
          error={limitIssue !== undefined}
          {...(limitIssue === undefined ? {} : { validationMessage: limitIssue })}
          testId={`${testId}-limit`}
        />
        <NumberInput
          name={`${testId}-reserve`}
          label="Reserve for live changes (%)"
          readOnly={!canEdit}
          min={0}
          max={100}
          value={reservePercent}
          onChange={(value) => setReservePercent(value)}
          error={reserveIssue !== undefined}
          {...(reserveIssue === undefined ? {} : { validationMessage: reserveIssue })}
          testId={`${testId}-reserve`}
        />
      </Flex>
      {canEdit ? (
        <ButtonRow>
          <Button
            variant="primary"
            disabled={saving || dailyLimit === undefined}
            onClick={() => save(dailyLimit ?? null)}
            testId={`${testId}-save`}
          >
            Save cap
          </Button>
          <Button
            variant="transparent"
            disabled={saving || budget.dailyLimit === null}
            onClick={() => save(null)}
            testId={`${testId}-clear`}
          >
            Clear cap
          </Button>
        </ButtonRow>
      ) : null}
      {error === null ? null : (
        <SaveErrors
          title={`Could not save the ${name} cap`}
          error={error}
          testId={`${testId}-errors`}
        />
      )}
    </Tile>
  );
}

export function ApiBudgets({
  api,
  addAlert,
  canEdit,
}: {
  api: Pick<SettingsApi, 'budgets' | 'setBudget'>;
  addAlert: AddAlertAction;
  canEdit: boolean;
}) {
  const budgets = useRemoteData('budgets', () => api.budgets());
  if (budgets.state.status === 'loading') {
    return <LoadingState label="Loading the API budgets" testId="budgets-loading" />;
  }
  if (budgets.state.status === 'error') {
    return (
      <ErrorPanel
        what="Could not load the API budgets"
        error={budgets.state.error}
        onRetry={budgets.reload}
        testId="budgets-error"
      />
    );
  }
  return (
    <Flex direction="row" gap="sm" wrap testId="budgets">
      {budgets.state.data.budgets.map((budget) => (
        <BudgetTile
          key={budget.provider}
          budget={budget}
          canEdit={canEdit}
          api={api}
          addAlert={addAlert}
          onSaved={(saved) =>
            budgets.update((current) => ({
              budgets: current.budgets.map((b) => (b.provider === saved.provider ? saved : b)),
            }))
          }
        />
      ))}
    </Flex>
  );
}
