import { Type } from '@sinclair/typebox';
import type { Executor } from '../../../core/db/client.ts';
import { Nullable, Timestamp } from '../../../core/schemas.ts';
import { accountsByOwner, available } from '../../ledger/accounts.ts';
import { COIN } from '../coins.ts';
import { streamerCounts } from '../streamers/service.ts';
import { searchAgencies } from './service.ts';

export const AgencyView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    status: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
    streamers: Type.Integer(),
    earnings: Type.Integer({ description: 'Available COIN earnings.' }),
    earningsAccountId: Nullable(Type.String()),
    createdAt: Timestamp,
  },
  { $id: 'CreatorAgency' },
);
export const CreatedAgency = Type.Object({ id: Type.String(), name: Type.String() });

/** One page of agencies, with how many streamers they have and their available earnings. */
export async function listAgencies(db: Executor, query: Parameters<typeof searchAgencies>[1]) {
  const page = await searchAgencies(db, query);
  const ids = page.items.map((a) => a.id);
  const streamers = await streamerCounts(db, ids);
  const earnings = await accountsByOwner(db, 'organization', ids, 'earnings', COIN);
  return {
    items: page.items.map((agency) => {
      const account = earnings.get(agency.id);
      return { ...agency, streamers: streamers.get(agency.id) ?? 0, earnings: account ? available(account) : 0, earningsAccountId: account?.id ?? null };
    }),
    nextCursor: page.nextCursor,
  };
}
