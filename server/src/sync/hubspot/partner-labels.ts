import { hubspotPartnerAssociationLabels } from '@partnerbridge/shared/crm-fields';
import { SyncCallError } from '../sync-errors.ts';
import type { HubspotApi } from './hubspot-api.ts';
import type { PerInput } from './hubspot-objects.ts';

// The deal → company association labels that record partner tags natively in HubSpot ("Sourced
// partner", "Influencing partner"): found by label, created on first use, and written or removed
// in batches with one result per deal, so one refused deal never blocks its neighbours.

export type PartnerRole = (typeof hubspotPartnerAssociationLabels)[number]['role'];

/** Association type id (deal → company, USER_DEFINED) of each partner role's label. */
export type PartnerLabelTypes = Readonly<Record<PartnerRole, number>>;

const LABELS_PATH = '/crm/v4/associations/deals/companies/labels';
const WRITE_CHUNK = 1_000;

type BatchErrors = { errors?: { context?: Record<string, unknown[]> }[] };

type LabelList = { results?: { category?: string; typeId: number; label?: string | null }[] };

/** The label type ids, creating the labels that do not exist yet (two calls at most, once). */
export async function ensurePartnerLabels(api: HubspotApi): Promise<PartnerLabelTypes> {
  const find = (list: LabelList | undefined, label: string) =>
    list?.results?.find((r) => r.category === 'USER_DEFINED' && r.label === label)?.typeId;
  let list = await api.request<LabelList>('GET', LABELS_PATH);
  const out: Partial<Record<PartnerRole, number>> = {};
  for (const definition of hubspotPartnerAssociationLabels) {
    let typeId = find(list, definition.label);
    if (typeId === undefined) {
      try {
        const created = await api.request<LabelList>('POST', LABELS_PATH, {
          name: definition.name,
          label: definition.label,
        });
        typeId = find(created, definition.label);
      } catch (error) {
        // Another process created it between our read and our create.
        if (!(error instanceof SyncCallError) || !/already exists|CONFLICT/i.test(error.message))
          throw error;
      }
      if (typeId === undefined) {
        list = await api.request<LabelList>('GET', LABELS_PATH);
        typeId = find(list, definition.label);
      }
    }
    if (typeId === undefined) {
      throw new SyncCallError('hubspot', 'permanent', {
        errorCode: 'LABEL_MISSING',
        message: `the association label "${definition.label}" could not be created`,
      });
    }
    out[definition.role] = typeId;
  }
  return out as PartnerLabelTypes;
}

export type LabelWrite = {
  readonly dealId: string;
  readonly companyId: string;
  readonly typeId: number;
};

/**
 * Creates (`create`) or removes (`archive`) labelled associations. Results per deal id: a deal
 * fails when any of its inputs failed.
 */
export async function writePartnerLabels(
  api: HubspotApi,
  action: 'create' | 'archive',
  writes: readonly LabelWrite[],
): Promise<Map<string, PerInput<true>>> {
  const results = new Map<string, PerInput<true>>();
  const path = `/crm/v4/associations/deals/companies/batch/${action === 'create' ? 'create' : 'labels/archive'}`;
  const send = async (chunk: readonly LabelWrite[]) => {
    try {
      const answer = await api.request<BatchErrors | undefined>('POST', path, {
        inputs: chunk.map((write) => ({
          from: { id: write.dealId },
          to: { id: write.companyId },
          types: [{ associationCategory: 'USER_DEFINED', associationTypeId: write.typeId }],
        })),
      });
      // A 207 names the records it could not find (deleted deals or companies).
      const missing = new Set(
        (answer?.errors ?? []).flatMap((e) =>
          Object.values(e.context ?? {})
            .flat()
            .map(String),
        ),
      );
      for (const write of chunk) {
        if (missing.has(write.dealId) || missing.has(write.companyId)) {
          results.set(write.dealId, {
            ok: false,
            error: new SyncCallError('hubspot', 'permanent', {
              errorCode: 'OBJECT_NOT_FOUND',
              message: `deal ${write.dealId} or company ${write.companyId} no longer exists`,
            }),
          });
        } else if (!results.has(write.dealId)) {
          results.set(write.dealId, { ok: true, value: true });
        }
      }
    } catch (error) {
      if (!(error instanceof SyncCallError) || error.kind !== 'permanent') throw error;
      if (chunk.length === 1) {
        const [only] = chunk;
        if (only !== undefined) results.set(only.dealId, { ok: false, error });
        return;
      }
      // Refused as a whole: halve until the bad input is alone.
      const half = Math.ceil(chunk.length / 2);
      await send(chunk.slice(0, half));
      await send(chunk.slice(half));
    }
  };
  for (let i = 0; i < writes.length; i += WRITE_CHUNK) await send(writes.slice(i, i + WRITE_CHUNK));
  return results;
}
