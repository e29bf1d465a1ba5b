import {
  type ApiClient,
  type ApiResult,
  apiOriginOf,
  createApiClient,
} from './common/api-client.ts';
import {
  type CreateTagBody,
  type DealView,
  dealViewSchema,
  type MeView,
  meViewSchema,
  type PartnerSearchResult,
  partnerSearchResultSchema,
  type RegistrationDecisionBody,
  type TagMutationResponse,
  type TierCard,
  tagMutationResponseSchema,
  tierCardSchema,
  type UpdateTagBody,
} from './vendor/shared/api/index.ts';

// The cards' endpoints of the Partnerbridge API (docs/api.md), each answer parsed with its
// contract schema. Components receive this object through props, so tests can drive the real
// module with a spied `hubspot.fetch`.

export type CardApi = {
  dealView(hubspotDealId: string): Promise<ApiResult<DealView>>;
  searchPartners(query: { q?: string; limit?: number }): Promise<ApiResult<PartnerSearchResult>>;
  createTag(hubspotDealId: string, body: CreateTagBody): Promise<ApiResult<TagMutationResponse>>;
  updateTag(
    hubspotDealId: string,
    tagId: string,
    body: UpdateTagBody,
  ): Promise<ApiResult<TagMutationResponse>>;
  removeTag(hubspotDealId: string, tagId: string): Promise<ApiResult<TagMutationResponse>>;
  decideRegistration(
    hubspotDealId: string,
    tagId: string,
    body: RegistrationDecisionBody,
  ): Promise<ApiResult<TagMutationResponse>>;
  tierCard(hubspotCompanyId: string): Promise<ApiResult<TierCard>>;
  me(): Promise<ApiResult<MeView>>;
};

const id = encodeURIComponent;

export function createCardApi(client: ApiClient): CardApi {
  return {
    dealView: (dealId) => client.request({ path: `/api/v1/deals/${id(dealId)}` }, dealViewSchema),
    searchPartners: (query) =>
      client.request(
        { path: '/api/v1/partners', query: { q: query.q?.trim(), limit: query.limit } },
        partnerSearchResultSchema,
      ),
    createTag: (dealId, body) =>
      client.request(
        { method: 'POST', path: `/api/v1/deals/${id(dealId)}/tags`, body },
        tagMutationResponseSchema,
      ),
    updateTag: (dealId, tagId, body) =>
      client.request(
        { method: 'PATCH', path: `/api/v1/deals/${id(dealId)}/tags/${id(tagId)}`, body },
        tagMutationResponseSchema,
      ),
    removeTag: (dealId, tagId) =>
      client.request(
        { method: 'DELETE', path: `/api/v1/deals/${id(dealId)}/tags/${id(tagId)}` },
        tagMutationResponseSchema,
      ),
    decideRegistration: (dealId, tagId, body) =>
      client.request(
        {
          method: 'POST',
          path: `/api/v1/deals/${id(dealId)}/tags/${id(tagId)}/registration`,
          body,
        },
        tagMutationResponseSchema,
      ),
    tierCard: (companyId) =>
      client.request({ path: `/api/v1/companies/${id(companyId)}/tier-card` }, tierCardSchema),
    me: () => client.request({ path: '/api/v1/me' }, meViewSchema),
  };
}

/** The API of the deploy profile's origin (`API_ORIGIN` in `hsprofile.<name>.json`). */
export function cardApiFor(context: { variables?: Readonly<Record<string, unknown>> }): CardApi {
  return createCardApi(createApiClient({ origin: apiOriginOf(context.variables) }));
}
