import {
  Accordion,
  type AddAlertAction,
  Button,
  ButtonRow,
  Checkbox,
  DateInput,
  Flex,
  Heading,
  NumberInput,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { SettingsApi } from '../api.ts';
import { newIdempotencyKey, type UiError } from '../common/api-client.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';
import type {
  ProgramSettings,
  ProgramTermsInput,
  WhatIfResult,
} from '../vendor/shared/api/index.ts';
import { baseDateOf, isoOf, majorFromMinor, minorFromMajor } from './helpers.ts';
import { SaveErrors } from './SaveErrors.tsx';
import { WhatIfView } from './WhatIfView.tsx';

// The program's tiers and their requirements, with versions: a change is a new version from a
// day on (earlier versions stay as they were), previewed over past deals before it is saved.

type Tier = ProgramTermsInput['tiers'][number];
type Requirement = Tier['requirements'][number];
type Kind = Requirement['kind'];

const trainingOptions = [
  { label: 'No requirement', value: 'none' },
  { label: 'Basic', value: 'basic' },
  { label: 'Advanced', value: 'advanced' },
  { label: 'Expert', value: 'expert' },
];

function requirementOf<K extends Kind>(
  tier: Tier,
  kind: K,
): Extract<Requirement, { kind: K }> | undefined {
  return tier.requirements.find((r): r is Extract<Requirement, { kind: K }> => r.kind === kind);
}

/** The tier with `kind` replaced by `requirement`, or removed when it is null. */
function withRequirement(tier: Tier, kind: Kind, requirement: Requirement | null): Tier {
  const others = tier.requirements.filter((r) => r.kind !== kind);
  return { ...tier, requirements: requirement === null ? others : [...others, requirement] };
}

function TierRow({
  tier,
  currency,
  readOnly,
  onChange,
}: {
  tier: Tier;
  currency: ProgramTermsInput['currency'];
  readOnly: boolean;
  onChange: (tier: Tier) => void;
}) {
  const people = requirementOf(tier, 'certified_salespeople');
  const customers = requirementOf(tier, 'customers');
  const revenue = requirementOf(tier, 'trailing_revenue');
  const training = requirementOf(tier, 'training');
  const agreement = requirementOf(tier, 'strategic_agreement');
  const count = (kind: 'certified_salespeople' | 'customers', value: number | undefined) =>
    onChange(
      withRequirement(
        tier,
        kind,
        value === undefined || !Number.isFinite(value)
          ? null
          : { kind, min: Math.max(0, Math.round(value)) },
      ),
    );
  return (
    <TableRow testId={`tier-row-${tier.id}`}>
      <TableCell>{tier.name}</TableCell>
      <TableCell>
        <NumberInput
          name={`people-${tier.id}`}
          label="Certified salespeople"
          readOnly={readOnly}
          min={0}
          {...(people === undefined ? {} : { value: people.min })}
          onChange={(value) => count('certified_salespeople', value)}
          testId={`tier-${tier.id}-certified_salespeople`}
        />
      </TableCell>
      <TableCell>
        <NumberInput
          name={`customers-${tier.id}`}
          label="Customers"
          readOnly={readOnly}
          min={0}
          {...(customers === undefined ? {} : { value: customers.min })}
          onChange={(value) => count('customers', value)}
          testId={`tier-${tier.id}-customers`}
        />
      </TableCell>
      <TableCell>
        <NumberInput
          name={`revenue-${tier.id}`}
          label={`Annual revenue (${currency})`}
          readOnly={readOnly}
          min={0}
          precision={2}
          {...(revenue === undefined
            ? {}
            : { value: majorFromMinor(revenue.min.amountMinor, currency) })}
          onChange={(value) =>
            onChange(
              withRequirement(
                tier,
                'trailing_revenue',
                Number.isFinite(value)
                  ? {
                      kind: 'trailing_revenue',
                      min: { amountMinor: minorFromMajor(value, currency), currency },
                    }
                  : null,
              ),
            )
          }
          testId={`tier-${tier.id}-trailing_revenue`}
        />
      </TableCell>
      <TableCell>
        <Select
          name={`training-${tier.id}`}
          label="Training"
          readOnly={readOnly}
          value={training?.level ?? 'none'}
          options={trainingOptions}
          onChange={(value) =>
            onChange(
              withRequirement(
                tier,
                'training',
                value === 'none'
                  ? null
                  : { kind: 'training', level: value as 'basic' | 'advanced' | 'expert' },
              ),
            )
          }
          testId={`tier-${tier.id}-training`}
        />
      </TableCell>
      <TableCell>
        <Checkbox
          name={`agreement-${tier.id}`}
          checked={agreement !== undefined}
          readOnly={readOnly}
          onChange={(checked) =>
            onChange(
              withRequirement(
                tier,
                'strategic_agreement',
                checked ? { kind: 'strategic_agreement' } : null,
              ),
            )
          }
          testId={`tier-${tier.id}-strategic_agreement`}
        >
          Agreement signed
        </Checkbox>
      </TableCell>
    </TableRow>
  );
}

type Outcome =
  | { kind: 'none' }
  | { kind: 'preview'; result: WhatIfResult }
  | { kind: 'failed'; title: string; error: UiError };

function ProgramEditor({
  settings,
  api,
  addAlert,
  canEdit,
  onSaved,
}: {
  settings: ProgramSettings;
  api: Pick<SettingsApi, 'saveProgram' | 'whatIf'>;
  addAlert: AddAlertAction;
  canEdit: boolean;
  onSaved: (settings: ProgramSettings) => void;
}) {
  const current = settings.current;
  const [terms, setTerms] = useState<ProgramTermsInput>(current.terms);
  const [effectiveFrom, setEffectiveFrom] = useState(settings.asOf);
  const [note, setNote] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' });

  const edit = (next: ProgramTermsInput) => {
    setTerms(next);
    setKey(newIdempotencyKey());
    setOutcome({ kind: 'none' });
  };

  async function preview(): Promise<void> {
    setBusy(true);
    const result = await api.whatIf({ terms });
    setBusy(false);
    setOutcome(
      result.ok
        ? { kind: 'preview', result: result.data }
        : { kind: 'failed', title: 'Could not preview the change', error: result.error },
    );
  }

  async function save(): Promise<void> {
    setBusy(true);
    const result = await api.saveProgram({
      terms,
      effectiveFrom,
      idempotencyKey: key,
      ...(note.trim() === '' ? {} : { note: note.trim() }),
    });
    setBusy(false);
    if (!result.ok) {
      setOutcome({ kind: 'failed', title: 'The program was not saved', error: result.error });
      return;
    }
    addAlert({
      type: 'success',
      message: `Program version ${result.data.history[0]?.version ?? ''} takes effect on ${effectiveFrom}.`,
    });
    onSaved(result.data);
  }

  return (
    <Flex direction="column" gap="sm" testId="program-editor">
      <Heading>Tier requirements</Heading>
      <Table bordered density="compact" testId="tier-table">
        <TableHead>
          <TableRow>
            <TableHeader>Tier</TableHeader>
            <TableHeader>Certified salespeople</TableHeader>
            <TableHeader>Customers</TableHeader>
            <TableHeader>Annual revenue</TableHeader>
            <TableHeader>Training</TableHeader>
            <TableHeader>Strategic agreement</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {terms.tiers.map((tier, index) => (
            <TierRow
              key={tier.id}
              tier={tier}
              currency={terms.currency}
              readOnly={!canEdit}
              onChange={(next) =>
                edit({ ...terms, tiers: terms.tiers.map((t, i) => (i === index ? next : t)) })
              }
            />
          ))}
        </TableBody>
      </Table>
      <Flex direction="row" gap="sm" wrap>
        <NumberInput
          name="graceDays"
          label="Days a partner keeps its tier after it stops qualifying"
          readOnly={!canEdit}
          min={0}
          value={terms.tierPolicy.demotionGraceDays}
          onChange={(value) =>
            edit({
              ...terms,
              tierPolicy: {
                ...terms.tierPolicy,
                demotionGraceDays: Math.max(0, Math.round(value)),
              },
            })
          }
          testId="grace-days"
        />
        <NumberInput
          name="revenueWindow"
          label="Revenue window (months)"
          readOnly={!canEdit}
          min={1}
          value={terms.tierPolicy.revenueWindowMonths}
          onChange={(value) =>
            edit({
              ...terms,
              tierPolicy: {
                ...terms.tierPolicy,
                revenueWindowMonths: Math.max(1, Math.round(value)),
              },
            })
          }
          testId="revenue-window"
        />
      </Flex>
      {canEdit ? (
        <>
          <Flex direction="row" gap="sm" wrap>
            <DateInput
              name="effectiveFrom"
              label="In force from"
              value={baseDateOf(effectiveFrom)}
              onChange={(value) => value !== null && setEffectiveFrom(isoOf(value))}
              testId="program-effective-from"
            />
            <TextArea
              name="programNote"
              label="Why (kept with the version)"
              value={note}
              onInput={setNote}
              onChange={setNote}
              testId="program-note"
            />
          </Flex>
          <ButtonRow>
            <Button disabled={busy} onClick={preview} testId="program-preview">
              Preview on past deals
            </Button>
            <Button variant="primary" disabled={busy} onClick={save} testId="program-save">
              Save as a new version
            </Button>
          </ButtonRow>
        </>
      ) : (
        <Text variant="microcopy">Only Partnerbridge admins can change the program.</Text>
      )}
      {outcome.kind === 'preview' ? (
        <WhatIfView result={outcome.result} testId="program-what-if" />
      ) : null}
      {outcome.kind === 'failed' ? (
        <SaveErrors title={outcome.title} error={outcome.error} testId="program-errors" />
      ) : null}
    </Flex>
  );
}

export function ProgramPanel({
  api,
  addAlert,
  canEdit,
}: {
  api: Pick<SettingsApi, 'program' | 'saveProgram' | 'whatIf'>;
  addAlert: AddAlertAction;
  canEdit: boolean;
}) {
  const program = useRemoteData('program', () => api.program());
  const state = program.state;
  if (state.status === 'loading')
    return <LoadingState label="Loading the program" testId="program-loading" />;
  if (state.status === 'error') {
    return (
      <ErrorPanel
        what="Could not load the program"
        error={state.error}
        onRetry={program.reload}
        testId="program-error"
      />
    );
  }
  const settings = state.data;
  const current = settings.current;
  return (
    <Flex direction="column" gap="md" testId="program">
      <Text testId="program-current">
        {`${current.terms.name}: version ${current.version}, in force since ${current.effectiveFrom} (by ${current.createdBy}).`}
      </Text>
      {settings.scheduled.map((version) => (
        <Text
          key={version.version}
          variant="microcopy"
          testId={`program-scheduled-${version.version}`}
        >
          {`Version ${version.version} takes effect on ${version.effectiveFrom}${version.note === null ? '' : `: ${version.note}`}.`}
        </Text>
      ))}
      <ProgramEditor
        key={`${current.version}:${settings.scheduled.length}`}
        settings={settings}
        api={api}
        addAlert={addAlert}
        canEdit={canEdit}
        onSaved={(saved) => program.update(() => saved)}
      />
      <Accordion title={`Version history (${settings.history.length})`} testId="program-history">
        {settings.history.map((version) => (
          <Text key={version.version}>
            {`v${version.version} from ${version.effectiveFrom}, by ${version.createdBy} on ${version.createdAt.slice(0, 10)}${version.note === null ? '' : `: ${version.note}`}`}
          </Text>
        ))}
      </Accordion>
    </Flex>
  );
}
