import { Type } from '@sinclair/typebox';
import type { Kernel } from '../../../core/kernel.ts';
import { Nullable, Timestamp } from '../../../core/schemas.ts';
import { accountsByOwner, available } from '../../ledger/accounts.ts';
import { realtimeHub } from '../../../core/realtime/hub.ts';
import { COIN } from '../coins.ts';
import { searchAppUsers } from './service.ts';

export const UserView = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    status: Type.String(),
    contacts: Type.Array(Type.Object({ kind: Type.String(), value: Type.String() })),
    tags: Type.Array(Type.String()),
    platform: Nullable(Type.String()),
    signedUpAt: Timestamp,
    coins: Type.Integer({ description: 'Available COIN in the wallet.' }),
    online: Type.Boolean(),
    lastSeenAt: Nullable(Timestamp),
  },
  { $id: 'CreatorUser' },
);
export const SignUp = Type.Object({ signedUpAt: Timestamp });

/** One page of app users, with their coins and presence. */
export async function listUsers(kernel: Kernel, query: Parameters<typeof searchAppUsers>[1]) {
  const page = await searchAppUsers(kernel.db, query);
  const ids = page.items.map((item) => item.person.id);
  const wallets = await accountsByOwner(kernel.db, 'person', ids, 'wallet', COIN);
  const seen = await realtimeHub(kernel).statuses(ids);
  return {
    items: page.items.map(({ person, user }) => ({
      ...person,
      platform: user?.platform ?? null,
      signedUpAt: user!.signedUpAt.toISOString(),
      coins: wallets.get(person.id) ? available(wallets.get(person.id)!) : 0,
      online: seen.get(person.id)?.online ?? false,
      lastSeenAt: seen.get(person.id)?.lastSeenAt ?? null,
    })),
    nextCursor: page.nextCursor,
  };
}
