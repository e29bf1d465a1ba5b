import {
  type AttributionModelKind,
  addDays,
  type FxConversion,
  formatRate,
  type IsoDate,
  type Program,
  registered,
} from '@partnerbridge/shared';
import type { FxView, PartnerRef, TagView } from '@partnerbridge/shared/api';
import { dateOf } from './dates.ts';
import type { PartnerRow, TagRow } from './projection.ts';
import { isCounted } from './projection.ts';

// Row → API view helpers shared by the deal view, the tier card and the settings endpoints.

const modelLabels: Readonly<Record<AttributionModelKind, string>> = {
  sourced_takes_all: 'Sourced takes all (influence is recorded)',
  explicit_split: 'Explicit split',
  even_split: 'Even split',
  first_touch: 'First touch',
  last_touch: 'Last touch',
  time_decay: 'Time decay',
  position_based: 'Position-based',
};

export function attributionModelLabel(kind: AttributionModelKind): string {
  return modelLabels[kind];
}

export function tierNameOf(program: Pick<Program, 'tiers'>, tier: string): string {
  if (tier === registered) return 'Registered';
  return program.tiers.find((definition) => definition.id === tier)?.name ?? tier;
}

export function partnerRef(row: PartnerRow, program: Pick<Program, 'tiers'>): PartnerRef {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    subtype: row.subtype,
    tier: row.tier,
    tierName: tierNameOf(program, row.tier),
    hubspotCompanyId: row.hubspotCompanyId,
  };
}

/** Last day a tag's registration protects the deal, under the program's policy. */
export function protectedUntil(tag: Pick<TagRow, 'createdAt'>, program: Program): IsoDate {
  return addDays(dateOf(tag.createdAt), program.registration.expiryDays - 1);
}

export function tagView(
  tag: TagRow,
  partner: PartnerRow,
  program: Program,
  asOf: IsoDate,
): TagView {
  const until = protectedUntil(tag, program);
  return {
    id: tag.id,
    partner: partnerRef(partner, program),
    role: tag.role,
    motion: tag.motion,
    share: tag.share,
    touchedAt: tag.touchedAt.toISOString(),
    taggedBy: tag.taggedBy,
    source: tag.source,
    counted: isCounted(tag),
    registration: {
      status: tag.registrationStatus,
      registeredOn: dateOf(tag.createdAt),
      protectedUntil: until,
      expired: asOf > until,
      decidedBy: tag.decidedBy,
      decidedAt: tag.decidedAt?.toISOString() ?? null,
      note: tag.decisionNote,
    },
    createdAt: tag.createdAt.toISOString(),
    updatedAt: tag.updatedAt.toISOString(),
    removedAt: tag.removedAt?.toISOString() ?? null,
  };
}

export function fxView(conversion: FxConversion): FxView {
  const { base, quote, rate, on } = conversion.quote;
  return {
    from: conversion.from,
    to: conversion.to,
    rate,
    rateOn: on,
    inverted: conversion.inverted,
    description: `1 ${base} = ${rate} ${quote} (rate of ${on})`,
  };
}

export function rateFormatted(rate: string | null): string | null {
  return rate === null ? null : formatRate(rate);
}
