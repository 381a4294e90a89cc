import { getLocale } from '$lib/paraglide/runtime.js';
import { m } from '$lib/paraglide/messages.js';
import { formatMoney } from './money';

/** An amount in minor units, in the console's language. */
export const money = (minor: number, currency: string) => formatMoney(minor, currency, getLocale());

const KIND_LABELS: Record<string, () => string> = {
  wallet: m.account_kind_wallet,
  earnings: m.account_kind_earnings,
  revenue: m.account_kind_revenue,
  liability: m.account_kind_liability,
  settlement: m.account_kind_settlement,
};
export const accountKind = (kind: string) => KIND_LABELS[kind]?.() ?? kind;

/** Who holds an account, as a line of text. */
export const accountOwner = (account: { ownerType: string; ownerName: string | null }) =>
  account.ownerType === 'platform' ? m.account_owner_platform() : (account.ownerName ?? '—');

export const ownerHref = (ownerType: string, ownerId: string | null) =>
  ownerId ? `/${ownerType === 'organization' ? 'organizations' : 'people'}/${ownerId}` : null;

/** A new key per intended operation; a retried submission of the same dialog reuses it. */
export const newIdempotencyKey = () => crypto.randomUUID();
