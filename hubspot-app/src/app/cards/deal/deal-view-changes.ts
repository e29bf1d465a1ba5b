import type {
  DealView,
  PartnerRef,
  TagMutationResponse,
  TagView,
} from '../vendor/shared/api/index.ts';
import type { Motion, Role } from './labels.ts';

// Pure functions over the deal view: applying a mutation's answer, and the optimistic overlay
// shown while a mutation runs (a pending row, a row on its way out, a changed row).

/** The server's answer is the truth: the tag as stored and the deal's whole new effect. */
export function applyTagMutation(view: DealView, response: TagMutationResponse): DealView {
  const gone = response.outcome === 'removed' || response.tag.removedAt !== null;
  const others = view.tags.filter((tag) => tag.id !== response.tag.id);
  const exists = others.length !== view.tags.length;
  const tags = gone
    ? others
    : exists
      ? view.tags.map((tag) => (tag.id === response.tag.id ? response.tag : tag))
      : [...view.tags, response.tag];
  return {
    ...view,
    tags,
    attribution: response.effect.attribution,
    commissions: response.effect.commissions,
    conflicts: response.effect.conflicts,
  };
}

export type PendingChange =
  | {
      readonly kind: 'create';
      readonly key: string;
      readonly partner: PartnerRef;
      readonly role: Role;
      readonly motion: Motion;
      readonly share: string | null;
    }
  | {
      readonly kind: 'update';
      readonly tagId: string;
      readonly role: Role;
      readonly motion: Motion;
      readonly share: string | null;
    }
  | { readonly kind: 'remove'; readonly tagId: string };

export type TagRow = {
  readonly id: string;
  readonly partner: PartnerRef;
  readonly role: Role;
  readonly motion: Motion;
  readonly share: string | null;
  readonly taggedBy: string | null;
  /** The stored tag; null for a row still being created. */
  readonly tag: TagView | null;
  /** What is happening to the row right now, if anything. */
  readonly pending: 'creating' | 'saving' | 'removing' | null;
};

export function tagRows(tags: readonly TagView[], pending: readonly PendingChange[]): TagRow[] {
  const rows: TagRow[] = tags.map((tag) => {
    const change = pending.find((p) => p.kind !== 'create' && p.tagId === tag.id);
    const base: TagRow = {
      id: tag.id,
      partner: tag.partner,
      role: tag.role,
      motion: tag.motion,
      share: tag.share,
      taggedBy: tag.taggedBy,
      tag,
      pending: null,
    };
    if (change?.kind === 'update') {
      return {
        ...base,
        role: change.role,
        motion: change.motion,
        share: change.share,
        pending: 'saving',
      };
    }
    if (change?.kind === 'remove') return { ...base, pending: 'removing' };
    return base;
  });
  for (const change of pending) {
    if (change.kind !== 'create') continue;
    rows.push({
      id: change.key,
      partner: change.partner,
      role: change.role,
      motion: change.motion,
      share: change.share,
      taggedBy: null,
      tag: null,
      pending: 'creating',
    });
  }
  return rows;
}
