import { describe, expect, it } from 'vitest';
import { OpenApiValidator } from './openapi-validator.ts';
import type { HubspotExchange } from './server.ts';

// The validator is what makes the contract tests check HubSpot's schemas: it must notice a body
// that breaks them, and it must know which operation an exchange belongs to.

const validator = new OpenApiValidator();

function exchange(overrides: Partial<HubspotExchange>): HubspotExchange {
  return {
    method: 'GET',
    path: '/crm/v3/objects/deals/123',
    query: '',
    status: 200,
    requestContentType: undefined,
    requestBody: undefined,
    responseBody: undefined,
    responseHeaders: {},
    ...overrides,
  };
}

const deal = {
  id: '123',
  properties: { dealname: 'A deal', amount: null },
  createdAt: '2026-11-02T09:00:00.000Z',
  updatedAt: '2026-11-02T09:00:00.000Z',
  archived: false,
};

describe('OpenApiValidator', () => {
  it('maps the SDK paths onto the spec operations (deals are 0-3 in the spec)', () => {
    expect(validator.operationFor('GET', '/crm/v3/objects/deals/123')?.template).toBe(
      '/crm/v3/objects/0-3/{dealId}',
    );
    expect(validator.operationFor('POST', '/crm/v3/objects/deals/batch/read')?.template).toBe(
      '/crm/v3/objects/0-3/batch/read',
    );
    expect(validator.operationFor('GET', '/crm/v3/properties/deals/groups')?.template).toBe(
      '/crm/v3/properties/{objectType}/groups',
    );
    expect(validator.operationFor('POST', '/oauth/v1/token')?.template).toBe('/oauth/v1/token');
    expect(validator.operationFor('GET', '/no/such/path')).toBeUndefined();
  });

  it('accepts a valid object with nullable values', () => {
    expect(validator.check(exchange({ responseBody: deal }))).toEqual([]);
  });

  it('reports a response that breaks the schema', () => {
    const violations = validator.check(
      exchange({
        responseBody: { ...deal, id: 123, properties: { amount: 5 }, createdAt: 'yesterday' },
      }),
    );
    expect(violations).not.toBe('unmatched');
    expect(
      violations === 'unmatched' ? [] : violations.flatMap((violation) => violation.errors),
    ).toEqual(
      expect.arrayContaining([
        '/id must be string',
        '/properties/amount must be string',
        '/createdAt must match format "date-time"',
      ]),
    );
  });

  it('checks accepted requests against the request schema, not rejected ones', () => {
    const create = { method: 'POST', path: '/crm/v3/objects/companies', responseBody: deal };
    const accepted = validator.check(
      exchange({ ...create, status: 201, requestBody: { properties: {} } }),
    );
    expect(accepted === 'unmatched' ? [] : accepted.map((violation) => violation.part)).toEqual([
      'request',
    ]);
    const rejected = validator.check(
      exchange({
        ...create,
        status: 400,
        requestBody: { properties: {} },
        responseBody: {
          status: 'error',
          message: 'bad',
          category: 'VALIDATION_ERROR',
          correlationId: '8d0c2a3e-6a8e-4a4b-9c57-0c7f3bd38a1f',
        },
      }),
    );
    expect(rejected).toEqual([]);
  });

  it('validates create responses against the entity, as the live API answers', () => {
    expect(
      validator.check(
        exchange({
          method: 'POST',
          path: '/crm/v3/objects/deals',
          status: 201,
          requestBody: { properties: {}, associations: [] },
          responseBody: deal,
        }),
      ),
    ).toEqual([]);
  });

  it('checks error bodies against the Error schema', () => {
    const violations = validator.check(
      exchange({ status: 404, responseBody: { status: 'error', message: 'gone' } }),
    );
    expect(
      violations === 'unmatched' ? [] : violations.flatMap((violation) => violation.errors),
    ).toEqual(
      expect.arrayContaining([
        "must have required property 'category'",
        "must have required property 'correlationId'",
      ]),
    );
  });
});
