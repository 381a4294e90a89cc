import type { SQL } from 'drizzle-orm';
import type { Executor } from './db/client.ts';
import type { Text } from './labels.ts';
import type { Kernel } from './kernel.ts';

/** One message as an outbound channel receives it. */
export interface OutboundMessage {
  id: string;
  conversationId: string;
  seq: number;
  kind: string;
  senderType: 'member' | 'staff' | 'system';
  senderId: string | null;
  body: string | null;
  fileId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** The conversation a message belongs to, as a channel needs it. */
export interface OutboundConversation {
  id: string;
  kind: string;
  subjectType: string | null;
  subjectId: string | null;
}

export interface Recipient {
  type: 'member' | 'staff';
  id: string;
}

/** A channel's refusal: `permanent` failures are not retried (the address is gone, the bot was blocked). */
export class ChannelFailure extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

/**
 * A way out of Switchboard for a conversation's messages (Telegram, email): the chat module records a
 * delivery per message and recipient the channel reaches, and a durable job calls `deliver` until it
 * succeeds, fails permanently, or runs out of attempts (`queued → sent`, or `failed` with the reason).
 * Channels that learn more later (delivered, read) call the chat module's `markDelivery`.
 */
export interface OutboundChannel {
  /** `telegram`, `email`: a code of the `chat_channel` set. */
  name: string;
  label: Text;
  /** Whether this recipient is reached through this channel in this conversation (e.g. the customer has a Telegram chat). */
  /** Asked inside the message's transaction (`db` is it). */
  reaches(db: Executor, conversation: OutboundConversation, recipient: Recipient): Promise<boolean>;
  /** Sends one message; answers the channel's own id for it. Throws `ChannelFailure` (or anything: retried). */
  deliver(kernel: Kernel, message: OutboundMessage, conversation: OutboundConversation, recipient: Recipient): Promise<{ externalId?: string }>;
}

/** A kind of conversation, declared by the module that owns it (`creators.direct`, `studio.order`, `support.ticket`). */
export interface ConversationKindDef {
  /** `<module>.<name>`. */
  kind: string;
  label: Text;
  /** Longest text of one message, in characters. */
  maxTextLength: number;
  /** Members may start one with another member (one per pair). */
  memberToMember?: boolean;
  /**
   * The people a member must not hear from or be listed with, as a subquery of person ids (a blocklist in both
   * directions): conversations with them leave the member's list and sends between them are refused at once.
   */
  hiddenFrom?: (personId: string) => SQL;
  /** Outbound channels that carry this kind's messages to the participants they reach. */
  channels?: OutboundChannel[];
}
