import { Type } from '@sinclair/typebox';
import type { Executor } from '../../../core/db/client.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { defineCodes } from '../../../core/labels.ts';
import { Nullable, Timestamp } from '../../../core/schemas.ts';
import { accountsByOwner, available } from '../../ledger/accounts.ts';
import { realtimeHub } from '../../../core/realtime/hub.ts';
import { getPerson, subjectNames } from '../../people/people.ts';
import { COIN } from '../coins.ts';
import { favoriteCounts } from '../social/favorites.ts';
import { findAppUser } from '../users/service.ts';
import { findStreamer, searchStreamers, type AgencyStretch, type Streamer } from './service.ts';

/** The search of this module's lists (agencies, streamers, app users). */
export const Search = Type.Optional(
  Type.String({ maxLength: 200, description: 'Part of the name or a contact, an exact id, or an identity (Telegram id, email, app uid).' }),
);

export const StreamerStatuses = defineCodes('streamer_status', {
  active: { en: 'Active', ru: 'Активен', tone: 'green' },
  suspended: { en: 'Suspended', ru: 'Приостановлен', tone: 'red' },
});

export const StreamerView = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    personStatus: Type.String(),
    status: StreamerStatuses.schema,
    suspendedReason: Nullable(Type.String()),
    agencyId: Nullable(Type.String()),
    agencyName: Nullable(Type.String()),
    rating: Type.Integer(),
    online: Type.Boolean(),
    lastSeenAt: Nullable(Timestamp),
    earnings: Type.Integer({ description: 'Available COIN earnings.' }),
    createdAt: Timestamp,
  },
  { $id: 'CreatorStreamer' },
);
export const StreamerRow = Type.Object({
  personId: Type.String(),
  agencyId: Nullable(Type.String()),
  status: Type.String(),
  suspendedReason: Nullable(Type.String()),
  rating: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const AgencyStretchView = Type.Object({
  agencyId: Type.String(),
  agencyName: Nullable(Type.String()),
  joinedAt: Timestamp,
  leftAt: Nullable(Timestamp),
});
export const CreatorProfile = Type.Object({
  streamer: Nullable(
    Type.Object({
      agencyId: Nullable(Type.String()),
      agencyName: Nullable(Type.String()),
      status: Type.String(),
      suspendedReason: Nullable(Type.String()),
      rating: Type.Integer(),
      since: Timestamp,
    }),
  ),
  user: Nullable(Type.Object({ platform: Nullable(Type.String()), signedUpAt: Timestamp })),
  favorites: Type.Integer(),
  followers: Type.Integer(),
});

export const streamerRow = (s: Streamer) => ({ ...s, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() });

/** One page of streamers, with their agency's name, presence and available earnings. */
export async function listStreamers(kernel: Kernel, query: Parameters<typeof searchStreamers>[1]) {
  const page = await searchStreamers(kernel.db, query);
  const rows = page.items.map((item) => item.streamer);
  const ids = page.items.map((item) => item.person.id);
  const agencyNames = await subjectNames(
    kernel.db,
    rows.filter((r) => r.agencyId).map((r) => ({ type: 'organization' as const, id: r.agencyId! })),
  );
  const seen = await realtimeHub(kernel).statuses(ids);
  const earnings = await accountsByOwner(kernel.db, 'person', ids, 'earnings', COIN);
  return {
    items: page.items.map(({ person, streamer }) => {
      const account = earnings.get(person.id);
      return {
        id: person.id,
        displayName: person.displayName,
        personStatus: person.status,
        status: streamer.status,
        suspendedReason: streamer.suspendedReason,
        agencyId: streamer.agencyId,
        agencyName: streamer.agencyId ? (agencyNames.get(streamer.agencyId) ?? null) : null,
        rating: streamer.rating,
        online: seen.get(person.id)?.online ?? false,
        lastSeenAt: seen.get(person.id)?.lastSeenAt ?? null,
        earnings: account ? available(account) : 0,
        createdAt: streamer.createdAt.toISOString(),
      };
    }),
    nextCursor: page.nextCursor,
  };
}

/** A streamer's agencies over time, with their names. */
export async function agencyHistory(db: Executor, stretches: AgencyStretch[]) {
  const names = await subjectNames(
    db,
    stretches.map((r) => ({ type: 'organization' as const, id: r.agencyId })),
  );
  return stretches.map((r) => ({
    agencyId: r.agencyId,
    agencyName: names.get(r.agencyId) ?? null,
    joinedAt: r.joinedAt.toISOString(),
    leftAt: r.leftAt?.toISOString() ?? null,
  }));
}

/** What a person is in this module: streamer (with agency), app user, and their favorites counts. */
export async function creatorProfile(db: Executor, personId: string) {
  await getPerson(db, personId);
  const streamer = await findStreamer(db, personId);
  const user = await findAppUser(db, personId);
  const agencyName = streamer?.agencyId ? ((await subjectNames(db, [{ type: 'organization', id: streamer.agencyId }])).get(streamer.agencyId) ?? null) : null;
  return {
    streamer: streamer
      ? {
          agencyId: streamer.agencyId,
          agencyName,
          status: streamer.status,
          suspendedReason: streamer.suspendedReason,
          rating: streamer.rating,
          since: streamer.createdAt.toISOString(),
        }
      : null,
    user: user ? { platform: user.platform, signedUpAt: user.signedUpAt.toISOString() } : null,
    ...(await favoriteCounts(db, personId)),
  };
}
