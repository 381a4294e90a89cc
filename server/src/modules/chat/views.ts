import { Type, type Static } from '@sinclair/typebox';
import type { Executor } from '../../core/db/client.ts';
import { uuidIn } from '../../core/db/sql.ts';
import type { RefResolverDef } from '../../core/events/refs.ts';
import type { Kernel } from '../../core/kernel.ts';
import { defineCodes } from '../../core/labels.ts';
import { Id, Nullable, Timestamp } from '../../core/schemas.ts';
import { fileService } from '../files/index.ts';
import { getPeople } from '../people/people.ts';
import { staffNames } from '../staff/users.ts';
import { lastMessages, participantsOf, type Conversation, type ConversationListItem, type MessageRow, type ParticipantRow } from './conversations.ts';
import { chatConversations } from './schema.ts';
import { deliveriesOf, type Delivery } from './deliveries.ts';
import type { Report } from './reports.ts';

export const MessageKinds = defineCodes('message_kind', {
  text: { en: 'Message', ru: 'Сообщение' },
  gift: { en: 'Gift', ru: 'Подарок' },
  call: { en: 'Call', ru: 'Звонок' },
  notice: { en: 'Notice', ru: 'Уведомление' },
});
export const SenderTypes = defineCodes('chat_sender', {
  member: { en: 'Member', ru: 'Участник' },
  staff: { en: 'Staff', ru: 'Сотрудник' },
  system: { en: 'System', ru: 'Система' },
});
export const DeliveryStates = defineCodes('delivery_state', {
  queued: { en: 'Queued', ru: 'В очереди', tone: 'blue' },
  sent: { en: 'Sent', ru: 'Отправлено', tone: 'teal' },
  delivered: { en: 'Delivered', ru: 'Доставлено', tone: 'green' },
  read: { en: 'Read', ru: 'Прочитано', tone: 'green' },
  failed: { en: 'Failed', ru: 'Не доставлено', tone: 'red' },
});
export const ReportDecisions = defineCodes('chat_report_decision', {
  approved: { en: 'Upheld', ru: 'Подтверждена', tone: 'red' },
  rejected: { en: 'Dismissed', ru: 'Отклонена', tone: 'gray' },
});

const ParticipantType = Type.Union([Type.Literal('member'), Type.Literal('staff')]);
export const ParticipantView = Type.Object({
  type: ParticipantType,
  id: Id,
  name: Type.String({ description: "The person's display name, or the staff user's name." }),
  left: Type.Boolean(),
});

export const Attachment = Type.Object({
  id: Id,
  mime: Type.String(),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  urls: Type.Record(Type.String(), Type.String(), { description: 'Signed links to each variant (thumbnail, medium, original).' }),
});

export const MessageView = Type.Object({
  id: Id,
  conversationId: Id,
  seq: Type.Integer({ description: 'Numbers the conversation’s messages without gaps: a gap means a message was missed.' }),
  kind: MessageKinds.schema,
  sender: Type.Object({ type: SenderTypes.schema, id: Nullable(Id) }),
  clientId: Nullable(Type.String()),
  text: Nullable(Type.String()),
  attachment: Nullable(Attachment),
  data: Type.Record(Type.String(), Type.Unknown(), {
    description: 'A system record’s facts: a gift’s giftId, coins and transferId; a call’s callKind, durationSeconds and outcome.',
  }),
  hidden: Type.Boolean({ description: 'Hidden by staff: members get it without text or attachment.' }),
  createdAt: Timestamp,
});
type MessageViewT = Static<typeof MessageView>;

/** What staff see of a message besides: who hid it and why. */
export const StaffMessageView = Type.Intersect([
  MessageView,
  Type.Object({
    hiddenAt: Nullable(Timestamp),
    hiddenBy: Nullable(Id),
    hiddenReason: Nullable(Type.String()),
    reported: Type.Boolean({ description: 'A member reported this message.' }),
    deliveries: Type.Array(
      Type.Object({
        channel: Type.String(),
        recipientType: ParticipantType,
        recipientId: Id,
        state: DeliveryStates.schema,
        attempts: Type.Integer(),
        failure: Nullable(Type.String()),
        updatedAt: Timestamp,
      }),
    ),
  }),
]);

export const MemberConversationView = Type.Object({
  id: Id,
  kind: Type.String(),
  subject: Nullable(Type.Object({ type: Type.String(), id: Id })),
  participants: Type.Array(ParticipantView),
  lastMessage: Nullable(MessageView),
  lastSeq: Type.Integer(),
  readSeq: Type.Integer({ description: 'I have read up to this seq.' }),
  unread: Type.Integer(),
  muted: Type.Boolean(),
  lastMessageAt: Nullable(Timestamp),
  createdAt: Timestamp,
});

export const StaffConversationView = Type.Object({
  id: Id,
  kind: Type.String(),
  subject: Nullable(Type.Object({ type: Type.String(), id: Id })),
  participants: Type.Array(
    Type.Intersect([
      ParticipantView,
      Type.Object({ readSeq: Type.Integer(), deliveredSeq: Type.Integer(), muted: Type.Boolean(), status: Nullable(Type.String()) }),
    ]),
  ),
  lastMessage: Nullable(StaffMessageView),
  lastSeq: Type.Integer(),
  reportedAt: Nullable(Timestamp),
  lastMessageAt: Nullable(Timestamp),
  createdAt: Timestamp,
});

export const ReportView = Type.Object({
  id: Id,
  conversationId: Id,
  messageId: Nullable(Id),
  reporterId: Id,
  reason: Type.String(),
  note: Nullable(Type.String()),
  decision: Nullable(ReportDecisions.schema),
  createdAt: Timestamp,
  decidedAt: Nullable(Timestamp),
});

export const reportView = (report: Report): Static<typeof ReportView> => ({
  id: report.id,
  conversationId: report.conversationId,
  messageId: report.messageId,
  reporterId: report.reporterId,
  reason: report.reason,
  note: report.note,
  decision: report.decision,
  createdAt: report.createdAt.toISOString(),
  decidedAt: report.decidedAt?.toISOString() ?? null,
});

/** Messages as members see them: a hidden one keeps its place (its seq) without its content. */
export async function messageViews(kernel: Kernel, db: Executor, rows: MessageRow[]): Promise<MessageViewT[]> {
  const files = fileService(kernel);
  const fileIds = rows.filter((row) => row.fileId && !row.hiddenAt).map((row) => row.fileId!);
  const attached = new Map((await files.findMany(fileIds, db)).map((file) => [file.id, file]));
  return rows.map((row) => {
    const file = row.fileId && !row.hiddenAt ? attached.get(row.fileId) : undefined;
    const view = file ? files.view(file) : undefined;
    return {
      id: row.id,
      conversationId: row.conversationId,
      seq: row.seq,
      kind: row.kind,
      sender: { type: row.senderType, id: row.senderId },
      clientId: row.clientId,
      text: row.hiddenAt ? null : row.body,
      attachment: view ? { id: view.id, mime: view.mime, width: view.width, height: view.height, urls: view.urls } : null,
      data: row.hiddenAt ? {} : row.data,
      hidden: row.hiddenAt !== null,
      createdAt: row.createdAt.toISOString(),
    };
  });
}

/** Messages as staff see them: hidden ones in full, with reports and outbound deliveries. */
export async function staffMessageViews(kernel: Kernel, db: Executor, rows: MessageRow[], reported: Set<string>, deliveries: Delivery[]) {
  const visible = await messageViews(
    kernel,
    db,
    rows.map((row) => ({ ...row, hiddenAt: null })),
  );
  return visible.map((view, i) => {
    const row = rows[i]!;
    return {
      ...view,
      hidden: row.hiddenAt !== null,
      hiddenAt: row.hiddenAt?.toISOString() ?? null,
      hiddenBy: row.hiddenBy,
      hiddenReason: row.hiddenReason,
      reported: reported.has(row.id),
      deliveries: deliveries
        .filter((d) => d.messageId === row.id)
        .map((d) => ({
          channel: d.channel,
          recipientType: d.recipientType,
          recipientId: d.recipientId,
          state: d.state,
          attempts: d.attempts,
          failure: d.failure,
          updatedAt: d.updatedAt.toISOString(),
        })),
    };
  });
}

/** Names of participants (people and staff), in two queries whatever the number of conversations. */
export async function participantNames(db: Executor, participants: ParticipantRow[]) {
  const personIds = [...new Set(participants.filter((p) => p.type === 'member').map((p) => p.participantId))];
  const staffIds = [...new Set(participants.filter((p) => p.type === 'staff').map((p) => p.participantId))];
  const [persons, staff] = await Promise.all([getPeople(db, personIds), staffNames(db, staffIds)]);
  const people = new Map(persons.map((p) => [p.id, p]));
  return {
    name: (p: ParticipantRow) => (p.type === 'member' ? (people.get(p.participantId)?.displayName ?? '') : (staff.get(p.participantId) ?? '')),
    status: (p: ParticipantRow) => (p.type === 'member' ? (people.get(p.participantId)?.status ?? null) : null),
  };
}

export const conversationSubject = (c: Conversation) => (c.subjectType && c.subjectId ? { type: c.subjectType, id: c.subjectId } : null);

/** A conversation in the event log: "Anna Kim · Boris Lee". */
export const conversationRefs: RefResolverDef = {
  type: 'conversation',
  label: { en: 'Conversation', ru: 'Переписка' },
  permission: 'chat.read',
  resolve: async (db, ids) => {
    const participants = await participantsOf(db, ids);
    const names = await participantNames(db, participants);
    const known = await db.select({ id: chatConversations.id }).from(chatConversations).where(uuidIn(chatConversations.id, ids));
    return known.map(({ id }) => ({
      id,
      name:
        participants
          .filter((p) => p.conversationId === id)
          .map(names.name)
          .filter(Boolean)
          .join(' · ') || 'Conversation',
      href: `/chat/${id}`,
    }));
  },
};

/** Conversations as their member sees them, with the last message, in a fixed number of queries per page. */
export async function memberConversationViews(
  kernel: Kernel,
  db: Executor,
  items: ConversationListItem[],
): Promise<Array<Static<typeof MemberConversationView>>> {
  const conversations = items.map((item) => item.conversation);
  const [participants, last] = await Promise.all([
    participantsOf(
      db,
      conversations.map((c) => c.id),
    ),
    lastMessages(db, conversations),
  ]);
  const names = await participantNames(db, participants);
  const lastViews = new Map((await messageViews(kernel, db, [...last.values()])).map((view) => [view.conversationId, view]));
  return items.map(({ conversation, me, unread }) => ({
    id: conversation.id,
    kind: conversation.kind,
    subject: conversationSubject(conversation),
    participants: participants
      .filter((p) => p.conversationId === conversation.id)
      .map((p) => ({ type: p.type, id: p.participantId, name: names.name(p), left: p.leftAt !== null })),
    lastMessage: lastViews.get(conversation.id) ?? null,
    lastSeq: conversation.lastSeq,
    readSeq: me.readSeq,
    unread,
    muted: me.muted,
    lastMessageAt: conversation.lastMessageAt?.toISOString() ?? null,
    createdAt: conversation.createdAt.toISOString(),
  }));
}

/** Conversations as staff see them: participants with their cursors and status, the last message in full. */
export async function staffConversationViews(kernel: Kernel, db: Executor, conversations: Conversation[]) {
  const [participants, last] = await Promise.all([
    participantsOf(
      db,
      conversations.map((c) => c.id),
    ),
    lastMessages(db, conversations),
  ]);
  const lastRows = [...last.values()];
  const [names, deliveries] = await Promise.all([
    participantNames(db, participants),
    deliveriesOf(
      db,
      lastRows.map((m) => m.id),
    ),
  ]);
  const lastViews = new Map((await staffMessageViews(kernel, db, lastRows, new Set(), deliveries)).map((view) => [view.conversationId, view]));
  return conversations.map((conversation) => ({
    id: conversation.id,
    kind: conversation.kind,
    subject: conversationSubject(conversation),
    participants: participants
      .filter((p) => p.conversationId === conversation.id)
      .map((p) => ({
        type: p.type,
        id: p.participantId,
        name: names.name(p),
        left: p.leftAt !== null,
        readSeq: p.readSeq,
        deliveredSeq: p.deliveredSeq,
        muted: p.muted,
        status: names.status(p),
      })),
    lastMessage: lastViews.get(conversation.id) ?? null,
    lastSeq: conversation.lastSeq,
    reportedAt: conversation.reportedAt?.toISOString() ?? null,
    lastMessageAt: conversation.lastMessageAt?.toISOString() ?? null,
    createdAt: conversation.createdAt.toISOString(),
  }));
}
