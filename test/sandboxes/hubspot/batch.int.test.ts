import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFailure,
  type ContractSandbox,
  sdkClient,
  startContractSandbox,
} from './contract-harness.ts';

const inputsOf = <T>(count: number, make: (index: number) => T): T[] =>
  Array.from({ length: count }, (_, index) => make(index));

describe('HubSpot sandbox: batch endpoints', () => {
  let sandbox: ContractSandbox;
  let portalId: number;
  let accessToken: string;

  beforeAll(async () => {
    sandbox = await startContractSandbox();
    portalId = sandbox.control.createPortal();
    sandbox.control.installPartnerbridge(portalId);
    accessToken = sandbox.control.issueToken({ portalId }).accessToken;
    await sdkClient(sandbox.url, accessToken).crm.properties.coreApi.create('deals', {
      name: 'external_deal_key',
      label: 'External deal key',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'dealinformation',
      hasUniqueValue: true,
    });
  });

  afterEach(() => {
    expect(sandbox.takeViolations()).toEqual([]);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const deals = () => sdkClient(sandbox.url, accessToken).crm.deals;

  it('creates up to 100 records with 201 COMPLETE and refuses 101 inputs with 400', async () => {
    const created = await deals().batchApi.createWithHttpInfo({
      inputs: inputsOf(100, (i) => ({ properties: { dealname: `Batch ${i}` }, associations: [] })),
    });
    expect(created.httpStatusCode).toBe(201);
    expect(created.data.status).toBe('COMPLETE');
    expect(created.data.results).toHaveLength(100);
    const error = await apiFailure(
      deals().batchApi.create({
        inputs: inputsOf(101, (i) => ({
          properties: { dealname: `Too many ${i}` },
          associations: [],
        })),
      }),
    );
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
    expect(String(error.body.message)).toContain('100');
  });

  it('fails a whole create batch with 400 when one input names an unknown property', async () => {
    const before = sandbox.control.listRecords(portalId, 'deal').length;
    const error = await apiFailure(
      deals().batchApi.create({
        inputs: [
          { properties: { dealname: 'Fine' }, associations: [] },
          { properties: { dealname: 'Broken', not_a_property: 'x' }, associations: [] },
        ],
      }),
    );
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
    expect(String(error.body.message)).toContain('not_a_property');
    expect(error.body.errors).toEqual([
      expect.objectContaining({
        code: 'PROPERTY_DOESNT_EXIST',
        in: 'inputs[1].properties.not_a_property',
      }),
    ]);
    expect(sandbox.control.listRecords(portalId, 'deal')).toHaveLength(before);
  });

  it('answers 207 with per-input errors when every create input has an objectWriteTraceId', async () => {
    const response = await deals().batchApi.createWithHttpInfo({
      inputs: [
        { properties: { dealname: 'Traced ok' }, associations: [], objectWriteTraceId: 'trace-ok' },
        {
          properties: { dealname: 'Traced bad', dealstage: 'nope' },
          associations: [],
          objectWriteTraceId: 'trace-bad',
        },
      ],
    });
    expect(response.httpStatusCode).toBe(207);
    const body = response.data as typeof response.data & { numErrors?: number; errors?: unknown[] };
    expect(body.results).toHaveLength(1);
    expect(body.results[0]?.properties.dealname).toBe('Traced ok');
    expect(body.numErrors).toBe(1);
    expect(body.errors).toEqual([
      expect.objectContaining({
        status: 'error',
        category: 'VALIDATION_ERROR',
        context: expect.objectContaining({ objectWriteTraceId: ['trace-bad'] }),
      }),
    ]);
  });

  it('refuses unique-value clashes: 409 for the whole batch, or per input with trace ids', async () => {
    const inputs = (traced: boolean) =>
      ['clash-1', 'clash-1'].map((key, i) => ({
        properties: { dealname: `Clash ${i}`, external_deal_key: key },
        associations: [],
        ...(traced ? { objectWriteTraceId: `clash-${i}` } : {}),
      }));
    const whole = await apiFailure(deals().batchApi.create({ inputs: inputs(false) }));
    expect(whole.code).toBe(409);
    expect(whole.body.category).toBe('CONFLICT');
    const partial = await deals().batchApi.createWithHttpInfo({ inputs: inputs(true) });
    expect(partial.httpStatusCode).toBe(207);
    expect(partial.data.results).toHaveLength(1);
    const errors = (
      partial.data as { errors?: { category: string; context: Record<string, string[]> }[] }
    ).errors;
    expect(errors?.[0]).toMatchObject({
      category: 'CONFLICT',
      context: { objectWriteTraceId: ['clash-1'] },
    });
  });

  it('reads a batch with 207 OBJECT_NOT_FOUND for the ids that do not exist', async () => {
    const created = await deals().batchApi.create({
      inputs: inputsOf(2, (i) => ({
        properties: { dealname: `Readable ${i}`, amount: String(i) },
        associations: [],
      })),
    });
    const ids = created.results.map((deal) => deal.id);
    const response = await deals().batchApi.readWithHttpInfo({
      inputs: [...ids.map((id) => ({ id })), { id: '39999999999999' }],
      properties: ['dealname', 'amount'],
      propertiesWithHistory: [],
    });
    expect(response.httpStatusCode).toBe(207);
    const body = response.data as typeof response.data & {
      numErrors?: number;
      errors?: { category: string; context: Record<string, string[]> }[];
    };
    expect(body.results.map((deal) => deal.id).sort()).toEqual([...ids].sort());
    expect(body.numErrors).toBe(1);
    expect(body.errors?.[0]?.category).toBe('OBJECT_NOT_FOUND');
    expect(body.errors?.[0]?.context.ids).toEqual(['39999999999999']);
    const complete = await deals().batchApi.readWithHttpInfo({
      inputs: ids.map((id) => ({ id })),
      properties: ['dealname'],
      propertiesWithHistory: [],
    });
    expect(complete.httpStatusCode).toBe(200);
  });

  it('limits batch reads with property history to 50 inputs', async () => {
    const error = await apiFailure(
      deals().batchApi.read({
        inputs: inputsOf(51, (i) => ({ id: String(30000010000001 + i) })),
        properties: [],
        propertiesWithHistory: ['dealstage'],
      }),
    );
    expect(error.code).toBe(400);
    expect(String(error.body.message)).toContain('property histories is 50');
  });

  it('updates a batch; missing ids come back as 207 errors while the others are written', async () => {
    const created = await deals().batchApi.create({
      inputs: inputsOf(2, (i) => ({
        properties: { dealname: `Updatable ${i}` },
        associations: [],
      })),
    });
    const response = await deals().batchApi.updateWithHttpInfo({
      inputs: [
        ...created.results.map((deal) => ({
          id: deal.id,
          properties: { dealstage: 'contractsent' },
        })),
        { id: '39999999999998', properties: { dealstage: 'contractsent' } },
      ],
    });
    expect(response.httpStatusCode).toBe(207);
    expect(response.data.results.map((deal) => deal.properties.dealstage)).toEqual([
      'contractsent',
      'contractsent',
    ]);
    const errors = (response.data as { errors?: { category: string }[] }).errors;
    expect(errors?.[0]?.category).toBe('OBJECT_NOT_FOUND');
  });

  it('refuses duplicate ids in one update batch', async () => {
    const error = await apiFailure(
      deals().batchApi.update({
        inputs: [
          { id: '30000010000001', properties: { dealname: 'a' } },
          { id: '30000010000001', properties: { dealname: 'b' } },
        ],
      }),
    );
    expect(error.code).toBe(400);
    expect(String(error.body.message)).toContain('Duplicate IDs');
  });

  it('upserts by a unique property: new: true when created, new: false when updated', async () => {
    const first = await deals().batchApi.upsert({
      inputs: [
        { id: 'ext-1', idProperty: 'external_deal_key', properties: { dealname: 'Upserted one' } },
        { id: 'ext-2', idProperty: 'external_deal_key', properties: { dealname: 'Upserted two' } },
      ],
    });
    expect(first.results.map((deal) => [deal.properties.external_deal_key, deal._new])).toEqual([
      ['ext-1', true],
      ['ext-2', true],
    ]);
    const second = await deals().batchApi.upsert({
      inputs: [
        {
          id: 'ext-1',
          idProperty: 'external_deal_key',
          properties: { dealname: 'Upserted again' },
        },
        {
          id: 'ext-3',
          idProperty: 'external_deal_key',
          properties: { dealname: 'Upserted three' },
        },
      ],
    });
    expect(second.results.map((deal) => [deal.properties.external_deal_key, deal._new])).toEqual([
      ['ext-1', false],
      ['ext-3', true],
    ]);
    expect(second.results[0]?.id).toBe(first.results[0]?.id);
    expect(second.results[0]?.properties.dealname).toBe('Upserted again');
  });

  it('refuses an upsert by a property whose values are not unique', async () => {
    const error = await apiFailure(
      deals().batchApi.upsert({
        inputs: [{ id: 'Some name', idProperty: 'dealname', properties: { amount: '1' } }],
      }),
    );
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
    expect(String(error.body.message)).toMatch(/non-unique 0-3 property dealname/);
  });

  it('archives a batch with 204, ignoring ids that do not exist', async () => {
    const created = await deals().batchApi.create({
      inputs: inputsOf(3, (i) => ({
        properties: { dealname: `Archivable ${i}` },
        associations: [],
      })),
    });
    const response = await deals().batchApi.archiveWithHttpInfo({
      inputs: [...created.results.map((deal) => ({ id: deal.id })), { id: '39999999999997' }],
    });
    expect(response.httpStatusCode).toBe(204);
    for (const deal of created.results) {
      expect(sandbox.control.getRecord(portalId, 'deal', deal.id)).toBeUndefined();
      expect(
        sandbox.control.getRecord(portalId, 'deal', deal.id, { archived: true })?.archived,
      ).toBe(true);
    }
  });

  it('counts each batch call once per endpoint in the request log', async () => {
    sandbox.control.resetRequests();
    await deals().batchApi.create({
      inputs: inputsOf(3, (i) => ({ properties: { dealname: `Counted ${i}` }, associations: [] })),
    });
    await apiFailure(
      deals().batchApi.create({
        inputs: [{ properties: { nope: 'x' }, associations: [] }],
      }),
    );
    expect(sandbox.control.requests().counts).toEqual({
      'POST /crm/v3/objects/deals/batch/create': 2,
    });
    expect(sandbox.control.requests().statuses).toEqual({ '201': 1, '400': 1 });
  });
});
