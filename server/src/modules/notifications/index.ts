import { Type } from '@sinclair/typebox';
import { defineModule } from '../../core/module.ts';
import { ANNOUNCEMENT_KIND, BATCH_FINISHED_KIND, batchJobs, batchRefs } from './batches.ts';
import { notificationClientRoutes } from './client/routes.ts';
import { notificationConsoleRoutes } from './console/routes.ts';
import { deliveryJobs, pushProviders } from './delivery.ts';
import { seedNotificationsDemo } from './demo.ts';
import { notificationEventTypes } from './events.ts';
import { ACK_TIMEOUT_SETTING, checkTemplates, notify, notifyMany, withdraw } from './service.ts';
import { AttemptChannels, AttemptSteps, BatchStates, MuteChanges, NotificationPolicies, NotificationStates } from './views.ts';

/**
 * How people are told things: kinds declared by the modules that send them (`notificationKinds`), delivered
 * in-app over the member's socket with an ACK and a push (FCM, APNs, OneSignal) when no ACK comes, into an
 * inbox; staff get theirs under the console's bell.
 */
export const notificationsModule = defineModule({
  name: 'notifications',
  label: { en: 'Notifications', ru: 'Уведомления' },
  requires: ['people', 'members'],
  provides: { notifier: () => ({ notify, notifyMany, withdraw }) },
  permissions: [
    { key: 'notifications.read', description: "Read people's notifications and their delivery history, and what staff sent." },
    { key: 'notifications.send', description: 'Send a notification to a person or to everyone with a tag.' },
  ],
  roleGrants: { support: ['notifications.read', 'notifications.send'], moderator: ['notifications.read'] },
  events: notificationEventTypes,
  codes: [NotificationStates, AttemptSteps, AttemptChannels, NotificationPolicies, BatchStates, MuteChanges],
  refs: [batchRefs],
  jobs: [...deliveryJobs, ...batchJobs],
  notificationKinds: [
    {
      kind: ANNOUNCEMENT_KIND,
      label: { en: 'Announcements', ru: 'Объявления' },
      audience: 'member',
      policy: 'in_app_then_push',
      mutable: true,
      templates: { en: { title: '{title}', body: '{body}' }, ru: { title: '{title}', body: '{body}' } },
    },
    {
      kind: BATCH_FINISHED_KIND,
      label: { en: 'Notification sent', ru: 'Уведомление разослано' },
      audience: 'staff',
      policy: 'in_app_only',
      templates: {
        en: { title: '“{title}” is sent', body: '{sent, plural, =0 {Nobody} one {# person} other {# people}} received it.' },
        ru: {
          title: '«{title}» разослано',
          body: 'Получили: {sent, plural, =0 {никто} one {# человек} few {# человека} many {# человек} other {# человека}}.',
        },
      },
    },
  ],
  settings: [
    {
      key: ACK_TIMEOUT_SETTING,
      label: { en: 'In-app acknowledgement timeout', ru: 'Время ожидания подтверждения в приложении' },
      description: {
        en: 'Seconds to wait for the app to acknowledge an in-app notification before it is sent as a push instead.',
        ru: 'Сколько секунд ждать, пока приложение подтвердит уведомление, прежде чем отправить его push-сообщением.',
      },
      schema: Type.Integer({ minimum: 1, maximum: 600 }),
      default: 10,
    },
  ],
  routes: async (app, kernel) => {
    await notificationClientRoutes(kernel)(app);
    await notificationConsoleRoutes(kernel)(app);
  },
  nav: [{ group: 'people', path: '/notifications', label: 'nav.notifications', permission: 'notifications.read' }],
  // Every template is compiled once at start: a broken one stops the server rather than a sender's transaction.
  bootstrap: async (kernel) => checkTemplates(kernel),
  seedDemo: seedNotificationsDemo,
  onClose: async (kernel) => pushProviders(kernel).close(),
});
