import {
  canonicalDecimalText,
  changedKinds,
  decideRecord,
  defaultMappingDocument,
  denormalizeValue,
  type FieldMapping,
  isIncluded,
  mappingDocumentSchema,
  normalizeValue,
  type ObjectMapping,
  objectMappingOf,
  type ReferenceResolver,
  roundDecimalText,
  valuesForCreate,
} from '@partnerbridge/shared/sync';
import { describe, expect, it } from 'vitest';

function objectWith(fields: FieldMapping[], overrides: Partial<ObjectMapping> = {}): ObjectMapping {
  return {
    kind: 'deal',
    enabled: true,
    create: { inHubspot: true, inSalesforce: true },
    deletes: 'unlink',
    include: { hubspot: [], salesforce: [] },
    tieBreaker: 'hubspot',
    fields,
    ...overrides,
  };
}

const name = (policy: FieldMapping['policy'], direction: FieldMapping['direction'] = 'both') =>
  objectWith([
    { hubspot: 'dealname', salesforce: 'Name', transform: { kind: 'text' }, direction, policy },
  ]);

const noShadows = { hubspot: {}, salesforce: {} };
const agreed = (value: string) => ({ hubspot: { dealname: value }, salesforce: { Name: value } });

describe('normalizeValue', () => {
  it.each([
    ['amount 12.50 and 12.5 are equal', { kind: 'amount', minorDigits: 2 }, '12.50', '12.5'],
    ['amount rounds half to even once', { kind: 'amount', minorDigits: 2 }, '0.125', '0.12'],
    ['number keeps exact decimals', { kind: 'number' }, '0001.2300', '1.23'],
    ['boolean text any case', { kind: 'boolean' }, 'TRUE', 'true'],
    [
      'date from a midnight datetime',
      { kind: 'date', hubspotType: 'datetime' },
      '2026-03-01T00:00:00.000Z',
      '2026-03-01',
    ],
    ['domain from a website', { kind: 'domain' }, 'https://www.Acme.com/about', 'acme.com'],
    ['blank text is null', { kind: 'text' }, '   ', null],
  ] as const)('%s', (_label, transform, raw, expected) => {
    expect(normalizeValue(transform, 'hubspot', raw)).toEqual({ ok: true, value: expected });
  });

  it('reads Salesforce datetimes with +0000 offsets', () => {
    expect(
      normalizeValue({ kind: 'datetime' }, 'salesforce', '2026-01-02T03:04:05.000+0000'),
    ).toEqual({
      ok: true,
      value: '2026-01-02T03:04:05.000Z',
    });
  });

  it('compares value maps in HubSpot space and refuses unmapped values', () => {
    const stage = objectMappingOf(defaultMappingDocument(), 'deal')?.fields.find(
      (f) => f.hubspot === 'dealstage',
    );
    if (stage === undefined) throw new Error('default mapping lacks dealstage');
    expect(normalizeValue(stage.transform, 'salesforce', 'Needs Analysis')).toEqual({
      ok: true,
      value: 'qualifiedtobuy',
    });
    expect(normalizeValue(stage.transform, 'salesforce', 'Nope')).toMatchObject({ ok: false });
    expect(denormalizeValue(stage.transform, 'salesforce', 'closedwon')).toEqual({
      ok: true,
      value: 'Closed Won',
    });
  });

  it('translates references through the id links', () => {
    const links: ReferenceResolver = {
      salesforceToHubspot: (_o, id) => (id === '001A' ? '101' : undefined),
      hubspotToSalesforce: (_o, id) => (id === '101' ? '001A' : undefined),
    };
    const transform = { kind: 'reference', object: 'partner' } as const;
    expect(normalizeValue(transform, 'salesforce', '001A', links)).toEqual({
      ok: true,
      value: '101',
    });
    expect(normalizeValue(transform, 'salesforce', '001B', links)).toMatchObject({ ok: false });
    expect(denormalizeValue(transform, 'salesforce', '101', links)).toEqual({
      ok: true,
      value: '001A',
    });
  });

  it('writes blanks as empty strings to HubSpot and null to Salesforce', () => {
    expect(denormalizeValue({ kind: 'text' }, 'hubspot', null)).toEqual({ ok: true, value: '' });
    expect(denormalizeValue({ kind: 'text' }, 'salesforce', null)).toEqual({
      ok: true,
      value: null,
    });
    expect(denormalizeValue({ kind: 'amount', minorDigits: 2 }, 'salesforce', '12.5')).toEqual({
      ok: true,
      value: 12.5,
    });
  });

  it('keeps decimals exact', () => {
    expect(canonicalDecimalText('1e21')).toBe('1000000000000000000000');
    expect(canonicalDecimalText('-0.0')).toBe('0');
    expect(roundDecimalText('2.675', 2)).toBe('2.68');
    expect(roundDecimalText('-1.005', 2)).toBe('-1');
  });
});

describe('decideRecord', () => {
  it('writes nothing when both sides agree', () => {
    const decision = decideRecord({
      mapping: name('most_recent'),
      hubspot: { values: { dealname: 'Acme' } },
      salesforce: { values: { Name: 'Acme' } },
      shadows: noShadows,
    });
    expect(decision.writes).toEqual({ hubspot: {}, salesforce: {} });
    expect(decision.fields[0]).toMatchObject({ action: 'none', reason: 'in_sync' });
    expect(decision.shadows).toEqual(agreed('Acme'));
  });

  it('most_recent: the only side that changed since the last sync wins', () => {
    const decision = decideRecord({
      mapping: name('most_recent'),
      // Salesforce's record moved later (another field), but its name is what both agreed on.
      hubspot: { values: { dealname: 'New' }, modifiedAt: 100 },
      salesforce: { values: { Name: 'Old' }, modifiedAt: 500 },
      shadows: agreed('Old'),
    });
    expect(decision.writes.salesforce).toEqual({ Name: 'New' });
    expect(decision.fields[0]).toMatchObject({ winner: 'hubspot', action: 'write_salesforce' });
  });

  it('most_recent: when both changed, the later field change wins', () => {
    const decision = decideRecord({
      mapping: name('most_recent'),
      hubspot: { values: { dealname: 'Hub' }, fieldChangedAt: { dealname: 200 } },
      salesforce: { values: { Name: 'Force' }, modifiedAt: 300 },
      shadows: agreed('Old'),
    });
    expect(decision.writes).toEqual({ hubspot: { dealname: 'Force' }, salesforce: {} });
    expect(decision.fields[0]?.explanation).toContain('Salesforce is more recent');
  });

  it('most_recent: a tie goes to the tie breaker', () => {
    const decision = decideRecord({
      mapping: { ...name('most_recent'), tieBreaker: 'salesforce' },
      hubspot: { values: { dealname: 'Hub' }, modifiedAt: 5 },
      salesforce: { values: { Name: 'Force' }, modifiedAt: 5 },
      shadows: noShadows,
    });
    expect(decision.writes.hubspot).toEqual({ dealname: 'Force' });
  });

  it('an owner policy reverts the other side', () => {
    const decision = decideRecord({
      mapping: name('salesforce_wins'),
      hubspot: { values: { dealname: 'Edited in HubSpot' } },
      salesforce: { values: { Name: 'Owned' } },
      shadows: agreed('Owned'),
    });
    expect(decision.writes.hubspot).toEqual({ dealname: 'Owned' });
  });

  it.each([
    ['prefer_hubspot_unless_blank', 'H', 'S', { salesforce: { Name: 'H' } }],
    ['prefer_hubspot_unless_blank', null, 'S', { hubspot: { dealname: 'S' } }],
    ['prefer_salesforce_unless_blank', 'H', 'S', { hubspot: { dealname: 'S' } }],
    ['prefer_salesforce_unless_blank', 'H', null, { salesforce: { Name: 'H' } }],
  ] as const)('%s with HubSpot %s and Salesforce %s', (policy, hub, force, expected) => {
    const decision = decideRecord({
      mapping: name(policy),
      hubspot: { values: { dealname: hub } },
      salesforce: { values: { Name: force } },
      shadows: noShadows,
    });
    expect(decision.writes).toEqual({ hubspot: {}, salesforce: {}, ...expected });
  });

  it('a one-way mapping never writes the source side', () => {
    const decision = decideRecord({
      mapping: name('most_recent', 'hubspot_to_salesforce'),
      hubspot: { values: { dealname: 'Hub' } },
      salesforce: { values: { Name: 'Force' } },
      shadows: agreed('Hub'),
    });
    expect(decision.writes).toEqual({ hubspot: {}, salesforce: {} });
    expect(decision.fields[0]).toMatchObject({ action: 'none', reason: 'direction_forbids' });
  });

  it('skips values it cannot map and says why', () => {
    const deal = objectMappingOf(defaultMappingDocument(), 'deal');
    if (deal === undefined) throw new Error('no deal mapping');
    const decision = decideRecord({
      mapping: deal,
      hubspot: { values: { dealstage: 'closedwon' } },
      salesforce: { values: { StageName: 'Weird stage' } },
      shadows: noShadows,
    });
    const stage = decision.fields.find((f) => f.hubspotField === 'dealstage');
    expect(stage).toMatchObject({ action: 'skip', reason: 'invalid_value' });
    expect(stage?.explanation).toContain('Weird stage');
    expect(decision.writes.salesforce).not.toHaveProperty('StageName');
  });
});

describe('valuesForCreate', () => {
  it('builds the new record from the fields that may flow there', () => {
    const deal = objectMappingOf(defaultMappingDocument(), 'deal');
    if (deal === undefined) throw new Error('no deal mapping');
    const { writes, shadows } = valuesForCreate({
      mapping: deal,
      target: 'salesforce',
      source: {
        values: {
          dealname: 'Big deal',
          amount: '1200.50',
          dealstage: 'closedwon',
          closedate: '2026-05-01T00:00:00.000Z',
          pb_partner_role: '',
        },
      },
    });
    expect(writes).toEqual({
      Name: 'Big deal',
      Amount: 1200.5,
      StageName: 'Closed Won',
      CloseDate: '2026-05-01',
    });
    expect(shadows.hubspot).toMatchObject({ amount: '1200.5', closedate: '2026-05-01' });
  });
});

describe('the mapping document', () => {
  it('the default mapping is valid and maps every object', () => {
    const document = defaultMappingDocument();
    expect(mappingDocumentSchema.safeParse(document).success).toBe(true);
    expect(document.objects.map((o) => o.kind)).toEqual(['deal', 'partner', 'customer']);
  });

  it('refuses value maps that do not round-trip, reserved fields and doubles', () => {
    const result = mappingDocumentSchema.safeParse({
      schemaVersion: 1,
      objects: [
        {
          kind: 'deal',
          fields: [
            {
              hubspot: 'dealstage',
              salesforce: 'StageName',
              transform: {
                kind: 'value_map',
                hubspotToSalesforce: { a: 'X' },
                salesforceToHubspot: { X: 'b' },
              },
              direction: 'both',
              policy: 'most_recent',
            },
            {
              hubspot: 'pb_partner_tier',
              salesforce: 'Name',
              transform: { kind: 'text' },
              direction: 'both',
              policy: 'most_recent',
            },
            {
              hubspot: 'dealname',
              salesforce: 'name',
              transform: { kind: 'text' },
              direction: 'both',
              policy: 'most_recent',
            },
          ],
        },
      ],
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => i.message).join('\n') ?? '';
    expect(messages).toContain('maps back to b');
    expect(messages).toContain('pb_partner_tier is written by Partnerbridge');
    expect(messages).toContain('name is mapped twice');
  });

  it('names the kinds a change affects', () => {
    const before = defaultMappingDocument();
    const after = structuredClone(before);
    const deal = after.objects[0];
    if (deal === undefined) throw new Error('no deal');
    deal.fields = deal.fields.filter((f) => f.hubspot !== 'amount');
    expect(changedKinds(before, after)).toEqual(['deal']);
    expect(changedKinds(undefined, after)).toEqual(['deal', 'partner', 'customer']);
  });

  it('evaluates inclusion filters on raw values', () => {
    const mapping = objectWith([], {
      include: {
        hubspot: [{ field: 'pipeline', operator: 'in', values: ['default', 'Partners'] }],
        salesforce: [{ field: 'Type', operator: 'is_not_blank', values: [] }],
      },
    });
    expect(isIncluded(mapping, 'hubspot', { pipeline: 'partners' })).toBe(true);
    expect(isIncluded(mapping, 'hubspot', { pipeline: 'other' })).toBe(false);
    expect(isIncluded(mapping, 'salesforce', { type: 'New Customer' })).toBe(true);
    expect(isIncluded(mapping, 'salesforce', {})).toBe(false);
  });
});
