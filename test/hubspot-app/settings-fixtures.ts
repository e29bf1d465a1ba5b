import { defaultProgram } from '@partnerbridge/shared';
import {
  type BudgetsView,
  type BudgetView,
  budgetsViewSchema,
  type DeadLettersView,
  type DryRunView,
  deadLettersViewSchema,
  dryRunViewSchema,
  type IdentityReviewsView,
  identityReviewsViewSchema,
  type ObjectFieldsView,
  objectFieldsViewSchema,
  type ProgramSettings,
  programSettingsSchema,
  type RuleSaved,
  type RulesSettings,
  type RuleView,
  ruleSavedSchema,
  rulesSettingsSchema,
  type SyncHealthView,
  type SyncMappingsView,
  syncHealthViewSchema,
  syncMappingsViewSchema,
  type WhatIfResult,
  whatIfResultSchema,
} from '@partnerbridge/shared/api';
import { defaultMappingDocument } from '@partnerbridge/shared/sync';
import {
  type InstallationView,
  installationViewSchema,
} from '../../hubspot-app/src/app/settings/admin-contract.ts';
import { anId, aPartnerRef, usd } from './fixtures.ts';

// Contract-typed answers for the settings page tests, parsed by the schemas the page parses with
// (shared for program, rules, what-if and sync; admin-contract.ts for the installation).

const { id: _id, version: _version, rules: _rules, ...terms } = defaultProgram;

export function aProgramSettings(
  overrides: Partial<ProgramSettings['current']> = {},
): ProgramSettings {
  return programSettingsSchema.parse({
    asOf: '2026-03-10',
    current: {
      version: 1,
      effectiveFrom: '2000-01-01',
      createdBy: 'partnerbridge',
      createdAt: '2026-01-05T10:00:00.000Z',
      note: 'Default program (strategy document)',
      terms,
      ...overrides,
    },
    scheduled: [],
    history: [
      {
        version: overrides.version ?? 1,
        effectiveFrom: overrides.effectiveFrom ?? '2000-01-01',
        createdBy: 'partnerbridge',
        createdAt: '2026-01-05T10:00:00.000Z',
        note: 'Default program (strategy document)',
      },
    ],
  });
}

function aRule(
  ruleId: string,
  name: string,
  version: Omit<Partial<NonNullable<RuleView['current']>>, 'ruleId' | 'name'> = {},
): RuleView {
  const current = {
    ruleId,
    version: 1,
    name,
    effectiveFrom: '2024-01-01',
    effectiveTo: null,
    match: { partnerType: 'channel' },
    payout: {
      kind: 'tier_rates',
      rates: [
        { tier: 'bronze', rate: '0.05' },
        { tier: 'silver', rate: '0.10' },
      ],
    },
    base: 'credited_amount',
    schedule: { kind: 'one_time' },
    cap: null,
    holdingDays: 30,
    clawbackDays: 90,
    specificity: 48,
    createdBy: 'partnerbridge',
    createdAt: '2026-01-05T10:00:00.000Z',
    note: null,
    ...version,
  };
  return rulesSettingsSchema.shape.rules.element.parse({
    ruleId,
    name,
    status: 'active',
    current,
    versions: [current],
  });
}

export function aRulesSettings(withAmbiguity = false): RulesSettings {
  const channel = aRule('channel-tier-commission', 'Channel tier commission');
  const alliance = aRule('crm-alliance-referral', 'CRM alliance referral', {
    match: { partnerType: 'technology', partnerSubtype: 'crm', motion: 'referral' },
    payout: { kind: 'percent', rate: '0.15' },
  });
  return rulesSettingsSchema.parse({
    asOf: '2026-03-10',
    rules: [channel, alliance],
    ambiguities: withAmbiguity
      ? [
          {
            rules: [
              { id: 'crm-alliance-referral', version: 1, name: 'CRM alliance referral' },
              { id: 'crm-referral-bonus', version: 1, name: 'CRM referral bonus' },
            ],
            from: '2026-04-01',
            to: null,
            message:
              'CRM alliance referral v1 and CRM referral bonus v1 both match technology crm referral deals from 2026-04-01 with the same specificity.',
          },
        ]
      : [],
  });
}

export function aRuleSaved(rule: RuleView): RuleSaved {
  return ruleSavedSchema.parse({
    rule,
    saved: { id: rule.ruleId, version: rule.current?.version ?? 1, name: rule.name },
  });
}

export function aNewRule(name: string, rate: string): RuleView {
  return aRule('agency-recurring', name, {
    effectiveFrom: '2026-03-10',
    match: { partnerType: 'channel', partnerSubtype: 'agency' },
    payout: { kind: 'percent', rate },
    schedule: { kind: 'recurring', months: 12 },
  });
}

export function aWhatIf(): WhatIfResult {
  const acme = aPartnerRef('Acme Resellers');
  const beta = aPartnerRef('Beta Agency');
  return whatIfResultSchema.parse({
    asOf: '2026-03-10',
    period: null,
    dealsReplayed: 42,
    currency: 'USD',
    rows: [
      { partner: acme, current: usd(300_000), proposed: usd(450_000), delta: usd(150_000) },
      { partner: beta, current: usd(100_000), proposed: usd(100_000), delta: usd(0) },
    ],
    totals: { current: usd(400_000), proposed: usd(550_000), delta: usd(150_000) },
    issues: { current: [], proposed: [] },
    ambiguities: [],
  });
}

export function anInstallation(salesforce: boolean): InstallationView {
  return installationViewSchema.parse({
    installationId: anId(),
    status: 'active',
    installedAt: '2026-01-05T10:00:00.000Z',
    hubspot: {
      portalId: '123',
      hubDomain: 'acme.hubspot.com',
      scopes: ['oauth', 'crm.objects.deals.read'],
    },
    salesforce: salesforce
      ? {
          orgId: '00D000000000001EAA',
          instanceUrl: 'https://acme.my.salesforce.com',
          authKind: 'web_server',
          linkedAt: '2026-01-06T09:00:00.000Z',
        }
      : null,
  });
}

export function aSyncHealth(): SyncHealthView {
  const system = (calls: number) => ({
    connected: true,
    lastSuccessfulPoll: '2026-03-10T11:59:00.000Z',
    lagSeconds: 60,
    failedPolls: [],
    apiUsage: {
      day: '2026-03-10',
      calls,
      rateLimited: 0,
      errors: 0,
      dailyLimit: 250_000,
      state: 'ok',
      providerReport: null,
    },
  });
  return syncHealthViewSchema.parse({
    hubspot: system(1_204),
    salesforce: system(388),
    queue: { waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0 },
    pendingReviews: 2,
    outbox: { pending: 3, oldestAt: '2026-03-10T11:58:00.000Z' },
    errors: [
      {
        type: 'validation',
        count: 3,
        lastFailedAt: '2026-03-10T11:00:00.000Z',
        examples: [
          {
            id: anId(),
            reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Close date cannot be in the past',
            record: null,
          },
        ],
      },
      {
        type: 'permission',
        count: 1,
        lastFailedAt: '2026-03-09T08:00:00.000Z',
        examples: [
          { id: anId(), reason: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', record: null },
        ],
      },
    ],
  });
}

/** HubSpot past its reserve line (back-fills paused), Salesforce without a cap. */
export function someBudgets(): BudgetsView {
  return budgetsViewSchema.parse({
    budgets: [
      {
        provider: 'hubspot',
        dailyLimit: 250_000,
        reservePercent: 25,
        reserveLine: 187_500,
        day: '2026-03-10',
        used: 190_000,
        state: 'non_critical_paused',
        resumesAt: '2026-03-11T00:00:00.000Z',
      },
      {
        provider: 'salesforce',
        dailyLimit: null,
        reservePercent: 25,
        reserveLine: null,
        day: '2026-03-10',
        used: 388,
        state: 'ok',
        resumesAt: null,
      },
    ],
  });
}

export function aBudget(overrides: Partial<BudgetView>): BudgetView {
  const [hubspot] = someBudgets().budgets;
  if (hubspot === undefined) throw new Error('fixture has budgets');
  return { ...hubspot, ...overrides };
}

export function someDeadLetters(): DeadLettersView {
  return deadLettersViewSchema.parse({
    deadLetters: [
      {
        id: anId(),
        errorType: 'validation',
        reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Close date cannot be in the past',
        attempts: 5,
        status: 'open',
        queue: 'sync-record',
        firstFailedAt: '2026-03-10T10:00:00.000Z',
        lastFailedAt: '2026-03-10T11:00:00.000Z',
        resolvedAt: null,
        resolvedBy: null,
        record: { kind: 'deal', side: 'hubspot', id: '42' },
        attempted: { CloseDate: '2025-01-01' },
        system: 'salesforce',
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      },
    ],
  });
}

export function someMappings(): SyncMappingsView {
  return syncMappingsViewSchema.parse({
    version: 3,
    document: defaultMappingDocument(),
    versions: [
      { version: 3, createdBy: 'admin@example.com', createdAt: '2026-03-01T10:00:00.000Z' },
    ],
  });
}

export function dealFields(): ObjectFieldsView {
  return objectFieldsViewSchema.parse({
    kind: 'deal',
    hubspot: {
      objectType: 'deals',
      properties: [
        { name: 'dealname', label: 'Deal name', type: 'string', readOnly: false },
        { name: 'amount', label: 'Amount', type: 'number', readOnly: false },
        { name: 'description', label: 'Deal description', type: 'string', readOnly: false },
        { name: 'hs_object_id', label: 'Record ID', type: 'number', readOnly: true },
      ],
    },
    salesforce: {
      sobject: 'Opportunity',
      fields: [
        { name: 'Name', label: 'Name', type: 'string', updateable: true },
        { name: 'Amount', label: 'Amount', type: 'currency', updateable: true },
        { name: 'Description', label: 'Description', type: 'textarea', updateable: true },
      ],
    },
  });
}

export function aDryRun(): DryRunView {
  return dryRunViewSchema.parse({
    sampled: 40,
    records: 40,
    writes: { hubspot: 0, salesforce: 12 },
    byField: [{ field: 'Description', side: 'salesforce', writes: 12 }],
    examples: [
      {
        kind: 'deal',
        hubspotId: '42',
        salesforceId: '006000000000001AAA',
        changes: [
          {
            hubspotField: 'description',
            salesforceField: 'Description',
            policy: 'hubspot_wins',
            direction: 'hubspot_to_salesforce',
            hubspotValue: 'Renewal',
            salesforceValue: null,
            hubspotChanged: true,
            salesforceChanged: false,
            winner: 'hubspot',
            action: 'write_salesforce',
            reason: 'policy',
            value: 'Renewal',
            explanation:
              'Description: HubSpot "Renewal" replaces Salesforce (blank): HubSpot → Salesforce',
          },
        ],
      },
    ],
  });
}

/** A Salesforce account with two HubSpot candidates, and a HubSpot company with one account. */
export function someReviews(): IdentityReviewsView {
  return identityReviewsViewSchema.parse({
    reviews: [
      {
        id: anId(),
        objectKind: 'customer',
        side: 'salesforce',
        reason: 'several HubSpot companies match this account',
        record: {
          system: 'salesforce',
          id: '001A0000000003AAAA',
          name: 'Globex',
          domain: 'https://globex.example',
        },
        candidates: [
          {
            system: 'hubspot',
            id: '8001',
            name: 'Globex',
            domain: 'globex.example',
            matchedOn: ['domain'],
          },
          {
            system: 'hubspot',
            id: '8002',
            name: 'Globex EMEA',
            domain: 'globex.example',
            matchedOn: ['domain'],
          },
        ],
        hubspotId: null,
        salesforceId: '001A0000000003AAAA',
        review: null,
        updatedAt: '2026-03-10T11:00:00.000Z',
      },
      {
        id: anId(),
        objectKind: 'partner',
        side: 'hubspot',
        reason: 'several Salesforce accounts match this company',
        record: { system: 'hubspot', id: '7001', name: 'Initech', domain: 'initech.example' },
        candidates: [
          {
            system: 'salesforce',
            id: '001A0000000001AAAA',
            name: 'Initech',
            domain: null,
            matchedOn: ['name'],
          },
        ],
        hubspotId: '7001',
        salesforceId: null,
        review: null,
        updatedAt: '2026-03-10T10:00:00.000Z',
      },
    ],
  });
}
