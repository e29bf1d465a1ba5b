import { type CurrencyCode, currencyCodes, formatMoney } from '@partnerbridge/shared';
import type { MoneyView } from '@partnerbridge/shared/api';

const supported = new Set<string>(currencyCodes);

export function isSupportedCurrency(currency: string): currency is CurrencyCode {
  return supported.has(currency);
}

/** Money as the API sends it: minor units, currency and the core's display string. */
export function moneyView(amountMinor: number, currency: string): MoneyView {
  const formatted = isSupportedCurrency(currency)
    ? formatMoney({ amountMinor, currency })
    : `${currency} ${amountMinor} (minor units)`;
  return { amountMinor, currency, formatted };
}

export function toMoneyView(amount: { amountMinor: number; currency: string }): MoneyView {
  return moneyView(amount.amountMinor, amount.currency);
}
