import type { Condition, ValueQueryCondition, WhereClause } from 'soql-parser-js';
import { malformedQuery, SalesforceApiError } from '../errors.ts';
import { dateToMs, parseDateTime } from '../format.ts';
import { normalizeId } from '../ids.ts';
import type { ObjectDef } from '../schema/fields.ts';
import { dateLiteralRange } from './date-literals.ts';
import {
  type Comparable,
  type Compiler,
  comparable,
  compare,
  type Domain,
  domainOf,
  located,
  type Path,
  positionOf,
  readPath,
  resolvePath,
  unsupported,
} from './paths.ts';
import type { Row } from './source.ts';
import { type Expr, whereToExpr } from './where.ts';

// WHERE: literals checked against field types, comparisons with SOQL's null semantics, IN,
// LIKE, date literal ranges; compiled once into a predicate over rows.

type Literal =
  | { kind: 'null' }
  | { kind: 'value'; value: Comparable }
  | { kind: 'range'; start: number; end: number };

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

export type Predicate = (row: Row) => boolean;

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

export function compileWhere(
  c: Compiler,
  object: ObjectDef,
  where: WhereClause | undefined,
): Predicate {
  if (where === undefined) return () => true;
  const searchFrom = Math.max(0, c.soql.search(/\bWHERE\b/i));
  return compileExpr(c, object, whereToExpr(where), searchFrom);
}
