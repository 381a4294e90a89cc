import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { ConversationKindDef } from '../../core/conversations.ts';
import type { Executor } from '../../core/db/client.ts';
import { queryRows, uuidIn } from '../../core/db/sql.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { decodeCursor, parseDate, toPage } from '../../core/paging.ts';
import { pushToMembers } from '../../core/realtime/hub.ts';
import { getPerson } from '../people/people.ts';
import { ChatError } from './errors.ts';
import { ChatEvents } from './events.ts';
import { chatConversations, chatMessages, chatParticipants } from './schema.ts';

export type Conversation = typeof chatConversations.$inferSelect;
export type ParticipantRow = typeof chatParticipants.$inferSelect;
export type MessageRow = typeof chatMessages.$inferSelect;

/** Someone in a conversation: a member (their person id) or a staff user. */
export interface Participant {
  type: 'member' | 'staff';
  id: string;
}

export function conversationKind(kernel: Kernel, kind: string): ConversationKindDef {
  const def = kernel.catalogue.conversationKinds.get(kind);
  if (!def) throw ChatError.invalid('kind', `is not a conversation kind; known: ${[...kernel.catalogue.conversationKinds.keys()].join(', ')}`);
  return def;
}

/** The pair's own conversation of a member-to-member kind: the same one whoever starts it, and however often. */
const pairKey = (kind: string, a: string, b: string) => `${kind}:${[a, b].sort().join(':')}`;

/**
 * Opens (or finds) the conversation of two members of a member-to-member kind. Refused when either blocked
 * the other, or when the other is not an active person.
 */
export async function openDirect(ctx: ServiceContext, kind: string, from: string, to: string): Promise<Conversation> {
  const def = conversationKind(ctx.kernel, kind);
  if (!def.memberToMember) throw ChatError.invalid('kind', 'is not a conversation members start with each other');
  if (from === to) throw ChatError.invalid('personId', 'must be someone else');
  const other = await getPerson(ctx.tx, to).catch(() => {
    throw ChatError.invalid('personId', 'is not a person');
  });
  if (other.status !== 'active') throw ChatError.invalid('personId', 'is not an active person');
  if (await hiddenEitherWay(ctx.tx, def, from, to)) throw new ChatError('blocked', 'You cannot write to this person.', { field: 'personId' });
  const key = pairKey(kind, from, to);
  const [existing] = await ctx.tx.select().from(chatConversations).where(eq(chatConversations.pairKey, key));
  if (existing) {
    // Coming back to a conversation one left puts it on the list again.
    const me: Participant = { type: 'member', id: from };
    const returned = await ctx.tx
      .update(chatParticipants)
      .set({ leftAt: null })
      .where(and(participantWhere(existing.id, me), sql`${chatParticipants.leftAt} IS NOT NULL`))
      .returning();
    if (returned.length > 0) await ctx.emit({ type: ChatEvents.returned, subject: { type: 'conversation', id: existing.id }, payload: { participant: me } });
    return existing;
  }
  return startConversation(ctx, {
    kind,
    pairKey: key,
    participants: [
      { type: 'member', id: from },
      { type: 'member', id: to },
    ],
  });
}

/**
 * Starts a conversation of any kind (modules call it: a studio order's chat, a ticket's thread). A `pairKey`
 * that is taken answers the conversation that holds it.
 */
export async function startConversation(
  ctx: ServiceContext,
  input: { kind: string; subject?: { type: string; id: string }; participants: Participant[]; pairKey?: string },
): Promise<Conversation> {
  conversationKind(ctx.kernel, input.kind);
  const id = uuidv7();
  const [created] = await ctx.tx
    .insert(chatConversations)
    .values({
      id,
      kind: input.kind,
      subjectType: input.subject?.type ?? null,
      subjectId: input.subject?.id ?? null,
      pairKey: input.pairKey ?? null,
      createdAt: ctx.now,
    })
    .onConflictDoNothing()
    .returning();
  if (!created) {
    const [taken] = await ctx.tx.select().from(chatConversations).where(eq(chatConversations.pairKey, input.pairKey!));
    return taken!;
  }
  const unique = [...new Map(input.participants.map((p) => [`${p.type}:${p.id}`, p])).values()];
  if (unique.length > 0) {
    await ctx.tx
      .insert(chatParticipants)
      .values(unique.map((p) => ({ conversationId: id, type: p.type, participantId: p.id, joinedAt: ctx.now, activityAt: ctx.now })));
  }
  await ctx.emit({
    type: ChatEvents.started,
    subject: { type: 'conversation', id },
    payload: { kind: input.kind, subjectType: created.subjectType, subjectId: created.subjectId, participants: unique },
  });
  return created;
}

async function hiddenEitherWay(db: Executor, def: ConversationKindDef, a: string, b: string): Promise<boolean> {
  if (!def.hiddenFrom) return false;
  const rows = await queryRows<{ hit: number }>(db, sql`SELECT 1 AS hit WHERE ${b}::uuid IN ${def.hiddenFrom(a)}`);
  return rows.length > 0;
}

export async function getConversation(db: Executor, id: string): Promise<Conversation> {
  const [conversation] = await db.select().from(chatConversations).where(eq(chatConversations.id, id));
  if (!conversation) throw ChatError.notFound('No such conversation.');
  return conversation;
}

export async function participantsOf(db: Executor, conversationIds: string[]): Promise<ParticipantRow[]> {
  if (conversationIds.length === 0) return [];
  return db.select().from(chatParticipants).where(uuidIn(chatParticipants.conversationId, conversationIds));
}

/**
 * The conversation as one participant sees it: refused (404, as if it did not exist) to anyone not in it, and
 * to a member when the other side is hidden from them (a block either way).
 */
export async function conversationFor(
  kernel: Kernel,
  db: Executor,
  id: string,
  viewer: Participant,
): Promise<{ conversation: Conversation; me: ParticipantRow }> {
  const conversation = await getConversation(db, id);
  const me = await membership(db, id, viewer);
  if (viewer.type === 'member' && (await hiddenCounterpart(kernel, db, conversation, viewer.id))) throw ChatError.notFound('No such conversation.');
  return { conversation, me };
}

/** Whether this is the one conversation of kind `kind` between these two members. */
export async function isPairConversation(db: Executor, conversationId: string, kind: string, a: string, b: string): Promise<boolean> {
  const [row] = await db
    .select({ id: chatConversations.id })
    .from(chatConversations)
    .where(and(eq(chatConversations.id, conversationId), eq(chatConversations.pairKey, pairKey(kind, a, b))));
  return row !== undefined;
}

/** The viewer's participant row; 404 (as if the conversation did not exist) for anyone not in it. */
export async function membership(db: Executor, conversationId: string, viewer: Participant): Promise<ParticipantRow> {
  const [me] = await db.select().from(chatParticipants).where(participantWhere(conversationId, viewer));
  if (!me) throw ChatError.notFound('No such conversation.');
  return me;
}

/** Whether a member of this conversation is hidden from `personId` by the kind's rule (a block either way). */
async function hiddenCounterpart(kernel: Kernel, db: Executor, conversation: Pick<Conversation, 'id' | 'kind'>, personId: string): Promise<boolean> {
  const def = kernel.catalogue.conversationKinds.get(conversation.kind);
  if (!def?.hiddenFrom) return false;
  const rows = await queryRows<{ hit: number }>(
    db,
    sql`SELECT 1 AS hit FROM ${chatParticipants} WHERE ${chatParticipants.conversationId} = ${conversation.id}::uuid
      AND ${chatParticipants.type} = 'member' AND ${chatParticipants.participantId} IN ${def.hiddenFrom(personId)} LIMIT 1`,
  );
  return rows.length > 0;
}

/** Leaves out conversations with someone hidden from the member, for every kind that has such a rule. */
function visibleToMember(kernel: Kernel, personId: string): SQL | undefined {
  const rules = [...kernel.catalogue.conversationKinds.values()].filter((def) => def.hiddenFrom);
  if (rules.length === 0) return undefined;
  return and(
    ...rules.map(
      (def) => sql`NOT (${chatConversations.kind} = ${def.kind} AND EXISTS (SELECT 1 FROM ${chatParticipants} other
        WHERE other.conversation_id = ${chatConversations.id} AND other.type = 'member' AND other.participant_id IN ${def.hiddenFrom!(personId)}))`,
    ),
  );
}

export interface ConversationListItem {
  conversation: Conversation;
  me: ParticipantRow;
  unread: number;
}

/**
 * A participant's conversations, newest activity first, keyset paged; left ones are not listed, nor (for a
 * member) those with someone hidden from them. Unread: the conversation's messages after my read cursor (my
 * own messages move my cursor, so they never count).
 */
export async function listMyConversations(
  kernel: Kernel,
  db: Executor,
  viewer: Participant,
  options: { cursor?: string; limit: number; kind?: string },
): Promise<{ items: ConversationListItem[]; nextCursor: string | null }> {
  const after = decodeCursor<[string, string]>(options.cursor, ['date', 'uuid']);
  const conditions: Array<SQL | undefined> = [
    eq(chatParticipants.participantId, viewer.id),
    eq(chatParticipants.type, viewer.type),
    isNull(chatParticipants.leftAt),
    options.kind ? eq(chatConversations.kind, options.kind) : undefined,
    after ? sql`(${chatParticipants.activityAt}, ${chatParticipants.conversationId}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
    viewer.type === 'member' ? visibleToMember(kernel, viewer.id) : undefined,
  ];
  const rows = await db
    .select({ conversation: chatConversations, me: chatParticipants })
    .from(chatParticipants)
    .innerJoin(chatConversations, eq(chatConversations.id, chatParticipants.conversationId))
    .where(and(...conditions))
    .orderBy(desc(chatParticipants.activityAt), desc(chatParticipants.conversationId))
    .limit(options.limit + 1);
  return toPage(
    rows,
    options.limit,
    (row) => [row.me.activityAt.toISOString(), row.me.conversationId],
    (row) => ({ ...row, unread: Math.max(0, row.conversation.lastSeq - row.me.readSeq) }),
  );
}

/** The newest message of each conversation (for list rows). */
export async function lastMessages(db: Executor, conversations: Conversation[]): Promise<Map<string, MessageRow>> {
  const withMessages = conversations.filter((c) => c.lastSeq > 0);
  if (withMessages.length === 0) return new Map();
  const rows = await db
    .select()
    .from(chatMessages)
    .where(
      sql`(${chatMessages.conversationId}, ${chatMessages.seq}) IN (SELECT * FROM unnest(${sql.param(withMessages.map((c) => c.id))}::uuid[], ${sql.param(withMessages.map((c) => c.lastSeq))}::bigint[]))`,
    );
  return new Map(rows.map((row) => [row.conversationId, row]));
}

/**
 * Moves my read cursor up to a message of this conversation (never back) and tells the other members' sockets
 * (a read receipt); answers the new cursor. Cursors are positions, not acts: they append no event.
 */
export async function markRead(ctx: ServiceContext, conversationId: string, viewer: Participant, messageId: string): Promise<number> {
  const [message] = await ctx.tx
    .select({ seq: chatMessages.seq })
    .from(chatMessages)
    .where(and(eq(chatMessages.id, messageId), eq(chatMessages.conversationId, conversationId)));
  if (!message) throw ChatError.invalid('messageId', 'is not a message of this conversation');
  const [updated] = await ctx.tx
    .update(chatParticipants)
    .set({
      readSeq: sql`GREATEST(${chatParticipants.readSeq}, ${message.seq})`,
      deliveredSeq: sql`GREATEST(${chatParticipants.deliveredSeq}, ${message.seq})`,
    })
    .where(participantWhere(conversationId, viewer))
    .returning({ readSeq: chatParticipants.readSeq });
  const others = (await participantsOf(ctx.tx, [conversationId])).filter((p) => p.type === 'member' && p.participantId !== viewer.id && !p.leftAt);
  pushToMembers(
    ctx,
    others.map((p) => p.participantId),
    { type: 'chat.read', conversationId, participant: viewer, seq: updated!.readSeq },
  );
  return updated!.readSeq;
}

/** Moves my delivered cursor (my app received up to `seq`); answers whether it moved. */
export async function markDelivered(db: Executor, conversationId: string, viewer: Participant, seq: number): Promise<boolean> {
  const moved = await db
    .update(chatParticipants)
    .set({ deliveredSeq: seq })
    .where(
      and(
        participantWhere(conversationId, viewer),
        sql`${chatParticipants.deliveredSeq} < ${seq}`,
        sql`${seq} <= (SELECT last_seq FROM chat_conversations WHERE id = ${conversationId}::uuid)`,
      ),
    )
    .returning({ seq: chatParticipants.deliveredSeq });
  return moved.length > 0;
}

export async function setMuted(ctx: ServiceContext, conversationId: string, viewer: Participant, muted: boolean): Promise<void> {
  const changed = await ctx.tx
    .update(chatParticipants)
    .set({ muted })
    .where(and(participantWhere(conversationId, viewer), sql`${chatParticipants.muted} IS DISTINCT FROM ${muted}`))
    .returning();
  if (changed.length > 0)
    await ctx.emit({ type: ChatEvents.muted, subject: { type: 'conversation', id: conversationId }, payload: { participant: viewer, muted } });
}

export async function leave(ctx: ServiceContext, conversationId: string, viewer: Participant): Promise<void> {
  const changed = await ctx.tx
    .update(chatParticipants)
    .set({ leftAt: ctx.now })
    .where(and(participantWhere(conversationId, viewer), isNull(chatParticipants.leftAt)))
    .returning();
  if (changed.length > 0) await ctx.emit({ type: ChatEvents.left, subject: { type: 'conversation', id: conversationId }, payload: { participant: viewer } });
}

export const participantWhere = (conversationId: string, viewer: Participant) =>
  and(eq(chatParticipants.conversationId, conversationId), eq(chatParticipants.type, viewer.type), eq(chatParticipants.participantId, viewer.id));

/** Conversations a person takes part in (staff: a person's Chats tab), newest activity first. */
export async function conversationsOfPerson(db: Executor, personId: string, options: { cursor?: string; limit: number }) {
  const after = decodeCursor<[string, string]>(options.cursor, ['date', 'uuid']);
  const rows = await db
    .select({ conversation: chatConversations, activityAt: chatParticipants.activityAt })
    .from(chatParticipants)
    .innerJoin(chatConversations, eq(chatConversations.id, chatParticipants.conversationId))
    .where(
      and(
        eq(chatParticipants.type, 'member'),
        eq(chatParticipants.participantId, personId),
        after ? sql`(${chatParticipants.activityAt}, ${chatParticipants.conversationId}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(chatParticipants.activityAt), desc(chatParticipants.conversationId))
    .limit(options.limit + 1);
  return toPage(
    rows,
    options.limit,
    (row) => [row.activityAt.toISOString(), row.conversation.id],
    (row) => row.conversation,
  );
}

export interface ConversationFilter {
  reported?: boolean;
  personId?: string;
  kind?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** Every conversation for staff, newest activity first, or (reported) by the newest report still waiting. */
export async function listConversations(db: Executor, filter: ConversationFilter) {
  const { reported, personId, kind, cursor, limit } = filter;
  const sortKey = reported ? sql`${chatConversations.reportedAt}` : sql`coalesce(${chatConversations.lastMessageAt}, ${chatConversations.createdAt})`;
  const after = decodeCursor<[string, string]>(cursor, ['date', 'uuid']);
  const conditions: Array<SQL | undefined> = [
    reported ? sql`${chatConversations.reportedAt} IS NOT NULL` : undefined,
    kind ? eq(chatConversations.kind, kind) : undefined,
    personId
      ? sql`EXISTS (SELECT 1 FROM ${chatParticipants} WHERE ${chatParticipants.conversationId} = ${chatConversations.id} AND ${chatParticipants.type} = 'member' AND ${chatParticipants.participantId} = ${personId}::uuid)`
      : undefined,
    filter.from ? sql`${sortKey} >= ${parseDate('from', filter.from, 'query').toISOString()}::timestamptz` : undefined,
    filter.to ? sql`${sortKey} < ${parseDate('to', filter.to, 'query').toISOString()}::timestamptz` : undefined,
    after ? sql`(${sortKey}, ${chatConversations.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
  ];
  const rows = await db
    .select()
    .from(chatConversations)
    .where(and(...conditions))
    .orderBy(desc(sortKey), desc(chatConversations.id))
    .limit(limit + 1);
  return toPage(
    rows,
    limit,
    (c) => [(reported ? c.reportedAt! : (c.lastMessageAt ?? c.createdAt)).toISOString(), c.id],
    (c) => c,
  );
}
