import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../../core/actor.ts';
import { memberOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Text } from '../../../core/labels.ts';
import { realtimeHub } from '../../../core/realtime/hub.ts';
import { Id, IdParams } from '../../../core/schemas.ts';
import { conversationFor, leave, listMyConversations, markDelivered, markRead, membership, openDirect, setMuted, type Participant } from '../conversations.ts';
import { ChatError } from '../errors.ts';
import { getMessage, listMessages, sendMessage } from '../messages.ts';
import { report, reportReasons } from '../reports.ts';
import { MemberConversationView, memberConversationViews, MessageView, messageViews, ReportView, reportView } from '../views.ts';

const MessagesQuery = Type.Object({
  before: Type.Optional(Id),
  after: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});
const MessagesPage = Type.Object({
  items: Type.Array(MessageView),
  more: Type.Boolean({ description: 'More messages lie further in the direction asked (older for `before` or none, newer for `after`).' }),
});

/** `/api/client/chats`: a member's conversations and messages; new messages also reach their sockets. */
export function chatClientRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: FastifyRequest): Participant => ({ type: 'member', id: memberOf(request).personId });
    const asMember = (request: FastifyRequest): Actor => ({ type: 'member', id: memberOf(request).personId });
    const oneConversation = async (request: FastifyRequest, id: string) => {
      const { conversation, me: mine } = await conversationFor(kernel, kernel.db, id, me(request));
      const [view] = await memberConversationViews(kernel, kernel.db, [{ conversation, me: mine, unread: Math.max(0, conversation.lastSeq - mine.readSeq) }]);
      return view!;
    };

    // The app confirms what reached it over the socket: the delivered cursor, and a receipt to the others.
    realtimeHub(kernel).handle('chat.received', async (member, message) => {
      const conversationId = typeof message.conversationId === 'string' ? message.conversationId : '';
      const seq = Number(message.seq);
      if (!/^[0-9a-f-]{36}$/i.test(conversationId) || !Number.isSafeInteger(seq) || seq < 1) {
        throw ChatError.invalid('seq', 'chat.received needs a conversationId and a positive seq');
      }
      const viewer: Participant = { type: 'member', id: member.personId };
      await conversationFor(kernel, kernel.db, conversationId, viewer);
      await markDelivered(kernel.db, conversationId, viewer, seq);
      return undefined;
    });

    app.get(
      '/client/chats',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My conversations, newest activity first, each with its last message and my unread count',
          querystring: Type.Object({ kind: Type.Optional(Type.String({ maxLength: 100 })), ...PageQuery }),
          response: { 200: Page(MemberConversationView), ...problems(400, 401) },
        },
      },
      async (request) => {
        const page = await listMyConversations(kernel, kernel.db, me(request), request.query);
        return { items: await memberConversationViews(kernel, kernel.db, page.items), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/client/chats',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Open my conversation with another member (the same one every time)',
          body: Type.Object(
            { kind: Type.String({ maxLength: 100, description: 'A member-to-member kind, e.g. creators.direct' }), personId: Id },
            { additionalProperties: false },
          ),
          response: { 200: MemberConversationView, ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const conversation = await kernel.write(asMember(request), (ctx) => openDirect(ctx, request.body.kind, me(request).id, request.body.personId));
        return oneConversation(request, conversation.id);
      },
    );

    app.get(
      '/client/chats/report-reasons',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'The reasons a report may give',
          response: { 200: Type.Array(Type.Object({ key: Type.String(), label: Text })), ...problems(401) },
        },
      },
      async () => Object.entries(reportReasons(kernel.settings)).map(([key, label]) => ({ key, label })),
    );

    app.get(
      '/client/chats/:id',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'One of my conversations', params: IdParams, response: { 200: MemberConversationView, ...problems(401, 404) } },
      },
      async (request) => oneConversation(request, request.params.id),
    );

    app.get(
      '/client/chats/:id/messages',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: "A conversation's messages in order: the newest page, older ones `before` a message, or everything `after` one (resuming)",
          description:
            'Messages come oldest first within a page. After a reconnect, ask `after` the last message you hold until `more` is false: seq numbers have no gaps, so nothing is missed and nothing repeats.',
          params: IdParams,
          querystring: MessagesQuery,
          response: { 200: MessagesPage, ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        const { conversation } = await conversationFor(kernel, kernel.db, request.params.id, me(request));
        const seqOf = async (messageId: string | undefined, field: string) => {
          if (messageId === undefined) return undefined;
          const message = await getMessage(kernel.db, messageId).catch(() => undefined);
          if (!message || message.conversationId !== conversation.id) throw ChatError.invalid(field, 'is not a message of this conversation', 'query');
          return message.seq;
        };
        if (request.query.before && request.query.after) throw ChatError.invalid('after', 'cannot be given with before', 'query');
        const page = await listMessages(kernel.db, conversation.id, {
          before: await seqOf(request.query.before, 'before'),
          after: await seqOf(request.query.after, 'after'),
          limit: request.query.limit,
        });
        return { items: await messageViews(kernel, kernel.db, page.items), more: page.more };
      },
    );

    app.post(
      '/client/chats/:id/messages',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Send a message (text and/or one of my files of kind chat); the same clientId again answers the stored message',
          params: IdParams,
          body: Type.Object(
            {
              clientId: Type.String({ minLength: 1, maxLength: 100, description: 'Your own id for this message (e.g. a UUID made on the device).' }),
              text: Type.Optional(Type.String({ maxLength: 20_000 })),
              fileId: Type.Optional(Id),
            },
            { additionalProperties: false },
          ),
          response: { 200: MessageView, 201: MessageView, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { message, replayed } = await kernel.write(asMember(request), (ctx) =>
          sendMessage(ctx, { conversationId: request.params.id, sender: me(request), ...request.body }),
        );
        const [view] = await messageViews(kernel, kernel.db, [message]);
        return reply.code(replayed ? 200 : 201).send(view!);
      },
    );

    app.post(
      '/client/chats/:id/read',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Mark the conversation read up to a message (the cursor never moves back)',
          params: IdParams,
          body: Type.Object({ messageId: Id }, { additionalProperties: false }),
          response: { 200: Type.Object({ readSeq: Type.Integer(), unread: Type.Integer() }), ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        const viewer = me(request);
        const { conversation } = await conversationFor(kernel, kernel.db, request.params.id, viewer);
        const readSeq = await kernel.write(asMember(request), (ctx) => markRead(ctx, conversation.id, viewer, request.body.messageId));
        return { readSeq, unread: Math.max(0, conversation.lastSeq - readSeq) };
      },
    );

    app.patch(
      '/client/chats/:id',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Mute or unmute a conversation (no notifications while muted; messages still arrive)',
          params: IdParams,
          body: Type.Object({ muted: Type.Boolean() }, { additionalProperties: false }),
          response: { 200: MemberConversationView, ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        await conversationFor(kernel, kernel.db, request.params.id, me(request));
        await kernel.write(asMember(request), (ctx) => setMuted(ctx, request.params.id, me(request), request.body.muted));
        return oneConversation(request, request.params.id);
      },
    );

    app.post(
      '/client/chats/:id/leave',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Leave a conversation: it leaves my list (opening it again brings it back)',
          params: IdParams,
          response: { 204: Type.Null(), ...problems(401, 404) },
        },
      },
      async (request, reply) => {
        await conversationFor(kernel, kernel.db, request.params.id, me(request));
        await kernel.write(asMember(request), (ctx) => leave(ctx, request.params.id, me(request)));
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/client/chats/:id/reports',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Report a message of the conversation, or the whole conversation, to the moderators',
          params: IdParams,
          body: Type.Object(
            {
              messageId: Type.Optional(Id),
              reason: Type.String({ maxLength: 60, description: 'A key from GET /api/client/chats/report-reasons' }),
              note: Type.Optional(Type.String({ maxLength: 2000 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: ReportView, ...problems(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const viewer = me(request);
        // A member may report a conversation even after blocking the other side: only membership is checked.
        const created = await kernel.write(asMember(request), async (ctx) => {
          await membership(ctx.tx, request.params.id, viewer);
          return report(ctx, request.params.id, viewer, request.body);
        });
        return reply.code(201).send(reportView(created));
      },
    );
  };
}
