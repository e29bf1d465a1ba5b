import type { RuleDraft } from '../vendor/shared/api/index.ts';
import { formatMoney } from '../vendor/shared/format.ts';
import type { Money } from '../vendor/shared/money.ts';
import { percentFromRate } from './helpers.ts';

// Commission rules in words, for the rules table and the forms.

type Match = RuleDraft['match'];
type Payout = RuleDraft['payout'];

const money = (amount: { amountMinor: number; currency: string }) => formatMoney(amount as Money);
const pct = (rate: string) => `${percentFromRate(rate)} %`;
const words = (value: string) => value.replace(/_/g, '-');

export function matchText(match: Match): string {
  const parts = [
    match.partnerType === undefined ? null : `${match.partnerType} partners`,
    match.partnerSubtype === undefined ? null : `subtype ${match.partnerSubtype}`,
    match.partnerId === undefined ? null : `partner ${match.partnerId}`,
    match.tier === undefined ? null : `tier ${match.tier}`,
    match.motion === undefined ? null : words(match.motion),
    match.role === undefined ? null : match.role,
    match.dealType === undefined ? null : words(match.dealType),
    match.minAmount === undefined ? null : `deals from ${money(match.minAmount)}`,
  ].filter((part) => part !== null);
  return parts.length === 0 ? 'every credited partner' : parts.join(', ');
}

export function payoutText(payout: Payout): string {
  switch (payout.kind) {
    case 'percent':
      return pct(payout.rate);
    case 'flat':
      return `${money(payout.amount)} per partner`;
    case 'tier_rates':
      return payout.rates.map((rate) => `${rate.tier} ${pct(rate.rate)}`).join(', ');
    case 'motion_rates':
      return payout.rates.map((rate) => `${words(rate.motion)} ${pct(rate.rate)}`).join(', ');
    case 'brackets':
      return `${payout.mode} brackets: ${payout.brackets.map((b) => `from ${money(b.from)} ${pct(b.rate)}`).join(', ')}`;
  }
}
