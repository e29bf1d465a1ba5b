import type { Rng } from '../../common/rng.ts';
import type { ChangeEventFaults } from '../cdc/change-event-faults.ts';
import { ChangeEventLog } from '../cdc/change-event-log.ts';
import { keyPrefixes, makeId, podFor } from '../ids.ts';
import { cloneObjectDef, findField, type ObjectDef } from '../schema/fields.ts';
import { standardObjects } from '../schema/standard-objects.ts';
import { ApiUsage } from './api-usage.ts';
import type { BulkJob } from './bulk-job.ts';
import { RecordStore, type Value } from './record-store.ts';

// One tenant: its schema (standard objects plus custom fields), records, users, API allocation,
// change event stream and the scripted faults aimed at it (locks, validation rules).

export type ValidationRule = {
  name: string;
  sobject: string;
  errorMessage: string;
  /** Field the message is attached to (listed in `fields`); none when omitted. */
  errorDisplayField?: string;
  when: { field: string; equals?: Value; isBlank?: boolean };
};

export type LockEntry = {
  ids: Set<string>;
  accountId: string | null;
  remaining: number;
};

export type WriteLogEntry = {
  at: number;
  operation: 'create' | 'update' | 'delete' | 'undelete';
  sobject: string;
  id: string;
  userId: string;
  /** `rest`, `bulkapi`, `ui` (a user in the CRM) or `seed`. */
  source: 'rest' | 'bulkapi' | 'ui' | 'seed';
  /** The `client` of `Sforce-Call-Options`, when the writer sent one. */
  client: string | null;
};

export type CustomFieldRecord = {
  id: string;
  /** `Opportunity.PB_HubSpot_Deal_Id__c` */
  fullName: string;
  sobject: string;
  /** The Metadata as created, stored as JSON text. */
  metadata: string;
  createdAt: number;
  createdById: string;
};

export type OrgUsers = {
  /** The API user tokens are issued for by default. */
  integration: string;
  /** A human administrator: the author of UI edits. */
  admin: string;
  /** A human sales rep: owner of demo records. */
  salesRep: string;
};

export type OrgInit = {
  orgId: string;
  name: string;
  index: number;
  now: number;
  dailyApiRequests: number;
  currencies: readonly string[] | undefined;
  rng: Rng;
  changeEventFaults: ChangeEventFaults;
};

export class Org {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly pod: string;
  readonly store = new RecordStore();
  readonly apiUsage: ApiUsage;
  readonly changeEvents: ChangeEventLog;
  readonly users: OrgUsers;
  readonly corporateCurrency = 'USD';
  readonly currencies: readonly string[] | undefined;
  readonly validationRules: ValidationRule[] = [];
  readonly locks: LockEntry[] = [];
  readonly writeLog: WriteLogEntry[] = [];
  /** Change events delivered to CometD subscribers (DailyDeliveredPlatformEvents). */
  deliveredEvents = 0;
  /** When Bulk API 2.0 batches were processed (DailyBulkApiBatches, rolling 24 hours). */
  readonly bulkBatchTimes: number[] = [];
  /** Bulk API 2.0 ingest jobs by id. */
  readonly bulkJobs = new Map<string, BulkJob>();
  /** Custom fields as the Tooling API's CustomField object lists them, by id. */
  readonly customFields = new Map<string, CustomFieldRecord>();
  private readonly objects = new Map<string, ObjectDef>();
  private readonly counters = new Map<string, number>();

  constructor(init: OrgInit) {
    this.id = init.orgId;
    this.name = init.name;
    this.createdAt = init.now;
    this.pod = podFor(init.index);
    this.currencies = init.currencies;
    this.apiUsage = new ApiUsage(init.dailyApiRequests);
    this.changeEvents = new ChangeEventLog(init.rng, init.changeEventFaults);
    const options = init.currencies === undefined ? {} : { currencies: init.currencies };
    for (const object of standardObjects(options)) {
      this.objects.set(object.name.toLowerCase(), cloneObjectDef(object));
    }
    const slug = init.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const admin = this.addUser('Avery', 'Admin', `avery.admin@${slug}.sandbox`, init.now);
    this.users = {
      admin,
      integration: this.addUser(
        'Integration',
        'User',
        `integration@${slug}.sandbox`,
        init.now,
        admin,
      ),
      salesRep: this.addUser('Sam', 'Seller', `sam.seller@${slug}.sandbox`, init.now, admin),
    };
  }

  newId(prefix: string): string {
    const next = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, next);
    return makeId(prefix, this.pod, next);
  }

  object(name: string): ObjectDef | undefined {
    return this.objects.get(name.toLowerCase());
  }

  allObjects(): ObjectDef[] {
    return [...this.objects.values()];
  }

  /** The object whose key prefix an id carries. */
  objectForId(id: string): ObjectDef | undefined {
    const prefix = id.slice(0, 3);
    return this.allObjects().find((o) => o.keyPrefix === prefix);
  }

  userExists(id: string): boolean {
    const user = this.store.get(id);
    return user !== undefined && user.sobject === 'User';
  }

  findUserByUsername(username: string): string | undefined {
    return this.store.findByField('User', 'Username', username)[0]?.id;
  }

  addUser(
    firstName: string,
    lastName: string,
    username: string,
    now: number,
    createdBy?: string,
  ): string {
    const id = this.newId(keyPrefixes.User);
    const creator = createdBy ?? id;
    this.store.put({
      id,
      sobject: 'User',
      seq: this.store.allocateSeq(),
      deletedAt: null,
      cascadeFrom: null,
      values: {
        Id: id,
        Username: username,
        FirstName: firstName,
        LastName: lastName,
        Name: `${firstName} ${lastName}`,
        Email: username.replace(/\.sandbox$/, '.example'),
        IsActive: true,
        UserType: 'Standard',
        CreatedDate: now,
        CreatedById: creator,
        LastModifiedDate: now,
        LastModifiedById: creator,
        SystemModstamp: now,
      },
    });
    return id;
  }

  bulkBatchesToday(now: number): number {
    return this.bulkBatchTimes.filter((at) => at > now - 86_400_000).length;
  }

  hasField(sobject: string, field: string): boolean {
    const object = this.object(sobject);
    return object !== undefined && findField(object, field) !== undefined;
  }
}
