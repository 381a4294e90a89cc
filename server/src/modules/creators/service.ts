import { and, count, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { uuidIn } from '../../core/db/sql.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { accountsByOwner, available } from '../ledger/service.ts';
import { memberPresence } from '../members/index.ts';
import { getOrganization, getPerson, listOrganizations, listPeople, subjectNames } from '../people/service.ts';
import { CreatorEvents } from './events.ts';
import { creatorStreamerAgencies, creatorStreamers, creatorUsers } from './schema.ts';
import { CreatorsError } from './errors.ts';

export type Streamer = typeof creatorStreamers.$inferSelect;
/** Earnings are counted in coins. */
export const COIN = 'COIN';

async function activeAgency(db: Executor, id: string, field: string): Promise<void> {
  const organization = await getOrganization(db, id).catch(() => undefined);
  if (!organization || organization.kind !== 'agency') throw CreatorsError.invalid(field, 'is not an agency');
  if (organization.status !== 'active') throw CreatorsError.conflict(`The agency is ${organization.status}.`, field);
}

async function lockedStreamer(ctx: ServiceContext, personId: string): Promise<Streamer> {
  const [streamer] = await ctx.tx.select().from(creatorStreamers).where(eq(creatorStreamers.personId, personId)).for('update');
  if (!streamer) throw CreatorsError.notFound('No such streamer.');
  return streamer;
}

/** Opens a new stretch of agency history (closing the open one) and records the streamer's current agency. */
async function moveStreamer(ctx: ServiceContext, personId: string, from: string | null, to: string | null): Promise<void> {
  if (from) {
    await ctx.tx
      .update(creatorStreamerAgencies)
      .set({ leftAt: ctx.now })
      .where(and(eq(creatorStreamerAgencies.personId, personId), isNull(creatorStreamerAgencies.leftAt)));
  }
  if (to) await ctx.tx.insert(creatorStreamerAgencies).values({ id: uuidv7(), personId, agencyId: to, joinedAt: ctx.now });
}

export async function registerStreamer(ctx: ServiceContext, personId: string, agencyId: string | null): Promise<Streamer> {
  const person = await getPerson(ctx.tx, personId);
  if (person.status !== 'active') throw CreatorsError.conflict(`This person is ${person.status}.`, 'personId');
  if (agencyId) await activeAgency(ctx.tx, agencyId, 'agencyId');
  const [streamer] = await ctx.tx
    .insert(creatorStreamers)
    .values({ personId, agencyId, createdAt: ctx.now, updatedAt: ctx.now })
    .onConflictDoNothing()
    .returning();
  if (!streamer) throw CreatorsError.conflict('This person is already a streamer.', 'personId');
  await moveStreamer(ctx, personId, null, agencyId);
  await ctx.emit({ type: CreatorEvents.streamerRegistered, subject: { type: 'person', id: personId }, payload: { agencyId } });
  return streamer;
}

/** Moves a streamer to another agency, or out of any (null): one agency at a time, with history. */
export async function setStreamerAgency(ctx: ServiceContext, personId: string, agencyId: string | null): Promise<Streamer> {
  const streamer = await lockedStreamer(ctx, personId);
  if (streamer.agencyId === agencyId) return streamer;
  if (agencyId) await activeAgency(ctx.tx, agencyId, 'agencyId');
  await moveStreamer(ctx, personId, streamer.agencyId, agencyId);
  const [updated] = await ctx.tx.update(creatorStreamers).set({ agencyId, updatedAt: ctx.now }).where(eq(creatorStreamers.personId, personId)).returning();
  await ctx.emit({ type: CreatorEvents.streamerAgencyChanged, subject: { type: 'person', id: personId }, payload: { from: streamer.agencyId, to: agencyId } });
  return updated!;
}

export async function suspendStreamer(ctx: ServiceContext, personId: string, reason: string): Promise<Streamer> {
  const streamer = await lockedStreamer(ctx, personId);
  if (streamer.status === 'suspended') throw new CreatorsError('already_suspended', 'The streamer is already suspended.');
  const [updated] = await ctx.tx
    .update(creatorStreamers)
    .set({ status: 'suspended', suspendedReason: reason, updatedAt: ctx.now })
    .where(eq(creatorStreamers.personId, personId))
    .returning();
  await ctx.emit({ type: CreatorEvents.streamerSuspended, subject: { type: 'person', id: personId }, payload: { reason } });
  return updated!;
}

export async function reinstateStreamer(ctx: ServiceContext, personId: string): Promise<Streamer> {
  const streamer = await lockedStreamer(ctx, personId);
  if (streamer.status === 'active') throw new CreatorsError('not_suspended', 'The streamer is not suspended.');
  const [updated] = await ctx.tx
    .update(creatorStreamers)
    .set({ status: 'active', suspendedReason: null, updatedAt: ctx.now })
    .where(eq(creatorStreamers.personId, personId))
    .returning();
  await ctx.emit({ type: CreatorEvents.streamerReinstated, subject: { type: 'person', id: personId }, payload: {} });
  return updated!;
}

export async function streamerHistory(db: Executor, personId: string) {
  const rows = await db.select().from(creatorStreamerAgencies).where(eq(creatorStreamerAgencies.personId, personId)).orderBy(sql`${creatorStreamerAgencies.joinedAt} DESC`);
  const names = await subjectNames(db, rows.map((r) => ({ type: 'organization' as const, id: r.agencyId })));
  return rows.map((r) => ({ agencyId: r.agencyId, agencyName: names.get(r.agencyId) ?? null, joinedAt: r.joinedAt.toISOString(), leftAt: r.leftAt?.toISOString() ?? null }));
}

/**
 * Signs a member up as an app user, once: the first time appends `user.signed_up` (what the ads module
 * reports to the ad networks); later calls answer with the existing sign-up.
 */
export async function signUpUser(ctx: ServiceContext, personId: string, platform: 'ios' | 'android' | 'web' | null): Promise<{ created: boolean; signedUpAt: Date }> {
  const [created] = await ctx.tx.insert(creatorUsers).values({ personId, platform, signedUpAt: ctx.now }).onConflictDoNothing().returning();
  if (created) {
    await ctx.emit({ type: CreatorEvents.userSignedUp, subject: { type: 'person', id: personId }, payload: { platform } });
    return { created: true, signedUpAt: created.signedUpAt };
  }
  const [existing] = await ctx.tx.select().from(creatorUsers).where(eq(creatorUsers.personId, personId));
  return { created: false, signedUpAt: existing!.signedUpAt };
}

// ------------------------------------------------------------------ lists

export async function listAgencies(kernel: Kernel, query: { q?: string; status?: 'active' | 'suspended' | 'closed'; cursor?: string; limit: number }) {
  const page = await listOrganizations(kernel.db, { ...query, kind: 'agency' });
  const ids = page.items.map((a) => a.id);
  const counts = ids.length
    ? await kernel.db
        .select({ agencyId: creatorStreamers.agencyId, n: count() })
        .from(creatorStreamers)
        .where(inArray(creatorStreamers.agencyId, ids))
        .groupBy(creatorStreamers.agencyId)
    : [];
  const streamers = new Map(counts.map((c) => [c.agencyId!, Number(c.n)]));
  const earnings = await accountsByOwner(kernel.db, 'organization', ids, 'earnings', COIN);
  return {
    items: page.items.map((agency) => {
      const account = earnings.get(agency.id);
      return { ...agency, streamers: streamers.get(agency.id) ?? 0, earnings: account ? available(account) : 0, earningsAccountId: account?.id ?? null };
    }),
    nextCursor: page.nextCursor,
  };
}

export async function listStreamers(
  kernel: Kernel,
  query: { q?: string; agencyId?: string; status?: 'active' | 'suspended'; cursor?: string; limit: number },
) {
  const conditions: SQL[] = [];
  if (query.agencyId) conditions.push(sql`${creatorStreamers.agencyId} = ${query.agencyId}::uuid`);
  if (query.status) conditions.push(sql`${creatorStreamers.status} = ${query.status}`);
  const within = sql`SELECT ${creatorStreamers.personId} FROM ${creatorStreamers}${conditions.length ? sql` WHERE ${sql.join(conditions, sql` AND `)}` : sql``}`;
  const page = await listPeople(kernel.db, { q: query.q, cursor: query.cursor, limit: query.limit, within });
  const ids = page.items.map((p) => p.id);
  const rows = ids.length ? await kernel.db.select().from(creatorStreamers).where(uuidIn(creatorStreamers.personId, ids)) : [];
  const byId = new Map(rows.map((r) => [r.personId, r]));
  const agencyNames = await subjectNames(kernel.db, rows.filter((r) => r.agencyId).map((r) => ({ type: 'organization' as const, id: r.agencyId! })));
  const seen = await memberPresence(kernel).statuses(ids);
  const earnings = await accountsByOwner(kernel.db, 'person', ids, 'earnings', COIN);
  return {
    items: page.items.map((person) => {
      const streamer = byId.get(person.id)!;
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

export async function listUsers(kernel: Kernel, query: { q?: string; status?: 'active' | 'blocked' | 'deleted'; cursor?: string; limit: number }) {
  const page = await listPeople(kernel.db, { ...query, within: sql`SELECT ${creatorUsers.personId} FROM ${creatorUsers}` });
  const ids = page.items.map((p) => p.id);
  const rows = ids.length ? await kernel.db.select().from(creatorUsers).where(uuidIn(creatorUsers.personId, ids)) : [];
  const byId = new Map(rows.map((r) => [r.personId, r]));
  const wallets = await accountsByOwner(kernel.db, 'person', ids, 'wallet', COIN);
  const seen = await memberPresence(kernel).statuses(ids);
  return {
    items: page.items.map((person) => ({
      ...person,
      platform: byId.get(person.id)?.platform ?? null,
      signedUpAt: byId.get(person.id)!.signedUpAt.toISOString(),
      coins: wallets.get(person.id) ? available(wallets.get(person.id)!) : 0,
      online: seen.get(person.id)?.online ?? false,
      lastSeenAt: seen.get(person.id)?.lastSeenAt ?? null,
    })),
    nextCursor: page.nextCursor,
  };
}

/** What a person is in this module: streamer (with agency), app user, and their favorites counts. */
export async function creatorProfile(kernel: Kernel, personId: string) {
  await getPerson(kernel.db, personId);
  const [streamer] = await kernel.db.select().from(creatorStreamers).where(eq(creatorStreamers.personId, personId));
  const [user] = await kernel.db.select().from(creatorUsers).where(eq(creatorUsers.personId, personId));
  const agencyName = streamer?.agencyId ? ((await subjectNames(kernel.db, [{ type: 'organization', id: streamer.agencyId }])).get(streamer.agencyId) ?? null) : null;
  return {
    streamer: streamer
      ? { agencyId: streamer.agencyId, agencyName, status: streamer.status, suspendedReason: streamer.suspendedReason, rating: streamer.rating, since: streamer.createdAt.toISOString() }
      : null,
    user: user ? { platform: user.platform, signedUpAt: user.signedUpAt.toISOString() } : null,
  };
}
