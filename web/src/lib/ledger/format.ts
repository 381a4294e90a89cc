import { getLocale } from '$lib/paraglide/runtime.js';
import { codeLabel } from '$lib/labels';
import { m } from '$lib/paraglide/messages.js';
import { formatMoney } from './money';

/** An amount in minor units, in the console's language. */
export const money = (minor: number, currency: string) => formatMoney(minor, currency, getLocale());

export const accountKind = (kind: string) => codeLabel('account_kind', kind);

/** Who holds an account, as a line of text. */
export const accountOwner = (account: { ownerType: string; ownerName: string | null }) =>
  account.ownerType === 'platform' ? m.account_owner_platform() : (account.ownerName ?? '—');

export const ownerHref = (ownerType: string, ownerId: string | null) =>
  ownerId ? `/${ownerType === 'organization' ? 'organizations' : 'people'}/${ownerId}` : null;

/** A new key per intended operation; a retried submission of the same dialog reuses it. */
export const newIdempotencyKey = () => crypto.randomUUID();
