import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseOpportunity, connect, errorOf, raw } from './contract-helpers.ts';
import { type SalesforceSandbox, startSalesforceSandbox } from './index.ts';

// Describe and custom-field provisioning through the Tooling API, on a fresh org that has only
// standard fields: what a connector sees before and after it provisions its fields.

let sandbox: SalesforceSandbox;
let conn: Connection;
let accessToken: string;

type DescribeField = {
  name: string;
  type: string;
  length: number;
  custom: boolean;
  externalId: boolean;
  unique: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  restrictedPicklist: boolean;
  picklistValues: { value: string; active: boolean }[];
  referenceTo: string[];
  relationshipName: string | null;
  precision: number;
  scale: number;
};

const fieldOf = async (sobject: string, name: string) =>
  ((await conn.describe(sobject)).fields as unknown as DescribeField[]).find(
    (f) => f.name === name,
  );

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ demo: false });
  const connection = connect(sandbox);
  conn = connection.conn;
  accessToken = connection.token.accessToken;
});

afterAll(async () => {
  await sandbox.stop();
});

describe('describe', () => {
  it('lists the standard objects with their key prefixes', async () => {
    const global = await conn.describeGlobal();
    const prefixes = Object.fromEntries(global.sobjects.map((o) => [o.name, o.keyPrefix]));
    expect(prefixes).toMatchObject({ Account: '001', Opportunity: '006', User: '005' });
    expect(global.maxBatchSize).toBe(200);
  });

  it('describes fields with types, lengths, picklists and references', async () => {
    const describe = await conn.describe('Opportunity');
    expect(describe.name).toBe('Opportunity');
    expect(describe.keyPrefix).toBe('006');
    expect(await fieldOf('Opportunity', 'StageName')).toMatchObject({
      type: 'picklist',
      nillable: false,
      restrictedPicklist: true,
      picklistValues: expect.arrayContaining([
        expect.objectContaining({ value: 'Closed Won', active: true }),
      ]),
    });
    expect(await fieldOf('Opportunity', 'Amount')).toMatchObject({
      type: 'currency',
      precision: 18,
      scale: 2,
    });
    expect(await fieldOf('Opportunity', 'CloseDate')).toMatchObject({
      type: 'date',
      nillable: false,
    });
    expect(await fieldOf('Opportunity', 'SystemModstamp')).toMatchObject({
      type: 'datetime',
      createable: false,
      updateable: false,
    });
    expect(await fieldOf('Opportunity', 'IsWon')).toMatchObject({
      type: 'boolean',
      updateable: false,
    });
    expect(await fieldOf('Opportunity', 'AccountId')).toMatchObject({
      type: 'reference',
      referenceTo: ['Account'],
      relationshipName: 'Account',
    });
    expect(await fieldOf('Opportunity', 'CurrencyIsoCode')).toMatchObject({
      type: 'picklist',
      restrictedPicklist: true,
    });
    const account = await conn.describe('Account');
    expect(account.childRelationships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          childSObject: 'Opportunity',
          field: 'AccountId',
          relationshipName: 'Opportunities',
        }),
      ]),
    );
  });

  it('has no Partnerbridge fields on a fresh org', async () => {
    const fields = (await conn.describe('Opportunity')).fields.map((f) => f.name);
    expect(fields.filter((name) => name.startsWith('PB_'))).toEqual([]);
    const error = await errorOf(() =>
      conn.sobject('Opportunity').create({ ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'x' }),
    );
    expect(error.errorCode).toBe('INVALID_FIELD');
  });
});

describe('Tooling API custom fields', () => {
  it('creates an external id text field that describe shows and DML accepts at once', async () => {
    const result = await conn.tooling.sobject('CustomField').create({
      FullName: 'Opportunity.PB_HubSpot_Deal_Id__c',
      Metadata: {
        label: 'HubSpot deal id',
        type: 'Text',
        length: 64,
        externalId: true,
        unique: true,
      },
    });
    expect(result).toMatchObject({ success: true, errors: [] });
    expect((result as { id: string }).id.startsWith('00N')).toBe(true);
    expect(await fieldOf('Opportunity', 'PB_HubSpot_Deal_Id__c')).toMatchObject({
      type: 'string',
      length: 64,
      custom: true,
      externalId: true,
      unique: true,
      nillable: true,
    });
    const upserted = await conn
      .sobject('Opportunity')
      .upsert({ ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'HS-TOOLING' }, 'PB_HubSpot_Deal_Id__c');
    expect(upserted).toMatchObject({ success: true, created: true });
  });

  it('refuses a second field with the same name', async () => {
    const response = await raw(
      sandbox,
      accessToken,
      'POST',
      '/services/data/v62.0/tooling/sobjects/CustomField',
      {
        FullName: 'Opportunity.PB_HubSpot_Deal_Id__c',
        Metadata: { label: 'Again', type: 'Text', length: 64 },
      },
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual([
      {
        message: 'There is already a field named PB_HubSpot_Deal_Id on Opportunity.',
        errorCode: 'DUPLICATE_DEVELOPER_NAME',
        fields: [],
      },
    ]);
  });

  it('validates metadata as the platform does', async () => {
    const create = (Metadata: Record<string, unknown>, name = 'PB_Check__c') =>
      raw(sandbox, accessToken, 'POST', '/services/data/v62.0/tooling/sobjects/CustomField', {
        FullName: `Account.${name}`,
        Metadata,
      });
    const checkbox = await create({ label: 'Is partner', type: 'Checkbox' });
    expect(checkbox.body).toEqual([
      {
        message: "Must specify 'defaultValue' for a CustomField of type Checkbox",
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        fields: [],
      },
    ]);
    const text = await create({ label: 'No length', type: 'Text' });
    expect((text.body as { errorCode: string }[])[0]?.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    const typo = await create({ label: 'Typo', type: 'Text', length: 10, picklistValues: ['a'] });
    expect((typo.body as { errorCode: string }[])[0]?.errorCode).toBe('JSON_PARSER_ERROR');
    const badName = await create({ label: 'Bad', type: 'Date' }, 'Bad__Name__c');
    expect((badName.body as { errorCode: string }[])[0]?.errorCode).toBe(
      'FIELD_INTEGRITY_EXCEPTION',
    );
  });

  it('creates restricted picklists, checkboxes and lookups', async () => {
    await conn.tooling.sobject('CustomField').create({
      FullName: 'Account.PB_Partner_Tier__c',
      Metadata: {
        label: 'Partner tier',
        type: 'Picklist',
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            sorted: false,
            value: [
              { fullName: 'gold', label: 'Gold', default: false },
              { fullName: 'silver', label: 'Silver', default: false },
            ],
          },
        },
      },
    });
    await conn.tooling.sobject('CustomField').create({
      FullName: 'Account.PB_Is_Partner__c',
      Metadata: { label: 'Is a partner', type: 'Checkbox', defaultValue: 'false' },
    });
    await conn.tooling.sobject('CustomField').create({
      FullName: 'Opportunity.PB_Partner_Account__c',
      Metadata: {
        label: 'Partner account',
        type: 'Lookup',
        referenceTo: 'Account',
        relationshipName: 'PB_Partnered_Opportunities',
        deleteConstraint: 'SetNull',
      },
    });
    expect(await fieldOf('Account', 'PB_Partner_Tier__c')).toMatchObject({
      type: 'picklist',
      restrictedPicklist: true,
      picklistValues: [
        expect.objectContaining({ value: 'gold' }),
        expect.objectContaining({ value: 'silver' }),
      ],
    });
    expect(await fieldOf('Opportunity', 'PB_Partner_Account__c')).toMatchObject({
      type: 'reference',
      referenceTo: ['Account'],
      relationshipName: 'PB_Partner_Account__r',
    });
    const partner = (await conn
      .sobject('Account')
      .create({ Name: 'Partner Co', PB_Partner_Tier__c: 'gold' })) as { id: string };
    expect((await conn.sobject('Account').retrieve(partner.id)).PB_Is_Partner__c).toBe(false);
    const bad = await errorOf(() =>
      conn.sobject('Account').create({ Name: 'Bad tier', PB_Partner_Tier__c: 'platinum' }),
    );
    expect(bad.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    await conn
      .sobject('Opportunity')
      .create({ ...baseOpportunity, Name: 'Partnered', PB_Partner_Account__c: partner.id });
    const rows = await conn.query<{ PB_Partner_Account__r: { Name: string } }>(
      "SELECT PB_Partner_Account__r.Name FROM Opportunity WHERE Name = 'Partnered'",
    );
    expect(rows.records[0]?.PB_Partner_Account__r.Name).toBe('Partner Co');
    const children = await conn.query<{ PB_Partnered_Opportunities__r: { totalSize: number } }>(
      `SELECT Id, (SELECT Id FROM PB_Partnered_Opportunities__r) FROM Account WHERE Id = '${partner.id}'`,
    );
    expect(children.records[0]?.PB_Partnered_Opportunities__r.totalSize).toBe(1);
  });

  it('lists custom fields through Tooling queries on CustomField and FieldDefinition', async () => {
    const custom = await conn.tooling.query<{ DeveloperName: string; TableEnumOrId: string }>(
      "SELECT Id, DeveloperName, TableEnumOrId FROM CustomField WHERE TableEnumOrId = 'Account' ORDER BY DeveloperName",
    );
    expect(custom.records.map((r) => r.DeveloperName)).toEqual([
      'PB_Is_Partner',
      'PB_Partner_Tier',
    ]);
    const definitions = await conn.tooling.query<{ QualifiedApiName: string; DataType: string }>(
      "SELECT QualifiedApiName, DataType FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = 'Opportunity' AND QualifiedApiName LIKE 'PB\\_%' ORDER BY QualifiedApiName",
    );
    expect(definitions.records.map((r) => [r.QualifiedApiName, r.DataType])).toEqual([
      ['PB_HubSpot_Deal_Id__c', 'Text(64)'],
      ['PB_Partner_Account__c', 'Lookup(Account)'],
    ]);
    const one = await conn.tooling.query<{ Metadata: { type: string; length: number } }>(
      "SELECT Metadata FROM CustomField WHERE DeveloperName = 'PB_HubSpot_Deal_Id'",
    );
    expect(one.records[0]?.Metadata).toMatchObject({ type: 'Text', length: 64, externalId: true });
    const many = await errorOf(() => conn.tooling.query('SELECT Metadata FROM CustomField'));
    expect(many.errorCode).toBe('MALFORMED_QUERY');
  });
});
