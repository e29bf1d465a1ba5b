import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseOpportunity, connect, errorOf, raw, testClock } from './contract-helpers.ts';
import {
  idChecksum,
  normalizeId,
  type SalesforceSandbox,
  startSalesforceSandbox,
} from './index.ts';

// Single-record REST resources through the real jsforce: status codes, error bodies, upsert,
// ids, field validation and the system fields.

const clock = testClock();
let sandbox: SalesforceSandbox;
let conn: Connection;
let accessToken: string;
let accountId: string;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ clock: clock.now, demo: false });
  const org = sandbox.control.createOrg({ name: 'Records', demo: { deals: 30 } });
  const connection = connect(sandbox, { orgId: org.orgId });
  conn = connection.conn;
  accessToken = connection.token.accessToken;
  const created = await conn.sobject('Account').create({ Name: 'Records Customer' });
  if (!created.success) throw new Error('account create failed');
  accountId = created.id;
});

afterAll(async () => {
  await sandbox.stop();
});

describe('sObject rows', () => {
  it('creates with 201 and an 18-character id whose checksum is right', async () => {
    const response = await raw(
      sandbox,
      accessToken,
      'POST',
      '/services/data/v62.0/sobjects/Opportunity',
      {
        ...baseOpportunity,
        AccountId: accountId,
      },
    );
    expect(response.status).toBe(201);
    const body = response.body as { id: string; success: boolean; errors: unknown[] };
    expect(body).toEqual({ id: expect.any(String), success: true, errors: [] });
    expect(body.id).toHaveLength(18);
    expect(body.id.startsWith('006')).toBe(true);
    expect(body.id.slice(15)).toBe(idChecksum(body.id.slice(0, 15)));
  });

  it('reads a record with attributes, system fields in +0000 format and stage-derived flags', async () => {
    const { id } = (await conn.sobject('Opportunity').create({
      ...baseOpportunity,
      StageName: 'Closed Won',
      Amount: 1234.567,
    })) as { id: string };
    const record = await conn.sobject('Opportunity').retrieve(id);
    expect(record.attributes).toEqual({
      type: 'Opportunity',
      url: `/services/data/v62.0/sobjects/Opportunity/${id}`,
    });
    expect(record).toMatchObject({
      Id: id,
      IsClosed: true,
      IsWon: true,
      Probability: 100,
      Amount: 1234.57,
      CurrencyIsoCode: 'USD',
      IsDeleted: false,
      CreatedDate: '2026-03-02T10:00:00.000+0000',
      SystemModstamp: '2026-03-02T10:00:00.000+0000',
    });
  });

  it('accepts 15-character and case-mangled 18-character ids', async () => {
    const { id } = (await conn.sobject('Account').create({ Name: 'Id forms' })) as { id: string };
    const short = await conn.sobject('Account').retrieve(id.slice(0, 15));
    expect(short.Id).toBe(id);
    const lower = await raw(
      sandbox,
      accessToken,
      'GET',
      `/services/data/v62.0/sobjects/Account/${id.toLowerCase()}`,
    );
    expect(lower.status).toBe(200);
    expect(normalizeId(id.toLowerCase())).toBe(id);
  });

  it('answers MALFORMED_ID for an id of the wrong type or checksum', async () => {
    const wrongType = await raw(
      sandbox,
      accessToken,
      'GET',
      `/services/data/v62.0/sobjects/Opportunity/${accountId}`,
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toEqual([
      {
        message: `Opportunity ID: id value of incorrect type: ${accountId}`,
        errorCode: 'MALFORMED_ID',
        fields: ['Id'],
      },
    ]);
    const badChecksum = `${accountId.slice(0, 15)}ZZZ`;
    const error = await errorOf(() => conn.sobject('Account').retrieve(badChecksum));
    expect(error.errorCode).toBe('MALFORMED_ID');
  });

  it('answers 404 NOT_FOUND for a missing record', async () => {
    const missing = `${accountId.slice(0, 9)}zzzzzz`;
    const response = await raw(
      sandbox,
      accessToken,
      'GET',
      `/services/data/v62.0/sobjects/Account/${missing}`,
    );
    expect(response.status).toBe(404);
    expect(response.body).toEqual([
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
  });

  it('updates with 204 and keeps CreatedDate while moving LastModifiedDate and SystemModstamp', async () => {
    const { id } = (await conn.sobject('Opportunity').create({ ...baseOpportunity })) as {
      id: string;
    };
    clock.advance(60_000);
    const response = await raw(
      sandbox,
      accessToken,
      'PATCH',
      `/services/data/v62.0/sobjects/Opportunity/${id}`,
      {
        StageName: 'Negotiation/Review',
      },
    );
    expect(response.status).toBe(204);
    const record = await conn.sobject('Opportunity').retrieve(id, {
      fields: ['CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'Probability'],
    });
    expect(record.CreatedDate).not.toBe(record.LastModifiedDate);
    expect(record.LastModifiedDate).toBe(record.SystemModstamp);
    expect(record.Probability).toBe(90);
  });

  it('keeps an explicit Probability when the stage changes in the same write', async () => {
    const { id } = (await conn.sobject('Opportunity').create({ ...baseOpportunity })) as {
      id: string;
    };
    await conn
      .sobject('Opportunity')
      .update({ Id: id, StageName: 'Value Proposition', Probability: 35 });
    const record = await conn.sobject('Opportunity').retrieve(id);
    expect(record.Probability).toBe(35);
  });

  it('soft-deletes with 204; reads answer NOT_FOUND, writes ENTITY_IS_DELETED', async () => {
    const { id } = (await conn.sobject('Opportunity').create({ ...baseOpportunity })) as {
      id: string;
    };
    const response = await raw(
      sandbox,
      accessToken,
      'DELETE',
      `/services/data/v62.0/sobjects/Opportunity/${id}`,
    );
    expect(response.status).toBe(204);
    expect((await errorOf(() => conn.sobject('Opportunity').retrieve(id))).errorCode).toBe(
      'NOT_FOUND',
    );
    const update = await raw(
      sandbox,
      accessToken,
      'PATCH',
      `/services/data/v62.0/sobjects/Opportunity/${id}`,
      { Name: 'x' },
    );
    expect(update.status).toBe(400);
    expect(update.body).toEqual([
      { message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] },
    ]);
  });

  it('cascades an account delete to its opportunities and restores them on undelete', async () => {
    const { id: account } = (await conn.sobject('Account').create({ Name: 'Cascade' })) as {
      id: string;
    };
    const { id: opp } = (await conn
      .sobject('Opportunity')
      .create({ ...baseOpportunity, AccountId: account })) as { id: string };
    await conn.sobject('Account').destroy(account);
    expect((await errorOf(() => conn.sobject('Opportunity').retrieve(opp))).errorCode).toBe(
      'NOT_FOUND',
    );
    const orgId = (await conn.identity()).organization_id;
    sandbox.control.userUndelete(orgId, 'Account', account);
    expect((await conn.sobject('Opportunity').retrieve(opp)).Id).toBe(opp);
  });
});

describe('field validation', () => {
  it('names an unknown field in INVALID_FIELD', async () => {
    const response = await raw(
      sandbox,
      accessToken,
      'POST',
      '/services/data/v62.0/sobjects/Opportunity',
      {
        ...baseOpportunity,
        Nope__c: 1,
      },
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual([
      {
        message: "No such column 'Nope__c' on sobject of type Opportunity",
        errorCode: 'INVALID_FIELD',
        fields: ['Nope__c'],
      },
    ]);
  });

  it('lists missing required fields in REQUIRED_FIELD_MISSING', async () => {
    const error = await errorOf(() => conn.sobject('Opportunity').create({ Name: 'No stage' }));
    expect(error.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect(error.message).toBe('Required fields are missing: [StageName, CloseDate]');
    expect((error.data as { fields: string[] }).fields).toEqual(['StageName', 'CloseDate']);
  });

  it('refuses a value outside a restricted picklist', async () => {
    const error = await errorOf(() =>
      conn.sobject('Opportunity').create({ ...baseOpportunity, StageName: 'Dreaming' }),
    );
    expect(error.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(error.message).toBe('Stage: bad value for restricted picklist field: Dreaming');
  });

  it('refuses writes to read-only fields with INVALID_FIELD_FOR_INSERT_UPDATE', async () => {
    const error = await errorOf(() =>
      conn
        .sobject('Opportunity')
        .create({ ...baseOpportunity, IsWon: true, SystemModstamp: '2026-01-01T00:00:00Z' }),
    );
    expect(error.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect((error.data as { fields: string[] }).fields).toEqual(['IsWon', 'SystemModstamp']);
  });

  it('answers DUPLICATE_VALUE for a unique external id that is taken', async () => {
    await conn
      .sobject('Opportunity')
      .create({ ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'HS-UNIQUE-1' });
    const error = await errorOf(() =>
      conn
        .sobject('Opportunity')
        .create({ ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'hs-unique-1' }),
    );
    expect(error.errorCode).toBe('DUPLICATE_VALUE');
    expect(error.message).toMatch(
      /^duplicate value found: PB_HubSpot_Deal_Id__c duplicates value on record with id: 006/,
    );
  });

  it('checks lookups: MALFORMED_ID for the wrong type, ENTITY_IS_DELETED for a deleted parent', async () => {
    const { id: opp } = (await conn.sobject('Opportunity').create({ ...baseOpportunity })) as {
      id: string;
    };
    const wrong = await errorOf(() =>
      conn.sobject('Opportunity').create({ ...baseOpportunity, AccountId: opp }),
    );
    expect(wrong.errorCode).toBe('MALFORMED_ID');
    const { id: gone } = (await conn.sobject('Account').create({ Name: 'Gone' })) as { id: string };
    await conn.sobject('Account').destroy(gone);
    const deleted = await errorOf(() =>
      conn.sobject('Opportunity').create({ ...baseOpportunity, AccountId: gone }),
    );
    expect(deleted.errorCode).toBe('ENTITY_IS_DELETED');
  });

  it('refuses text longer than the field', async () => {
    const error = await errorOf(() =>
      conn.sobject('Opportunity').create({ ...baseOpportunity, Name: 'x'.repeat(121) }),
    );
    expect(error.errorCode).toBe('STRING_TOO_LONG');
  });
});

describe('scripted faults on single records', () => {
  it('answers 400 UNABLE_TO_LOCK_ROW for a locked record, then lets the retry through', async () => {
    const { id } = (await conn.sobject('Opportunity').create({ ...baseOpportunity })) as {
      id: string;
    };
    const orgId = (await conn.identity()).organization_id;
    sandbox.control.lockRecords({ orgId, ids: [id], times: 1 });
    const locked = await raw(
      sandbox,
      accessToken,
      'PATCH',
      `/services/data/v62.0/sobjects/Opportunity/${id}`,
      { Amount: 5 },
    );
    expect(locked.status).toBe(400);
    expect(locked.body).toEqual([
      {
        message: `unable to obtain exclusive access to this record or 1 records: ${id}`,
        errorCode: 'UNABLE_TO_LOCK_ROW',
        fields: [],
      },
    ]);
    await conn.sobject('Opportunity').update({ Id: id, Amount: 5 });
    expect((await conn.sobject('Opportunity').retrieve(id)).Amount).toBe(5);
  });

  it('answers FIELD_CUSTOM_VALIDATION_EXCEPTION when a validation rule fires', async () => {
    const orgId = (await conn.identity()).organization_id;
    sandbox.control.addValidationRule({
      orgId,
      sobject: 'Account',
      name: 'Website_Required',
      errorMessage: 'Enter a website',
      when: { field: 'Website', isBlank: true },
    });
    try {
      const error = await errorOf(() => conn.sobject('Account').create({ Name: 'No site' }));
      expect(error.errorCode).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
      expect(error.message).toBe('Enter a website');
      expect(
        (await conn.sobject('Account').create({ Name: 'Site', Website: 'https://x.example' }))
          .success,
      ).toBe(true);
    } finally {
      sandbox.control.removeValidationRule({ orgId, name: 'Website_Required' });
    }
  });
});

describe('upsert by external id', () => {
  it('creates with 201 created:true, then updates with 200 created:false', async () => {
    const path = '/services/data/v62.0/sobjects/Opportunity/PB_HubSpot_Deal_Id__c/HS-UPSERT-1';
    const first = await raw(sandbox, accessToken, 'PATCH', path, { ...baseOpportunity });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(String),
      success: true,
      errors: [],
      created: true,
    });
    const second = await raw(sandbox, accessToken, 'PATCH', path, { Name: 'Renamed' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      id: (first.body as { id: string }).id,
      success: true,
      errors: [],
      created: false,
    });
  });

  it('answers 204 on update for API versions before 46.0', async () => {
    const path = '/services/data/v45.0/sobjects/Opportunity/PB_HubSpot_Deal_Id__c/HS-UPSERT-OLD';
    expect((await raw(sandbox, accessToken, 'PATCH', path, { ...baseOpportunity })).status).toBe(
      201,
    );
    expect((await raw(sandbox, accessToken, 'PATCH', path, { Name: 'Old API' })).status).toBe(204);
  });

  it('works through jsforce upsert', async () => {
    const result = await conn
      .sobject('Opportunity')
      .upsert(
        { ...baseOpportunity, PB_HubSpot_Deal_Id__c: 'HS-UPSERT-2' },
        'PB_HubSpot_Deal_Id__c',
      );
    expect(result).toMatchObject({ success: true, created: true });
    const again = await conn
      .sobject('Opportunity')
      .upsert({ PB_HubSpot_Deal_Id__c: 'HS-UPSERT-2', Amount: 10 }, 'PB_HubSpot_Deal_Id__c');
    expect(again).toMatchObject({ success: true, created: false });
  });

  it('answers 404 NOT_FOUND for a field that is not an external id', async () => {
    const response = await raw(
      sandbox,
      accessToken,
      'PATCH',
      '/services/data/v62.0/sobjects/Opportunity/Name/abc',
      { StageName: 'Prospecting' },
    );
    expect(response.status).toBe(404);
    expect(response.body).toEqual([
      {
        message: 'Provided external ID field does not exist or is not accessible: Name',
        errorCode: 'NOT_FOUND',
      },
    ]);
  });
});

describe('versions, resources and errors outside records', () => {
  it('lists versions without authentication', async () => {
    const response = await fetch(`${sandbox.url}/services/data/`);
    const versions = (await response.json()) as { version: string; label: string; url: string }[];
    expect(versions.at(-1)).toEqual({
      label: "Winter '25",
      url: '/services/data/v62.0',
      version: '62.0',
    });
  });

  it('answers 404 for unsupported versions', async () => {
    const response = await raw(sandbox, accessToken, 'GET', '/services/data/v99.0/sobjects');
    expect(response.status).toBe(404);
  });

  it('answers 405 for a method a resource does not support', async () => {
    const response = await raw(
      sandbox,
      accessToken,
      'PUT',
      `/services/data/v62.0/sobjects/Account/${accountId}`,
      {},
    );
    expect(response.status).toBe(405);
    expect((response.body as { errorCode: string }[])[0]?.errorCode).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers JSON_PARSER_ERROR for a body that is not JSON', async () => {
    const response = await fetch(`${sandbox.url}/services/data/v62.0/sobjects/Account`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
      body: '{ nope',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errorCode: string }[])[0]?.errorCode).toBe(
      'JSON_PARSER_ERROR',
    );
  });
});
