import { salesforceOpportunityStages } from '@partnerbridge/shared/crm-fields';
import type { RecordChange } from '../cdc/change-event-log.ts';
import { invalidField, notFound, SalesforceApiError } from '../errors.ts';
import { keyPrefixOf, normalizeId } from '../ids.ts';
import { type FieldDef, findField, isRequired, type ObjectDef } from '../schema/fields.ts';
import type { Org, WriteLogEntry } from '../store/org.ts';
import type { StoredRecord, Value } from '../store/record-store.ts';
import { coerceValue, renderEventValue } from './values.ts';

// Data manipulation with Salesforce's rules: field validation, system fields, Opportunity stage
// derivations, unique external ids, cascade delete to the recycle bin, scripted locks and
// validation rules. Each operation validates everything before it writes, so an operation either
// applies completely or not at all; a DmlSession collects the changes of one request and turns
// them into change events when the request commits.

/** Who is writing, and through what: decides `changeOrigin` and the write log's `source`. */
export type WriteSource = ApiWriteSource | { kind: 'ui' } | { kind: 'seed' };

/**
 * An API write. `client` is the `client` of `Sforce-Call-Options` as received (always logged);
 * `clientInChangeOrigin` says whether change events carry it (see docs: not for collections).
 */
export type ApiWriteSource = {
  kind: 'rest' | 'bulkapi';
  apiVersion: string;
  client: string | null;
  clientInChangeOrigin: boolean;
};

export type WriteContext = {
  org: Org;
  userId: string;
  now: number;
  source: WriteSource;
};

export type InputFields = Record<string, unknown>;

const stageByName = new Map<string, (typeof salesforceOpportunityStages)[number]>(
  salesforceOpportunityStages.map((stage) => [stage.name, stage]),
);

export function changeOriginFor(source: WriteSource): string {
  switch (source.kind) {
    case 'rest':
    case 'bulkapi': {
      const api = source.kind === 'rest' ? 'rest' : 'bulkapi';
      const base = `com/salesforce/api/${api}/${source.apiVersion}`;
      return source.client === null || !source.clientInChangeOrigin
        ? base
        : `${base};client=${source.client}`;
    }
    case 'ui':
    case 'seed':
      return '';
  }
}

/** Resolves an sObject name or answers NOT_FOUND like the REST API. */
export function objectOrThrow(org: Org, sobject: string): ObjectDef {
  const object = org.object(sobject);
  if (object === undefined || object.idFormat !== 'salesforce') {
    throw notFound();
  }
  return object;
}

/** Normalises an id given for `object`, or answers MALFORMED_ID. */
export function idForObjectOrThrow(object: ObjectDef, raw: string): string {
  const id = normalizeId(raw);
  if (id === undefined || keyPrefixOf(id) !== object.keyPrefix) {
    throw new SalesforceApiError(
      400,
      'MALFORMED_ID',
      `${object.label} ID: id value of incorrect type: ${raw}`,
      ['Id'],
    );
  }
  return id;
}

const readOnlyError = (fields: string[]) =>
  new SalesforceApiError(
    400,
    'INVALID_FIELD_FOR_INSERT_UPDATE',
    `Unable to create/update fields: ${fields.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
    fields,
  );

export class DmlSession {
  readonly context: WriteContext;
  private readonly changes: RecordChange[] = [];
  private readonly writes: WriteLogEntry[] = [];

  constructor(context: WriteContext) {
    this.context = context;
  }

  private get org(): Org {
    return this.context.org;
  }

  /** Creates a record; returns its id. */
  create(object: ObjectDef, input: InputFields): string {
    if (!object.createable)
      throw invalidField(`entity type ${object.name} does not support insert`);
    const fields = this.parseFields(object, input, 'create');
    const values: Record<string, Value> = {};
    for (const def of object.fields) {
      if (def.calculated || def.system) continue;
      if (fields.has(def.name)) continue;
      if (def.type === 'boolean') values[def.name] = def.defaultValue === true;
      const defaultOption = def.picklistValues.find((v) => v.defaultValue);
      if (defaultOption !== undefined) values[def.name] = defaultOption.value;
    }
    for (const [name, value] of fields) values[name] = value;
    if (object.fields.some((f) => f.name === 'OwnerId') && values.OwnerId == null) {
      values.OwnerId = this.context.userId;
    }
    if (this.org.currencies !== undefined && values.CurrencyIsoCode == null) {
      values.CurrencyIsoCode = this.org.corporateCurrency;
    }
    const missing = object.fields
      .filter(
        (def) => isRequired(def) && (values[def.name] === undefined || values[def.name] === null),
      )
      .map((def) => def.name);
    if (missing.length > 0) {
      throw new SalesforceApiError(
        400,
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    }
    this.derive(object, values, fields, undefined);
    this.checkLocks(object, undefined, values);
    this.checkValidationRules(object, values);
    this.checkUnique(object, values, undefined);
    const id = this.org.newId(object.keyPrefix ?? '000');
    const now = this.context.now;
    Object.assign(values, {
      Id: id,
      IsDeleted: false,
      CreatedDate: now,
      CreatedById: this.context.userId,
      LastModifiedDate: now,
      LastModifiedById: this.context.userId,
      SystemModstamp: now,
    });
    const record: StoredRecord = {
      id,
      sobject: object.name,
      values,
      deletedAt: null,
      cascadeFrom: null,
      seq: this.org.store.allocateSeq(),
    };
    this.org.store.put(record);
    this.recordChange(object, record, 'CREATE', undefined);
    return id;
  }

  /** Updates a live record. */
  update(object: ObjectDef, id: string, input: InputFields): void {
    const existing = this.liveRecordOrThrow(object, id);
    const fields = this.parseFields(object, input, 'update');
    const values: Record<string, Value> = { ...existing.values };
    for (const [name, value] of fields) values[name] = value;
    const nulled = object.fields
      .filter((def) => !def.nillable && fields.has(def.name) && fields.get(def.name) === null)
      .map((def) => def.name);
    if (nulled.length > 0) {
      throw new SalesforceApiError(
        400,
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${nulled.join(', ')}]`,
        nulled,
      );
    }
    this.derive(object, values, fields, existing.values);
    this.checkLocks(object, existing, values);
    this.checkValidationRules(object, values);
    this.checkUnique(object, values, existing.id);
    const now = this.context.now;
    Object.assign(values, {
      LastModifiedDate: now,
      LastModifiedById: this.context.userId,
      SystemModstamp: now,
    });
    const record: StoredRecord = { ...existing, values };
    this.org.store.put(record);
    this.recordChange(object, record, 'UPDATE', existing);
  }

  /** Upserts by an external id field (or `Id`); returns the id and whether it was created. */
  upsert(
    object: ObjectDef,
    externalField: string,
    externalValue: string,
    input: InputFields,
  ): { id: string; created: boolean } {
    const def = this.externalIdFieldOrThrow(object, externalField);
    if (def.name === 'Id') {
      const id = idForObjectOrThrow(object, externalValue);
      this.update(object, id, input);
      return { id, created: false };
    }
    const body = { ...input };
    for (const key of Object.keys(body)) {
      if (key.toLowerCase() === def.name.toLowerCase()) {
        if (body[key] !== null && String(body[key]) !== externalValue) {
          throw invalidField(
            `The value of ${def.name} in the request body does not match the external id in the URL`,
            [def.name],
          );
        }
        delete body[key];
      }
    }
    const matches = this.org.store.findByField(
      object.name,
      def.name,
      externalValue,
      def.caseSensitive,
    );
    if (matches.length > 1) {
      throw new SalesforceApiError(
        300,
        'DUPLICATE_EXTERNAL_ID',
        `more than one record found for external id field: [${matches.map((m) => m.id).join(', ')}]`,
        [def.name],
      );
    }
    const match = matches[0];
    if (match !== undefined) {
      this.update(object, match.id, body);
      return { id: match.id, created: false };
    }
    const id = this.create(object, { ...body, [def.name]: externalValue });
    return { id, created: true };
  }

  /** Moves a record (and, for an Account, its opportunities) to the recycle bin. */
  delete(object: ObjectDef, id: string): void {
    if (!object.deletable) throw invalidField(`entity type ${object.name} does not support delete`);
    const existing = this.org.store.get(id);
    if (existing === undefined || existing.sobject !== object.name) throw notFound();
    if (existing.deletedAt !== null) {
      throw new SalesforceApiError(400, 'ENTITY_IS_DELETED', 'entity is deleted', []);
    }
    const cascade =
      object.name === 'Account'
        ? this.org.store.list('Opportunity').filter((opp) => opp.values.AccountId === existing.id)
        : [];
    this.checkLocks(object, existing, existing.values);
    const opportunity = this.org.object('Opportunity');
    for (const child of cascade) {
      if (opportunity !== undefined) this.checkLocks(opportunity, child, child.values);
    }
    this.softDelete(object, existing, null);
    for (const child of cascade) {
      if (opportunity !== undefined) this.softDelete(opportunity, child, existing.id);
    }
  }

  /** Restores a record from the recycle bin, with the records its deletion cascaded to. */
  undelete(object: ObjectDef, id: string): void {
    const existing = this.org.store.get(id);
    if (existing === undefined || existing.sobject !== object.name) throw notFound();
    if (existing.deletedAt === null) {
      throw new SalesforceApiError(400, 'UNDELETE_FAILED', 'Entity is not in the recycle bin', []);
    }
    const children = this.org.store
      .list('Opportunity', true)
      .filter((r) => r.deletedAt !== null && r.cascadeFrom === existing.id);
    this.restore(object, existing);
    const opportunity = this.org.object('Opportunity');
    for (const child of children) {
      if (opportunity !== undefined) this.restore(opportunity, child);
    }
  }

  /**
   * Runs `work` inside the current store transaction; when it throws or `keep` says no, its writes
   * and their pending events are undone and the rest of the transaction carries on.
   */
  atomically<T>(work: () => T, keep: (result: T) => boolean = () => true): T {
    const store = this.org.store;
    const mark = store.mark();
    const changes = this.changes.length;
    const writes = this.writes.length;
    const undo = () => {
      store.rollbackTo(mark);
      this.changes.length = changes;
      this.writes.length = writes;
    };
    try {
      const result = work();
      if (!keep(result)) undo();
      return result;
    } catch (error) {
      undo();
      throw error;
    }
  }

  /** Publishes the collected changes as one transaction's change events and logs the writes. */
  commit(): void {
    const { org, source } = this.context;
    if (source.kind !== 'seed') {
      org.changeEvents.commit(
        this.changes.filter((c) => org.object(c.entityName)?.changeEvents === true),
        {
          changeOrigin: changeOriginFor(source),
          commitUser: this.context.userId,
          commitTimestamp: this.context.now,
        },
      );
    }
    org.writeLog.push(...this.writes);
    this.changes.length = 0;
    this.writes.length = 0;
  }

  private softDelete(object: ObjectDef, existing: StoredRecord, cascadeFrom: string | null) {
    const now = this.context.now;
    const record: StoredRecord = {
      ...existing,
      values: { ...existing.values, IsDeleted: true, SystemModstamp: now },
      deletedAt: now,
      cascadeFrom,
    };
    this.org.store.put(record);
    this.recordChange(object, record, 'DELETE', existing);
  }

  private restore(object: ObjectDef, existing: StoredRecord) {
    this.checkUnique(object, existing.values, existing.id);
    const now = this.context.now;
    const record: StoredRecord = {
      ...existing,
      values: {
        ...existing.values,
        IsDeleted: false,
        LastModifiedDate: now,
        LastModifiedById: this.context.userId,
        SystemModstamp: now,
      },
      deletedAt: null,
      cascadeFrom: null,
    };
    this.org.store.put(record);
    this.recordChange(object, record, 'UNDELETE', existing);
  }

  liveRecordOrThrow(object: ObjectDef, id: string): StoredRecord {
    const existing = this.org.store.get(id);
    if (existing === undefined || existing.sobject !== object.name) throw notFound();
    if (existing.deletedAt !== null) {
      throw new SalesforceApiError(400, 'ENTITY_IS_DELETED', 'entity is deleted', []);
    }
    return existing;
  }

  externalIdFieldOrThrow(object: ObjectDef, name: string): FieldDef {
    const def = findField(object, name);
    if (def === undefined || !(def.externalId || def.idLookup)) {
      throw new SalesforceApiError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${name}`,
      );
    }
    return def;
  }

  /** Body → canonical field names and stored values, with Salesforce's field-level checks. */
  private parseFields(
    object: ObjectDef,
    input: InputFields,
    mode: 'create' | 'update',
  ): Map<string, Value> {
    const defs: [FieldDef, unknown][] = [];
    for (const [key, raw] of Object.entries(input)) {
      if (key === 'attributes') continue;
      const def = findField(object, key);
      if (def === undefined) {
        throw invalidField(`No such column '${key}' on sobject of type ${object.name}`, [key]);
      }
      if (def.name === 'Id' && mode === 'update') continue;
      defs.push([def, raw]);
    }
    const readOnly = defs
      .filter(([def]) => (mode === 'create' ? !def.createable : !def.updateable))
      .map(([def]) => def.name);
    if (readOnly.length > 0) throw readOnlyError(readOnly);
    const fields = new Map<string, Value>();
    for (const [def, raw] of defs) fields.set(def.name, coerceValue(this.org, def, raw));
    return fields;
  }

  /** Opportunity: probability, closed/won flags and forecast category follow the stage. */
  private derive(
    object: ObjectDef,
    values: Record<string, Value>,
    fields: Map<string, Value>,
    previous: Readonly<Record<string, Value>> | undefined,
  ) {
    if (object.name !== 'Opportunity') return;
    const stageName = values.StageName;
    const stage = typeof stageName === 'string' ? stageByName.get(stageName) : undefined;
    if (stage === undefined) return;
    const stageChanged = previous === undefined || previous.StageName !== stageName;
    if (stageChanged && !fields.has('Probability')) {
      values.Probability = Math.round(Number(stage.probability) * 100);
    }
    values.IsClosed = stage.isClosed;
    values.IsWon = stage.isWon;
    if (stageChanged && !fields.has('ForecastCategoryName')) {
      values.ForecastCategoryName = stage.isWon
        ? 'Closed'
        : stage.isClosed
          ? 'Omitted'
          : 'Pipeline';
    }
  }

  private checkLocks(
    object: ObjectDef,
    existing: StoredRecord | undefined,
    values: Readonly<Record<string, Value>>,
  ) {
    const accountIds = new Set<string>();
    if (object.name === 'Account' && existing !== undefined) accountIds.add(existing.id);
    if (object.name === 'Opportunity') {
      for (const candidate of [existing?.values.AccountId, values.AccountId]) {
        if (typeof candidate === 'string') accountIds.add(candidate);
      }
    }
    const lock = this.org.locks.find(
      (entry) =>
        entry.remaining > 0 &&
        ((existing !== undefined && entry.ids.has(existing.id)) ||
          (entry.accountId !== null && accountIds.has(entry.accountId))),
    );
    if (lock === undefined) return;
    lock.remaining -= 1;
    const lockedId =
      existing !== undefined && lock.ids.has(existing.id) ? existing.id : (lock.accountId ?? '');
    throw new SalesforceApiError(
      400,
      'UNABLE_TO_LOCK_ROW',
      `unable to obtain exclusive access to this record or 1 records: ${lockedId}`,
      [],
    );
  }

  private checkValidationRules(object: ObjectDef, values: Readonly<Record<string, Value>>) {
    for (const rule of this.org.validationRules) {
      if (rule.sobject !== object.name) continue;
      const value = values[rule.when.field] ?? null;
      const blank = value === null || value === '';
      const fires =
        rule.when.isBlank !== undefined
          ? blank === rule.when.isBlank
          : rule.when.equals !== undefined && value === rule.when.equals;
      if (fires) {
        throw new SalesforceApiError(
          400,
          'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          rule.errorMessage,
          rule.errorDisplayField === undefined ? [] : [rule.errorDisplayField],
        );
      }
    }
  }

  private checkUnique(
    object: ObjectDef,
    values: Readonly<Record<string, Value>>,
    selfId: string | undefined,
  ) {
    for (const def of object.fields) {
      if (!def.unique) continue;
      const value = values[def.name];
      if (typeof value !== 'string') continue;
      const clash = this.org.store
        .findByField(object.name, def.name, value, def.caseSensitive)
        .find((r) => r.id !== selfId);
      if (clash !== undefined) {
        throw new SalesforceApiError(
          400,
          'DUPLICATE_VALUE',
          `duplicate value found: ${def.name} duplicates value on record with id: ${clash.id}`,
          [],
        );
      }
    }
  }

  private recordChange(
    object: ObjectDef,
    record: StoredRecord,
    changeType: RecordChange['changeType'],
    previous: StoredRecord | undefined,
  ) {
    const eventFields = object.fields.filter(
      (def) => !def.calculated && !['Id', 'IsDeleted', 'SystemModstamp'].includes(def.name),
    );
    const fields: Record<string, unknown> = {};
    const changedFields: string[] = [];
    const nulledFields: string[] = [];
    if (changeType === 'CREATE' || changeType === 'UNDELETE') {
      for (const def of eventFields) {
        const value = record.values[def.name];
        if (value !== undefined && value !== null) fields[def.name] = renderEventValue(def, value);
      }
    } else if (changeType === 'UPDATE') {
      for (const def of eventFields) {
        const before = previous?.values[def.name] ?? null;
        const after = record.values[def.name] ?? null;
        if (before === after) continue;
        changedFields.push(def.name);
        fields[def.name] = renderEventValue(def, after);
        if (after === null) nulledFields.push(def.name);
      }
    }
    this.changes.push({
      entityName: object.name,
      recordId: record.id,
      changeType,
      fields,
      changedFields,
      nulledFields,
    });
    const { source } = this.context;
    this.writes.push({
      at: this.context.now,
      operation: (
        {
          CREATE: 'create',
          UPDATE: 'update',
          DELETE: 'delete',
          UNDELETE: 'undelete',
        } as const
      )[changeType],
      sobject: object.name,
      id: record.id,
      userId: this.context.userId,
      source: source.kind,
      client: source.kind === 'rest' || source.kind === 'bulkapi' ? source.client : null,
    });
  }
}

/**
 * Runs `work` as one transaction: a thrown error undoes every write and publishes nothing;
 * otherwise the writes that stand are committed and their change events published together.
 */
export function transact<T>(context: WriteContext, work: (session: DmlSession) => T): T {
  const session = new DmlSession(context);
  const result = context.org.store.transaction(() => work(session));
  session.commit();
  return result;
}
