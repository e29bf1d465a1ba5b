import { AssociationTypes } from '@hubspot/api-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFailure,
  type ContractSandbox,
  type ManualClock,
  manualClock,
  sdkClient,
  startContractSandbox,
} from './contract-harness.ts';

describe('HubSpot sandbox: CRM objects (v3)', () => {
  let sandbox: ContractSandbox;
  let clock: ManualClock;
  let portalId: number;
  let accessToken: string;

  beforeAll(async () => {
    clock = manualClock();
    sandbox = await startContractSandbox({ clock: clock.fn });
    portalId = sandbox.control.createPortal({ name: 'Objects portal' });
    sandbox.control.installPartnerbridge(portalId);
    accessToken = sandbox.control.issueToken({ portalId }).accessToken;
    await sdkClient(sandbox.url, accessToken).crm.properties.coreApi.create('companies', {
      name: 'external_key',
      label: 'External key',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'companyinformation',
      hasUniqueValue: true,
    });
  });

  afterEach(() => {
    expect(sandbox.takeViolations()).toEqual([]);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const client = () => sdkClient(sandbox.url, accessToken);

  it('creates a deal with 201: numeric string id, string values, maintained system properties', async () => {
    const created = await client().crm.deals.basicApi.createWithHttpInfo({
      properties: { dealname: 'Acme renewal', amount: '1200.50', dealstage: 'qualifiedtobuy' },
      associations: [],
    });
    expect(created.httpStatusCode).toBe(201);
    const deal = created.data;
    expect(deal.id).toMatch(/^\d+$/);
    expect(deal.archived).toBe(false);
    expect(deal.createdAt.toISOString()).toBe(new Date(clock.now()).toISOString());
    expect(deal.properties).toMatchObject({
      dealname: 'Acme renewal',
      amount: '1200.5',
      dealstage: 'qualifiedtobuy',
      pipeline: 'default',
      hs_object_id: deal.id,
      createdate: new Date(clock.now()).toISOString(),
      hs_lastmodifieddate: new Date(clock.now()).toISOString(),
    });
  });

  it('reads the default properties unless asked, null for empty requested ones, ignoring unknown names', async () => {
    const { id } = await client().crm.deals.basicApi.create({
      properties: { dealname: 'Defaults' },
      associations: [],
    });
    const byDefault = await client().crm.deals.basicApi.getById(id);
    expect(Object.keys(byDefault.properties).sort()).toEqual([
      'amount',
      'closedate',
      'createdate',
      'dealname',
      'dealstage',
      'hs_lastmodifieddate',
      'hs_object_id',
      'pipeline',
    ]);
    expect(byDefault.properties.amount).toBeNull();
    const asked = await client().crm.deals.basicApi.getById(id, [
      'dealname',
      'dealtype',
      'no_such_property',
    ]);
    expect(asked.properties).toEqual({
      dealname: 'Defaults',
      dealtype: null,
      hs_object_id: id,
      createdate: expect.any(String),
      hs_lastmodifieddate: expect.any(String),
    });
  });

  it('answers 404 with an OBJECT_NOT_FOUND body for an unknown id', async () => {
    const error = await apiFailure(client().crm.deals.basicApi.getById('99999999999'));
    expect(error.code).toBe(404);
    expect(error.body).toMatchObject({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      context: { id: ['99999999999'] },
    });
    expect(error.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects an unknown property with 400 VALIDATION_ERROR naming it, and creates nothing', async () => {
    const before = sandbox.control.listRecords(portalId, 'deal').length;
    const error = await apiFailure(
      client().crm.deals.basicApi.create({
        properties: { dealname: 'Typo', dealnmae: 'x' },
        associations: [],
      }),
    );
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
    expect(error.body.message).toContain('Property values were not valid');
    expect(error.body.message).toContain('PROPERTY_DOESNT_EXIST');
    expect(error.body.message).toContain('dealnmae');
    expect(error.body.errors).toEqual([
      expect.objectContaining({
        code: 'PROPERTY_DOESNT_EXIST',
        context: { propertyName: ['dealnmae'] },
      }),
    ]);
    expect(sandbox.control.listRecords(portalId, 'deal')).toHaveLength(before);
  });

  it.each([
    ['an unknown enumeration option', 'deal', { dealstage: 'won_maybe' }, 'INVALID_OPTION'],
    [
      'a date that is not midnight UTC',
      'company',
      { pb_partner_since: '1786334400000' },
      'INVALID_DATE',
    ],
    ['a number that is not one', 'deal', { amount: 'twelve' }, 'INVALID_NUMBER'],
    ['a number with surrounding spaces', 'deal', { amount: ' 12 ' }, 'INVALID_VALUE'],
    ['a boolean that is not one', 'company', { pb_is_partner: 'yes' }, 'INVALID_OPTION'],
    ['a read-only property', 'company', { hs_object_id: '1' }, 'READ_ONLY_VALUE'],
  ] as const)('rejects %s', async (_case, type, properties, code) => {
    const input = { properties: { ...properties } as Record<string, string>, associations: [] };
    const call =
      type === 'deal'
        ? client().crm.deals.basicApi.create(input)
        : client().crm.companies.basicApi.create(input);
    const error = await apiFailure(call);
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
    expect(error.body.message).toContain(code);
  });

  it('stores values in canonical form: numbers, booleans, datetimes, dates', async () => {
    const company = await client().crm.companies.basicApi.create({
      properties: {
        name: 'Canonical',
        numberofemployees: '0012',
        pb_is_partner: 'TRUE',
        pb_partner_since: '2026-03-01',
      },
      associations: [],
    });
    expect(company.properties).toMatchObject({
      numberofemployees: '12',
      pb_is_partner: 'true',
      pb_partner_since: '2026-03-01',
    });
    const deal = await client().crm.deals.basicApi.create({
      properties: { dealname: 'Dates', closedate: String(Date.parse('2026-12-24T15:30:00Z')) },
      associations: [],
    });
    expect(deal.properties.closedate).toBe('2026-12-24T15:30:00.000Z');
  });

  it('updates with PATCH, moves updatedAt, and keeps property history with the write source', async () => {
    const { id } = await client().crm.deals.basicApi.create({
      properties: { dealname: 'History', dealstage: 'appointmentscheduled' },
      associations: [],
    });
    clock.advance(60_000);
    const updated = await client().crm.deals.basicApi.update(id, {
      properties: { dealstage: 'contractsent' },
    });
    expect(updated.properties.dealstage).toBe('contractsent');
    expect(updated.updatedAt.getTime()).toBe(clock.now());
    clock.advance(60_000);
    sandbox.control.userEdit(portalId, 'deal', id, { dealstage: 'closedwon' });
    const read = await client().crm.deals.basicApi.getById(id, ['dealstage'], ['dealstage']);
    expect(read.properties.dealstage).toBe('closedwon');
    const history = read.propertiesWithHistory?.dealstage ?? [];
    const portal = sandbox.control.portals().find((entry) => entry.portalId === portalId);
    expect(portal).toBeDefined();
    expect(history.map((entry) => [entry.value, entry.sourceType, entry.sourceId])).toEqual([
      ['closedwon', 'CRM_UI', expect.stringMatching(/^userId:\d+$/)],
      ['contractsent', 'INTEGRATION', String(sandbox.control.app.appId)],
      ['appointmentscheduled', 'INTEGRATION', String(sandbox.control.app.appId)],
    ]);
    expect(history[0]?.updatedByUserId).toEqual(expect.any(Number));
    expect(history[0]?.timestamp.getTime()).toBe(clock.now());
  });

  it('archives with DELETE 204; the record is then only found with archived=true', async () => {
    const { id } = await client().crm.companies.basicApi.create({
      properties: { name: 'Gone soon' },
      associations: [],
    });
    const archived = await client().crm.companies.basicApi.archiveWithHttpInfo(id);
    expect(archived.httpStatusCode).toBe(204);
    expect((await apiFailure(client().crm.companies.basicApi.getById(id))).code).toBe(404);
    const found = await client().crm.companies.basicApi.getById(
      id,
      undefined,
      undefined,
      undefined,
      true,
    );
    expect(found.archived).toBe(true);
    expect(found.archivedAt).toBeInstanceOf(Date);
    const page = await client().crm.companies.basicApi.getPage(
      100,
      undefined,
      undefined,
      undefined,
      undefined,
      true,
    );
    expect(page.results.map((company) => company.id)).toContain(id);
  });

  it('pages lists with limit and after; getAll follows paging.next.after; limit above 100 is refused', async () => {
    const portal = sandbox.control.createPortal({ name: 'Paging portal' });
    const token = sandbox.control.issueToken({ portalId: portal }).accessToken;
    for (let i = 0; i < 25; i++)
      sandbox.control.userCreate(portal, 'company', { name: `Company ${i}` });
    const api = sdkClient(sandbox.url, token).crm.companies;
    const first = await api.basicApi.getPage(10);
    expect(first.results).toHaveLength(10);
    const after = first.paging?.next?.after;
    expect(after).toMatch(/^\d+$/);
    const second = await api.basicApi.getPage(10, after);
    expect(second.results[0]?.id).not.toBe(first.results[9]?.id);
    expect(Number(second.results[0]?.id)).toBeGreaterThan(Number(first.results[9]?.id));
    const all = await api.getAll(10);
    expect(all).toHaveLength(25);
    expect(new Set(all.map((company) => company.id)).size).toBe(25);
    const tooMany = await apiFailure(api.basicApi.getPage(101));
    expect(tooMany.code).toBe(400);
    expect(tooMany.body.category).toBe('VALIDATION_ERROR');
  });

  it('gives deterministic ids per portal, never shared between portals', async () => {
    const a = sandbox.control.createPortal({ portalId: 70_000_001 });
    const b = sandbox.control.createPortal({ portalId: 70_000_002 });
    const idsA = [0, 1, 2].map(
      (i) => sandbox.control.userCreate(a, 'deal', { dealname: `A${i}` }).id,
    );
    const idsB = [0, 1, 2].map(
      (i) => sandbox.control.userCreate(b, 'deal', { dealname: `B${i}` }).id,
    );
    expect(idsA).toEqual(['30000010000001', '30000010000002', '30000010000003']);
    expect(idsB).toEqual(['30000020000001', '30000020000002', '30000020000003']);
    const companyId = sandbox.control.userCreate(a, 'company', { name: 'C' }).id;
    expect(companyId).toBe('10000010000001');
  });

  it('reads and updates by a unique property with idProperty, and refuses a non-unique one', async () => {
    const { id } = await client().crm.companies.basicApi.create({
      properties: { name: 'Keyed', external_key: 'ext-1' },
      associations: [],
    });
    const read = await client().crm.companies.basicApi.getById(
      'ext-1',
      undefined,
      undefined,
      undefined,
      false,
      'external_key',
    );
    expect(read.id).toBe(id);
    const updated = await client().crm.companies.basicApi.update(
      'ext-1',
      { properties: { city: 'Lyon' } },
      'external_key',
    );
    expect(updated.id).toBe(id);
    const nonUnique = await apiFailure(
      client().crm.companies.basicApi.getById(
        'Keyed',
        undefined,
        undefined,
        undefined,
        false,
        'name',
      ),
    );
    expect(nonUnique.code).toBe(400);
    expect(nonUnique.body.message).toContain('non-unique');
    const duplicate = await apiFailure(
      client().crm.companies.basicApi.create({
        properties: { name: 'Dup', external_key: 'ext-1' },
        associations: [],
      }),
    );
    expect(duplicate.code).toBe(409);
    expect(duplicate.body.category).toBe('CONFLICT');
  });

  it('frees the unique values of archived and merged-away records', async () => {
    const api = client().crm.companies.basicApi;
    const first = await api.create({
      properties: { name: 'Old', external_key: 'ext-free' },
      associations: [],
    });
    await api.archive(first.id);
    const second = await api.create({
      properties: { name: 'New', external_key: 'ext-free' },
      associations: [],
    });
    expect(second.properties.external_key).toBe('ext-free');
    const survivor = await api.create({ properties: { name: 'Survivor' }, associations: [] });
    await api.merge({ primaryObjectId: survivor.id, objectIdToMerge: second.id });
    const third = await api.create({
      properties: { name: 'Third', external_key: 'ext-free' },
      associations: [],
    });
    expect(third.properties.external_key).toBe('ext-free');
  });

  it('keeps the primary company of the surviving deal when two deals merge', async () => {
    const customer = sandbox.control.userCreate(portalId, 'company', { name: 'Kept customer' }).id;
    const other = sandbox.control.userCreate(portalId, 'company', { name: 'Other customer' }).id;
    const keep = sandbox.control.userCreate(portalId, 'deal', { dealname: 'Keep' }).id;
    const gone = sandbox.control.userCreate(portalId, 'deal', { dealname: 'Gone' }).id;
    sandbox.control.userAssociate(portalId, {
      fromObjectType: 'deal',
      fromId: keep,
      toId: customer,
      label: 'primary',
    });
    sandbox.control.userAssociate(portalId, {
      fromObjectType: 'deal',
      fromId: gone,
      toId: other,
      label: 'primary',
    });
    await client().crm.deals.basicApi.merge({ primaryObjectId: keep, objectIdToMerge: gone });
    const types = (companyId: string) =>
      sandbox.control
        .associations(portalId, 'deal', keep)
        .find((entry) => entry.toObjectId === companyId)
        ?.associationTypes.map((type) => type.typeId)
        .sort();
    expect(types(customer)).toEqual(
      [AssociationTypes.primaryDealToCompany, AssociationTypes.dealToCompany].sort(),
    );
    expect(types(other)).toEqual([AssociationTypes.dealToCompany]);
  });

  it('merges two companies: the primary keeps its id, fills empty values, takes the associations', async () => {
    const api = client().crm.companies;
    const primary = await api.basicApi.create({
      properties: { name: 'Primary Co' },
      associations: [],
    });
    const secondary = await api.basicApi.create({
      properties: { name: 'Secondary Co', city: 'Oslo' },
      associations: [],
    });
    const deal = await client().crm.deals.basicApi.create({
      properties: { dealname: 'Follows the merge' },
      associations: [
        {
          to: { id: secondary.id },
          types: [
            {
              associationCategory: 'HUBSPOT_DEFINED' as never,
              associationTypeId: AssociationTypes.dealToCompany,
            },
          ],
        },
      ],
    });
    const merged = await api.basicApi.merge({
      primaryObjectId: primary.id,
      objectIdToMerge: secondary.id,
    });
    expect(merged.id).toBe(primary.id);
    const read = await api.basicApi.getById(
      primary.id,
      ['name', 'city', 'hs_merged_object_ids'],
      undefined,
      ['deals'],
    );
    expect(read.properties).toMatchObject({
      name: 'Primary Co',
      city: 'Oslo',
      hs_merged_object_ids: secondary.id,
    });
    expect(read.associations?.deals?.results.map((entry) => entry.id)).toContain(deal.id);
    expect((await apiFailure(api.basicApi.getById(secondary.id))).code).toBe(404);
  });

  it('lists v3 associations on a read with associations=companies', async () => {
    const company = await client().crm.companies.basicApi.create({
      properties: { name: 'Customer' },
      associations: [],
    });
    const deal = await client().crm.deals.basicApi.create({
      properties: { dealname: 'Associated' },
      associations: [
        {
          to: { id: company.id },
          types: [
            {
              associationCategory: 'HUBSPOT_DEFINED' as never,
              associationTypeId: AssociationTypes.primaryDealToCompany,
            },
          ],
        },
      ],
    });
    const read = await client().crm.deals.basicApi.getById(deal.id, undefined, undefined, [
      'companies',
    ]);
    expect(read.associations?.companies?.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: company.id, type: 'deal_to_company' }),
        expect.objectContaining({ id: company.id, type: 'deal_to_company_unlabeled' }),
      ]),
    );
  });

  it('serves the generic objects API under the type id and refuses unknown object types', async () => {
    const { id } = await client().crm.deals.basicApi.create({
      properties: { dealname: 'Generic' },
      associations: [],
    });
    const generic = await client().crm.objects.basicApi.getById('0-3', id, ['dealname']);
    expect(generic.properties.dealname).toBe('Generic');
    const unknown = await apiFailure(client().crm.objects.basicApi.getPage('tickets'));
    expect(unknown.code).toBe(400);
    expect(unknown.body.message).toBe('Unable to infer object type from: tickets');
  });
});
