import {
  Button,
  ButtonRow,
  DateInput,
  Flex,
  Heading,
  Input,
  NumberInput,
  Select,
  Text,
  TextArea,
  Tile,
} from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { SettingsApi } from '../api.ts';
import { newIdempotencyKey, type UiError } from '../common/api-client.ts';
import type { RuleDraft, RuleSaved, WhatIfResult } from '../vendor/shared/api/index.ts';
import type { CurrencyCode } from '../vendor/shared/money.ts';
import {
  baseDateOf,
  isoOf,
  majorFromMinor,
  minorFromMajor,
  percentFromRate,
  rateFromPercent,
} from './helpers.ts';
import { payoutText } from './rule-text.ts';
import { SaveErrors } from './SaveErrors.tsx';
import { WhatIfView } from './WhatIfView.tsx';

// A commission rule as an admin writes it: who it matches, what it pays, on what base, when,
// with holding and clawback. Saving a change to a rule adds a version; nothing is edited in
// place. "Preview" replays closed deals under the draft first.

type Match = RuleDraft['match'];
type Payout = RuleDraft['payout'];

const any = { label: 'Any', value: '' };
const partnerTypeOptions = [
  any,
  ...['technology', 'channel', 'strategic', 'content'].map((v) => ({ label: v, value: v })),
];
const motionOptions = [
  any,
  { label: 'Referral', value: 'referral' },
  { label: 'Co-sell', value: 'co_sell' },
  { label: 'White-label', value: 'white_label' },
  { label: 'Enterprise', value: 'enterprise' },
];
const roleOptions = [
  any,
  { label: 'Sourced', value: 'sourced' },
  { label: 'Influenced', value: 'influenced' },
];
const dealTypeOptions = [
  any,
  { label: 'New business', value: 'new_business' },
  { label: 'Existing business', value: 'existing_business' },
  { label: 'Renewal', value: 'renewal' },
];
const payoutKinds = [
  { label: 'A percentage', value: 'percent' },
  { label: 'A flat amount per partner', value: 'flat' },
  { label: 'A percentage by motion', value: 'motion_rates' },
  { label: 'A percentage by tier', value: 'tier_rates' },
  { label: 'Brackets', value: 'brackets' },
];

export type RuleFormMode =
  | { kind: 'create' }
  | { kind: 'version'; ruleId: string; ruleName: string };

function withMatch<K extends keyof Match>(match: Match, key: K, value: string): Match {
  const next = { ...match };
  if (value === '') delete next[key];
  else (next as Record<string, unknown>)[key] = value;
  return next;
}

function defaultPayout(kind: string, currency: CurrencyCode, tiers: readonly string[]): Payout {
  switch (kind) {
    case 'flat':
      return { kind: 'flat', amount: { amountMinor: 0, currency: currency } };
    case 'motion_rates':
      return { kind: 'motion_rates', rates: [{ motion: 'referral', rate: '0.1' }] };
    case 'tier_rates':
      return { kind: 'tier_rates', rates: tiers.map((tier) => ({ tier, rate: '0.1' })) };
    case 'brackets':
      return {
        kind: 'brackets',
        mode: 'marginal',
        brackets: [{ from: { amountMinor: 0, currency: currency }, rate: '0.1' }],
      };
    default:
      return { kind: 'percent', rate: '0.1' };
  }
}

function PayoutEditor({
  payout,
  currency,
  onChange,
}: {
  payout: Payout;
  currency: CurrencyCode;
  onChange: (payout: Payout) => void;
}) {
  const rateInput = (
    label: string,
    rate: string | undefined,
    set: (rate: string | undefined) => void,
    testId: string,
  ) => (
    <NumberInput
      name={testId}
      label={label}
      min={0}
      precision={2}
      {...(rate === undefined ? {} : { value: percentFromRate(rate) })}
      onChange={(value) => set(Number.isFinite(value) ? rateFromPercent(value) : undefined)}
      testId={testId}
    />
  );
  switch (payout.kind) {
    case 'percent':
      return rateInput(
        'Rate (%)',
        payout.rate,
        (rate) => onChange({ kind: 'percent', rate: rate ?? '0' }),
        'rule-rate',
      );
    case 'flat':
      return (
        <NumberInput
          name="flatAmount"
          label={`Amount (${currency})`}
          min={0}
          precision={2}
          value={majorFromMinor(payout.amount.amountMinor, currency)}
          onChange={(value) =>
            onChange({
              kind: 'flat',
              amount: { amountMinor: minorFromMajor(value, currency), currency: currency },
            })
          }
          testId="rule-flat-amount"
        />
      );
    case 'motion_rates':
      return (
        <Flex direction="row" gap="sm" wrap>
          {motionOptions.slice(1).map((option) => {
            const motion = option.value as 'referral';
            const current = payout.rates.find((rate) => rate.motion === motion);
            return rateInput(
              `${option.label} (%)`,
              current?.rate,
              (rate) =>
                onChange({
                  kind: 'motion_rates',
                  rates: [
                    ...payout.rates.filter((r) => r.motion !== motion),
                    ...(rate === undefined ? [] : [{ motion, rate }]),
                  ],
                }),
              `rule-motion-rate-${motion}`,
            );
          })}
        </Flex>
      );
    case 'tier_rates':
      return (
        <Flex direction="row" gap="sm" wrap>
          {payout.rates.map((entry) =>
            rateInput(
              `${entry.tier} (%)`,
              entry.rate,
              (rate) =>
                onChange({
                  kind: 'tier_rates',
                  rates: payout.rates.map((r) =>
                    r.tier === entry.tier ? { tier: r.tier, rate: rate ?? '0' } : r,
                  ),
                }),
              `rule-tier-rate-${entry.tier}`,
            ),
          )}
        </Flex>
      );
    case 'brackets':
      return (
        <Text testId="rule-brackets">{`${payoutText(payout)} (brackets are kept as they are)`}</Text>
      );
  }
}

type Outcome =
  | { kind: 'none' }
  | { kind: 'preview'; result: WhatIfResult }
  | { kind: 'failed'; title: string; error: UiError };

export function RuleForm({
  mode,
  initial,
  currency,
  tiers,
  api,
  onSaved,
  onCancel,
}: {
  mode: RuleFormMode;
  initial: RuleDraft;
  currency: CurrencyCode;
  tiers: readonly string[];
  api: Pick<SettingsApi, 'createRule' | 'addRuleVersion' | 'whatIf'>;
  onSaved: (saved: RuleSaved) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<RuleDraft>(initial);
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' });
  const edit = (next: RuleDraft) => {
    setDraft(next);
    setKey(newIdempotencyKey());
    setOutcome({ kind: 'none' });
  };
  const match = (field: keyof Match) => (value: string | number | boolean) =>
    edit({ ...draft, match: withMatch(draft.match, field, String(value)) });

  async function preview(): Promise<void> {
    setBusy(true);
    const result = await api.whatIf({
      rules: [{ ...draft, ...(mode.kind === 'version' ? { ruleId: mode.ruleId } : {}) }],
    });
    setBusy(false);
    setOutcome(
      result.ok
        ? { kind: 'preview', result: result.data }
        : { kind: 'failed', title: 'Could not preview the rule', error: result.error },
    );
  }

  async function save(): Promise<void> {
    setBusy(true);
    const result =
      mode.kind === 'create'
        ? await api.createRule({ ...draft, idempotencyKey: key })
        : await api.addRuleVersion(mode.ruleId, { ...draft, idempotencyKey: key });
    setBusy(false);
    if (result.ok) onSaved(result.data);
    else setOutcome({ kind: 'failed', title: 'The rule was not saved', error: result.error });
  }

  return (
    <Tile testId="rule-form">
      <Flex direction="column" gap="sm">
        <Heading>
          {mode.kind === 'create' ? 'New commission rule' : `New version of ${mode.ruleName}`}
        </Heading>
        <Flex direction="row" gap="sm" wrap>
          <Input
            name="ruleName"
            label="Name"
            value={draft.name}
            onInput={(name) => edit({ ...draft, name })}
            onChange={(name) => edit({ ...draft, name })}
            testId="rule-name"
          />
          <DateInput
            name="ruleFrom"
            label="Pays deals closing from"
            value={baseDateOf(draft.effectiveFrom)}
            onChange={(value) => value !== null && edit({ ...draft, effectiveFrom: isoOf(value) })}
            testId="rule-effective-from"
          />
        </Flex>
        <Text format={{ fontWeight: 'demibold' }}>Who it pays</Text>
        <Flex direction="row" gap="sm" wrap>
          <Select
            name="matchType"
            label="Partner type"
            value={draft.match.partnerType ?? ''}
            options={partnerTypeOptions}
            onChange={match('partnerType')}
            testId="rule-match-type"
          />
          <Input
            name="matchSubtype"
            label="Partner subtype"
            value={draft.match.partnerSubtype ?? ''}
            onChange={match('partnerSubtype')}
            testId="rule-match-subtype"
          />
          <Select
            name="matchTier"
            label="Tier"
            value={draft.match.tier ?? ''}
            options={[
              any,
              { label: 'Registered (no tier)', value: 'registered' },
              ...tiers.map((tier) => ({ label: tier, value: tier })),
            ]}
            onChange={match('tier')}
            testId="rule-match-tier"
          />
          <Select
            name="matchMotion"
            label="Motion"
            value={draft.match.motion ?? ''}
            options={motionOptions}
            onChange={match('motion')}
            testId="rule-match-motion"
          />
          <Select
            name="matchRole"
            label="Role"
            value={draft.match.role ?? ''}
            options={roleOptions}
            onChange={match('role')}
            testId="rule-match-role"
          />
          <Select
            name="matchDealType"
            label="Deal type"
            value={draft.match.dealType ?? ''}
            options={dealTypeOptions}
            onChange={match('dealType')}
            testId="rule-match-deal-type"
          />
        </Flex>
        <Text format={{ fontWeight: 'demibold' }}>What it pays</Text>
        <Flex direction="row" gap="sm" wrap>
          <Select
            name="payoutKind"
            label="Pays"
            value={draft.payout.kind}
            options={payoutKinds}
            onChange={(value) =>
              edit({ ...draft, payout: defaultPayout(String(value), currency, tiers) })
            }
            testId="rule-payout-kind"
          />
          <PayoutEditor
            payout={draft.payout}
            currency={currency}
            onChange={(payout) => edit({ ...draft, payout })}
          />
          <Select
            name="base"
            label="Of"
            value={draft.base}
            options={[
              { label: 'The credited amount', value: 'credited_amount' },
              { label: 'The project value', value: 'project_value' },
            ]}
            onChange={(value) => edit({ ...draft, base: value as RuleDraft['base'] })}
            testId="rule-base"
          />
          <Select
            name="schedule"
            label="Paid"
            value={draft.schedule.kind}
            options={[
              { label: 'Once', value: 'one_time' },
              { label: 'Monthly (recurring)', value: 'recurring' },
            ]}
            onChange={(value) =>
              edit({
                ...draft,
                schedule: value === 'recurring' ? { kind: 'recurring' } : { kind: 'one_time' },
              })
            }
            testId="rule-schedule"
          />
          {draft.schedule.kind === 'recurring' ? (
            <NumberInput
              name="months"
              label="For at most (months; empty = the contract)"
              min={1}
              max={120}
              {...(draft.schedule.months === undefined ? {} : { value: draft.schedule.months })}
              onChange={(value) =>
                edit({
                  ...draft,
                  schedule: Number.isFinite(value)
                    ? { kind: 'recurring', months: Math.round(value) }
                    : { kind: 'recurring' },
                })
              }
              testId="rule-months"
            />
          ) : null}
        </Flex>
        <Flex direction="row" gap="sm" wrap>
          <NumberInput
            name="cap"
            label={`Cap per partner and deal (${currency}; empty = none)`}
            min={0}
            precision={2}
            {...(draft.cap === undefined
              ? {}
              : { value: majorFromMinor(draft.cap.amountMinor, currency) })}
            onChange={(value) => {
              const { cap: _removed, ...rest } = draft;
              edit(
                Number.isFinite(value)
                  ? {
                      ...rest,
                      cap: { amountMinor: minorFromMajor(value, currency), currency: currency },
                    }
                  : rest,
              );
            }}
            testId="rule-cap"
          />
          <NumberInput
            name="holdingDays"
            label="Holding period (days)"
            min={0}
            value={draft.holdingDays}
            onChange={(value) => edit({ ...draft, holdingDays: Math.max(0, Math.round(value)) })}
            testId="rule-holding"
          />
          <NumberInput
            name="clawbackDays"
            label="Clawback window (days)"
            min={0}
            value={draft.clawbackDays}
            onChange={(value) => edit({ ...draft, clawbackDays: Math.max(0, Math.round(value)) })}
            testId="rule-clawback"
          />
        </Flex>
        <TextArea
          name="ruleNote"
          label="Why (kept with the version)"
          value={draft.note ?? ''}
          onChange={(note) => {
            const { note: _removed, ...rest } = draft;
            edit(note.trim() === '' ? rest : { ...rest, note });
          }}
          testId="rule-note"
        />
        <ButtonRow>
          <Button disabled={busy} onClick={preview} testId="rule-preview">
            Preview on past deals
          </Button>
          <Button
            variant="primary"
            disabled={busy || draft.name.trim() === ''}
            onClick={save}
            testId="rule-save"
          >
            {mode.kind === 'create' ? 'Create rule' : 'Save new version'}
          </Button>
          <Button variant="secondary" onClick={onCancel} testId="rule-cancel">
            Cancel
          </Button>
        </ButtonRow>
        {outcome.kind === 'preview' ? (
          <WhatIfView result={outcome.result} testId="rule-what-if" />
        ) : null}
        {outcome.kind === 'failed' ? (
          <SaveErrors title={outcome.title} error={outcome.error} testId="rule-errors" />
        ) : null}
      </Flex>
    </Tile>
  );
}
