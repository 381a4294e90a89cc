import { and, count, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../../core/db/client.ts';
import { uuidIn } from '../../../core/db/sql.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { decodeCursor, toPage } from '../../../core/paging.ts';
import { getPerson } from '../../people/people.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { creatorBlocks, creatorFavorites, type BLOCK_REASONS } from '../schema.ts';
import { applyPenaltyRules } from './penalties.ts';

export type BlockReason = (typeof BLOCK_REASONS)[number];

/** Whether either of two people has blocked the other: then neither appears to the other anywhere. */
export async function blockedEitherWay(db: Executor, a: string, b: string): Promise<boolean> {
  const [row] = await db
    .select({ n: count() })
    .from(creatorBlocks)
    .where(or(and(eq(creatorBlocks.blockerId, a), eq(creatorBlocks.blockedId, b)), and(eq(creatorBlocks.blockerId, b), eq(creatorBlocks.blockedId, a))));
  return Number(row?.n ?? 0) > 0;
}

/** Which of `others` `personId` has blocked or been blocked by. */
export async function blockedAmong(db: Executor, personId: string, others: string[]): Promise<Set<string>> {
  if (others.length === 0) return new Set();
  const rows = await db
    .select({ blockerId: creatorBlocks.blockerId, blockedId: creatorBlocks.blockedId })
    .from(creatorBlocks)
    .where(
      or(
        and(eq(creatorBlocks.blockerId, personId), uuidIn(creatorBlocks.blockedId, others)),
        and(eq(creatorBlocks.blockedId, personId), uuidIn(creatorBlocks.blockerId, others)),
      ),
    );
  return new Set(rows.map((row) => (row.blockerId === personId ? row.blockedId : row.blockerId)));
}

/**
 * The people `personId` has blocked or been blocked by: what feeds, chats and calls leave out. A subquery
 * for this module's own queries (favorites, the streamer feed), so a block takes effect in the same query.
 */
export function hiddenFrom(personId: string): SQL {
  return sql`(SELECT ${creatorBlocks.blockedId} FROM ${creatorBlocks} WHERE ${creatorBlocks.blockerId} = ${personId}::uuid
    UNION SELECT ${creatorBlocks.blockerId} FROM ${creatorBlocks} WHERE ${creatorBlocks.blockedId} = ${personId}::uuid)`;
}

/**
 * A member blocks another with a reason: from now on neither sees the other (favorites between them
 * are dropped), and the penalty rules are applied to the blocked person, each firing at most once.
 */
export async function blockMember(ctx: ServiceContext, blockerId: string, blockedId: string, reason: BlockReason, note: string | null): Promise<void> {
  if (blockerId === blockedId) throw CreatorsError.invalid('id', 'must be someone else', 'params');
  await getPerson(ctx.tx, blockedId);
  // Blocks of one person are counted one at a time, so a rule crossing its threshold fires once.
  await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`creators-blocks:${blockedId}`}))`);
  await ctx.tx
    .insert(creatorBlocks)
    .values({ blockerId, blockedId, reason, note, createdAt: ctx.now })
    .onConflictDoUpdate({ target: [creatorBlocks.blockerId, creatorBlocks.blockedId], set: { reason, note, createdAt: ctx.now } });
  await ctx.tx
    .delete(creatorFavorites)
    .where(
      or(
        and(eq(creatorFavorites.personId, blockerId), eq(creatorFavorites.targetId, blockedId)),
        and(eq(creatorFavorites.personId, blockedId), eq(creatorFavorites.targetId, blockerId)),
      ),
    );
  // Staff see it on the blocked person's timeline; the blocked person is not told.
  await ctx.emit({ type: CreatorEvents.memberBlocked, subject: { type: 'person', id: blockedId }, payload: { blockerId, reason, note } });
  await applyPenaltyRules(ctx, blockedId, reason);
}

export async function unblockMember(ctx: ServiceContext, blockerId: string, blockedId: string): Promise<void> {
  const removed = await ctx.tx
    .delete(creatorBlocks)
    .where(and(eq(creatorBlocks.blockerId, blockerId), eq(creatorBlocks.blockedId, blockedId)))
    .returning();
  if (removed.length === 0) throw CreatorsError.notFound('Not on the blocklist.');
  await ctx.emit({ type: CreatorEvents.memberUnblocked, subject: { type: 'person', id: blockedId }, payload: { blockerId } });
}

/** Whom a person blocked (`blocked`) or who blocked them (`blocked_by`, staff only), newest first; `id` is the other person. */
export async function listBlocks(db: Executor, personId: string, direction: 'blocked' | 'blocked_by', cursor: string | undefined, limit: number) {
  const mine = direction === 'blocked' ? creatorBlocks.blockerId : creatorBlocks.blockedId;
  const other = direction === 'blocked' ? creatorBlocks.blockedId : creatorBlocks.blockerId;
  const conditions: SQL[] = [eq(mine, personId)];
  const after = decodeCursor<[string, string]>(cursor, ['date', 'uuid']);
  if (after) conditions.push(sql`(${creatorBlocks.createdAt}, ${other}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await db
    .select({ id: other, reason: creatorBlocks.reason, note: creatorBlocks.note, createdAt: creatorBlocks.createdAt })
    .from(creatorBlocks)
    .where(and(...conditions))
    .orderBy(desc(creatorBlocks.createdAt), desc(other))
    .limit(limit + 1);
  return toPage(
    rows,
    limit,
    (r) => [r.createdAt.toISOString(), r.id],
    (r) => r,
  );
}
