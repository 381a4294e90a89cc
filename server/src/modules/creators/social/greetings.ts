import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../../core/db/client.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { realtimeHub } from '../../../core/realtime/hub.ts';
import { cleanText, sendMessage } from '../../chat/messages.ts';
import { openDirect } from '../../chat/conversations.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { creatorGreetings, creatorStreamers } from '../schema.ts';
import { hiddenFrom } from './blocks.ts';
import { DIRECT_CHAT } from './chat.ts';

export const MAX_GREETINGS = 10;
export const GREETING_MAX_LENGTH = 500;
export const AUTOSTART_SETTING = 'creators.chat_autostart';

export interface AutostartRule {
  /** How many online streamers greet a new user (0: nobody). */
  streamers: number;
}

export type Greeting = typeof creatorGreetings.$inferSelect;

export async function listGreetings(db: Executor, streamerId: string): Promise<Greeting[]> {
  return db
    .select()
    .from(creatorGreetings)
    .where(eq(creatorGreetings.streamerId, streamerId))
    .orderBy(asc(creatorGreetings.createdAt), asc(creatorGreetings.id));
}

export async function addGreeting(ctx: ServiceContext, streamerId: string, text: string): Promise<Greeting> {
  const clean = cleanText(text);
  if (!clean) throw CreatorsError.invalid('text', 'must not be empty');
  if (clean.length > GREETING_MAX_LENGTH) throw CreatorsError.invalid('text', `must be at most ${GREETING_MAX_LENGTH} characters`);
  // One streamer's greetings are counted one at a time, so two quick adds cannot pass the limit together.
  await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`creators-greetings:${streamerId}`}))`);
  if ((await listGreetings(ctx.tx, streamerId)).length >= MAX_GREETINGS)
    throw CreatorsError.conflict(`A streamer may keep at most ${MAX_GREETINGS} greetings.`);
  const [greeting] = await ctx.tx.insert(creatorGreetings).values({ id: uuidv7(), streamerId, text: clean, createdAt: ctx.now }).returning();
  await ctx.emit({ type: CreatorEvents.greetingSaved, subject: { type: 'person', id: streamerId }, payload: { greetingId: greeting!.id, text: clean } });
  return greeting!;
}

export async function removeGreeting(ctx: ServiceContext, streamerId: string, greetingId: string): Promise<void> {
  const removed = await ctx.tx
    .delete(creatorGreetings)
    .where(and(eq(creatorGreetings.id, greetingId), eq(creatorGreetings.streamerId, streamerId)))
    .returning();
  if (removed.length === 0) throw CreatorsError.notFound('No such greeting.');
  await ctx.emit({ type: CreatorEvents.greetingRemoved, subject: { type: 'person', id: streamerId }, payload: { greetingId } });
}

/** A stable pick among a streamer's greetings for one user, so a retried run writes the same text. */
const pick = <T>(items: T[], seed: string): T => items[Number.parseInt(seed.replace(/-/g, '').slice(-8), 16) % items.length]!;

/**
 * The auto-start rule for a user who just signed up: the best-rated active streamers who are online now and
 * have a greeting (never someone hidden from the user) each open a conversation with one of their greetings.
 * It runs in the subscriber's transaction: a retry after a failure repeats nothing that committed, and the
 * greeting's client id makes a second run answer the first one's message.
 */
export async function autostartConversations(ctx: ServiceContext, userId: string, rule: AutostartRule): Promise<number> {
  if (rule.streamers <= 0) return 0;
  const candidates = await ctx.tx
    .select({ personId: creatorStreamers.personId })
    .from(creatorStreamers)
    .where(
      and(
        eq(creatorStreamers.status, 'active'),
        sql`${creatorStreamers.personId} <> ${userId}::uuid`,
        sql`${creatorStreamers.personId} NOT IN ${hiddenFrom(userId)}`,
        sql`EXISTS (SELECT 1 FROM ${creatorGreetings} WHERE ${creatorGreetings.streamerId} = ${creatorStreamers.personId})`,
      ),
    )
    .orderBy(desc(creatorStreamers.rating), asc(creatorStreamers.personId))
    .limit(200);
  const statuses = await realtimeHub(ctx.kernel).statuses(
    candidates.map((c) => c.personId),
    ctx.tx,
  );
  const chosen = candidates.filter((c) => statuses.get(c.personId)?.online).slice(0, rule.streamers);
  if (chosen.length === 0) return 0;
  const greetings = await ctx.tx
    .select()
    .from(creatorGreetings)
    .where(
      inArray(
        creatorGreetings.streamerId,
        chosen.map((c) => c.personId),
      ),
    )
    .orderBy(asc(creatorGreetings.createdAt), asc(creatorGreetings.id));
  for (const { personId } of chosen) {
    const conversation = await openDirect(ctx, DIRECT_CHAT, personId, userId);
    const own = greetings.filter((g) => g.streamerId === personId);
    await sendMessage(ctx, {
      conversationId: conversation.id,
      sender: { type: 'member', id: personId },
      clientId: `greeting:${userId}`,
      text: pick(own, userId).text,
    });
  }
  return chosen.length;
}
