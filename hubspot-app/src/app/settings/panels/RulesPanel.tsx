import {
  Accordion,
  type AddAlertAction,
  Alert,
  Button,
  ButtonRow,
  DateInput,
  Flex,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
  TextArea,
  Tile,
} from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { SettingsApi } from '../api.ts';
import { newIdempotencyKey, type UiError } from '../common/api-client.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';
import type {
  RuleDraft,
  RuleSaved,
  RulesSettings,
  RuleVersionView,
  RuleView,
  WhatIfResult,
} from '../vendor/shared/api/index.ts';
import type { CurrencyCode } from '../vendor/shared/money.ts';
import { baseDateOf, isoOf } from './helpers.ts';
import { RuleForm, type RuleFormMode } from './RuleForm.tsx';
import { matchText, payoutText } from './rule-text.ts';
import { SaveErrors } from './SaveErrors.tsx';
import { WhatIfView } from './WhatIfView.tsx';

// Commission rules with their versions. Rules are never edited in place: a change is a new
// version from a day on, a rule ends by retirement; ties between rules are shown, not resolved
// silently.

const statusVariant = { active: 'success', scheduled: 'info', retired: 'default' } as const;

/** A new version's starting point: the current one, from today (caps are in the program currency). */
function draftFrom(version: RuleVersionView, asOf: string, currency: CurrencyCode): RuleDraft {
  return {
    name: version.name,
    effectiveFrom: asOf > version.effectiveFrom ? asOf : version.effectiveFrom,
    ...(version.effectiveTo === null ? {} : { effectiveTo: version.effectiveTo }),
    match: version.match,
    payout: version.payout,
    base: version.base,
    schedule: version.schedule,
    ...(version.cap === null ? {} : { cap: { amountMinor: version.cap.amountMinor, currency } }),
    holdingDays: version.holdingDays,
    clawbackDays: version.clawbackDays,
  };
}

function newDraft(asOf: string): RuleDraft {
  return {
    name: '',
    effectiveFrom: asOf,
    match: {},
    payout: { kind: 'percent', rate: '0.1' },
    base: 'credited_amount',
    schedule: { kind: 'one_time' },
    holdingDays: 30,
    clawbackDays: 90,
  };
}

function RetireForm({
  rule,
  asOf,
  api,
  onSaved,
  onCancel,
}: {
  rule: RuleView;
  asOf: string;
  api: Pick<SettingsApi, 'retireRule' | 'whatIf'>;
  onSaved: (saved: RuleSaved) => void;
  onCancel: () => void;
}) {
  const [effectiveTo, setEffectiveTo] = useState(asOf);
  const [note, setNote] = useState('');
  const [key] = useState(newIdempotencyKey);
  const [outcome, setOutcome] = useState<
    | { kind: 'none' }
    | { kind: 'preview'; result: WhatIfResult }
    | { kind: 'failed'; error: UiError }
  >({ kind: 'none' });
  async function preview(): Promise<void> {
    const result = await api.whatIf({ retire: [{ ruleId: rule.ruleId, effectiveTo }] });
    setOutcome(
      result.ok
        ? { kind: 'preview', result: result.data }
        : { kind: 'failed', error: result.error },
    );
  }
  async function retire(): Promise<void> {
    const result = await api.retireRule(rule.ruleId, {
      effectiveTo,
      idempotencyKey: key,
      ...(note.trim() === '' ? {} : { note: note.trim() }),
    });
    if (result.ok) onSaved(result.data);
    else setOutcome({ kind: 'failed', error: result.error });
  }
  return (
    <Tile testId="retire-form">
      <Flex direction="column" gap="sm">
        <Text format={{ fontWeight: 'demibold' }}>{`Retire ${rule.name}`}</Text>
        <DateInput
          name="retireFrom"
          label="No longer pays deals closing from"
          value={baseDateOf(effectiveTo)}
          onChange={(value) => value !== null && setEffectiveTo(isoOf(value))}
          testId="retire-effective-to"
        />
        <TextArea
          name="retireNote"
          label="Why"
          value={note}
          onChange={setNote}
          testId="retire-note"
        />
        <ButtonRow>
          <Button onClick={preview} testId="retire-preview">
            Preview on past deals
          </Button>
          <Button variant="destructive" onClick={retire} testId="retire-save">
            Retire
          </Button>
          <Button variant="secondary" onClick={onCancel} testId="retire-cancel">
            Cancel
          </Button>
        </ButtonRow>
        {outcome.kind === 'preview' ? (
          <WhatIfView result={outcome.result} testId="retire-what-if" />
        ) : null}
        {outcome.kind === 'failed' ? (
          <SaveErrors
            title="The rule was not retired"
            error={outcome.error}
            testId="retire-errors"
          />
        ) : null}
      </Flex>
    </Tile>
  );
}

type Editing =
  | { kind: 'none' }
  | { kind: 'form'; mode: RuleFormMode; initial: RuleDraft }
  | { kind: 'retire'; rule: RuleView };

function withSaved(settings: RulesSettings, saved: RuleSaved): RulesSettings {
  const exists = settings.rules.some((rule) => rule.ruleId === saved.rule.ruleId);
  return {
    ...settings,
    rules: exists
      ? settings.rules.map((rule) => (rule.ruleId === saved.rule.ruleId ? saved.rule : rule))
      : [...settings.rules, saved.rule],
  };
}

export function RulesPanel({
  api,
  addAlert,
  canEdit,
}: {
  api: Pick<
    SettingsApi,
    'rules' | 'program' | 'createRule' | 'addRuleVersion' | 'retireRule' | 'whatIf'
  >;
  addAlert: AddAlertAction;
  canEdit: boolean;
}) {
  const rules = useRemoteData('rules', () => api.rules());
  // The program names the currency and the tiers a rule can match.
  const program = useRemoteData('program', () => api.program());
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });

  if (rules.state.status === 'loading' || program.state.status === 'loading') {
    return <LoadingState label="Loading commission rules" testId="rules-loading" />;
  }
  if (rules.state.status === 'error' || program.state.status === 'error') {
    const error =
      rules.state.status === 'error'
        ? rules.state.error
        : program.state.status === 'error'
          ? program.state.error
          : null;
    return error === null ? null : (
      <ErrorPanel
        what="Could not load the commission rules"
        error={error}
        onRetry={() => {
          rules.reload();
          program.reload();
        }}
        testId="rules-error"
      />
    );
  }
  const settings = rules.state.data;
  const terms = program.state.data.current.terms;
  const tiers = terms.tiers.map((tier) => tier.id as string);

  const saved = (result: RuleSaved, verb: string) => {
    rules.update((current) => withSaved(current, result));
    // Ambiguities are computed over every rule: fetch them again behind the list.
    rules.refresh();
    setEditing({ kind: 'none' });
    addAlert({
      type: 'success',
      message: `${verb} ${result.saved.name} (version ${result.saved.version}).`,
    });
  };

  return (
    <Flex direction="column" gap="md" testId="rules">
      {settings.ambiguities.map((ambiguity) => (
        <Alert
          key={`${ambiguity.rules[0].id}:${ambiguity.rules[1].id}:${ambiguity.from}`}
          title="Two rules tie: deals they both match cannot be paid"
          variant="danger"
          testId={`ambiguity-${ambiguity.rules[0].id}-${ambiguity.rules[1].id}`}
        >
          {ambiguity.message}
        </Alert>
      ))}
      {settings.rules.length === 0 ? (
        <Text testId="rules-empty">
          No commission rule yet: partners earn nothing until one matches.
        </Text>
      ) : (
        <Table bordered testId="rules-table">
          <TableHead>
            <TableRow>
              <TableHeader>Rule</TableHeader>
              <TableHeader>Status</TableHeader>
              <TableHeader>Pays</TableHeader>
              <TableHeader>To</TableHeader>
              <TableHeader>In force</TableHeader>
              <TableHeader>Actions</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {settings.rules.map((rule) => {
              const current = rule.current ?? rule.versions.at(-1) ?? null;
              return (
                <TableRow key={rule.ruleId} testId={`rule-${rule.ruleId}`}>
                  <TableCell>
                    <Text format={{ fontWeight: 'demibold' }}>{rule.name}</Text>
                    <Accordion
                      title={`${rule.versions.length} version${rule.versions.length === 1 ? '' : 's'}`}
                      size="sm"
                    >
                      {rule.versions.map((version) => (
                        <Text key={version.version} variant="microcopy">
                          {`v${version.version}: ${payoutText(version.payout)} from ${version.effectiveFrom}${version.effectiveTo === null ? '' : ` to ${version.effectiveTo}`}, by ${version.createdBy}${version.note === null ? '' : ` (${version.note})`}`}
                        </Text>
                      ))}
                    </Accordion>
                  </TableCell>
                  <TableCell>
                    <StatusTag variant={statusVariant[rule.status]}>{rule.status}</StatusTag>
                  </TableCell>
                  <TableCell testId={`rule-pays-${rule.ruleId}`}>
                    {current === null
                      ? '—'
                      : `${payoutText(current.payout)} of the ${current.base === 'project_value' ? 'project value' : 'credited amount'}${current.schedule.kind === 'recurring' ? ', monthly' : ''}`}
                  </TableCell>
                  <TableCell>{current === null ? '—' : matchText(current.match)}</TableCell>
                  <TableCell>
                    {current === null
                      ? '—'
                      : `v${current.version} from ${current.effectiveFrom}${current.effectiveTo === null ? '' : ` to ${current.effectiveTo}`}; hold ${current.holdingDays} d, clawback ${current.clawbackDays} d`}
                  </TableCell>
                  <TableCell>
                    {canEdit && current !== null && rule.status !== 'retired' ? (
                      <ButtonRow>
                        <Button
                          size="sm"
                          onClick={() =>
                            setEditing({
                              kind: 'form',
                              mode: { kind: 'version', ruleId: rule.ruleId, ruleName: rule.name },
                              initial: draftFrom(current, settings.asOf, terms.currency),
                            })
                          }
                          testId={`rule-new-version-${rule.ruleId}`}
                        >
                          New version
                        </Button>
                        <Button
                          size="sm"
                          variant="destructive"
                          onClick={() => setEditing({ kind: 'retire', rule })}
                          testId={`rule-retire-${rule.ruleId}`}
                        >
                          Retire
                        </Button>
                      </ButtonRow>
                    ) : null}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {editing.kind === 'form' ? (
        <RuleForm
          key={editing.mode.kind === 'version' ? editing.mode.ruleId : 'new'}
          mode={editing.mode}
          initial={editing.initial}
          currency={terms.currency}
          tiers={tiers}
          api={api}
          onSaved={(result) => saved(result, editing.mode.kind === 'create' ? 'Created' : 'Saved')}
          onCancel={() => setEditing({ kind: 'none' })}
        />
      ) : editing.kind === 'retire' ? (
        <RetireForm
          rule={editing.rule}
          asOf={settings.asOf}
          api={api}
          onSaved={(result) => saved(result, 'Retired')}
          onCancel={() => setEditing({ kind: 'none' })}
        />
      ) : canEdit ? (
        <Button
          variant="primary"
          onClick={() =>
            setEditing({ kind: 'form', mode: { kind: 'create' }, initial: newDraft(settings.asOf) })
          }
          testId="rule-create"
        >
          New rule
        </Button>
      ) : (
        <Text variant="microcopy">Only Partnerbridge admins can change commission rules.</Text>
      )}
    </Flex>
  );
}
