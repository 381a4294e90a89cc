import type { Label, Locale, Text } from './labels.ts';
import type { ServiceContext } from './kernel.ts';

/**
 * How a notice reaches a member (staff notices are always in the console):
 * - `in_app_only`: over the member's open sockets and into their inbox; never a push;
 * - `in_app_then_push`: in-app when the member is online; a push when they are not, or when no socket
 *   acknowledged it within `notifications.ack_timeout` seconds;
 * - `push_only`: straight to their devices (and the inbox);
 * - `voip`: a call ringing: in-app to open sockets and at once a VoIP push (PushKit on iOS) that wakes the phone.
 */
export const NOTIFICATION_POLICIES = ['in_app_only', 'in_app_then_push', 'push_only', 'voip'] as const;
export type NotificationPolicy = (typeof NOTIFICATION_POLICIES)[number];

/** One language's title and body, as ICU MessageFormat (`{name}`, `{count, plural, one {…} other {…}}`). */
export interface NotificationTemplate {
  title: string;
  body: string;
}

/** A kind of notification, declared by the module that sends it (`chat.message`, `notifications.announcement`). */
export interface NotificationKindDef {
  /** `<module>.<name>`. */
  kind: string;
  /** Its name in the console and in members' mute preferences. */
  label: Label;
  audience: 'member' | 'staff';
  policy: NotificationPolicy;
  /** The text in every language; the recipient's locale picks one. */
  templates: Record<Locale, NotificationTemplate>;
  /** Members may mute it in their preferences (never for `voip`: a muted call would never ring). */
  mutable?: boolean;
  /**
   * What staff need, besides `notifications.read`, to read its title and body in the console (a chat
   * message's preview needs `chat.read`); without it they see that it was sent, not what it said.
   */
  permission?: string;
}

/** A template parameter: the same value in every language, or one per language (`{ en, ru }`). */
export type NotificationParam = string | number | Text;

export interface NotifyInput {
  kind: string;
  recipient: { type: 'member' | 'staff'; id: string };
  params?: Record<string, NotificationParam>;
  /** Deep-link data the app receives with it (every value a string). */
  data?: Record<string, string>;
  /** The record it is about (a conversation, a call), for the console's history. */
  subject?: { type: string; id: string };
  /** Makes the call idempotent: a second notify with the same kind, recipient and key returns the first. */
  dedupeKey?: string;
}

/**
 * What modules use to tell people something; provided by the notifications module (absent when it is
 * disabled: then nothing is sent). Runs in the caller's transaction: the notification, its in-app copy and
 * its fallback push exist if and only if the caller's work commits.
 */
export interface Notifier {
  notify(ctx: ServiceContext, input: NotifyInput): Promise<{ id: string; created: boolean }>;
  /** Many at once, in a fixed number of statements (a message to a group, a bulk send). */
  notifyMany(ctx: ServiceContext, inputs: NotifyInput[]): Promise<Array<{ id: string; created: boolean }>>;
  /**
   * Takes back the notifications of a kind made with this dedupe key (the chat message they preview was
   * hidden): they leave the inboxes and what was not pushed yet is not sent. Answers how many.
   */
  withdraw(ctx: ServiceContext, kind: string, dedupeKey: string): Promise<number>;
}
