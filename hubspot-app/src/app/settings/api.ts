import {
  type BudgetBody,
  type BudgetsView,
  type BudgetView,
  budgetsViewSchema,
  budgetViewSchema,
  type DeadLettersView,
  type DryRunView,
  deadLettersViewSchema,
  discardedViewSchema,
  dryRunViewSchema,
  type IdentityReviewsView,
  type InstallationView,
  identityReviewsViewSchema,
  installationViewSchema,
  type ObjectFieldsView,
  objectFieldsViewSchema,
  type ResolveReviewBody,
  replayedViewSchema,
  resolvedViewSchema,
  type SalesforceLink,
  type SavedMappingView,
  type SaveMappingBody,
  SYNC_API,
  type SyncHealthView,
  type SyncMappingsView,
  salesforceLinkSchema,
  savedMappingViewSchema,
  syncHealthViewSchema,
  syncMappingsViewSchema,
} from './admin-contract.ts';
import {
  type ApiClient,
  type ApiResult,
  apiOriginOf,
  createApiClient,
} from './common/api-client.ts';
import {
  type CreateRuleBody,
  type MeView,
  meViewSchema,
  type ProgramSettings,
  type PutProgramBody,
  programSettingsSchema,
  type RetireRuleBody,
  type RuleSaved,
  type RulesSettings,
  type RuleVersionBody,
  ruleSavedSchema,
  rulesSettingsSchema,
  type WhatIfBody,
  type WhatIfResult,
  whatIfResultSchema,
} from './vendor/shared/api/index.ts';
import type { MappedObjectKind, MappingDocument } from './vendor/shared/sync-mapping.ts';

// The settings page's endpoints, each answer parsed with its schema (the shared contract;
// admin-contract.ts for the installation view, which has none in shared yet).

export type SettingsApi = {
  me(): Promise<ApiResult<MeView>>;
  installation(): Promise<ApiResult<InstallationView>>;
  connectSalesforce(): Promise<ApiResult<SalesforceLink>>;
  disconnectSalesforce(): Promise<ApiResult<null>>;
  program(): Promise<ApiResult<ProgramSettings>>;
  saveProgram(body: PutProgramBody): Promise<ApiResult<ProgramSettings>>;
  rules(): Promise<ApiResult<RulesSettings>>;
  createRule(body: CreateRuleBody): Promise<ApiResult<RuleSaved>>;
  addRuleVersion(ruleId: string, body: RuleVersionBody): Promise<ApiResult<RuleSaved>>;
  retireRule(ruleId: string, body: RetireRuleBody): Promise<ApiResult<RuleSaved>>;
  whatIf(body: WhatIfBody): Promise<ApiResult<WhatIfResult>>;
  syncHealth(): Promise<ApiResult<SyncHealthView>>;
  mappings(): Promise<ApiResult<SyncMappingsView>>;
  objectFields(kind: MappedObjectKind): Promise<ApiResult<ObjectFieldsView>>;
  dryRun(document: MappingDocument): Promise<ApiResult<DryRunView>>;
  /** Saved as the signed user. */
  saveMappings(body: SaveMappingBody): Promise<ApiResult<SavedMappingView>>;
  deadLetters(): Promise<ApiResult<DeadLettersView>>;
  replayDeadLetter(id: string): Promise<ApiResult<{ replayed: true }>>;
  discardDeadLetter(id: string): Promise<ApiResult<{ discarded: true }>>;
  reviews(): Promise<ApiResult<IdentityReviewsView>>;
  /** Resolved as the signed user. */
  resolveReview(id: string, body: ResolveReviewBody): Promise<ApiResult<{ resolved: true }>>;
  budgets(): Promise<ApiResult<BudgetsView>>;
  /** Sets (`dailyLimit: null` clears) a CRM's daily cap, as the signed user. */
  setBudget(provider: BudgetView['provider'], body: BudgetBody): Promise<ApiResult<BudgetView>>;
};

const id = encodeURIComponent;

export function createSettingsApi(client: ApiClient): SettingsApi {
  return {
    me: () => client.request({ path: '/api/v1/me' }, meViewSchema),
    installation: () => client.request({ path: '/api/v1/installation' }, installationViewSchema),
    connectSalesforce: () =>
      client.request(
        { method: 'POST', path: '/api/v1/installation/salesforce/connect' },
        salesforceLinkSchema,
      ),
    disconnectSalesforce: () =>
      client.requestEmpty({ method: 'DELETE', path: '/api/v1/installation/salesforce' }),
    program: () => client.request({ path: '/api/v1/settings/program' }, programSettingsSchema),
    saveProgram: (body) =>
      client.request(
        { method: 'PUT', path: '/api/v1/settings/program', body },
        programSettingsSchema,
      ),
    rules: () => client.request({ path: '/api/v1/settings/rules' }, rulesSettingsSchema),
    createRule: (body) =>
      client.request({ method: 'POST', path: '/api/v1/settings/rules', body }, ruleSavedSchema),
    addRuleVersion: (ruleId, body) =>
      client.request(
        { method: 'POST', path: `/api/v1/settings/rules/${id(ruleId)}/versions`, body },
        ruleSavedSchema,
      ),
    retireRule: (ruleId, body) =>
      client.request(
        { method: 'POST', path: `/api/v1/settings/rules/${id(ruleId)}/retire`, body },
        ruleSavedSchema,
      ),
    whatIf: (body) =>
      client.request(
        { method: 'POST', path: '/api/v1/settings/what-if', body },
        whatIfResultSchema,
      ),
    syncHealth: () => client.request({ path: `${SYNC_API}/health` }, syncHealthViewSchema),
    mappings: () => client.request({ path: `${SYNC_API}/mappings` }, syncMappingsViewSchema),
    objectFields: (kind) =>
      client.request({ path: `${SYNC_API}/fields`, query: { kind } }, objectFieldsViewSchema),
    dryRun: (document) =>
      client.request(
        { method: 'POST', path: `${SYNC_API}/mappings/dry-run`, body: { document } },
        dryRunViewSchema,
      ),
    saveMappings: (body) =>
      client.request({ method: 'PUT', path: `${SYNC_API}/mappings`, body }, savedMappingViewSchema),
    deadLetters: () =>
      client.request(
        { path: `${SYNC_API}/dead-letters`, query: { status: 'open' } },
        deadLettersViewSchema,
      ),
    replayDeadLetter: (deadLetterId) =>
      client.request(
        { method: 'POST', path: `${SYNC_API}/dead-letters/${id(deadLetterId)}/replay` },
        replayedViewSchema,
      ),
    discardDeadLetter: (deadLetterId) =>
      client.request(
        { method: 'POST', path: `${SYNC_API}/dead-letters/${id(deadLetterId)}/discard` },
        discardedViewSchema,
      ),
    reviews: () => client.request({ path: `${SYNC_API}/reviews` }, identityReviewsViewSchema),
    resolveReview: (linkId, body) =>
      client.request(
        { method: 'POST', path: `${SYNC_API}/reviews/${id(linkId)}/resolve`, body },
        resolvedViewSchema,
      ),
    budgets: () => client.request({ path: `${SYNC_API}/budgets` }, budgetsViewSchema),
    setBudget: (provider, body) =>
      client.request(
        { method: 'PUT', path: `${SYNC_API}/budgets/${id(provider)}`, body },
        budgetViewSchema,
      ),
  };
}

/** The API of the deploy profile's origin (`API_ORIGIN` in `hsprofile.<name>.json`). */
export function settingsApiFor(context: {
  variables?: Readonly<Record<string, unknown>>;
}): SettingsApi {
  return createSettingsApi(createApiClient({ origin: apiOriginOf(context.variables) }));
}
