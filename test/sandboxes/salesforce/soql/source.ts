import type { ObjectDef } from '../schema/fields.ts';
import type { Value } from '../store/record-store.ts';

// What SOQL runs over: the org's data, or the Tooling API's metadata objects.

export type Row = { readonly id: string; readonly values: Readonly<Record<string, Value>> };

export type QuerySource = {
  object(name: string): ObjectDef | undefined;
  allObjects(): readonly ObjectDef[];
  rows(object: ObjectDef, includeDeleted: boolean): Row[];
  row(object: ObjectDef, id: string, includeDeleted: boolean): Row | undefined;
  recordUrl(object: ObjectDef, id: string): string;
};

export type QueryOptions = { includeDeleted: boolean; now: number };
