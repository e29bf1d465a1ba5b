import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { callerOf, rateLimited, requireObjectScope, type SandboxContext } from './context.ts';
import type { StoredRecord } from './crm-store.ts';
import { validationError } from './errors.ts';
import { type ObjectTypeName, objectTypes } from './object-types.ts';
import { toPublicObject } from './object-views.ts';
import type { PropertyDefinition } from './property-catalog.ts';
import { comparableNumber } from './property-values.ts';
import { parseBody } from './request-parsing.ts';

// POST /crm/v3/objects/{type}/search: filterGroups (OR of ANDs), one sort, a text query, offset
// paging with `after`, at most 200 per page and 10,000 results per query. It has its own rate
// limit and, optionally, an indexing delay before writes become visible.

export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_MAX_RESULTS = 10_000;
export const SEARCH_MAX_GROUPS = 5;
export const SEARCH_MAX_FILTERS_PER_GROUP = 6;
export const SEARCH_MAX_FILTERS = 18;
export const SEARCH_MAX_QUERY_LENGTH = 3_000;

const operators = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;
type Operator = (typeof operators)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const filterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(operators),
  value: scalar.optional(),
  highValue: scalar.optional(),
  values: z.array(scalar).optional(),
});
type Filter = z.infer<typeof filterSchema>;

const sortSchema = z.union([
  z.string().min(1),
  z.object({
    propertyName: z.string().min(1),
    direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING'),
  }),
]);

const searchRequestSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).default([]),
  sorts: z.array(sortSchema).default([]),
  query: z.string().optional(),
  properties: z.array(z.string()).default([]),
  limit: z.number().int().min(0).default(10),
  after: z.union([z.string(), z.number()]).transform(String).optional(),
});

type Matcher = (values: ReadonlyMap<string, string>) => boolean;

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[\s,;:()[\]{}"'!?]+/)
    .filter((token) => token !== '');
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern
    .toLowerCase()
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function compileFilter(definition: PropertyDefinition, filter: Filter): Matcher {
  const name = definition.name;
  const numeric =
    definition.type === 'number' || definition.type === 'date' || definition.type === 'datetime';
  const caseInsensitive = definition.type === 'string' || definition.type === 'phone_number';
  const need = (what: string | undefined, field: string): string => {
    if (what === undefined) {
      throw validationError(`The ${filter.operator} filter on ${name} needs a ${field}`);
    }
    return what;
  };
  const asNumber = (raw: string): number => {
    const parsed = comparableNumber(definition, raw);
    if (parsed === undefined) {
      throw validationError(
        `"${raw}" is not a valid value for the ${definition.type} property ${name}`,
      );
    }
    return parsed;
  };
  const same = (actual: string, expected: string): boolean => {
    if (numeric) return comparableNumber(definition, actual) === asNumber(expected);
    if (definition.type === 'bool') return actual === expected.toLowerCase();
    if (definition.type === 'enumeration' && definition.fieldType === 'checkbox') {
      return actual.split(';').includes(expected);
    }
    return caseInsensitive ? actual.toLowerCase() === expected.toLowerCase() : actual === expected;
  };
  const compare = (actual: string, expected: string): number => {
    if (numeric) return (comparableNumber(definition, actual) ?? Number.NaN) - asNumber(expected);
    return actual.localeCompare(expected);
  };
  const containsToken = (actual: string, expected: string): boolean => {
    const pattern = wildcard(expected);
    return (
      pattern.test(actual.toLowerCase()) || tokens(actual).some((token) => pattern.test(token))
    );
  };
  const op: Operator = filter.operator;
  switch (op) {
    case 'HAS_PROPERTY':
      return (values) => values.has(name);
    case 'NOT_HAS_PROPERTY':
      return (values) => !values.has(name);
    case 'EQ': {
      const expected = need(filter.value, 'value');
      if (numeric) asNumber(expected);
      return (values) => {
        const actual = values.get(name);
        return actual !== undefined && same(actual, expected);
      };
    }
    case 'NEQ': {
      const expected = need(filter.value, 'value');
      if (numeric) asNumber(expected);
      return (values) => {
        const actual = values.get(name);
        return actual === undefined || !same(actual, expected);
      };
    }
    case 'LT':
    case 'LTE':
    case 'GT':
    case 'GTE': {
      const expected = need(filter.value, 'value');
      if (numeric) asNumber(expected);
      const test = {
        LT: (d: number) => d < 0,
        LTE: (d: number) => d <= 0,
        GT: (d: number) => d > 0,
        GTE: (d: number) => d >= 0,
      }[op];
      return (values) => {
        const actual = values.get(name);
        return actual !== undefined && test(compare(actual, expected));
      };
    }
    case 'BETWEEN': {
      const low = need(filter.value, 'value');
      const high = need(filter.highValue, 'highValue');
      if (numeric) {
        asNumber(low);
        asNumber(high);
      }
      return (values) => {
        const actual = values.get(name);
        return actual !== undefined && compare(actual, low) >= 0 && compare(actual, high) <= 0;
      };
    }
    case 'IN':
    case 'NOT_IN': {
      const list = filter.values;
      if (list === undefined || list.length === 0) {
        throw validationError(`The ${op} filter on ${name} needs a non-empty values list`);
      }
      if (numeric) for (const value of list) asNumber(value);
      const included = (actual: string | undefined) =>
        actual !== undefined && list.some((expected) => same(actual, expected));
      return op === 'IN'
        ? (values) => included(values.get(name))
        : (values) => !included(values.get(name));
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const expected = need(filter.value, 'value');
      const contains = (actual: string | undefined) =>
        actual !== undefined && containsToken(actual, expected);
      return op === 'CONTAINS_TOKEN'
        ? (values) => contains(values.get(name))
        : (values) => !contains(values.get(name));
    }
  }
}

function queryMatcher(type: ObjectTypeName, query: string): Matcher {
  const wanted = tokens(query);
  return (values) =>
    objectTypes[type].searchableProperties.some((name) => {
      const value = values.get(name);
      if (value === undefined) return false;
      const have = tokens(value);
      return wanted.every((token) => have.some((candidate) => candidate.startsWith(token)));
    });
}

export function searchRouter(ctx: SandboxContext, type: ObjectTypeName): Router {
  const router = Router();

  router.post('/search', rateLimited(ctx, 'search'), (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'read');
    const input = parseBody(searchRequestSchema, req.body);
    const groups = input.filterGroups;
    const filterCount = groups.reduce((sum, group) => sum + group.filters.length, 0);
    if (groups.length > SEARCH_MAX_GROUPS) {
      throw validationError(
        `Too many filter groups: ${groups.length}. A search can have at most ${SEARCH_MAX_GROUPS} filterGroups.`,
      );
    }
    if (groups.some((group) => group.filters.length > SEARCH_MAX_FILTERS_PER_GROUP)) {
      throw validationError(
        `Too many filters in a filter group. A filter group can have at most ${SEARCH_MAX_FILTERS_PER_GROUP} filters.`,
      );
    }
    if (filterCount > SEARCH_MAX_FILTERS) {
      throw validationError(
        `Too many filters: ${filterCount}. A search can have at most ${SEARCH_MAX_FILTERS} filters in total.`,
      );
    }
    if (input.sorts.length > 1) {
      throw validationError('A search can have at most one sort.');
    }
    if (input.limit > SEARCH_MAX_LIMIT) {
      throw validationError(`limit must be at most ${SEARCH_MAX_LIMIT}, but was ${input.limit}`);
    }
    if ((input.query ?? '').length > SEARCH_MAX_QUERY_LENGTH) {
      throw validationError(`query must be at most ${SEARCH_MAX_QUERY_LENGTH} characters long`);
    }
    const offset = input.after === undefined || input.after === '' ? 0 : Number(input.after);
    if (!Number.isInteger(offset) || offset < 0) {
      throw validationError(
        `after must be a paging cursor returned by a previous page, got "${input.after}"`,
      );
    }
    if (offset >= SEARCH_MAX_RESULTS) {
      throw validationError(
        `Search results are capped at ${SEARCH_MAX_RESULTS} per query; after=${offset} pages past the cap. Narrow the filters instead.`,
        { context: { after: [String(offset)] } },
      );
    }
    const definitionOf = (name: string): PropertyDefinition => {
      const definition = ctx.store.property(caller.portal, type, name);
      if (definition === undefined) {
        throw validationError(`Property "${name}" does not exist on ${objectTypes[type].plural}`, {
          context: { propertyName: [name] },
        });
      }
      return definition;
    };
    const compiled = groups.map((group) =>
      group.filters.map((filter) => compileFilter(definitionOf(filter.propertyName), filter)),
    );
    const query =
      input.query === undefined || input.query.trim() === ''
        ? undefined
        : queryMatcher(type, input.query);
    const sort = input.sorts[0];
    const sortSpec =
      sort === undefined
        ? undefined
        : typeof sort === 'string'
          ? { propertyName: sort.replace(/^-/, ''), descending: sort.startsWith('-') }
          : { propertyName: sort.propertyName, descending: sort.direction === 'DESCENDING' };
    const sortDefinition = sortSpec === undefined ? undefined : definitionOf(sortSpec.propertyName);

    const matches: { record: StoredRecord; values: ReadonlyMap<string, string> }[] = [];
    for (const record of caller.portal.records[type].values()) {
      const values = ctx.store.searchView(record);
      if (values === undefined) continue;
      const filtered =
        compiled.length === 0 ||
        compiled.some((group) => group.every((matcher) => matcher(values)));
      if (filtered && (query === undefined || query(values))) matches.push({ record, values });
    }
    if (sortSpec !== undefined && sortDefinition !== undefined) {
      const key = (values: ReadonlyMap<string, string>) => values.get(sortSpec.propertyName);
      const direction = sortSpec.descending ? -1 : 1;
      matches.sort((a, b) => {
        const left = key(a.values);
        const right = key(b.values);
        // Records without the property sort last, whatever the direction.
        if (left === undefined || right === undefined) {
          return left === right
            ? Number(a.record.id) - Number(b.record.id)
            : left === undefined
              ? 1
              : -1;
        }
        const numericLeft = comparableNumber(sortDefinition, left);
        const numericRight = comparableNumber(sortDefinition, right);
        const order =
          numericLeft !== undefined && numericRight !== undefined
            ? numericLeft - numericRight
            : left.localeCompare(right);
        return order === 0 ? Number(a.record.id) - Number(b.record.id) : order * direction;
      });
    }
    const page = matches.slice(offset, offset + input.limit);
    const nextOffset = offset + input.limit;
    const body: Record<string, unknown> = {
      total: matches.length,
      results: page.map(({ record }) =>
        toPublicObject(ctx.store, caller.portal, record, { properties: input.properties }),
      ),
    };
    if (input.limit > 0 && nextOffset < matches.length) {
      body.paging = { next: { after: String(nextOffset) } };
    }
    res.json(body);
  });

  return router;
}
