import type { NotificationKindDef } from '../../core/notifications.ts';

export const MESSAGE_NOTIFICATION = 'chat.message';

export const chatNotificationKinds: NotificationKindDef[] = [
  {
    kind: MESSAGE_NOTIFICATION,
    label: { en: 'New messages', ru: 'Новые сообщения' },
    audience: 'member',
    // The chat itself is the in-app copy (the message reaches open sockets at once): only offline members get a push.
    policy: 'push_only',
    mutable: true,
    // The body previews a private message: staff read it only where they may read the conversation.
    permission: 'chat.read',
    templates: { en: { title: '{sender}', body: '{preview}' }, ru: { title: '{sender}', body: '{preview}' } },
  },
];
