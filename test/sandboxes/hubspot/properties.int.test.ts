import {
  HUBSPOT_PROPERTY_GROUP,
  hubspotCompanyProperties,
  hubspotDealProperties,
  hubspotStandardProperties,
} from '@partnerbridge/shared/crm-fields';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFailure,
  type ContractSandbox,
  sdkClient,
  startContractSandbox,
} from './contract-harness.ts';

type PropertyInput = Parameters<
  ReturnType<typeof sdkClient>['crm']['properties']['coreApi']['create']
>[1];

const property = (overrides: Record<string, unknown>): PropertyInput =>
  ({
    name: 'pb_test_property',
    label: 'Test property',
    type: 'string',
    fieldType: 'text',
    groupName: 'partnerbridge',
    ...overrides,
  }) as PropertyInput;

describe('HubSpot sandbox: properties and property groups', () => {
  let sandbox: ContractSandbox;
  let portalId: number;
  let accessToken: string;

  beforeAll(async () => {
    sandbox = await startContractSandbox();
    portalId = sandbox.control.createPortal();
    sandbox.control.installPartnerbridge(portalId);
    accessToken = sandbox.control.issueToken({ portalId }).accessToken;
  });

  afterEach(() => {
    expect(sandbox.takeViolations()).toEqual([]);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const properties = () => sdkClient(sandbox.url, accessToken).crm.properties;

  it('lists the standard properties and, once installed, ours in the partnerbridge group', async () => {
    const deals = await properties().coreApi.getAll('deals');
    const dealNames = deals.results.map((entry) => entry.name);
    expect(dealNames).toEqual(expect.arrayContaining([...hubspotStandardProperties.deal]));
    expect(dealNames).toEqual(
      expect.arrayContaining(hubspotDealProperties.map((entry) => entry.name)),
    );
    const companies = await properties().coreApi.getAll('companies');
    expect(companies.results.map((entry) => entry.name)).toEqual(
      expect.arrayContaining([
        ...hubspotStandardProperties.company,
        ...hubspotCompanyProperties.map((entry) => entry.name),
      ]),
    );
    const tier = companies.results.find((entry) => entry.name === 'pb_partner_tier');
    expect(tier).toMatchObject({
      groupName: HUBSPOT_PROPERTY_GROUP.name,
      type: 'enumeration',
      hubspotDefined: false,
      options: expect.arrayContaining([expect.objectContaining({ value: 'gold', hidden: false })]),
    });
    const stage = deals.results.find((entry) => entry.name === 'dealstage');
    expect(stage?.hubspotDefined).toBe(true);
    expect(stage?.options.map((option) => option.value)).toContain('closedwon');
    const groups = await properties().groupsApi.getAll('companies');
    expect(groups.results.map((group) => group.name)).toEqual(
      expect.arrayContaining(['companyinformation', HUBSPOT_PROPERTY_GROUP.name]),
    );
  });

  it('creates a property with 201; the name is then taken (409 OBJECT_ALREADY_EXISTS)', async () => {
    const created = await properties().coreApi.createWithHttpInfo(
      'deals',
      property({
        name: 'pb_region',
        type: 'enumeration',
        fieldType: 'select',
        options: [
          { label: 'EMEA', value: 'emea', hidden: false, displayOrder: 0 },
          { label: 'Americas', value: 'amer', hidden: false, displayOrder: 1 },
        ],
      }),
    );
    expect(created.httpStatusCode).toBe(201);
    expect(created.data).toMatchObject({
      name: 'pb_region',
      groupName: 'partnerbridge',
      hasUniqueValue: false,
    });
    const again = await apiFailure(
      properties().coreApi.create('deals', property({ name: 'pb_region' })),
    );
    expect(again.code).toBe(409);
    expect(again.body).toMatchObject({
      category: 'OBJECT_ALREADY_EXISTS',
      context: { name: ['pb_region'] },
    });
    const deals = sdkClient(sandbox.url, accessToken).crm.deals.basicApi;
    const ok = await deals.create({
      properties: { dealname: 'Regional', pb_region: 'emea' },
      associations: [],
    });
    expect(ok.properties.pb_region).toBe('emea');
    const bad = await apiFailure(
      deals.create({ properties: { pb_region: 'apac' }, associations: [] }),
    );
    expect(bad.body.message).toContain('INVALID_OPTION');
  });

  it.each([
    ['an unknown group', property({ name: 'pb_orphan', groupName: 'no_group' })],
    [
      'a field type that does not fit the type',
      property({ name: 'pb_mismatch', type: 'number', fieldType: 'text' }),
    ],
    [
      'an enumeration without options',
      property({ name: 'pb_empty_enum', type: 'enumeration', fieldType: 'select' }),
    ],
    ['a name with capitals', property({ name: 'PbCamel' })],
  ])('refuses a property with %s (400)', async (_case, input) => {
    const error = await apiFailure(properties().coreApi.create('companies', input));
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
  });

  it('reads one property, 404 for an unknown one', async () => {
    const amount = await properties().coreApi.getByName('deals', 'amount');
    expect(amount).toMatchObject({ name: 'amount', type: 'number', fieldType: 'number' });
    const missing = await apiFailure(properties().coreApi.getByName('deals', 'no_such_property'));
    expect(missing.code).toBe(404);
  });

  it('creates property groups with 201, refusing a taken name with 409', async () => {
    const created = await properties().groupsApi.createWithHttpInfo('companies', {
      name: 'pb_extra',
      label: 'Partnerbridge extras',
      displayOrder: 3,
    });
    expect(created.httpStatusCode).toBe(201);
    expect(created.data).toEqual({
      name: 'pb_extra',
      label: 'Partnerbridge extras',
      displayOrder: 3,
      archived: false,
    });
    const again = await apiFailure(
      properties().groupsApi.create('companies', { name: 'pb_extra', label: 'Again' }),
    );
    expect(again.code).toBe(409);
    expect(again.body.category).toBe('OBJECT_ALREADY_EXISTS');
    expect((await properties().groupsApi.getByName('companies', 'pb_extra')).label).toBe(
      'Partnerbridge extras',
    );
  });

  it('creates properties in a batch with 207 for the ones that cannot be created', async () => {
    const response = await properties().batchApi.createWithHttpInfo('companies', {
      inputs: [property({ name: 'pb_batch_one' }), property({ name: 'pb_is_partner' })] as never,
    });
    expect(response.httpStatusCode).toBe(207);
    expect(response.data.results.map((entry) => entry.name)).toEqual(['pb_batch_one']);
    expect((response.data as { errors?: { category: string }[] }).errors?.[0]?.category).toBe(
      'OBJECT_ALREADY_EXISTS',
    );
  });

  it('updates a property definition; HubSpot-defined definitions are read-only', async () => {
    await properties().coreApi.create(
      'companies',
      property({ name: 'pb_note', fieldType: 'textarea' }),
    );
    const updated = await properties().coreApi.update('companies', 'pb_note', {
      label: 'Partner note',
    });
    expect(updated.label).toBe('Partner note');
    const standard = await apiFailure(
      properties().coreApi.update('companies', 'name', { label: 'Renamed' }),
    );
    expect(standard.code).toBe(400);
  });

  it('archives a custom property: it disappears from writes and shows with archived=true', async () => {
    await properties().coreApi.create('companies', property({ name: 'pb_temporary' }));
    const archived = await properties().coreApi.archiveWithHttpInfo('companies', 'pb_temporary');
    expect(archived.httpStatusCode).toBe(204);
    const write = await apiFailure(
      sdkClient(sandbox.url, accessToken).crm.companies.basicApi.create({
        properties: { name: 'x', pb_temporary: 'y' },
        associations: [],
      }),
    );
    expect(write.body.message).toContain('PROPERTY_DOESNT_EXIST');
    const listed = await properties().coreApi.getAll('companies', true);
    expect(listed.results.map((entry) => entry.name)).toContain('pb_temporary');
  });

  it('needs the schema write scope to create properties, and a read scope to list them', async () => {
    const token = sandbox.control.issueToken({
      portalId,
      scopes: ['oauth', 'crm.objects.companies.read'],
    }).accessToken;
    const api = sdkClient(sandbox.url, token).crm.properties;
    expect((await api.coreApi.getAll('companies')).results.length).toBeGreaterThan(0);
    const error = await apiFailure(
      api.coreApi.create('companies', property({ name: 'pb_forbidden' })),
    );
    expect(error.code).toBe(403);
    expect(error.body.category).toBe('MISSING_SCOPES');
    expect((await apiFailure(api.coreApi.getAll('deals'))).code).toBe(403);
  });
});
