import { codeLabel } from '../labels';
import { m } from '../paraglide/messages.js';
import { getLocale } from '../paraglide/runtime.js';
import type { Message, Participant } from './types';

const str = (value: unknown) => (typeof value === 'string' && value ? value : '—');
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** "3:05": a call's length reads the same in every language. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * What a message says, in words: a person's text (or that they sent a picture), or a system record other
 * modules append (a gift, a call, a notice) described from its data.
 */
export function messageText(message: Pick<Message, 'kind' | 'text' | 'data' | 'attachment'>): string {
  const { data } = message;
  switch (message.kind) {
    case 'gift': {
      const count = num(data.coins);
      return m.chat_gift({ name: str(data.giftName), count, amount: new Intl.NumberFormat(getLocale()).format(count) });
    }
    case 'call':
      return m.chat_call({
        kind: codeLabel('call_kind', str(data.callKind)),
        duration: duration(num(data.durationSeconds)),
        outcome: codeLabel('call_outcome', str(data.outcome)),
      });
    case 'notice':
      return m.chat_notice({ text: message.text || codeLabel('chat_notice', str(data.code)) });
    default:
      return message.text || (message.attachment ? m.chat_picture() : '');
  }
}

/** Who wrote a message: a participant by name, the system as "System". */
export function senderName(message: Pick<Message, 'sender'>, participants: Participant[]): string {
  const { type, id } = message.sender;
  if (type === 'system' || !id) return codeLabel('chat_sender', type);
  return participants.find((p) => p.type === type && p.id === id)?.name || codeLabel('chat_sender', type);
}
