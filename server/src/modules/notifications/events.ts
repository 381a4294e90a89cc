import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id } from '../../core/schemas.ts';

const read = 'notifications.read';

export const notificationEvents = defineEvents({
  'notifications.batch_created': {
    title: { en: 'Notification sent', ru: 'Уведомление отправлено' },
    summary: {
      en: '{actor} sent “{payload.title}” to {payload.audience}',
      ru: '{actor} отправляет «{payload.title}»: {payload.audience}',
    },
    description: 'Staff sent a notification to one person or to everyone with a tag; a job makes and delivers them in chunks.',
    permission: read,
    payload: Type.Object({ batchId: Id, title: Type.String(), audience: Type.String(), total: Type.Integer() }),
  },
  'notifications.batch_finished': {
    title: { en: 'Notification delivered to its audience', ru: 'Уведомление разослано' },
    summary: { en: '“{payload.title}” is sent; recipients: {payload.sent}', ru: '«{payload.title}» разослано; получатели: {payload.sent}' },
    description: 'Every notification of a bulk send was made (each then goes its own way: in-app, push).',
    permission: read,
    payload: Type.Object({ batchId: Id, title: Type.String(), sent: Type.Integer() }),
  },
  'notifications.preference_changed': {
    title: { en: 'Notification preference changed', ru: 'Изменены настройки уведомлений' },
    summary: {
      en: '{subject}: {payload.kind:notification_kind} {payload.change:notification_mute_change}',
      ru: '{subject}: {payload.kind:notification_kind} {payload.change:notification_mute_change}',
    },
    description: 'A member muted or unmuted a kind of notification.',
    permission: read,
    toSubject: true,
    payload: Type.Object({ kind: Type.String(), change: Type.Union([Type.Literal('muted'), Type.Literal('unmuted')]) }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof notificationEvents> {}
}

export const NotificationEvents = {
  batchCreated: 'notifications.batch_created',
  batchFinished: 'notifications.batch_finished',
  preferenceChanged: 'notifications.preference_changed',
} as const satisfies Record<string, keyof typeof notificationEvents>;

export const notificationEventTypes = eventTypeList(notificationEvents);
