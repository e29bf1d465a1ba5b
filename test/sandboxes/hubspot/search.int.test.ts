import type { PublicObjectSearchRequest } from '@hubspot/api-client/lib/codegen/crm/deals/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  apiFailure,
  type ContractSandbox,
  type ManualClock,
  manualClock,
  sdkClient,
  startContractSandbox,
} from './contract-harness.ts';

type FilterInput = {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
};

/** A search body as the SDK types it (operators are an SDK enum; strings are what goes out). */
function searchBody(input: {
  groups?: FilterInput[][];
  sorts?: string[];
  query?: string;
  properties?: string[];
  limit?: number;
  after?: string;
}): PublicObjectSearchRequest {
  return {
    filterGroups: (input.groups ?? []).map((filters) => ({ filters })),
    sorts: input.sorts ?? [],
    properties: input.properties ?? ['dealname'],
    limit: input.limit ?? 100,
    after: input.after ?? '0',
    ...(input.query === undefined ? {} : { query: input.query }),
  } as PublicObjectSearchRequest;
}

describe('HubSpot sandbox: CRM search', () => {
  let sandbox: ContractSandbox;
  let clock: ManualClock;
  let portalId: number;
  let accessToken: string;
  const names = new Map<string, string>();

  beforeAll(async () => {
    clock = manualClock();
    sandbox = await startContractSandbox({ clock: clock.fn, searchIndexDelayMs: 0 });
    portalId = sandbox.control.createPortal();
    accessToken = sandbox.control.issueToken({ portalId }).accessToken;
    const fixtures: Record<string, string>[] = [
      {
        dealname: 'Alpha rollout',
        amount: '100',
        dealstage: 'closedwon',
        closedate: '2026-01-15T00:00:00Z',
      },
      {
        dealname: 'Beta pilot',
        amount: '250',
        dealstage: 'closedlost',
        closedate: '2026-02-15T00:00:00Z',
      },
      {
        dealname: 'Gamma renewal',
        amount: '400',
        dealstage: 'contractsent',
        closedate: '2026-03-15T00:00:00Z',
      },
      {
        dealname: 'Delta expansion',
        amount: '1000',
        dealstage: 'closedwon',
        closedate: '2026-04-15T00:00:00Z',
      },
      { dealname: 'Epsilon onboarding', dealstage: 'appointmentscheduled' },
      {
        dealname: 'alpha ADDON',
        amount: '50',
        dealstage: 'qualifiedtobuy',
        dealtype: 'existingbusiness',
      },
    ];
    for (const properties of fixtures) {
      const deal = sandbox.control.userCreate(portalId, 'deal', properties);
      names.set(deal.id, properties.dealname ?? '');
    }
  });

  afterEach(() => {
    expect(sandbox.takeViolations()).toEqual([]);
    clock.advance(1_000);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const search = (body: PublicObjectSearchRequest, token = accessToken) =>
    sdkClient(sandbox.url, token).crm.deals.searchApi.doSearch(body);
  const dealNames = (results: { properties: Record<string, string | null> }[]) =>
    results.map((result) => result.properties.dealname).sort();

  it.each([
    [
      'EQ on an enumeration',
      { propertyName: 'dealstage', operator: 'EQ', value: 'closedwon' },
      ['Alpha rollout', 'Delta expansion'],
    ],
    [
      'EQ on a string, case-insensitively',
      { propertyName: 'dealname', operator: 'EQ', value: 'beta PILOT' },
      ['Beta pilot'],
    ],
    [
      'NEQ, including records without the value',
      { propertyName: 'dealtype', operator: 'NEQ', value: 'existingbusiness' },
      ['Alpha rollout', 'Beta pilot', 'Delta expansion', 'Epsilon onboarding', 'Gamma renewal'],
    ],
    [
      'GT on a number',
      { propertyName: 'amount', operator: 'GT', value: '250' },
      ['Delta expansion', 'Gamma renewal'],
    ],
    [
      'GTE on a number',
      { propertyName: 'amount', operator: 'GTE', value: '250' },
      ['Beta pilot', 'Delta expansion', 'Gamma renewal'],
    ],
    ['LT on a number', { propertyName: 'amount', operator: 'LT', value: '100' }, ['alpha ADDON']],
    [
      'LTE on a number',
      { propertyName: 'amount', operator: 'LTE', value: '100' },
      ['Alpha rollout', 'alpha ADDON'],
    ],
    [
      'BETWEEN dates given as epoch ms',
      {
        propertyName: 'closedate',
        operator: 'BETWEEN',
        value: String(Date.parse('2026-02-01T00:00:00Z')),
        highValue: String(Date.parse('2026-03-31T00:00:00Z')),
      },
      ['Beta pilot', 'Gamma renewal'],
    ],
    [
      'IN',
      { propertyName: 'dealstage', operator: 'IN', values: ['closedlost', 'contractsent'] },
      ['Beta pilot', 'Gamma renewal'],
    ],
    [
      'NOT_IN',
      {
        propertyName: 'dealstage',
        operator: 'NOT_IN',
        values: ['closedwon', 'closedlost', 'contractsent'],
      },
      ['Epsilon onboarding', 'alpha ADDON'],
    ],
    ['HAS_PROPERTY', { propertyName: 'dealtype', operator: 'HAS_PROPERTY' }, ['alpha ADDON']],
    [
      'NOT_HAS_PROPERTY',
      { propertyName: 'amount', operator: 'NOT_HAS_PROPERTY' },
      ['Epsilon onboarding'],
    ],
    [
      'CONTAINS_TOKEN',
      { propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'alpha' },
      ['Alpha rollout', 'alpha ADDON'],
    ],
    [
      'CONTAINS_TOKEN with a wildcard',
      { propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'ren*' },
      ['Gamma renewal'],
    ],
    [
      'NOT_CONTAINS_TOKEN',
      { propertyName: 'dealname', operator: 'NOT_CONTAINS_TOKEN', value: 'alpha' },
      ['Beta pilot', 'Delta expansion', 'Epsilon onboarding', 'Gamma renewal'],
    ],
  ] as const)('filters with %s', async (_name, filter, expected) => {
    const result = await search(searchBody({ groups: [[{ ...filter } as FilterInput]] }));
    expect(dealNames(result.results)).toEqual([...expected].sort());
    expect(result.total).toBe(expected.length);
  });

  it('ANDs the filters of a group and ORs the groups', async () => {
    const result = await search(
      searchBody({
        groups: [
          [
            { propertyName: 'dealstage', operator: 'EQ', value: 'closedwon' },
            { propertyName: 'amount', operator: 'GT', value: '500' },
          ],
          [{ propertyName: 'dealstage', operator: 'EQ', value: 'closedlost' }],
        ],
      }),
    );
    expect(dealNames(result.results)).toEqual(['Beta pilot', 'Delta expansion']);
  });

  it('sorts by one property either way, records without it last', async () => {
    const ascending = await search(
      searchBody({ sorts: ['amount'], properties: ['dealname', 'amount'] }),
    );
    expect(ascending.results.map((deal) => deal.properties.amount)).toEqual([
      '50',
      '100',
      '250',
      '400',
      '1000',
      null,
    ]);
    const descending = await search(
      searchBody({ sorts: ['-amount'], properties: ['dealname', 'amount'] }),
    );
    expect(descending.results.map((deal) => deal.properties.amount)).toEqual([
      '1000',
      '400',
      '250',
      '100',
      '50',
      null,
    ]);
    const asObject = await sdkClient(sandbox.url, accessToken).apiRequest({
      method: 'POST',
      path: '/crm/v3/objects/deals/search',
      body: {
        sorts: [{ propertyName: 'amount', direction: 'DESCENDING' }],
        properties: ['amount'],
        limit: 1,
      },
    });
    const body = (await asObject.json()) as { results: { properties: { amount: string } }[] };
    expect(body.results[0]?.properties.amount).toBe('1000');
    // HubSpot's search guide sorts with objects while its OpenAPI document types sorts as strings
    // (and marks every field required): the sandbox takes both, the validator flags the guide's form.
    expect(sandbox.takeViolations().flatMap((violation) => violation.errors)).toEqual([
      "must have required property 'after'",
      "must have required property 'filterGroups'",
      '/sorts/0 must be string',
    ]);
  });

  it('matches the text query against the searchable properties by token prefix', async () => {
    const result = await search(searchBody({ query: 'ren' }));
    expect(dealNames(result.results)).toEqual(['Gamma renewal']);
  });

  it('pages with limit and after; the last page has no paging', async () => {
    const first = await search(searchBody({ limit: 4 }));
    expect(first.total).toBe(6);
    expect(first.results).toHaveLength(4);
    expect(first.paging?.next?.after).toBe('4');
    clock.advance(1_000);
    const second = await search(searchBody({ limit: 4, after: '4' }));
    expect(second.results).toHaveLength(2);
    expect(second.paging).toBeUndefined();
  });

  it.each([
    [
      'six filter groups',
      searchBody({
        groups: Array.from({ length: 6 }, () => [
          { propertyName: 'amount', operator: 'HAS_PROPERTY' },
        ]),
      }),
    ],
    [
      'seven filters in one group',
      searchBody({
        groups: [
          Array.from({ length: 7 }, () => ({ propertyName: 'amount', operator: 'HAS_PROPERTY' })),
        ],
      }),
    ],
    [
      'nineteen filters in total',
      searchBody({
        groups: [5, 5, 5, 4].map((count) =>
          Array.from({ length: count }, () => ({
            propertyName: 'amount',
            operator: 'HAS_PROPERTY',
          })),
        ),
      }),
    ],
    ['two sorts', searchBody({ sorts: ['amount', 'dealname'] })],
    ['a limit above 200', searchBody({ limit: 201 })],
    [
      'an unknown property',
      searchBody({ groups: [[{ propertyName: 'no_such_thing', operator: 'EQ', value: 'x' }]] }),
    ],
  ])('refuses %s with 400', async (_name, body) => {
    const error = await apiFailure(search(body));
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
  });

  it('caps a query at 10,000 results: paging past the cap is a 400', async () => {
    const big = sandbox.control.createPortal({ name: 'Ten thousand' });
    for (let i = 0; i < 10_050; i++)
      sandbox.control.userCreate(big, 'deal', { dealname: `Bulk ${i}` });
    const token = sandbox.control.issueToken({ portalId: big }).accessToken;
    const nearTheEnd = await search(searchBody({ limit: 200, after: '9800' }), token);
    expect(nearTheEnd.total).toBe(10_050);
    expect(nearTheEnd.results).toHaveLength(200);
    expect(nearTheEnd.paging?.next?.after).toBe('10000');
    clock.advance(1_000);
    const past = await apiFailure(search(searchBody({ limit: 200, after: '10000' }), token));
    expect(past.code).toBe(400);
    expect(past.body.category).toBe('VALIDATION_ERROR');
    expect(String(past.body.message)).toContain('10000');
  });

  it('has its own secondly limit: the sixth search in a second gets 429 SECONDLY without rate-limit headers', async () => {
    clock.advance(5_000);
    const burstBefore = sandbox.control.rateLimitUsage(portalId).tenSecondly.used;
    for (let i = 0; i < 5; i++) await search(searchBody({ limit: 1 }));
    const limited = await apiFailure(search(searchBody({ limit: 1 })));
    expect(limited.code).toBe(429);
    expect(limited.body).toMatchObject({
      status: 'error',
      message: 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'SECONDLY',
    });
    expect(limited.headers['x-hubspot-ratelimit-remaining']).toBeUndefined();
    // Searches do not spend the ten-second budget of the other endpoints.
    expect(sandbox.control.rateLimitUsage(portalId).tenSecondly.used).toBe(burstBefore);
    expect(sandbox.control.requests().rateLimited.SECONDLY).toBeGreaterThanOrEqual(1);
    clock.advance(1_000);
    expect((await search(searchBody({ limit: 1 }))).total).toBe(6);
  });

  it('lets the SDK retry decorator retry a secondly 429 after waiting 1 s', async () => {
    clock.advance(5_000);
    sandbox.control.setRateLimits(portalId, { searchPerSecond: 1 });
    const realSetTimeout = globalThis.setTimeout;
    const waits: number[] = [];
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // The decorator sleeps 1 s × attempt on real timers: let that second pass on the sandbox clock.
    const timers = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
      callback: () => void,
      ms?: number,
    ) => {
      if (ms === 1_000) {
        waits.push(ms);
        clock.advance(ms);
        return realSetTimeout(callback, 0);
      }
      return realSetTimeout(callback, ms);
    }) as typeof setTimeout);
    try {
      const client = sdkClient(sandbox.url, accessToken, 2);
      await client.crm.deals.searchApi.doSearch(searchBody({ limit: 1 }));
      const retried = await client.crm.deals.searchApi.doSearch(searchBody({ limit: 1 }));
      expect(retried.total).toBe(6);
      expect(waits).toEqual([1_000]);
      expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('status code [429]'));
    } finally {
      timers.mockRestore();
      consoleError.mockRestore();
      sandbox.control.setRateLimits(portalId, { searchPerSecond: 5 });
    }
  });

  it('shows writes to search only after the indexing delay', async () => {
    const delayed = await startContractSandbox({ clock: clock.fn, searchIndexDelayMs: 2_000 });
    try {
      const portal = delayed.control.createPortal();
      const token = delayed.control.issueToken({ portalId: portal }).accessToken;
      const api = sdkClient(delayed.url, token).crm.deals;
      const created = await api.basicApi.create({
        properties: { dealname: 'Fresh', amount: '5' },
        associations: [],
      });
      const byAmount = searchBody({
        groups: [[{ propertyName: 'amount', operator: 'EQ', value: '5' }]],
      });
      expect((await api.searchApi.doSearch(byAmount)).total).toBe(0);
      clock.advance(2_000);
      expect((await api.searchApi.doSearch(byAmount)).total).toBe(1);
      await api.basicApi.update(created.id, { properties: { amount: '6' } });
      clock.advance(1_000);
      expect((await api.searchApi.doSearch(byAmount)).total).toBe(1);
      clock.advance(1_000);
      expect((await api.searchApi.doSearch(byAmount)).total).toBe(0);
      expect(delayed.takeViolations()).toEqual([]);
    } finally {
      await delayed.stop();
    }
  });
});
