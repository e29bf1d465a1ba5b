import { readValue } from '../dml/values.ts';
import { malformedQuery, SalesforceApiError } from '../errors.ts';
import { dateToMs } from '../format.ts';
import { type FieldDef, findField, findRelationship, type ObjectDef } from '../schema/fields.ts';
import type { Value } from '../store/record-store.ts';
import type { QueryOptions, QuerySource, Row } from './source.ts';

// Field paths (`Account.Owner.Name`), their values and comparable forms, and Salesforce's located
// error messages, shared by the WHERE, SELECT and ORDER BY compilers.

export function positionOf(soql: string, token: string, from = 0): number {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(^|[^A-Za-z0-9_.])(${escaped})(?![A-Za-z0-9_])`, 'i').exec(
    soql.slice(from),
  );
  return match === null ? from : from + match.index + (match[1]?.length ?? 0);
}

/** Salesforce's located error message: the query, a caret, `ERROR at Row:1:Column:n`, the text. */
export function located(soql: string, position: number, message: string): string {
  const flat = soql.replace(/\s+/g, ' ');
  return `\n${flat}\n${' '.repeat(position)}^\nERROR at Row:1:Column:${position + 1}\n${message}`;
}

export const unsupported = (what: string) =>
  malformedQuery(`The Salesforce sandbox does not support ${what} in SOQL`);

export type Step = { field: FieldDef; target: ObjectDef };
export type Path = { steps: Step[]; object: ObjectDef; def: FieldDef };

export type Compiler = {
  soql: string;
  source: QuerySource;
  options: QueryOptions;
  alias: string | undefined;
};

export function resolvePath(c: Compiler, base: ObjectDef, raw: string, searchFrom: number): Path {
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

export function readPath(c: Compiler, path: Path, row: Row): Value {
  let current: Row | undefined = row;
  for (const step of path.steps) {
    const id: Value | undefined = current?.values[step.field.name];
    current =
      typeof id === 'string' ? c.source.row(step.target, id, c.options.includeDeleted) : undefined;
    if (current === undefined) return null;
  }
  return readValue(path.object, path.def, current.values);
}

export type Comparable = string | number | boolean;

export type Domain = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime';

export function domainOf(c: Compiler, path: Path): Domain {
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
export function comparable(domain: Domain, value: Value): Comparable | null {
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

export function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
