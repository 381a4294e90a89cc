import type { StoredEvent } from '../../core/events/types.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { realtimeHub } from '../../core/realtime/hub.ts';
import { participantsOf } from './conversations.ts';
import { getMessage } from './messages.ts';
import { MESSAGE_NOTIFICATION } from './notification-kinds.ts';

/** Longest message text a push shows. */
const PREVIEW_LENGTH = 140;
import { MessageKinds, participantNames } from './views.ts';

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
  const online = await realtimeHub(ctx.kernel).onlineAmong(
    recipients.map((p) => p.participantId),
    ctx.tx,
  );
  const offline = recipients.filter((p) => !online.has(p.participantId));
  if (offline.length === 0) return;
  const sender = participants.find((p) => p.participantId === message.senderId && p.type === message.senderType);
  const senderName = sender ? (await participantNames(ctx.tx, [sender])).name(sender) : '';
  const label = MessageKinds.codes[message.kind];
  const text = message.body ? message.body.slice(0, PREVIEW_LENGTH) : '';
  await notifier.notifyMany(
    ctx,
    offline.map((recipient) => ({
      kind: MESSAGE_NOTIFICATION,
      recipient: { type: 'member' as const, id: recipient.participantId },
      params: { sender: senderName || { en: label.en, ru: label.ru }, preview: text || { en: label.en, ru: label.ru } },
      data: { conversationId: message.conversationId, messageId: message.id },
      subject: { type: 'conversation', id: message.conversationId },
      dedupeKey: message.id,
    })),
  );
}
