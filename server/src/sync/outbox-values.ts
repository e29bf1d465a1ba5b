import {
  type CurrencyCode,
  currencyCodes,
  currencyExponent,
  formatMoney,
} from '@partnerbridge/shared';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { deals, partnerTags } from '../db/schema/deals.ts';
import { ledgerLines } from '../db/schema/ledger.ts';
import { partners } from '../db/schema/partners.ts';

// What Partnerbridge wants the CRMs to show for a deal or a partner, from our tables: the primary
// partner (role, motion) and every tagged partner as a labelled association, the commission
// (net of the deal's ledger lines) with its explanation, and a partner's tier.

/** Salesforce's Commission Explanation is a 4,000-character long text area. */
export const EXPLANATION_LIMIT = 4_000;

export type DesiredPrimary = {
  readonly partnerId: string;
  readonly hubspotCompanyId: string | null;
  readonly salesforceAccountId: string | null;
  readonly role: 'sourced' | 'influenced';
  readonly motion: string;
};

export type DesiredDeal = {
  readonly localId: string;
  readonly hubspotId: string | null;
  readonly salesforceId: string | null;
  readonly primary: DesiredPrimary | null;
  /** Net commission in major units (canonical decimal text); null without ledger lines. */
  readonly commission: string | null;
  readonly explanation: string | null;
  /** Every live approved tag whose partner is a HubSpot company: one labelled association each. */
  readonly labels: readonly {
    readonly companyId: string;
    readonly role: 'sourced' | 'influenced';
  }[];
};

export type DesiredPartner = {
  readonly localId: string;
  readonly hubspotId: string | null;
  readonly salesforceId: string | null;
  readonly tier: string;
};

function majorUnits(minor: bigint, currency: string): string {
  const digits = (currencyCodes as readonly string[]).includes(currency)
    ? currencyExponent(currency as CurrencyCode)
    : 2;
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = digits === 0 ? '' : text.slice(text.length - digits).replace(/0+$/, '');
  const magnitude = fraction === '' ? whole : `${whole}.${fraction}`;
  return negative && magnitude !== '0' ? `-${magnitude}` : magnitude;
}

function moneyText(minor: bigint, currency: string): string {
  return (currencyCodes as readonly string[]).includes(currency)
    ? formatMoney({ amountMinor: Number(minor), currency: currency as CurrencyCode })
    : `${currency} ${majorUnits(minor, currency)}`;
}

/** Desired CRM values of some deals (absent: the deal no longer exists in Partnerbridge). */
export async function desiredDeals(
  db: Executor,
  installationId: string,
  localIds: readonly string[],
): Promise<Map<string, DesiredDeal>> {
  const out = new Map<string, DesiredDeal>();
  if (localIds.length === 0) return out;
  const dealRows = await db
    .select()
    .from(deals)
    .where(and(eq(deals.installationId, installationId), inArray(deals.id, [...localIds])));
  const ids = dealRows.map((d) => d.id);
  if (ids.length === 0) return out;
  const [tagRows, lineRows] = await Promise.all([
    db
      .select({ tag: partnerTags, partner: partners })
      .from(partnerTags)
      .innerJoin(
        partners,
        and(
          eq(partners.installationId, partnerTags.installationId),
          eq(partners.id, partnerTags.partnerId),
        ),
      )
      .where(
        and(
          eq(partnerTags.installationId, installationId),
          inArray(partnerTags.dealId, ids),
          isNull(partnerTags.removedAt),
          eq(partnerTags.registrationStatus, 'approved'),
        ),
      ),
    db
      .select({
        dealId: ledgerLines.dealId,
        partnerId: ledgerLines.partnerId,
        id: ledgerLines.id,
        amountMinor: ledgerLines.amountMinor,
        currency: ledgerLines.currency,
        explanation: ledgerLines.explanation,
        createdAt: ledgerLines.createdAt,
      })
      .from(ledgerLines)
      .where(and(eq(ledgerLines.installationId, installationId), inArray(ledgerLines.dealId, ids))),
  ]);
  const partnerNames = new Map(tagRows.map((r) => [r.partner.id, r.partner.name]));
  const missingNames = [
    ...new Set(lineRows.map((l) => l.partnerId).filter((id) => !partnerNames.has(id))),
  ];
  if (missingNames.length > 0) {
    const rows = await db
      .select({ id: partners.id, name: partners.name })
      .from(partners)
      .where(and(eq(partners.installationId, installationId), inArray(partners.id, missingNames)));
    for (const row of rows) partnerNames.set(row.id, row.name);
  }

  for (const deal of dealRows) {
    const tags = tagRows.filter((r) => r.tag.dealId === deal.id);
    // The Opportunity's single partner slot, as the connector's primaryPartnerTag picks it:
    // sourced first, then the earliest touch, then the partner id.
    const primary = [...tags].sort(
      (a, b) =>
        (a.tag.role === 'sourced' ? 0 : 1) - (b.tag.role === 'sourced' ? 0 : 1) ||
        a.tag.touchedAt.getTime() - b.tag.touchedAt.getTime() ||
        (a.partner.id < b.partner.id ? -1 : a.partner.id > b.partner.id ? 1 : 0),
    )[0];
    const lines = lineRows.filter((l) => l.dealId === deal.id);
    const totals = new Map<string, bigint>();
    for (const line of lines)
      totals.set(line.currency, (totals.get(line.currency) ?? 0n) + BigInt(line.amountMinor));
    // One currency is one number; several (rare: payouts in another currency) cannot be summed.
    const [only] = totals.size === 1 ? [...totals] : [];
    const byPartner = new Map<string, typeof lines>();
    for (const line of lines)
      byPartner.set(line.partnerId, [...(byPartner.get(line.partnerId) ?? []), line]);
    const parts = [...byPartner.entries()]
      .map(([partnerId, own]) => {
        const sums = new Map<string, bigint>();
        for (const line of own)
          sums.set(line.currency, (sums.get(line.currency) ?? 0n) + BigInt(line.amountMinor));
        const latest = [...own]
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
          .at(-1);
        const why = typeof latest?.explanation === 'string' ? latest.explanation : '';
        const amounts = [...sums]
          .map(([currency, minor]) => moneyText(minor, currency))
          .join(' + ');
        return `${partnerNames.get(partnerId) ?? 'Partner'}: ${amounts}${why === '' ? '' : ` (${why})`}`;
      })
      .sort();
    const explanation = parts.join('\n').slice(0, EXPLANATION_LIMIT).trim();
    out.set(deal.id, {
      localId: deal.id,
      hubspotId: deal.hubspotDealId,
      salesforceId: deal.salesforceOpportunityId,
      primary:
        primary === undefined
          ? null
          : {
              partnerId: primary.partner.id,
              hubspotCompanyId: primary.partner.hubspotCompanyId,
              salesforceAccountId: primary.partner.salesforceAccountId,
              role: primary.tag.role,
              motion: primary.tag.motion,
            },
      commission: only === undefined ? null : majorUnits(only[1], only[0]),
      explanation: explanation === '' ? null : explanation,
      labels: tags
        .filter((r) => r.partner.hubspotCompanyId !== null)
        .map((r) => ({ companyId: r.partner.hubspotCompanyId as string, role: r.tag.role })),
    });
  }
  return out;
}

/** Desired CRM values of some partners (their tier). */
export async function desiredPartners(
  db: Executor,
  installationId: string,
  localIds: readonly string[],
): Promise<Map<string, DesiredPartner>> {
  if (localIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(partners)
    .where(and(eq(partners.installationId, installationId), inArray(partners.id, [...localIds])));
  return new Map(
    rows.map((row) => [
      row.id,
      {
        localId: row.id,
        hubspotId: row.hubspotCompanyId,
        salesforceId: row.salesforceAccountId,
        tier: row.tier,
      },
    ]),
  );
}
