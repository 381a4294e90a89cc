import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../../core/db/client.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { decodeCursor, toPage } from '../../../core/paging.ts';
import { getPerson } from '../../people/people.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { creatorFavorites } from '../schema.ts';
import { blockedEitherWay, hiddenFrom } from './blocks.ts';

/** Another active person, or a 404 (also when either has blocked the other: they do not see each other). */
async function reachable(db: Executor, me: string, other: string): Promise<void> {
  if (me === other) throw CreatorsError.invalid('id', 'must be someone else', 'params');
  const person = await getPerson(db, other);
  if (person.status !== 'active') throw CreatorsError.notFound('No such person.');
  if (await blockedEitherWay(db, me, other)) throw CreatorsError.notFound('No such person.');
}

export async function addFavorite(ctx: ServiceContext, personId: string, targetId: string): Promise<boolean> {
  await reachable(ctx.tx, personId, targetId);
  const [added] = await ctx.tx.insert(creatorFavorites).values({ personId, targetId, createdAt: ctx.now }).onConflictDoNothing().returning();
  if (added) await ctx.emit({ type: CreatorEvents.favoriteAdded, subject: { type: 'person', id: targetId }, payload: { personId } });
  return !!added;
}

export async function removeFavorite(ctx: ServiceContext, personId: string, targetId: string): Promise<void> {
  const removed = await ctx.tx
    .delete(creatorFavorites)
    .where(and(eq(creatorFavorites.personId, personId), eq(creatorFavorites.targetId, targetId)))
    .returning();
  if (removed.length === 0) throw CreatorsError.notFound('Not among the favorites.');
  await ctx.emit({ type: CreatorEvents.favoriteRemoved, subject: { type: 'person', id: targetId }, payload: { personId } });
}

/**
 * Whom a person favors (`favorites`) or who favors them (`followers`), newest first, without anyone blocked
 * either way; `id` is the other person.
 */
export async function listFavorites(db: Executor, personId: string, direction: 'favorites' | 'followers', cursor: string | undefined, limit: number) {
  const mine = direction === 'favorites' ? creatorFavorites.personId : creatorFavorites.targetId;
  const other = direction === 'favorites' ? creatorFavorites.targetId : creatorFavorites.personId;
  const conditions: SQL[] = [eq(mine, personId), sql`${other} NOT IN ${hiddenFrom(personId)}`];
  const after = decodeCursor<[string, string]>(cursor, ['date', 'uuid']);
  if (after) conditions.push(sql`(${creatorFavorites.createdAt}, ${other}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await db
    .select({ id: other, createdAt: creatorFavorites.createdAt })
    .from(creatorFavorites)
    .where(and(...conditions))
    .orderBy(desc(creatorFavorites.createdAt), desc(other))
    .limit(limit + 1);
  return toPage(
    rows,
    limit,
    (r) => [r.createdAt.toISOString(), r.id],
    (r) => r,
  );
}

export async function favoriteCounts(db: Executor, personId: string): Promise<{ favorites: number; followers: number }> {
  const [favorites] = await db
    .select({ n: count() })
    .from(creatorFavorites)
    .where(and(eq(creatorFavorites.personId, personId), sql`${creatorFavorites.targetId} NOT IN ${hiddenFrom(personId)}`));
  const [followers] = await db
    .select({ n: count() })
    .from(creatorFavorites)
    .where(and(eq(creatorFavorites.targetId, personId), sql`${creatorFavorites.personId} NOT IN ${hiddenFrom(personId)}`));
  return { favorites: Number(favorites?.n ?? 0), followers: Number(followers?.n ?? 0) };
}
