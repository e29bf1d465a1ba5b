import { SyncCallError } from '../sync-errors.ts';
import type { HubspotApi } from './hubspot-api.ts';

// Batched HubSpot object calls (≤ 100 inputs each) with per-input results: 207 multi-status
// errors are attributed to their inputs, and a batch update refused as a whole (400: one invalid
// value fails every input) is split in halves until the bad inputs are isolated, so one bad
// record never blocks its neighbours and costs O(bad × log n) extra calls, only when it happens.

export const HUBSPOT_BATCH_LIMIT = 100;
/** HubSpot's cap for batch reads with property history. */
export const HUBSPOT_HISTORY_BATCH_LIMIT = 50;

export type HubspotObjectType = 'deals' | 'companies';

export type HubspotRecord = {
  readonly id: string;
  readonly properties: Readonly<Record<string, string | null>>;
  readonly propertiesWithHistory?: Readonly<
    Record<string, readonly { value: string; timestamp: string; sourceType?: string }[]>
  >;
  readonly updatedAt?: string;
  readonly archived?: boolean;
  readonly archivedAt?: string;
};

type BatchAnswer = {
  results?: HubspotRecord[];
  errors?: { category?: string; message?: string; context?: Record<string, string[]> }[];
};

export type PerInput<T> = { ok: true; value: T } | { ok: false; error: SyncCallError };

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Records by id; ids HubSpot does not know (deleted, archived) are absent from the map. With
 * `archived: true`, only archived records are answered (with their `archivedAt`).
 */
export async function batchRead(
  api: HubspotApi,
  type: HubspotObjectType,
  ids: readonly string[],
  properties: readonly string[],
  options: { withHistory?: readonly string[]; archived?: boolean } = {},
): Promise<Map<string, HubspotRecord>> {
  const out = new Map<string, HubspotRecord>();
  const unique = [...new Set(ids)];
  const history = options.withHistory ?? [];
  const size = history.length > 0 ? HUBSPOT_HISTORY_BATCH_LIMIT : HUBSPOT_BATCH_LIMIT;
  for (const chunk of chunks(unique, size)) {
    const path = `/crm/v3/objects/${type}/batch/read${options.archived === true ? '?archived=true' : ''}`;
    const answer = await api.request<BatchAnswer>('POST', path, {
      inputs: chunk.map((id) => ({ id })),
      properties,
      ...(history.length > 0 ? { propertiesWithHistory: history } : {}),
    });
    for (const record of answer?.results ?? []) out.set(String(record.id), record);
  }
  return out;
}

/** Updates by id; one result per input id. */
export async function batchUpdate(
  api: HubspotApi,
  type: HubspotObjectType,
  inputs: readonly { id: string; properties: Record<string, string> }[],
): Promise<Map<string, PerInput<HubspotRecord>>> {
  const results = new Map<string, PerInput<HubspotRecord>>();
  const send = async (chunk: readonly { id: string; properties: Record<string, string> }[]) => {
    try {
      const answer = await api.request<BatchAnswer>(
        'POST',
        `/crm/v3/objects/${type}/batch/update`,
        {
          inputs: chunk,
        },
      );
      for (const record of answer?.results ?? []) {
        results.set(String(record.id), { ok: true, value: record });
      }
      for (const error of answer?.errors ?? []) {
        for (const id of error.context?.ids ?? []) {
          results.set(String(id), {
            ok: false,
            error: new SyncCallError('hubspot', 'permanent', {
              errorCode: error.category ?? 'ERROR',
              message: error.message ?? 'HubSpot refused this record',
            }),
          });
        }
      }
    } catch (error) {
      if (!(error instanceof SyncCallError) || error.kind !== 'permanent') throw error;
      if (chunk.length === 1) {
        const [only] = chunk;
        if (only !== undefined) results.set(only.id, { ok: false, error });
        return;
      }
      const half = Math.ceil(chunk.length / 2);
      await send(chunk.slice(0, half));
      await send(chunk.slice(half));
    }
  };
  for (const chunk of chunks(inputs, HUBSPOT_BATCH_LIMIT)) await send(chunk);
  for (const input of inputs) {
    if (!results.has(input.id)) {
      results.set(input.id, {
        ok: false,
        error: new SyncCallError('hubspot', 'retry_later', {
          errorCode: 'NO_RESULT',
          message: 'HubSpot answered without a result for this record',
        }),
      });
    }
  }
  return results;
}

/**
 * Archives records by id (≤ 100 a call). HubSpot answers 204 for the batch, also for ids already
 * archived or unknown, so an archive repeated after a crash is harmless.
 */
export async function batchArchive(
  api: HubspotApi,
  type: HubspotObjectType,
  ids: readonly string[],
): Promise<void> {
  for (const chunk of chunks([...new Set(ids)], HUBSPOT_BATCH_LIMIT)) {
    await api.request('POST', `/crm/v3/objects/${type}/batch/archive`, {
      inputs: chunk.map((id) => ({ id })),
    });
  }
}

type ListAnswer = { results?: HubspotRecord[]; paging?: { next?: { after?: string } } };

/** One page (≤ 100) of archived records, with their `archivedAt`. */
export async function archivedPage(
  api: HubspotApi,
  type: HubspotObjectType,
  after: string | undefined,
): Promise<{ results: HubspotRecord[]; after: string | undefined }> {
  const query = new URLSearchParams({ archived: 'true', limit: String(HUBSPOT_BATCH_LIMIT) });
  if (after !== undefined) query.set('after', after);
  const answer = await api.request<ListAnswer>('GET', `/crm/v3/objects/${type}?${query}`);
  return { results: answer?.results ?? [], after: answer?.paging?.next?.after };
}

/**
 * Creates records; `key` names each input (it must also be in its properties under `keyProperty`,
 * which is how created records are matched back to inputs). Per-input results by key.
 */
export async function batchCreate(
  api: HubspotApi,
  type: HubspotObjectType,
  keyProperty: string,
  inputs: readonly { key: string; properties: Record<string, string> }[],
): Promise<Map<string, PerInput<HubspotRecord>>> {
  const results = new Map<string, PerInput<HubspotRecord>>();
  for (const chunk of chunks(inputs, HUBSPOT_BATCH_LIMIT)) {
    let answer: BatchAnswer | undefined;
    try {
      answer = await api.request<BatchAnswer>('POST', `/crm/v3/objects/${type}/batch/create`, {
        inputs: chunk.map((input) => ({
          properties: { ...input.properties, [keyProperty]: input.key },
          objectWriteTraceId: input.key,
        })),
      });
    } catch (error) {
      if (!(error instanceof SyncCallError) || error.kind !== 'permanent') throw error;
      for (const input of chunk) results.set(input.key, { ok: false, error });
      continue;
    }
    for (const record of answer?.results ?? []) {
      const key = record.properties[keyProperty];
      if (key !== null && key !== undefined) results.set(key, { ok: true, value: record });
    }
    for (const error of answer?.errors ?? []) {
      for (const key of error.context?.objectWriteTraceId ?? []) {
        results.set(key, {
          ok: false,
          error: new SyncCallError('hubspot', 'permanent', {
            errorCode: error.category ?? 'ERROR',
            message: error.message ?? 'HubSpot refused this record',
          }),
        });
      }
    }
  }
  return results;
}

type SearchAnswer = {
  total?: number;
  results?: HubspotRecord[];
  paging?: { next?: { after?: string } };
};

export type SearchFilter = {
  propertyName: string;
  operator: string;
  value?: string;
  values?: string[];
};

/** One search page (≤ 200): the separate 5-per-second budget, never the ten-second one. */
export async function searchPage(
  api: HubspotApi,
  type: HubspotObjectType,
  request: {
    filters: readonly SearchFilter[];
    /** Several groups (OR of ANDs, ≤ 5) instead of `filters`. */
    filterGroups?: readonly (readonly SearchFilter[])[];
    sorts?: readonly { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
    properties: readonly string[];
    limit: number;
    after?: string;
  },
): Promise<{ results: HubspotRecord[]; after: string | undefined; total: number }> {
  const answer = await api.request<SearchAnswer>(
    'POST',
    `/crm/v3/objects/${type}/search`,
    {
      filterGroups: (request.filterGroups ?? [request.filters]).map((filters) => ({ filters })),
      sorts: request.sorts ?? [],
      properties: request.properties,
      limit: request.limit,
      ...(request.after === undefined ? {} : { after: request.after }),
    },
    { search: true },
  );
  return {
    results: answer?.results ?? [],
    after: answer?.paging?.next?.after,
    total: answer?.total ?? 0,
  };
}

type AssociationAnswer = {
  results?: {
    from: { id: string | number };
    to: {
      toObjectId: string | number;
      associationTypes: { category: string; typeId: number; label?: string | null }[];
    }[];
  }[];
};

export type AssociationLink = {
  readonly toId: string;
  readonly types: readonly { readonly typeId: number; readonly label: string | null }[];
};

/** Deal → company associations with their types (≤ 1,000 deals a call). */
export async function readDealCompanies(
  api: HubspotApi,
  dealIds: readonly string[],
): Promise<Map<string, AssociationLink[]>> {
  const out = new Map<string, AssociationLink[]>();
  for (const chunk of chunks([...new Set(dealIds)], 1_000)) {
    let answer: AssociationAnswer | undefined;
    try {
      answer = await api.request<AssociationAnswer>(
        'POST',
        '/crm/v4/associations/deals/companies/batch/read',
        { inputs: chunk.map((id) => ({ id })) },
      );
    } catch (error) {
      // A 207 for deals without associations is not a failure; a 400 for all of them is none.
      if (error instanceof SyncCallError && error.kind === 'permanent') continue;
      throw error;
    }
    for (const row of answer?.results ?? []) {
      out.set(
        String(row.from.id),
        row.to.map((to) => ({
          toId: String(to.toObjectId),
          types: to.associationTypes.map((t) => ({ typeId: t.typeId, label: t.label ?? null })),
        })),
      );
    }
  }
  return out;
}

/** Creates labelled or primary deal → company associations in one call. */
export async function createDealCompanyAssociations(
  api: HubspotApi,
  inputs: readonly { dealId: string; companyId: string; typeId: number; category: string }[],
): Promise<void> {
  for (const chunk of chunks(inputs, 1_000)) {
    await api.request('POST', '/crm/v4/associations/deals/companies/batch/create', {
      inputs: chunk.map((input) => ({
        from: { id: input.dealId },
        to: { id: input.companyId },
        types: [{ associationCategory: input.category, associationTypeId: input.typeId }],
      })),
    });
  }
}
