import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { staffActorOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Text } from '../../../core/labels.ts';
import { Id, IdParams, Timestamp } from '../../../core/schemas.ts';
import { conversationsOfPerson, getConversation, listConversations } from '../conversations.ts';
import { deliveriesOf } from '../deliveries.ts';
import { ChatError } from '../errors.ts';
import { hideMessage, listMessages } from '../messages.ts';
import { reportReasons, reportsOf } from '../reports.ts';
import { ReportView, reportView, StaffConversationView, staffConversationViews, StaffMessageView, staffMessageViews } from '../views.ts';

/** Chat moderation: every conversation, reported ones first when asked, with the thread and its reports. */
export function chatConsoleRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/console/chats',
      {
        config: { permission: 'chat.read' },
        schema: {
          tags: ['chat'],
          summary: 'Conversations, newest activity first (reported ones by their newest waiting report)',
          querystring: Type.Object({
            reported: Type.Optional(Type.Boolean({ description: 'Only conversations with a report waiting for a decision' })),
            personId: Type.Optional(Id),
            kind: Type.Optional(Type.String({ maxLength: 100 })),
            from: Type.Optional(Timestamp),
            to: Type.Optional(Timestamp),
            ...PageQuery,
          }),
          response: { 200: Page(StaffConversationView), ...problems(400) },
        },
      },
      async (request) => {
        const page = await listConversations(kernel.db, request.query);
        return { items: await staffConversationViews(kernel, kernel.db, page.items), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/console/chats/report-reasons',
      {
        config: { permission: 'chat.read' },
        schema: {
          tags: ['chat'],
          summary: 'The reasons members give in chat reports, with their names (the chat.report_reasons setting)',
          response: { 200: Type.Array(Type.Object({ key: Type.String(), label: Text })) },
        },
      },
      async () => Object.entries(reportReasons(kernel.settings)).map(([key, label]) => ({ key, label })),
    );

    app.get(
      '/console/chats/:id',
      {
        config: { permission: 'chat.read' },
        schema: {
          tags: ['chat'],
          summary: 'A conversation with its participants',
          params: IdParams,
          response: { 200: StaffConversationView, ...problems(404) },
        },
      },
      async (request) => (await staffConversationViews(kernel, kernel.db, [await getConversation(kernel.db, request.params.id)]))[0]!,
    );

    app.get(
      '/console/chats/:id/messages',
      {
        config: { permission: 'chat.read' },
        schema: {
          tags: ['chat'],
          summary: "A conversation's messages, hidden ones included, oldest first within a page",
          params: IdParams,
          querystring: Type.Object({
            before: Type.Optional(Type.Integer({ minimum: 1, description: 'A seq: older messages' })),
            after: Type.Optional(Type.Integer({ minimum: 0, description: 'A seq: newer messages' })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 100 }),
          }),
          response: { 200: Type.Object({ items: Type.Array(StaffMessageView), more: Type.Boolean() }), ...problems(400, 404) },
        },
      },
      async (request) => {
        await getConversation(kernel.db, request.params.id);
        if (request.query.before !== undefined && request.query.after !== undefined) throw ChatError.invalid('after', 'cannot be given with before', 'query');
        const page = await listMessages(kernel.db, request.params.id, request.query);
        const [reports, deliveries] = await Promise.all([
          reportsOf(kernel.db, request.params.id),
          deliveriesOf(
            kernel.db,
            page.items.map((m) => m.id),
          ),
        ]);
        const reported = new Set(reports.filter((r) => r.messageId).map((r) => r.messageId!));
        return { items: await staffMessageViews(kernel, kernel.db, page.items, reported, deliveries), more: page.more };
      },
    );

    app.get(
      '/console/chats/:id/reports',
      {
        config: { permission: 'chat.read' },
        schema: {
          tags: ['chat'],
          summary: "A conversation's reports, oldest first",
          params: IdParams,
          response: { 200: Type.Array(ReportView), ...problems(404) },
        },
      },
      async (request) => {
        await getConversation(kernel.db, request.params.id);
        return (await reportsOf(kernel.db, request.params.id)).map(reportView);
      },
    );

    app.post(
      '/console/chat-messages/:id/hide',
      {
        config: { permission: 'chat.moderate' },
        schema: {
          tags: ['chat'],
          summary: 'Hide a message from members (kept, with who hid it and why)',
          params: IdParams,
          body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
          response: { 200: StaffMessageView, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const hidden = await kernel.write(staffActorOf(request), (ctx) => hideMessage(ctx, request.params.id, request.body.reason));
        const reports = await reportsOf(kernel.db, hidden.conversationId);
        const [view] = await staffMessageViews(
          kernel,
          kernel.db,
          [hidden],
          new Set(reports.map((r) => r.messageId ?? '')),
          await deliveriesOf(kernel.db, [hidden.id]),
        );
        return view!;
      },
    );

    app.get(
      '/console/people/:id/chats',
      {
        config: { permission: 'chat.read' },
        schema: {
          tags: ['chat'],
          summary: "A person's conversations, newest activity first",
          params: IdParams,
          querystring: Type.Object(PageQuery),
          response: { 200: Page(StaffConversationView), ...problems(400) },
        },
      },
      async (request) => {
        const page = await conversationsOfPerson(kernel.db, request.params.id, request.query);
        return { items: await staffConversationViews(kernel, kernel.db, page.items), nextCursor: page.nextCursor };
      },
    );
  };
}
