import { createRequire } from 'node:module';
import type * as SoqlParser from 'soql-parser-js';
import type {
  Condition,
  OrderByClause,
  Query,
  FieldType as SelectItem,
  Subquery,
  ValueQueryCondition,
  WhereClause,
} from 'soql-parser-js';
import { readValue, renderValue } from '../dml/values.ts';
import { malformedQuery, SalesforceApiError } from '../errors.ts';
import { dateToMs, parseDateTime } from '../format.ts';
import { normalizeId } from '../ids.ts';
import { type FieldDef, findField, findRelationship, type ObjectDef } from '../schema/fields.ts';
import type { Value } from '../store/record-store.ts';
import { dateLiteralRange } from './date-literals.ts';
import { type Expr, whereToExpr } from './where.ts';

// The SOQL subset an integration needs, parsed by soql-parser-js and evaluated over a QuerySource:
// fields and parent relationship paths, child subqueries, COUNT(), FIELDS(), WHERE with
// AND/OR/NOT/parentheses, comparisons, IN/NOT IN, LIKE, null, date/datetime literals and date
// literals (TODAY, LAST_N_DAYS:n…), ORDER BY with NULLS FIRST/LAST, LIMIT and OFFSET. Anything else
// is refused with MALFORMED_QUERY rather than answered wrongly.

// soql-parser-js ships CommonJS without named ESM exports; load it the CommonJS way.
const soqlParser = createRequire(import.meta.url)('soql-parser-js') as typeof SoqlParser;

export type Row = { readonly id: string; readonly values: Readonly<Record<string, Value>> };

export type QuerySource = {
  object(name: string): ObjectDef | undefined;
  allObjects(): readonly ObjectDef[];
  rows(object: ObjectDef, includeDeleted: boolean): Row[];
  row(object: ObjectDef, id: string, includeDeleted: boolean): Row | undefined;
  recordUrl(object: ObjectDef, id: string): string;
};

export type QueryOptions = { includeDeleted: boolean; now: number };
export type QueryResult = { totalSize: number; records: Record<string, unknown>[] };

const MAX_OFFSET = 2000;

function positionOf(soql: string, token: string, from = 0): number {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(^|[^A-Za-z0-9_.])(${escaped})(?![A-Za-z0-9_])`, 'i').exec(
    soql.slice(from),
  );
  return match === null ? from : from + match.index + (match[1]?.length ?? 0);
}

/** Salesforce's located error message: the query, a caret, `ERROR at Row:1:Column:n`, the text. */
function located(soql: string, position: number, message: string): string {
  const flat = soql.replace(/\s+/g, ' ');
  return `\n${flat}\n${' '.repeat(position)}^\nERROR at Row:1:Column:${position + 1}\n${message}`;
}

const unsupported = (what: string) =>
  malformedQuery(`The Salesforce sandbox does not support ${what} in SOQL`);

type Step = { field: FieldDef; target: ObjectDef };
type Path = { steps: Step[]; object: ObjectDef; def: FieldDef };

type Compiler = {
  soql: string;
  source: QuerySource;
  options: QueryOptions;
  alias: string | undefined;
};

function resolvePath(c: Compiler, base: ObjectDef, raw: string, searchFrom: number): Path {
  let parts = raw.split('.');
  if (
    parts.length > 1 &&
    c.alias !== undefined &&
    parts[0]?.toLowerCase() === c.alias.toLowerCase()
  ) {
    parts = parts.slice(1);
  }
  const steps: Step[] = [];
  let object = base;
  for (const relationship of parts.slice(0, -1)) {
    const reference = findRelationship(object, relationship);
    const target =
      reference?.referenceTo[0] === undefined
        ? undefined
        : c.source.object(reference.referenceTo[0]);
    if (reference === undefined || target === undefined) {
      throw new SalesforceApiError(
        400,
        'INVALID_FIELD',
        located(
          c.soql,
          positionOf(c.soql, raw, searchFrom),
          `Didn't understand relationship '${relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        ),
      );
    }
    steps.push({ field: reference, target });
    object = target;
  }
  const name = parts[parts.length - 1] ?? '';
  const def = findField(object, name);
  if (def === undefined) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      located(
        c.soql,
        positionOf(c.soql, raw, searchFrom),
        `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      ),
    );
  }
  return { steps, object, def };
}

function readPath(c: Compiler, path: Path, row: Row): Value {
  let current: Row | undefined = row;
  for (const step of path.steps) {
    const id: Value | undefined = current?.values[step.field.name];
    current =
      typeof id === 'string' ? c.source.row(step.target, id, c.options.includeDeleted) : undefined;
    if (current === undefined) return null;
  }
  return readValue(path.object, path.def, current.values);
}

// ---------------------------------------------------------------------------------------------
// WHERE

type Comparable = string | number | boolean;
type Literal =
  | { kind: 'null' }
  | { kind: 'value'; value: Comparable }
  | { kind: 'range'; start: number; end: number };

type Domain = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime';

function domainOf(c: Compiler, path: Path): Domain {
  const { def } = path;
  switch (def.type) {
    case 'id':
      return path.object.idFormat === 'salesforce' ? 'id' : 'text';
    case 'reference': {
      const target =
        def.referenceTo[0] === undefined ? undefined : c.source.object(def.referenceTo[0]);
      return target?.idFormat === 'durable' ? 'text' : 'id';
    }
    case 'currency':
    case 'double':
    case 'percent':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    default:
      return 'text';
  }
}

/** A stored value in the comparable form of its domain. */
function comparable(domain: Domain, value: Value): Comparable | null {
  if (value === null) return null;
  switch (domain) {
    case 'text':
      return String(value).toLowerCase();
    case 'date':
      return typeof value === 'string' ? dateToMs(value) : value;
    default:
      return value;
  }
}

const typeNames: Record<Domain, string> = {
  text: 'string',
  id: 'id',
  number: 'double',
  boolean: 'boolean',
  date: 'date',
  datetime: 'dateTime',
};

function unquote(raw: string): string {
  return raw
    .slice(1, -1)
    .replace(/\\(.)/g, (_, char: string) =>
      char === 'n' ? '\n' : char === 't' ? '\t' : char === 'r' ? '\r' : char,
    );
}

function parseLiteral(
  c: Compiler,
  path: Path,
  raw: string,
  literalType: string,
  variable: number | undefined,
  position: number,
): Literal {
  const domain = domainOf(c, path);
  const typeError = () => {
    const quoted = domain === 'text' || domain === 'id';
    return new SalesforceApiError(
      400,
      'INVALID_FIELD',
      located(
        c.soql,
        position,
        `value of filter criterion for field '${path.def.name}' must be of type ${typeNames[domain]} and ${quoted ? 'should be enclosed in quotes' : 'should not be enclosed in quotes'}`,
      ),
    );
  };
  if (literalType === 'NULL') return { kind: 'null' };
  switch (literalType) {
    case 'STRING': {
      if (domain !== 'text' && domain !== 'id') throw typeError();
      const text = unquote(raw);
      if (domain === 'id') {
        const id = normalizeId(text);
        if (id === undefined) {
          throw new SalesforceApiError(
            400,
            'INVALID_QUERY_FILTER_OPERATOR',
            located(c.soql, position, `invalid ID field: ${text}`),
          );
        }
        return { kind: 'value', value: id };
      }
      return { kind: 'value', value: text.toLowerCase() };
    }
    case 'INTEGER':
    case 'DECIMAL':
      if (domain !== 'number') throw typeError();
      return { kind: 'value', value: Number(raw) };
    case 'BOOLEAN':
      if (domain !== 'boolean') throw typeError();
      return { kind: 'value', value: raw.toUpperCase() === 'TRUE' };
    case 'DATE': {
      if (domain !== 'date') throw typeError();
      return { kind: 'value', value: dateToMs(raw) };
    }
    case 'DATETIME': {
      const ms = parseDateTime(raw);
      if (domain !== 'datetime' || ms === undefined) throw typeError();
      return { kind: 'value', value: ms };
    }
    case 'DATE_LITERAL':
    case 'DATE_N_LITERAL': {
      if (domain !== 'date' && domain !== 'datetime') throw typeError();
      const literal =
        literalType === 'DATE_N_LITERAL' && variable !== undefined && !raw.includes(':')
          ? `${raw}:${variable}`
          : raw;
      const range = dateLiteralRange(literal, c.options.now);
      if (range === undefined) {
        throw malformedQuery(located(c.soql, position, `unexpected token: ${raw}`));
      }
      return { kind: 'range', ...range };
    }
    default:
      throw unsupported(`${literalType.toLowerCase().replaceAll('_', ' ')} values`);
  }
}

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function matchesLiteral(value: Comparable | null, operator: string, literal: Literal): boolean {
  if (literal.kind === 'null') {
    if (operator === '=') return value === null;
    if (operator === '!=') return value !== null;
    return false;
  }
  if (value === null) return operator === '!=';
  if (literal.kind === 'range') {
    const v = Number(value);
    switch (operator) {
      case '=':
        return v >= literal.start && v < literal.end;
      case '!=':
        return v < literal.start || v >= literal.end;
      case '<':
        return v < literal.start;
      case '<=':
        return v < literal.end;
      case '>':
        return v >= literal.end;
      case '>=':
        return v >= literal.start;
      default:
        return false;
    }
  }
  const order = compare(value, literal.value);
  switch (operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    default:
      return false;
  }
}

function likePattern(raw: string): RegExp {
  const body = raw.slice(1, -1);
  let pattern = '';
  for (let i = 0; i < body.length; i++) {
    const char = body.charAt(i);
    if (char === '\\' && i + 1 < body.length) {
      i += 1;
      pattern += body.charAt(i).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (char === '%') pattern += '[\\s\\S]*';
    else if (char === '_') pattern += '[\\s\\S]';
    else pattern += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 'i');
}

type Predicate = (row: Row) => boolean;

function compileCondition(
  c: Compiler,
  object: ObjectDef,
  condition: Condition | ValueQueryCondition,
  searchFrom: number,
): Predicate {
  if (!('field' in condition)) throw unsupported('functions in WHERE');
  if ('valueQuery' in condition) throw unsupported('semi-join subqueries');
  const position = positionOf(c.soql, condition.field, searchFrom);
  const path = resolvePath(c, object, condition.field, searchFrom);
  if (path.def.type === 'textarea' && path.def.length > 255) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      located(c.soql, position, `field '${path.def.name}' can not be filtered in a query call`),
    );
  }
  const domain = domainOf(c, path);
  const operator = condition.operator;
  const values = Array.isArray(condition.value) ? condition.value : [condition.value];
  const types = Array.isArray(condition.literalType)
    ? condition.literalType
    : values.map(() => condition.literalType ?? 'STRING');
  const variables =
    'dateLiteralVariable' in condition
      ? Array.isArray(condition.dateLiteralVariable)
        ? condition.dateLiteralVariable
        : values.map(() => condition.dateLiteralVariable as number)
      : [];
  const read = (row: Row) => comparable(domain, readPath(c, path, row));

  if (operator === 'LIKE') {
    if (domain !== 'text') {
      throw new SalesforceApiError(
        400,
        'INVALID_QUERY_FILTER_OPERATOR',
        located(c.soql, position, `invalid operator on field '${path.def.name}'`),
      );
    }
    const regex = likePattern(String(values[0] ?? "''"));
    return (row) => {
      const value = readPath(c, path, row);
      return value !== null && regex.test(String(value));
    };
  }
  if (operator === 'INCLUDES' || operator === 'EXCLUDES') throw unsupported('INCLUDES/EXCLUDES');
  const literals = values.map((raw, index) =>
    parseLiteral(
      c,
      path,
      String(raw),
      String(types[index] ?? 'STRING'),
      variables[index],
      position,
    ),
  );
  if (operator === 'IN' || operator === 'NOT IN') {
    const negate = operator === 'NOT IN';
    return (row) => {
      const value = read(row);
      const found = literals.some((literal) => matchesLiteral(value, '=', literal));
      if (negate) return !found;
      return found;
    };
  }
  const literal = literals[0];
  if (literal === undefined) throw malformedQuery(located(c.soql, position, 'missing value'));
  return (row) => matchesLiteral(read(row), operator, literal);
}

function compileExpr(c: Compiler, object: ObjectDef, expr: Expr, searchFrom: number): Predicate {
  switch (expr.kind) {
    case 'and': {
      const items = expr.items.map((item) => compileExpr(c, object, item, searchFrom));
      return (row) => items.every((p) => p(row));
    }
    case 'or': {
      const items = expr.items.map((item) => compileExpr(c, object, item, searchFrom));
      return (row) => items.some((p) => p(row));
    }
    case 'not': {
      const inner = compileExpr(c, object, expr.item, searchFrom);
      return (row) => !inner(row);
    }
    case 'condition':
      return compileCondition(c, object, expr.condition, searchFrom);
  }
}

function compileWhere(c: Compiler, object: ObjectDef, where: WhereClause | undefined): Predicate {
  if (where === undefined) return () => true;
  const searchFrom = Math.max(0, c.soql.search(/\bWHERE\b/i));
  return compileExpr(c, object, whereToExpr(where), searchFrom);
}

// ---------------------------------------------------------------------------------------------
// SELECT list and rendering

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

// ---------------------------------------------------------------------------------------------
// ORDER BY

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

// ---------------------------------------------------------------------------------------------

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
