import { Type } from '@sinclair/typebox';
import { defineModule, defineSubscriber } from '../../core/module.ts';
import { chatClientRoutes } from './client/routes.ts';
import { chatConsoleRoutes } from './console/routes.ts';
import { chatJobs } from './deliveries.ts';
import { chatEventTypes } from './events.ts';
import { getMessage } from './messages.ts';
import { chatNotificationKinds } from './notification-kinds.ts';
import { notifyOffline } from './notify.ts';
import { decideReport, DEFAULT_REPORT_REASONS, getReport, REPORT_KIND, REPORT_REASONS_SETTING } from './reports.ts';
import { conversationRefs, DeliveryStates, MessageKinds, ReportDecisions, SenderTypes } from './views.ts';

const LabelText = Type.Object(
  {
    en: Type.String({ minLength: 1, maxLength: 100, 'x-label': { en: 'English', ru: 'Английский' } }),
    ru: Type.String({ minLength: 1, maxLength: 100, 'x-label': { en: 'Russian', ru: 'Русский' } }),
  },
  { additionalProperties: false },
);

/**
 * Conversations and their messages, for every module that talks with people: kinds are declared by their
 * modules (`conversationKinds`), members use `/api/client/chats` and their socket, staff moderate here, and
 * outbound channels (Telegram, email) deliver through durable jobs.
 */
export const chatModule = defineModule({
  name: 'chat',
  label: { en: 'Chat', ru: 'Чаты' },
  requires: ['people', 'members', 'files'],
  permissions: [
    { key: 'chat.read', description: 'Read every conversation, with hidden messages and reports.' },
    { key: 'chat.moderate', description: 'Hide messages in conversations.' },
  ],
  roleGrants: { moderator: ['chat.read', 'chat.moderate'], support: ['chat.read'] },
  events: chatEventTypes,
  codes: [MessageKinds, SenderTypes, DeliveryStates, ReportDecisions],
  refs: [conversationRefs],
  jobs: chatJobs,
  notificationKinds: chatNotificationKinds,
  subscribers: [defineSubscriber({ name: 'chat.notify-offline', types: ['chat.message_sent'], handle: notifyOffline })],
  moderationKinds: [
    {
      kind: REPORT_KIND,
      label: { en: 'Chat reports', ru: 'Жалобы на чаты' },
      description: 'Messages and conversations members reported: approve to uphold (a reported message is hidden), reject to dismiss.',
      onDecision: (ctx, item, decision, reason) => decideReport(ctx, item.recordId, decision, reason),
      present: async (kernel, item) => {
        const report = await getReport(kernel.db, item.recordId);
        if (!report) return {};
        const message = report.messageId ? await getMessage(kernel.db, report.messageId) : undefined;
        return {
          conversationId: report.conversationId,
          reason: report.reason,
          note: report.note,
          messageText: message?.body ?? null,
          messageId: report.messageId,
        };
      },
    },
  ],
  settings: [
    {
      key: REPORT_REASONS_SETTING,
      label: { en: 'Chat report reasons', ru: 'Причины жалоб на чаты' },
      description: {
        en: 'The reasons members choose from when they report a message or a conversation (key → name in each language).',
        ru: 'Причины, из которых выбирают участники, когда жалуются на сообщение или переписку (ключ → название на каждом языке).',
      },
      schema: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), LabelText, { 'x-key-label': { en: 'Key', ru: 'Ключ' }, minProperties: 1 }),
      default: DEFAULT_REPORT_REASONS,
    },
  ],
  routes: async (app, kernel) => {
    await chatClientRoutes(kernel)(app);
    await chatConsoleRoutes(kernel)(app);
  },
  nav: [{ group: 'moderation', path: '/chat', label: 'nav.chat_moderation', permission: 'chat.read' }],
});
