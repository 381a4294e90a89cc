import type { StoredEvent } from '../../core/events/types.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import type { NotificationKindDef } from '../../core/notifications.ts';
import { realtimeHub } from '../../core/realtime/hub.ts';
import { participantsOf } from './conversations.ts';
import { getMessage } from './messages.ts';
import { MessageKinds, participantNames } from './views.ts';

export const MESSAGE_NOTIFICATION = 'chat.message';
/** Longest message text a push shows. */
const PREVIEW_LENGTH = 140;

export const chatNotificationKinds: NotificationKindDef[] = [
  {
    kind: MESSAGE_NOTIFICATION,
    label: { en: 'New messages', ru: 'Новые сообщения' },
    audience: 'member',
    // The chat itself is the in-app copy (the message reaches open sockets at once): only offline members get a push.
    policy: 'push_only',
    mutable: true,
    templates: { en: { title: '{sender}', body: '{preview}' }, ru: { title: '{sender}', body: '{preview}' } },
  },
];

/**
 * On each new message: a push to the members of the conversation who are offline, have not left it and
 * have not muted it (the sender never). Keyed by the message, so a retried subscriber makes no second push.
 */
export async function notifyOffline(event: StoredEvent, ctx: ServiceContext): Promise<void> {
  const notifier = ctx.kernel.notifier;
  const payload = event.payload as { messageId: string; kind: string };
  if (!notifier || !event.subjectId) return;
  const message = await getMessage(ctx.tx, payload.messageId);
  if (message.hiddenAt) return;
  const participants = await participantsOf(ctx.tx, [event.subjectId]);
  const recipients = participants.filter(
    (p) => p.type === 'member' && p.leftAt === null && !p.muted && !(message.senderType === 'member' && p.participantId === message.senderId),
  );
  if (recipients.length === 0) return;
  const presence = await realtimeHub(ctx.kernel).statuses(
    recipients.map((p) => p.participantId),
    ctx.tx,
  );
  const offline = recipients.filter((p) => presence.get(p.participantId)?.online !== true);
  if (offline.length === 0) return;
  const sender = participants.find((p) => p.participantId === message.senderId && p.type === message.senderType);
  const senderName = sender ? (await participantNames(ctx.tx, [sender])).name(sender) : '';
  const label = MessageKinds.codes[message.kind];
  const text = message.body ? message.body.slice(0, PREVIEW_LENGTH) : '';
  for (const recipient of offline) {
    await notifier.notify(ctx, {
      kind: MESSAGE_NOTIFICATION,
      recipient: { type: 'member', id: recipient.participantId },
      params: { sender: senderName || { en: label.en, ru: label.ru }, preview: text || { en: label.en, ru: label.ru } },
      data: { conversationId: message.conversationId, messageId: message.id },
      subject: { type: 'conversation', id: message.conversationId },
      dedupeKey: message.id,
    });
  }
}
