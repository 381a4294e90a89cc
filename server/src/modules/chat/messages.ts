import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { queryRows } from '../../core/db/sql.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { pushToMembers } from '../../core/realtime/hub.ts';
import { MESSAGE_NOTIFICATION } from './notification-kinds.ts';
import { fileService } from '../files/index.ts';
import { conversationKind, type Conversation, type MessageRow, type Participant } from './conversations.ts';
import { queueOutbound } from './deliveries.ts';
import { ChatError } from './errors.ts';
import { ChatEvents } from './events.ts';
import { chatConversations, chatMessages, chatParticipants, type MESSAGE_KINDS } from './schema.ts';
import { messageViews } from './views.ts';

/** The file kind of chat attachments (files module). */
export const ATTACHMENT_KIND = 'chat';

/** What a message carries to the sockets and lists: the row, the way every view starts from it. */
export type SystemKind = Exclude<(typeof MESSAGE_KINDS)[number], 'text'>;

export interface SendInput {
  conversationId: string;
  sender: Participant;
  /** The sender's own id for this message: sending again with it answers the stored message. */
  clientId: string;
  text?: string;
  fileId?: string;
}

/** Plain text as people type it: trimmed, line ends normalised, no control characters but tab and newline. */
export function cleanText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
      .trim()
  );
}

/**
 * A member's or staff user's message. Refused when the sender is not in the conversation or left it, when
 * the other member is hidden from them (a block either way), when the text is longer than the kind allows, and
 * for a file that is not the sender's own chat attachment. A repeated client id answers the stored message
 * (`replayed`), also when two sends with it race.
 */
export async function sendMessage(ctx: ServiceContext, input: SendInput): Promise<{ message: MessageRow; replayed: boolean }> {
  const state = await lockForSend(ctx, input);
  if (state.storedId !== null) return { message: await getMessage(ctx.tx, state.storedId), replayed: true };
  const def = conversationKind(ctx.kernel, state.conversation.kind);
  const text = input.text === undefined ? '' : cleanText(input.text);
  if (text.length > def.maxTextLength) throw ChatError.invalid('text', `must be at most ${def.maxTextLength} characters`);
  if (!text && !input.fileId) throw ChatError.invalid('text', 'must not be empty without a file');
  if (input.fileId) await assertAttachment(ctx, input.sender, input.fileId);
  const message = await append(ctx, state.conversation, {
    senderType: input.sender.type,
    senderId: input.sender.id,
    clientId: input.clientId,
    kind: 'text',
    body: text || null,
    fileId: input.fileId ?? null,
    data: {},
  });
  if (message) return { message, replayed: false };
  return { message: (await findByClientId(ctx.tx, input.conversationId, input.sender.id, input.clientId))!, replayed: true };
}

type SendState =
  { storedId: string; conversation?: undefined } | { storedId: null; conversation: Pick<Conversation, 'id' | 'kind' | 'subjectType' | 'subjectId'> };

/**
 * One statement for everything a send checks, holding the conversation's row lock from here to commit: the
 * conversation, the sender's membership, a message already stored under this client id (a repeat, or a
 * send it raced with and waited for), and whether someone in it is hidden from the sender (a block).
 */
async function lockForSend(ctx: ServiceContext, input: SendInput): Promise<SendState> {
  const kinds = [...ctx.kernel.catalogue.conversationKinds.values()].filter((def) => def.hiddenFrom);
  const hidden =
    input.sender.type === 'member' && kinds.length > 0
      ? sql`CASE ${sql.join(
          kinds.map(
            (def) => sql`WHEN c.kind = ${def.kind} THEN EXISTS (SELECT 1 FROM chat_participants o WHERE o.conversation_id = c.id AND o.type = 'member'
              AND o.participant_id IN ${def.hiddenFrom!(input.sender.id)})`,
          ),
          sql` `,
        )} ELSE false END`
      : sql`false`;
  const [row] = await queryRows<{
    id: string;
    kind: string;
    subject_type: string | null;
    subject_id: string | null;
    is_participant: boolean;
    left_at: unknown;
    stored_id: string | null;
    hidden: boolean;
  }>(
    ctx.tx,
    sql`SELECT c.id, c.kind, c.subject_type, c.subject_id, p.conversation_id IS NOT NULL AS is_participant, p.left_at,
        (SELECT m.id FROM chat_messages m WHERE m.conversation_id = c.id AND m.sender_id = ${input.sender.id}::uuid AND m.client_id = ${input.clientId}) AS stored_id,
        ${hidden} AS hidden
      FROM chat_conversations c
      LEFT JOIN chat_participants p ON p.conversation_id = c.id AND p.type = ${input.sender.type} AND p.participant_id = ${input.sender.id}::uuid
      WHERE c.id = ${input.conversationId}::uuid
      FOR UPDATE OF c`,
  );
  if (!row || !row.is_participant) throw ChatError.notFound('No such conversation.');
  if (row.stored_id) return { storedId: row.stored_id };
  if (row.left_at) throw new ChatError('left', 'You left this conversation.');
  if (row.hidden) throw new ChatError('blocked', 'You cannot write to this person.');
  return { storedId: null, conversation: { id: row.id, kind: row.kind, subjectType: row.subject_type, subjectId: row.subject_id } };
}

async function assertAttachment(ctx: ServiceContext, sender: Participant, fileId: string): Promise<void> {
  const [file] = await fileService(ctx.kernel).findMany([fileId], ctx.tx);
  const own =
    file &&
    file.kind === ATTACHMENT_KIND &&
    (sender.type === 'member' ? file.ownerType === 'person' && file.ownerId === sender.id : file.ownerType === 'platform');
  if (!own) throw ChatError.invalid('fileId', `must be one of your own files of kind ${ATTACHMENT_KIND}`);
}

/**
 * A record another module adds to a conversation: a gift (with its ledger transfer), a call (kind, duration,
 * outcome), a notice. `clientId` makes it idempotent (e.g. the gift's id); it is written in the caller's transaction.
 */
export async function appendSystemMessage(
  ctx: ServiceContext,
  conversationId: string,
  record: { kind: SystemKind; data: Record<string, unknown>; body?: string; clientId?: string },
): Promise<MessageRow> {
  // Locked first, so the look for a stored record (a statement of its own) sees what a racing append committed.
  const [conversation] = await ctx.tx.select().from(chatConversations).where(eq(chatConversations.id, conversationId)).for('update');
  if (!conversation) throw ChatError.invalid('conversationId', 'is not a conversation');
  const stored = record.clientId ? await findByClientId(ctx.tx, conversationId, null, record.clientId) : undefined;
  if (stored) return stored;
  const appended = await append(ctx, conversation, {
    senderType: 'system',
    senderId: null,
    clientId: record.clientId ?? null,
    kind: record.kind,
    body: record.body ?? null,
    fileId: null,
    data: record.data,
  });
  return appended!;
}

type NewMessage = Pick<MessageRow, 'senderType' | 'senderId' | 'clientId' | 'kind' | 'body' | 'fileId' | 'data'>;

/**
 * Numbers the message (the conversation row's lock orders concurrent sends), moves every participant's
 * activity and the sender's read cursor, and inserts it: one statement. Then the event, outbound deliveries
 * and the push to the members' sockets after commit. Null when a message with its client id is already there.
 */
async function append(
  ctx: ServiceContext,
  conversation: Pick<Conversation, 'id' | 'kind' | 'subjectType' | 'subjectId'>,
  message: NewMessage,
): Promise<MessageRow | null> {
  // This statement starts after the caller locked the conversation, so it sees a message that a racing
  // send with the same client id committed meanwhile: then nothing is numbered or written (null).
  const notStored =
    message.clientId === null
      ? sql``
      : sql`AND NOT EXISTS (SELECT 1 FROM chat_messages x WHERE x.conversation_id = ${conversation.id}::uuid
          AND x.sender_id IS NOT DISTINCT FROM ${message.senderId}::uuid AND x.client_id = ${message.clientId})`;
  const id = uuidv7();
  const now = ctx.now.toISOString();
  const [row] = await queryRows<Record<string, unknown>>(
    ctx.tx,
    sql`WITH c AS (
        UPDATE chat_conversations SET last_seq = last_seq + 1, last_message_at = ${now}::timestamptz
        WHERE id = ${conversation.id}::uuid ${notStored} RETURNING last_seq
      ), p AS (
        UPDATE chat_participants SET activity_at = ${now}::timestamptz,
          read_seq = CASE WHEN type = ${message.senderType} AND participant_id = ${message.senderId}::uuid THEN (SELECT last_seq FROM c) ELSE read_seq END,
          delivered_seq = CASE WHEN type = ${message.senderType} AND participant_id = ${message.senderId}::uuid THEN (SELECT last_seq FROM c) ELSE delivered_seq END
        WHERE conversation_id = ${conversation.id}::uuid AND EXISTS (SELECT 1 FROM c)
        RETURNING type, participant_id, left_at
      ), m AS (
        INSERT INTO chat_messages (id, conversation_id, seq, sender_type, sender_id, client_id, kind, body, file_id, data, created_at)
        SELECT ${id}::uuid, ${conversation.id}::uuid, c.last_seq, ${message.senderType}, ${message.senderId}::uuid, ${message.clientId}, ${message.kind},
          ${message.body}, ${message.fileId}::uuid, ${JSON.stringify(message.data)}::jsonb, ${now}::timestamptz FROM c
        RETURNING seq
      )
      SELECT (SELECT seq FROM m) AS seq,
        (SELECT coalesce(json_agg(json_build_object('type', type, 'id', participant_id, 'left', left_at IS NOT NULL)), '[]'::json) FROM p) AS participants`,
  );
  if (row!.seq === null) return null;
  const seq = Number(row!.seq);
  const participants = (typeof row!.participants === 'string' ? JSON.parse(row!.participants) : row!.participants) as Array<{
    type: 'member' | 'staff';
    id: string;
    left: boolean;
  }>;
  const stored: MessageRow = {
    id,
    conversationId: conversation.id,
    seq,
    ...message,
    createdAt: ctx.now,
    hiddenAt: null,
    hiddenBy: null,
    hiddenReason: null,
  };
  await ctx.emit({ type: ChatEvents.sent, subject: { type: 'conversation', id: conversation.id }, payload: { messageId: id, seq, kind: message.kind } });
  const recipients = participants.filter((p) => !p.left && !(p.type === message.senderType && p.id === message.senderId));
  await queueOutbound(ctx, conversation, stored, recipients);
  const members = participants.filter((p) => p.type === 'member' && !p.left).map((p) => p.id);
  if (members.length > 0) {
    const [view] = await messageViews(ctx.kernel, ctx.tx, [stored]);
    pushToMembers(ctx, members, { type: 'chat.message', conversationId: conversation.id, message: view! });
  }
  return stored;
}

async function findByClientId(db: Executor, conversationId: string, senderId: string | null, clientId: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(chatMessages)
    .where(
      and(
        eq(chatMessages.conversationId, conversationId),
        senderId === null ? sql`${chatMessages.senderId} IS NULL` : eq(chatMessages.senderId, senderId),
        eq(chatMessages.clientId, clientId),
      ),
    );
  return row;
}

/**
 * A conversation's messages around a point, in seq order: `after` a seq (resuming: everything newer, oldest
 * first) or `before` one (scrolling back), the newest page when neither is given.
 */
export async function listMessages(
  db: Executor,
  conversationId: string,
  options: { before?: number; after?: number; limit: number },
): Promise<{ items: MessageRow[]; more: boolean }> {
  const forward = options.after !== undefined;
  const rows = await db
    .select()
    .from(chatMessages)
    .where(
      and(
        eq(chatMessages.conversationId, conversationId),
        options.after !== undefined ? gt(chatMessages.seq, options.after) : undefined,
        options.before !== undefined ? lt(chatMessages.seq, options.before) : undefined,
      ),
    )
    .orderBy(forward ? asc(chatMessages.seq) : desc(chatMessages.seq))
    .limit(options.limit + 1);
  const more = rows.length > options.limit;
  const items = rows.slice(0, options.limit);
  return { items: forward ? items : items.reverse(), more };
}

export async function getMessage(db: Executor, id: string): Promise<MessageRow> {
  const [row] = await db.select().from(chatMessages).where(eq(chatMessages.id, id));
  if (!row) throw ChatError.notFound('No such message.');
  return row;
}

/** Staff hide a message from members: it stays (with who hid it and why) for staff and audit. */
export async function hideMessage(ctx: ServiceContext, messageId: string, reason: string): Promise<MessageRow> {
  if (!reason.trim()) throw ChatError.invalid('reason', 'must not be empty');
  const [hidden] = await ctx.tx
    .update(chatMessages)
    .set({ hiddenAt: ctx.now, hiddenBy: ctx.actor.type === 'staff' ? ctx.actor.id : null, hiddenReason: reason.trim() })
    .where(and(eq(chatMessages.id, messageId), sql`${chatMessages.hiddenAt} IS NULL`))
    .returning();
  if (!hidden) {
    await getMessage(ctx.tx, messageId);
    throw new ChatError('already_hidden', 'This message is already hidden.');
  }
  await ctx.emit({ type: ChatEvents.hidden, subject: { type: 'conversation', id: hidden.conversationId }, payload: { messageId, reason } });
  // Its push previews go too: out of the inboxes, and not sent if they have not been yet.
  await ctx.kernel.notifier?.withdraw(ctx, MESSAGE_NOTIFICATION, messageId);
  const members = await ctx.tx
    .select({ id: chatParticipants.participantId })
    .from(chatParticipants)
    .where(and(eq(chatParticipants.conversationId, hidden.conversationId), eq(chatParticipants.type, 'member')));
  pushToMembers(
    ctx,
    members.map((m) => m.id),
    { type: 'chat.message_hidden', conversationId: hidden.conversationId, messageId, seq: hidden.seq },
  );
  return hidden;
}
