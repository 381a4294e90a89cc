import { sql } from 'drizzle-orm';
import { bigint, boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Who takes part in a conversation or sent a message. */
export const PARTICIPANT_TYPES = ['member', 'staff'] as const;
export const SENDER_TYPES = ['member', 'staff', 'system'] as const;
/** A member's or staff user's text (and/or attachment), or a record another module appends. */
export const MESSAGE_KINDS = ['text', 'gift', 'call', 'notice'] as const;

/**
 * A conversation of a kind some module declares (`creators.direct`, later `studio.order`, `support.ticket`),
 * optionally about a subject record. `last_seq` numbers its messages without gaps: a reader that sees seq n
 * and then n + 2 knows it missed one. `pair_key` makes a one-to-one conversation unique per pair of people.
 */
export const chatConversations = pgTable(
  'chat_conversations',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    subjectType: text('subject_type'),
    subjectId: uuid('subject_id'),
    pairKey: text('pair_key'),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
    lastMessageAt: timestamptz('last_message_at'),
    /** When the newest report still waiting for a decision was made; null when none waits. */
    reportedAt: timestamptz('reported_at'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('chat_conversations_pair_key').on(t.pairKey),
    index('chat_conversations_activity_idx').on(t.lastMessageAt.desc().nullsLast(), t.id.desc()),
    index('chat_conversations_subject_idx').on(t.subjectType, t.subjectId),
    index('chat_conversations_reported_idx')
      .on(t.reportedAt.desc(), t.id.desc())
      .where(sql`${t.reportedAt} IS NOT NULL`),
  ],
);

/**
 * A member or staff user in a conversation, with their own cursors: `read_seq` (read up to) and
 * `delivered_seq` (their app confirmed receiving up to). `activity_at` copies the conversation's last
 * message time so "my conversations, newest first" is one index range per person.
 */
export const chatParticipants = pgTable(
  'chat_participants',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => chatConversations.id),
    type: text('type', { enum: PARTICIPANT_TYPES }).notNull(),
    participantId: uuid('participant_id').notNull(),
    joinedAt: timestamptz('joined_at').notNull(),
    leftAt: timestamptz('left_at'),
    muted: boolean('muted').notNull().default(false),
    readSeq: bigint('read_seq', { mode: 'number' }).notNull().default(0),
    deliveredSeq: bigint('delivered_seq', { mode: 'number' }).notNull().default(0),
    activityAt: timestamptz('activity_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.type, t.participantId] }),
    index('chat_participants_mine_idx').on(t.participantId, t.activityAt.desc(), t.conversationId.desc()),
  ],
);

/**
 * One message. A sender's `client_id` is unique in a conversation: a repeated send returns the stored
 * message. Hidden messages stay (for audit and staff) and members no longer see them.
 */
export const chatMessages = pgTable(
  'chat_messages',
  {
    id: uuid('id').primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => chatConversations.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    senderType: text('sender_type', { enum: SENDER_TYPES }).notNull(),
    senderId: uuid('sender_id'),
    clientId: text('client_id'),
    kind: text('kind', { enum: MESSAGE_KINDS }).notNull(),
    body: text('body'),
    fileId: uuid('file_id'),
    /** A system record's facts: a gift's transfer, a call's duration and outcome, a notice's code. */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamptz('created_at').notNull(),
    hiddenAt: timestamptz('hidden_at'),
    hiddenBy: uuid('hidden_by'),
    hiddenReason: text('hidden_reason'),
  },
  (t) => [
    uniqueIndex('chat_messages_seq_key').on(t.conversationId, t.seq),
    uniqueIndex('chat_messages_client_key').on(t.conversationId, t.senderId, t.clientId),
    index('chat_messages_sender_idx').on(t.senderId, t.createdAt),
  ],
);

/**
 * What a member reported: a message or a whole conversation, with a reason. Each report is an item of the
 * `chat_report` moderation queue; its decision is recorded here too.
 */
export const chatReports = pgTable(
  'chat_reports',
  {
    id: uuid('id').primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => chatConversations.id),
    messageId: uuid('message_id').references(() => chatMessages.id),
    reporterId: uuid('reporter_id').notNull(),
    reason: text('reason').notNull(),
    note: text('note'),
    createdAt: timestamptz('created_at').notNull(),
    decision: text('decision', { enum: ['approved', 'rejected'] }),
    decidedAt: timestamptz('decided_at'),
  },
  (t) => [index('chat_reports_conversation_idx').on(t.conversationId, t.createdAt)],
);

/**
 * A message's way to one recipient through an outbound channel (Telegram, email): its state and attempts.
 * The app and console channels need no rows: their states follow from the participant's cursors.
 */
export const chatDeliveries = pgTable(
  'chat_deliveries',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => chatMessages.id),
    channel: text('channel').notNull(),
    recipientType: text('recipient_type', { enum: PARTICIPANT_TYPES }).notNull(),
    recipientId: uuid('recipient_id').notNull(),
    state: text('state', { enum: ['queued', 'sent', 'delivered', 'read', 'failed'] }).notNull(),
    attempts: bigint('attempts', { mode: 'number' }).notNull().default(0),
    failure: text('failure'),
    /** The channel's own id for what it sent (a Telegram message id, an email Message-ID). */
    externalId: text('external_id'),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.channel, t.recipientId] }), index('chat_deliveries_open_idx').on(t.state, t.updatedAt)],
);
