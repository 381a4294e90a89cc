import { Type } from '@sinclair/typebox';
import type { Executor } from '../../core/db/client.ts';
import { getPeople } from '../people/people.ts';
import { staffNames } from '../staff/users.ts';
import { defineCodes, Text } from '../../core/labels.ts';
import { Id, Nullable, Reference, Timestamp } from '../../core/schemas.ts';
import type { Attempt, Batch, NotificationRow } from './service.ts';

export const NotificationStates = defineCodes('notification_state', {
  created: { en: 'In the inbox', ru: 'Во входящих', tone: 'blue' },
  sent_in_app: { en: 'Sent in the app', ru: 'Отправлено в приложение', tone: 'teal' },
  acked: { en: 'Received', ru: 'Получено', tone: 'green' },
  pushed: { en: 'Pushed', ru: 'Отправлено push', tone: 'green' },
  failed: { en: 'Not delivered', ru: 'Не доставлено', tone: 'red' },
  muted: { en: 'Muted', ru: 'Без звука', tone: 'gray' },
});
export const AttemptSteps = defineCodes('notification_step', {
  created: { en: 'Created', ru: 'Создано' },
  sent_in_app: { en: 'Sent in the app', ru: 'Отправлено в приложение', tone: 'teal' },
  acked: { en: 'Acknowledged by the app', ru: 'Приложение подтвердило', tone: 'green' },
  pushed: { en: 'Push accepted', ru: 'Push принят', tone: 'green' },
  retrying: { en: 'Push failed, will retry', ru: 'Push не прошёл, повтор', tone: 'blue' },
  failed: { en: 'Failed', ru: 'Ошибка', tone: 'red' },
  muted: { en: 'Muted by the member', ru: 'Отключено участником', tone: 'gray' },
  token_removed: { en: 'Device token removed', ru: 'Токен устройства удалён', tone: 'red' },
});
export const AttemptChannels = defineCodes('notification_channel', {
  in_app: { en: 'App socket', ru: 'Сокет приложения' },
  console: { en: 'Console', ru: 'Консоль' },
  fcm: { en: 'Firebase Cloud Messaging', ru: 'Firebase Cloud Messaging' },
  apns: { en: 'Apple Push', ru: 'Apple Push' },
  onesignal: { en: 'OneSignal', ru: 'OneSignal' },
});
export const NotificationPolicies = defineCodes('notification_policy', {
  in_app_only: { en: 'In the app only', ru: 'Только в приложении' },
  in_app_then_push: { en: 'In the app, then push', ru: 'В приложении, затем push' },
  push_only: { en: 'Push only', ru: 'Только push' },
  voip: { en: 'Call (VoIP push)', ru: 'Звонок (VoIP push)' },
});
export const MuteChanges = defineCodes('notification_mute_change', {
  muted: { en: 'muted', ru: 'без звука' },
  unmuted: { en: 'unmuted', ru: 'со звуком' },
});
export const BatchStates = defineCodes('notification_batch_state', {
  queued: { en: 'Queued', ru: 'В очереди', tone: 'blue' },
  running: { en: 'Sending', ru: 'Отправляется', tone: 'blue' },
  done: { en: 'Sent', ru: 'Отправлено', tone: 'green' },
});

/** What the app shows: over the socket (`{type: 'notification', notification}`) and in the inbox. */
export const NotificationView = Type.Object({
  id: Id,
  kind: Type.String(),
  title: Type.String(),
  body: Type.String(),
  data: Type.Record(Type.String(), Type.String(), { description: 'Deep-link data, e.g. a conversationId.' }),
  subject: Nullable(Reference),
  createdAt: Timestamp,
  readAt: Nullable(Timestamp),
});

export const notificationView = (n: NotificationRow) => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  body: n.body,
  data: n.data,
  subject: n.subjectType && n.subjectId ? { type: n.subjectType, id: n.subjectId } : null,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt?.toISOString() ?? null,
});

export const AttemptView = Type.Object({
  step: AttemptSteps.schema,
  channel: Nullable(AttemptChannels.schema),
  deviceId: Nullable(Id),
  detail: Nullable(Type.String()),
  at: Timestamp,
});

/** What staff see: the notification with where it stands and every step of its delivery. */
export const StaffNotificationView = Type.Intersect([
  NotificationView,
  Type.Object({
    state: NotificationStates.schema,
    failure: Nullable(Type.String()),
    locale: Type.String(),
    ackedAt: Nullable(Timestamp),
    batchId: Nullable(Id),
    withdrawnAt: Nullable(Timestamp),
    redacted: Type.Boolean({ description: 'The title and body are left out: reading them needs a permission of their own (a chat preview needs chat.read).' }),
    attempts: Type.Array(AttemptView),
  }),
]);

/** `readable`: whether the viewer may read what it said (the kind's own permission). */
export const staffNotificationView = (n: NotificationRow, attempts: Attempt[], readable: boolean) => ({
  ...notificationView(readable ? n : { ...n, title: '', body: '', data: {} }),
  redacted: !readable,
  withdrawnAt: n.withdrawnAt?.toISOString() ?? null,
  state: n.state,
  failure: n.failure,
  locale: n.locale,
  ackedAt: n.ackedAt?.toISOString() ?? null,
  batchId: n.batchId,
  attempts: attempts.map((a) => ({ step: a.step, channel: a.channel, deviceId: a.deviceId, detail: a.detail, at: a.at.toISOString() })),
});

export const InboxPage = Type.Object({
  items: Type.Array(NotificationView),
  nextCursor: Nullable(Type.String()),
  unread: Type.Integer({ description: 'How many of my notifications are unread, in all.' }),
});

export const PreferenceView = Type.Object({
  kind: Type.String(),
  label: Text,
  muted: Type.Boolean(),
  mutable: Type.Boolean({ description: 'False for kinds that cannot be muted (calls).' }),
});

export const BatchView = Type.Object({
  id: Id,
  kind: Type.String(),
  audience: Type.Union([Type.Object({ type: Type.Literal('person'), personId: Id }), Type.Object({ type: Type.Literal('tag'), tag: Type.String() })]),
  title: Text,
  body: Text,
  state: BatchStates.schema,
  total: Type.Integer(),
  sent: Type.Integer(),
  createdBy: Id,
  createdByName: Type.String({ description: 'The staff user who sent it.' }),
  audienceName: Type.String({ description: 'The person it went to, or the tag as #tag.' }),
  createdAt: Timestamp,
  finishedAt: Nullable(Timestamp),
});

/** Batches with the names of their senders and people, in two queries however many. */
export async function batchViews(db: Executor, batches: Batch[]) {
  const [staff, persons] = await Promise.all([
    staffNames(
      db,
      batches.map((b) => b.createdBy),
    ),
    getPeople(
      db,
      batches.flatMap((b) => (b.audience.type === 'person' ? [b.audience.personId] : [])),
    ),
  ]);
  const people = new Map(persons.map((p) => [p.id, p.displayName]));
  return batches.map((b) => ({
    ...batchView(b),
    createdByName: staff.get(b.createdBy) ?? '',
    audienceName: b.audience.type === 'tag' ? `#${b.audience.tag}` : (people.get(b.audience.personId) ?? ''),
  }));
}

const batchView = (b: Batch) => ({
  id: b.id,
  kind: b.kind,
  audience: b.audience,
  title: (b.params.title ?? { en: '', ru: '' }) as Text,
  body: (b.params.body ?? { en: '', ru: '' }) as Text,
  state: b.state,
  total: b.total,
  sent: b.sent,
  createdBy: b.createdBy,
  createdAt: b.createdAt.toISOString(),
  finishedAt: b.finishedAt?.toISOString() ?? null,
});
