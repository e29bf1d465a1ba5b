import { createRequire } from 'node:module';
import type * as SoqlParser from 'soql-parser-js';
import type { OrderByClause, Query, FieldType as SelectItem, Subquery } from 'soql-parser-js';
import { readValue, renderValue } from '../dml/values.ts';
import { malformedQuery, SalesforceApiError } from '../errors.ts';
import type { FieldDef, ObjectDef } from '../schema/fields.ts';
import { compileWhere, type Predicate } from './conditions.ts';
import {
  type Compiler,
  comparable,
  compare,
  domainOf,
  located,
  type Path,
  positionOf,
  readPath,
  resolvePath,
  type Step,
  unsupported,
} from './paths.ts';
import type { QueryOptions, QuerySource, Row } from './source.ts';

// The SOQL subset an integration needs, parsed by soql-parser-js and evaluated over a QuerySource:
// fields and parent relationship paths, child subqueries, COUNT(), FIELDS(), WHERE with
// AND/OR/NOT/parentheses, comparisons, IN/NOT IN, LIKE, null, date/datetime literals and date
// literals (TODAY, LAST_N_DAYS:n…), ORDER BY with NULLS FIRST/LAST, LIMIT and OFFSET. Anything else
// is refused with MALFORMED_QUERY rather than answered wrongly.

// soql-parser-js ships CommonJS without named ESM exports; load it the CommonJS way.
const soqlParser = createRequire(import.meta.url)('soql-parser-js') as typeof SoqlParser;

export type { QueryOptions, QuerySource, Row } from './source.ts';
export type QueryResult = { totalSize: number; records: Record<string, unknown>[] };

const MAX_OFFSET = 2000;

type Node = { entries: Entry[] };
type Entry =
  | { kind: 'field'; def: FieldDef }
  | { kind: 'relationship'; step: Step; node: Node }
  | { kind: 'subquery'; plan: SubqueryPlan };

type SubqueryPlan = {
  relationshipName: string;
  child: ObjectDef;
  parentField: FieldDef;
  node: Node;
  where: Predicate;
  orderBy: Comparator | undefined;
  limit: number | undefined;
};

function addPath(node: Node, path: Path): void {
  let current = node;
  for (const step of path.steps) {
    let entry = current.entries.find(
      (e): e is Extract<Entry, { kind: 'relationship' }> =>
        e.kind === 'relationship' && e.step.field.name === step.field.name,
    );
    if (entry === undefined) {
      entry = { kind: 'relationship', step, node: { entries: [] } };
      current.entries.push(entry);
    }
    current = entry.node;
  }
  if (!current.entries.some((e) => e.kind === 'field' && e.def.name === path.def.name)) {
    current.entries.push({ kind: 'field', def: path.def });
  }
}

function fieldsFunction(object: ObjectDef, argument: string): FieldDef[] {
  switch (argument.toUpperCase()) {
    case 'ALL':
      return object.fields;
    case 'STANDARD':
      return object.fields.filter((f) => !f.custom);
    case 'CUSTOM':
      return object.fields.filter((f) => f.custom);
    default:
      throw malformedQuery(`Unknown FIELDS() argument: ${argument}`);
  }
}

function compileSelect(
  c: Compiler,
  object: ObjectDef,
  items: readonly SelectItem[],
  query: Query | Subquery,
): { node: Node; countOnly: boolean } {
  const node: Node = { entries: [] };
  let countOnly = false;
  const selectFrom = Math.max(0, c.soql.search(/\bSELECT\b/i));
  for (const item of items) {
    switch (item.type) {
      case 'Field':
        addPath(node, resolvePath(c, object, item.field, selectFrom));
        break;
      case 'FieldRelationship':
        addPath(
          node,
          resolvePath(c, object, [...item.relationships, item.field].join('.'), selectFrom),
        );
        break;
      case 'FieldFunctionExpression': {
        const name = item.functionName.toUpperCase();
        if (name === 'COUNT' && item.parameters.length === 0) {
          countOnly = true;
        } else if (name === 'FIELDS') {
          const argument = String(item.parameters[0] ?? '');
          if (
            argument.toUpperCase() !== 'STANDARD' &&
            (query.limit === undefined || query.limit > 200)
          ) {
            throw malformedQuery(
              located(
                c.soql,
                positionOf(c.soql, 'FIELDS'),
                'The SOQL FIELDS function must have a LIMIT of at most 200',
              ),
            );
          }
          for (const def of fieldsFunction(object, argument)) {
            addPath(node, { steps: [], object, def });
          }
        } else {
          throw unsupported(`${item.functionName}() and aggregate queries`);
        }
        break;
      }
      case 'FieldSubquery':
        node.entries.push({ kind: 'subquery', plan: compileSubquery(c, object, item.subquery) });
        break;
      default:
        throw unsupported('TYPEOF');
    }
  }
  if (countOnly && node.entries.length > 0) {
    throw malformedQuery(
      located(c.soql, positionOf(c.soql, 'COUNT'), 'COUNT() cannot be combined with other fields'),
    );
  }
  return { node, countOnly };
}

function compileSubquery(c: Compiler, parent: ObjectDef, subquery: Subquery): SubqueryPlan {
  const lower = subquery.relationshipName.toLowerCase();
  for (const child of c.source.allObjects()) {
    const parentField = child.fields.find(
      (f) =>
        f.referenceTo.includes(parent.name) && f.childRelationshipName?.toLowerCase() === lower,
    );
    if (parentField === undefined) continue;
    const { node, countOnly } = compileSelect(c, child, subquery.fields ?? [], subquery);
    if (countOnly) throw unsupported('COUNT() in subqueries');
    return {
      relationshipName: parentField.childRelationshipName ?? subquery.relationshipName,
      child,
      parentField,
      node,
      where: compileWhere(c, child, subquery.where),
      orderBy: compileOrderBy(c, child, subquery.orderBy),
      limit: subquery.limit,
    };
  }
  throw new SalesforceApiError(
    400,
    'INVALID_TYPE',
    located(
      c.soql,
      positionOf(c.soql, subquery.relationshipName),
      `Didn't understand relationship '${subquery.relationshipName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
    ),
  );
}

function renderNode(c: Compiler, object: ObjectDef, node: Node, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: object.name, url: c.source.recordUrl(object, row.id) },
  };
  for (const entry of node.entries) {
    switch (entry.kind) {
      case 'field':
        out[entry.def.name] = renderValue(entry.def, readValue(object, entry.def, row.values));
        break;
      case 'relationship': {
        const id = row.values[entry.step.field.name];
        const parent =
          typeof id === 'string'
            ? c.source.row(entry.step.target, id, c.options.includeDeleted)
            : undefined;
        out[entry.step.field.relationshipName ?? entry.step.field.name] =
          parent === undefined ? null : renderNode(c, entry.step.target, entry.node, parent);
        break;
      }
      case 'subquery': {
        const { plan } = entry;
        let children = c.source
          .rows(plan.child, c.options.includeDeleted)
          .filter((child) => child.values[plan.parentField.name] === row.id && plan.where(child));
        if (plan.orderBy !== undefined) children = [...children].sort(plan.orderBy);
        if (plan.limit !== undefined) children = children.slice(0, plan.limit);
        out[plan.relationshipName] =
          children.length === 0
            ? null
            : {
                totalSize: children.length,
                done: true,
                records: children.map((child) => renderNode(c, plan.child, plan.node, child)),
              };
        break;
      }
    }
  }
  return out;
}

type Comparator = (a: Row, b: Row) => number;

function compileOrderBy(
  c: Compiler,
  object: ObjectDef,
  orderBy: OrderByClause | OrderByClause[] | undefined,
): Comparator | undefined {
  if (orderBy === undefined) return undefined;
  const clauses = Array.isArray(orderBy) ? orderBy : [orderBy];
  const searchFrom = Math.max(0, c.soql.search(/\bORDER\s+BY\b/i));
  const keys = clauses.map((clause) => {
    if (!('field' in clause)) throw unsupported('functions in ORDER BY');
    const path = resolvePath(c, object, clause.field, searchFrom);
    const domain = domainOf(c, path);
    const descending = clause.order === 'DESC';
    const nullsFirst = clause.nulls === undefined ? !descending : clause.nulls === 'FIRST';
    return { path, domain, descending, nullsFirst };
  });
  return (a, b) => {
    for (const key of keys) {
      const x = comparable(key.domain, readPath(c, key.path, a));
      const y = comparable(key.domain, readPath(c, key.path, b));
      if (x === null && y === null) continue;
      if (x === null) return key.nullsFirst ? -1 : 1;
      if (y === null) return key.nullsFirst ? 1 : -1;
      const order = compare(x, y);
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  };
}

function parseOrThrow(soql: string): Query {
  try {
    return soqlParser.parseQuery(soql);
  } catch (error) {
    const token =
      typeof error === 'object' && error !== null && 'token' in error
        ? (error as { token?: { image?: string; startOffset?: number } }).token
        : undefined;
    const offset = token?.startOffset ?? soql.length;
    const image = token?.image === undefined || token.image === '' ? 'EOF' : token.image;
    throw malformedQuery(
      located(soql, Number.isNaN(offset) ? soql.length : offset, `unexpected token: '${image}'`),
    );
  }
}

/** Runs a SOQL query; throws SalesforceApiError with Salesforce's codes for bad queries. */
export function runSoql(soql: string, source: QuerySource, options: QueryOptions): QueryResult {
  const query = parseOrThrow(soql);
  if (query.sObject === undefined) throw malformedQuery(located(soql, soql.length, 'missing FROM'));
  const object = source.object(query.sObject);
  if (object === undefined || !object.queryable) {
    throw new SalesforceApiError(
      400,
      'INVALID_TYPE',
      located(
        soql,
        positionOf(soql, query.sObject, Math.max(0, soql.search(/\bFROM\b/i))),
        `sObject type '${query.sObject}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      ),
    );
  }
  if (query.groupBy !== undefined || query.having !== undefined) throw unsupported('GROUP BY');
  if (query.usingScope !== undefined) throw unsupported('USING SCOPE');
  if (query.withDataCategory !== undefined) throw unsupported('WITH DATA CATEGORY');
  const c: Compiler = { soql, source, options, alias: query.sObjectAlias };
  const { node, countOnly } = compileSelect(c, object, query.fields ?? [], query);
  const where = compileWhere(c, object, query.where);
  const orderBy = compileOrderBy(c, object, query.orderBy);
  const offset = query.offset ?? 0;
  if (offset > MAX_OFFSET) {
    throw new SalesforceApiError(
      400,
      'NUMBER_OUTSIDE_VALID_RANGE',
      `Maximum SOQL offset allowed is ${MAX_OFFSET}`,
    );
  }
  let rows = source.rows(object, options.includeDeleted).filter(where);
  if (orderBy !== undefined) rows = [...rows].sort(orderBy);
  rows = rows.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
  if (countOnly) return { totalSize: rows.length, records: [] };
  return {
    totalSize: rows.length,
    records: rows.map((row) => renderNode(c, object, node, row)),
  };
}
