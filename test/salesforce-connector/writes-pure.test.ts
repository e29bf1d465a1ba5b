import { COLLECTION_LIMIT, packChunks } from '@partnerbridge/salesforce-connector';
import { describe, expect, it } from 'vitest';
import { bulkUpsertCsv, parseBulkError } from '../../salesforce-connector/src/write/bulk-upsert.ts';
import { backoffDelay } from '../../salesforce-connector/src/write/chunking.ts';

// Pure parts of the write path: chunk packing by parent, backoff, the Bulk 2.0 CSV and its errors.

function check(parents: (string | null)[], size = COLLECTION_LIMIT) {
  const chunks = packChunks(parents, size);
  expect(chunks.flat().sort((a, b) => a - b)).toEqual(parents.map((_, i) => i));
  for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(size);
  expect(chunks.length).toBe(Math.ceil(parents.length / size));
  return chunks;
}

const chunkOf = (chunks: number[][], index: number) => chunks.findIndex((c) => c.includes(index));

describe(packChunks, () => {
  it('uses ⌈n/200⌉ chunks and keeps input order inside a chunk', () => {
    const chunks = check(Array.from({ length: 450 }, () => null));
    expect(chunks.map((c) => c.length)).toEqual([200, 200, 50]);
    expect(chunks[0]?.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('keeps every parent in one chunk when that costs no extra call', () => {
    // 4 parents × 90 records fit whole in the two calls 360 records need anyway.
    const parents = Array.from({ length: 360 }, (_, i) => `acc-${i % 4}`);
    const chunks = check(parents);
    for (const parent of ['acc-0', 'acc-1', 'acc-2', 'acc-3']) {
      const owners = new Set(parents.flatMap((p, i) => (p === parent ? [chunkOf(chunks, i)] : [])));
      expect(owners.size).toBe(1);
    }
  });

  it('falls back to contiguous parents when whole groups would need more calls', () => {
    const parents = Array.from({ length: 390 }, (_, i) => `acc-${i % 3}`);
    const chunks = check(parents);
    // Sorted by parent: each parent spans at most two adjacent chunks.
    for (const parent of ['acc-0', 'acc-1', 'acc-2']) {
      const owners = [
        ...new Set(parents.flatMap((p, i) => (p === parent ? [chunkOf(chunks, i)] : []))),
      ];
      expect(owners.length).toBeLessThanOrEqual(2);
    }
    check(Array.from({ length: 250 }, () => 'one-big-parent'));
    expect(packChunks([])).toEqual([]);
  });
});

describe(backoffDelay, () => {
  it('doubles the ceiling per attempt with full jitter, capped', () => {
    const top = () => 0.999_999;
    expect(backoffDelay(0, { baseDelayMs: 100, random: top })).toBe(99);
    expect(backoffDelay(3, { baseDelayMs: 100, random: top })).toBe(799);
    expect(backoffDelay(10, { baseDelayMs: 100, maxDelayMs: 1_000, random: top })).toBe(999);
    expect(backoffDelay(5, { random: () => 0 })).toBe(0);
  });
});

describe(bulkUpsertCsv, () => {
  it('gives every row the same columns: empty leaves a field alone, null writes #N/A', () => {
    const csv = bulkUpsertCsv('PB_HubSpot_Deal_Id__c', [
      { externalId: 'hs-1', fields: { Name: 'Plain', Amount: 1234.5 } },
      { externalId: 'hs-2', fields: { Name: 'Comma, "quoted"', StageName: 'Closed Won' } },
      { externalId: 'hs-3', fields: { Amount: null, Name: ' padded ', IsPrivate: true } },
    ]);
    expect(csv).toBe(
      [
        'PB_HubSpot_Deal_Id__c,Amount,IsPrivate,Name,StageName',
        'hs-1,1234.5,,Plain,',
        'hs-2,,,"Comma, ""quoted""",Closed Won',
        'hs-3,#N/A,true," padded ",',
        '',
      ].join('\n'),
    );
  });
});

describe(parseBulkError, () => {
  it('reads sf__Error into code, message and fields', () => {
    expect(
      parseBulkError(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:Stage: bad value for restricted picklist field: Nope:StageName --',
      ),
    ).toMatchObject({
      code: 'permanent',
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Stage: bad value for restricted picklist field: Nope',
      fields: ['StageName'],
    });
    expect(parseBulkError('UNABLE_TO_LOCK_ROW:unable to obtain exclusive access:--')).toMatchObject(
      {
        code: 'retry_later',
        fields: [],
      },
    );
    expect(
      parseBulkError('REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name,CloseDate --')
        .fields,
    ).toEqual(['Name', 'CloseDate']);
  });
});
