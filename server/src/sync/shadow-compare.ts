import {
  type CommonValue,
  normalizeValue,
  type ObjectMapping,
  type ReferenceResolver,
  type SyncSide,
} from '@partnerbridge/shared/sync';

/**
 * Whether a side's mapped values (or only the `changed` fields, lowercased) equal the shadows of
 * what the sync last wrote to or agreed with that side: then nothing changed there since (a
 * polled echo of our own write, or a survivor nobody edited).
 */
export function matchesShadows(
  mapping: ObjectMapping,
  side: SyncSide,
  values: Readonly<Record<string, unknown>>,
  shadows: Readonly<Record<string, CommonValue>>,
  references: ReferenceResolver,
  changed?: ReadonlySet<string>,
): boolean {
  return mapping.fields
    .filter((field) => changed === undefined || changed.has(field[side].toLowerCase()))
    .every((field) => {
      const normalized = normalizeValue(field.transform, side, values[field[side]], references);
      return (
        normalized.ok &&
        Object.hasOwn(shadows, field[side]) &&
        shadows[field[side]] === normalized.value
      );
    });
}
