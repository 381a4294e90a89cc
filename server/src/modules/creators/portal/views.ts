import { Type } from '@sinclair/typebox';
import type { Kernel } from '../../../core/kernel.ts';
import { Nullable, Timestamp } from '../../../core/schemas.ts';
import { accountsByOwner, available } from '../../ledger/accounts.ts';
import type { PayoutApplication } from '../../payouts/service.ts';
import { subjectNames } from '../../people/people.ts';
import { COIN } from '../coins.ts';
import type { Streamer } from '../streamers/service.ts';
import { STREAMER_RULES_SETTING } from './service.ts';

export const MyPayout = Type.Object(
  {
    id: Type.String(),
    currency: Type.String(),
    amount: Type.Integer(),
    fee: Type.Integer(),
    net: Type.Integer(),
    state: Type.String(),
    note: Nullable(Type.String()),
    createdAt: Timestamp,
    approvedAt: Nullable(Timestamp),
    paidAt: Nullable(Timestamp),
    rejectionReason: Nullable(Type.String()),
  },
  { $id: 'MyPayoutApplication' },
);
export const PortalView = Type.Object({
  status: Type.String(),
  suspendedReason: Nullable(Type.String()),
  rating: Type.Integer(),
  agency: Nullable(Type.Object({ id: Type.String(), name: Nullable(Type.String()) })),
  earnings: Type.Object({
    accountId: Nullable(Type.String()),
    currency: Type.String(),
    posted: Type.Integer(),
    held: Type.Integer(),
    available: Type.Integer(),
  }),
  rules: Type.String(),
});

const iso = (d: Date | null) => d?.toISOString() ?? null;
export const myPayout = (a: PayoutApplication) => ({
  id: a.id,
  currency: a.currency,
  amount: a.amount,
  fee: a.fee,
  net: a.amount - a.fee,
  state: a.state,
  note: a.note,
  createdAt: a.createdAt.toISOString(),
  approvedAt: iso(a.approvedAt),
  paidAt: iso(a.paidAt),
  rejectionReason: a.rejectionReason,
});

/** A streamer's portal: status, agency, COIN earnings and the rules for streamers. */
export async function portalView(kernel: Kernel, streamer: Streamer) {
  const account = (await accountsByOwner(kernel.db, 'person', [streamer.personId], 'earnings', COIN)).get(streamer.personId);
  const agencyName = streamer.agencyId
    ? ((await subjectNames(kernel.db, [{ type: 'organization', id: streamer.agencyId }])).get(streamer.agencyId) ?? null)
    : null;
  return {
    status: streamer.status,
    suspendedReason: streamer.suspendedReason,
    rating: streamer.rating,
    agency: streamer.agencyId ? { id: streamer.agencyId, name: agencyName } : null,
    earnings: {
      accountId: account?.id ?? null,
      currency: COIN,
      posted: account?.posted ?? 0,
      held: account?.held ?? 0,
      available: account ? available(account) : 0,
    },
    rules: kernel.settings.get<string>(STREAMER_RULES_SETTING),
  };
}
