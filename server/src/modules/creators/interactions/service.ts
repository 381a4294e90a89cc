import { and, desc, eq, gte, or, sql } from 'drizzle-orm';
import type { Executor } from '../../../core/db/client.ts';
import type { StoredEvent } from '../../../core/events/types.ts';
import { uuidIn } from '../../../core/db/sql.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { participantsOf } from '../../chat/conversations.ts';
import { creatorInteractions } from '../schema.ts';

export type Interaction = typeof creatorInteractions.$inferSelect;
type Counts = Partial<Pick<Interaction, 'messages' | 'gifts' | 'giftCoins' | 'calls' | 'callSeconds' | 'callCoins'>>;

/** Adds to a pair's record (made on first contact), in the subscriber's transaction: once per event. */
export async function addInteraction(ctx: ServiceContext, one: string, other: string, counts: Counts, at: Date): Promise<void> {
  if (one === other) return;
  const [personA, personB] = one < other ? [one, other] : [other, one];
  const values = { messages: 0, gifts: 0, giftCoins: 0, calls: 0, callSeconds: 0, callCoins: 0, ...counts };
  const add = (column: keyof typeof values) => sql`${creatorInteractions[column]} + ${values[column]}`;
  await ctx.tx
    .insert(creatorInteractions)
    .values({ personA, personB, ...values, lastAt: at })
    .onConflictDoUpdate({
      target: [creatorInteractions.personA, creatorInteractions.personB],
      set: {
        messages: add('messages'),
        gifts: add('gifts'),
        giftCoins: add('giftCoins'),
        calls: add('calls'),
        callSeconds: add('callSeconds'),
        callCoins: add('callCoins'),
        lastAt: sql`GREATEST(${creatorInteractions.lastAt}, ${at})`,
      },
    });
}

/** The subscriber: a member's message to the other member of a one-to-one conversation, a gift, an ended call. */
export async function recordInteraction(event: StoredEvent, ctx: ServiceContext): Promise<void> {
  const payload = event.payload as Record<string, unknown>;
  if (event.type === 'chat.message_sent') {
    if (event.actorType !== 'member' || !event.subjectId || payload.kind !== 'text') return;
    const members = (await participantsOf(ctx.tx, [event.subjectId])).filter((p) => p.type === 'member');
    if (members.length !== 2) return;
    const other = members.find((p) => p.participantId !== event.actorId);
    if (other) await addInteraction(ctx, event.actorId!, other.participantId, { messages: 1 }, event.createdAt);
    return;
  }
  if (event.type === 'creators.gift_sent' && event.subjectId) {
    await addInteraction(ctx, String(payload.senderId), event.subjectId, { gifts: 1, giftCoins: Number(payload.price) }, event.createdAt);
    return;
  }
  // A prerecorded video is not time spent with the streamer.
  if (event.type === 'calls.ended' && event.subjectId && payload.kind !== 'prerecorded') {
    await addInteraction(
      ctx,
      String(payload.callerId),
      event.subjectId,
      { calls: 1, callSeconds: Number(payload.seconds), callCoins: Number(payload.cost) },
      event.createdAt,
    );
  }
}

/** A person's counterparts, most recent first. */
export async function interactionsOf(db: Executor, personId: string, limit: number): Promise<Array<Interaction & { counterpart: string }>> {
  const rows = await db
    .select()
    .from(creatorInteractions)
    .where(or(eq(creatorInteractions.personA, personId), eq(creatorInteractions.personB, personId)))
    .orderBy(desc(creatorInteractions.lastAt))
    .limit(limit);
  return rows.map((row) => ({ ...row, counterpart: row.personA === personId ? row.personB : row.personA }));
}

const ordered = (one: string, other: string) => (one < other ? [one, other] : [other, one]) as [string, string];

/** Views of one member's profile by another count once per this gap (an app reopening a profile is one look). */
export const PROFILE_VIEW_GAP_MS = 10 * 60_000;

/**
 * `viewerId` opened `viewedId`'s profile: counted on the pair's record unless they looked within the gap. Not an
 * event: a view is a tally, and an event per profile opened would be most of the log.
 */
export async function recordProfileView(ctx: ServiceContext, viewerId: string, viewedId: string): Promise<void> {
  if (viewerId === viewedId) return;
  const viewerIsA = viewerId < viewedId;
  const [personA, personB] = ordered(viewerId, viewedId);
  const views = viewerIsA ? creatorInteractions.viewsByA : creatorInteractions.viewsByB;
  const last = viewerIsA ? creatorInteractions.lastViewByA : creatorInteractions.lastViewByB;
  const gapStart = new Date(ctx.now.getTime() - PROFILE_VIEW_GAP_MS);
  await ctx.tx
    .insert(creatorInteractions)
    .values({ personA, personB, lastAt: ctx.now, ...(viewerIsA ? { viewsByA: 1, lastViewByA: ctx.now } : { viewsByB: 1, lastViewByB: ctx.now }) })
    .onConflictDoUpdate({
      target: [creatorInteractions.personA, creatorInteractions.personB],
      set: viewerIsA
        ? { viewsByA: sql`${views} + 1`, lastViewByA: ctx.now, lastAt: sql`GREATEST(${creatorInteractions.lastAt}, ${ctx.now})` }
        : { viewsByB: sql`${views} + 1`, lastViewByB: ctx.now, lastAt: sql`GREATEST(${creatorInteractions.lastAt}, ${ctx.now})` },
      setWhere: sql`${last} IS NULL OR ${last} < ${gapStart}`,
    });
}

/** Roulette paired them now: kept in the match's transaction, so the next match already sees it. */
export async function markMatched(ctx: ServiceContext, one: string, other: string): Promise<void> {
  const [personA, personB] = ordered(one, other);
  await ctx.tx
    .insert(creatorInteractions)
    .values({ personA, personB, lastAt: ctx.now, lastMatchedAt: ctx.now })
    .onConflictDoUpdate({ target: [creatorInteractions.personA, creatorInteractions.personB], set: { lastMatchedAt: ctx.now } });
}

/** Which of `others` roulette paired with `personId` at or after `since`. */
export async function matchedSince(db: Executor, personId: string, others: string[], since: Date): Promise<Set<string>> {
  if (others.length === 0) return new Set();
  const rows = await db
    .select({ personA: creatorInteractions.personA, personB: creatorInteractions.personB })
    .from(creatorInteractions)
    .where(
      and(
        or(
          and(eq(creatorInteractions.personA, personId), uuidIn(creatorInteractions.personB, others)),
          and(eq(creatorInteractions.personB, personId), uuidIn(creatorInteractions.personA, others)),
        ),
        gte(creatorInteractions.lastMatchedAt, since),
      ),
    );
  return new Set(rows.map((row) => (row.personA === personId ? row.personB : row.personA)));
}
