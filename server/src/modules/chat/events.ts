import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable } from '../../core/schemas.ts';

const read = 'chat.read';
const Participant = Type.Object({ type: Type.Union([Type.Literal('member'), Type.Literal('staff')]), id: Id });

export const chatEvents = defineEvents({
  'chat.conversation_started': {
    title: { en: 'Conversation started', ru: 'Начата переписка' },
    summary: {
      en: '{actor} started {subject} ({payload.kind:conversation_kind})',
      ru: '{actor} начинает переписку {subject} ({payload.kind:conversation_kind})',
    },
    description: 'A conversation was started, with its kind, subject and first participants.',
    permission: read,
    payload: Type.Object({
      kind: Type.String(),
      subjectType: Nullable(Type.String()),
      subjectId: Nullable(Id),
      participants: Type.Array(Participant),
    }),
  },
  'chat.message_sent': {
    title: { en: 'Message sent', ru: 'Сообщение отправлено' },
    summary: { en: '{actor} wrote in {subject} ({payload.kind:message_kind})', ru: '{actor} пишет в {subject} ({payload.kind:message_kind})' },
    description: 'A message or a system record (gift, call, notice) was added to a conversation; the text stays in the conversation.',
    permission: read,
    payload: Type.Object({ messageId: Id, seq: Type.Integer(), kind: Type.String() }),
  },
  'chat.message_hidden': {
    title: { en: 'Message hidden', ru: 'Сообщение скрыто' },
    summary: { en: '{actor} hid a message in {subject}: {payload.reason}', ru: '{actor} скрывает сообщение в {subject}: {payload.reason}' },
    description: 'Staff hid a message from members (it is kept for audit).',
    permission: read,
    payload: Type.Object({ messageId: Id, reason: Type.String() }),
  },
  'chat.reported': {
    title: { en: 'Chat reported', ru: 'Жалоба на переписку' },
    summary: { en: '{actor} reported {subject}: {payload.reason}', ru: '{actor} жалуется на {subject}: {payload.reason}' },
    description: 'A member reported a message or a whole conversation, with a reason.',
    permission: read,
    payload: Type.Object({ reportId: Id, messageId: Nullable(Id), reason: Type.String() }),
  },
  'chat.participant_left': {
    title: { en: 'Left a conversation', ru: 'Выход из переписки' },
    summary: { en: '{actor} left {subject}', ru: '{actor} выходит из переписки {subject}' },
    description: 'A participant left a conversation: it leaves their list and they can no longer write in it.',
    permission: read,
    payload: Type.Object({ participant: Participant }),
  },
  'chat.participant_returned': {
    title: { en: 'Back in a conversation', ru: 'Возврат в переписку' },
    summary: { en: '{actor} came back to {subject}', ru: '{actor} возвращается в переписку {subject}' },
    description: 'A participant who had left a conversation opened it again: it is on their list again.',
    permission: read,
    payload: Type.Object({ participant: Participant }),
  },
  'chat.muted_changed': {
    title: { en: 'Conversation muted', ru: 'Уведомления переписки' },
    summary: {
      en: '{actor} changed notifications of {subject} (muted: {payload.muted})',
      ru: '{actor} меняет уведомления переписки {subject} (без звука: {payload.muted})',
    },
    description: 'A participant muted or unmuted a conversation (no notifications while muted).',
    permission: read,
    payload: Type.Object({ participant: Participant, muted: Type.Boolean() }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof chatEvents> {}
}

export const ChatEvents = {
  started: 'chat.conversation_started',
  sent: 'chat.message_sent',
  hidden: 'chat.message_hidden',
  reported: 'chat.reported',
  left: 'chat.participant_left',
  returned: 'chat.participant_returned',
  muted: 'chat.muted_changed',
} as const satisfies Record<string, keyof typeof chatEvents>;

export const chatEventTypes = eventTypeList(chatEvents);
