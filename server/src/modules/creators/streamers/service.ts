import { and, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../../core/db/client.ts';
import { uuidIn } from '../../../core/db/sql.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { getPerson, listPeople, type PersonScope } from '../../people/people.ts';
import { assertActiveAgency } from '../agencies/service.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { creatorStreamerAgencies, creatorStreamers } from '../schema.ts';

export type Streamer = typeof creatorStreamers.$inferSelect;
export type AgencyStretch = typeof creatorStreamerAgencies.$inferSelect;

export async function findStreamer(db: Executor, personId: string): Promise<Streamer | undefined> {
  const [streamer] = await db.select().from(creatorStreamers).where(eq(creatorStreamers.personId, personId));
  return streamer;
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
  if (agencyId) await assertActiveAgency(ctx.tx, agencyId, 'agencyId');
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
  if (agencyId) await assertActiveAgency(ctx.tx, agencyId, 'agencyId');
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

/** Sets a streamer's rating (0–100), which the gallery ranks by; the demo sets it until calls and reviews compute it. */
export async function rateStreamer(ctx: ServiceContext, personId: string, rating: number): Promise<Streamer> {
  if (!Number.isInteger(rating) || rating < 0 || rating > 100) throw CreatorsError.invalid('rating', 'must be a whole number from 0 to 100');
  const streamer = await lockedStreamer(ctx, personId);
  const [updated] = await ctx.tx.update(creatorStreamers).set({ rating, updatedAt: ctx.now }).where(eq(creatorStreamers.personId, personId)).returning();
  await ctx.emit({ type: CreatorEvents.streamerRated, subject: { type: 'person', id: personId }, payload: { from: streamer.rating, to: rating } });
  return updated!;
}

/** A streamer's stretches of agency membership, newest first. */
export async function streamerHistory(db: Executor, personId: string): Promise<AgencyStretch[]> {
  return db
    .select()
    .from(creatorStreamerAgencies)
    .where(eq(creatorStreamerAgencies.personId, personId))
    .orderBy(sql`${creatorStreamerAgencies.joinedAt} DESC`);
}

/** Streamers in the people search's order (name, then id), each with their person. */
export async function searchStreamers(db: Executor, query: { q?: string; agencyId?: string; status?: 'active' | 'suspended'; cursor?: string; limit: number }) {
  const within = {
    personId: creatorStreamers.personId,
    where: [
      [creatorStreamers.agencyId, query.agencyId],
      [creatorStreamers.status, query.status],
    ],
  } satisfies PersonScope;
  const page = await listPeople(db, { q: query.q, cursor: query.cursor, limit: query.limit, within });
  const ids = page.items.map((p) => p.id);
  const rows = ids.length ? await db.select().from(creatorStreamers).where(uuidIn(creatorStreamers.personId, ids)) : [];
  const byId = new Map(rows.map((r) => [r.personId, r]));
  return { items: page.items.map((person) => ({ person, streamer: byId.get(person.id)! })), nextCursor: page.nextCursor };
}

/** How many streamers each of these agencies has now. */
export async function streamerCounts(db: Executor, agencyIds: string[]): Promise<Map<string, number>> {
  const counts = agencyIds.length
    ? await db
        .select({ agencyId: creatorStreamers.agencyId, n: count() })
        .from(creatorStreamers)
        .where(inArray(creatorStreamers.agencyId, agencyIds))
        .groupBy(creatorStreamers.agencyId)
    : [];
  return new Map(counts.map((c) => [c.agencyId!, Number(c.n)]));
}
