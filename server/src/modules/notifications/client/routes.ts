import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { memberOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { PageQuery } from '../../../core/http/pagination.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { realtimeHub } from '../../../core/realtime/hub.ts';
import { Id, IdParams } from '../../../core/schemas.ts';
import { NotificationsError } from '../errors.ts';
import { acknowledge, inbox, isRecipient, markRead, preferencesOf, setMuted, unreadCount } from '../service.ts';
import { InboxPage, notificationView, PreferenceView } from '../views.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ReadBody = Type.Union([
  Type.Object({ ids: Type.Array(Id, { minItems: 1, maxItems: 200 }) }, { additionalProperties: false }),
  Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
]);

/** `/api/client/notifications`: a member's inbox, read marks and mute preferences; ACKs also come over the socket. */
export function notificationClientRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: Parameters<typeof memberOf>[0]) => ({ type: 'member' as const, id: memberOf(request).personId });

    // `{"type": "notification.ack", "id": "<notification id>"}` (or `"ids": [...]`): the app has shown it; no push follows.
    realtimeHub(kernel).handle('notification.ack', async (member, message) => {
      const ids = Array.isArray(message.ids) ? message.ids : [message.id];
      if (ids.length === 0 || ids.length > 200 || !ids.every((id) => typeof id === 'string' && UUID.test(id))) {
        throw NotificationsError.invalid('id', 'notification.ack needs the id (or up to 200 ids) of notifications it received');
      }
      const acked = await acknowledge(kernel, member.personId, ids as string[]);
      return { type: 'notification.acked', ids: acked };
    });

    app.get(
      '/client/notifications',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My notifications, newest first, with my unread count',
          querystring: Type.Object({ unread: Type.Optional(Type.Boolean({ description: 'Only the unread ones.' })), ...PageQuery }),
          response: { 200: InboxPage, ...problems(400, 401) },
        },
      },
      async (request) => {
        const page = await inbox(kernel.db, me(request), request.query);
        return { items: page.items.map(notificationView), nextCursor: page.nextCursor, unread: await unreadCount(kernel.db, me(request)) };
      },
    );

    app.post(
      '/client/notifications/read',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Mark notifications read (these, or all); reading one also acknowledges it',
          body: ReadBody,
          response: { 200: Type.Object({ unread: Type.Integer() }), ...problems(400, 401) },
        },
      },
      async (request) => ({ unread: await markRead(kernel, me(request), request.body) }),
    );

    app.post(
      '/client/notifications/:id/ack',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Acknowledge a notification the app received (what the socket message notification.ack does, over REST)',
          params: IdParams,
          response: { 200: Type.Object({ acked: Type.Boolean({ description: 'False when it was acknowledged before.' }) }), ...problems(401, 404) },
        },
      },
      async (request) => {
        const acked = await acknowledge(kernel, me(request).id, [request.params.id]);
        if (acked.length === 0 && !(await isRecipient(kernel.db, me(request), request.params.id)))
          throw NotificationsError.notFound('You have no such notification.');
        return { acked: acked.length > 0 };
      },
    );

    app.get(
      '/client/notifications/preferences',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Each kind of notification I may get, and whether I muted it',
          response: { 200: Type.Array(PreferenceView), ...problems(401) },
        },
      },
      async (request) => preferencesOf(kernel, kernel.db, me(request).id),
    );

    app.put(
      '/client/notifications/preferences/:kind',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Mute or unmute one kind: a muted kind still reaches my inbox, without a push or an in-app banner',
          params: Type.Object({ kind: Type.String({ minLength: 3, maxLength: 100, pattern: '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$' }) }),
          body: Type.Object({ muted: Type.Boolean() }, { additionalProperties: false }),
          response: { 200: Type.Array(PreferenceView), ...problems(400, 401, 409) },
        },
      },
      async (request) => {
        const personId = me(request).id;
        await kernel.write({ type: 'member', id: personId }, (ctx) => setMuted(ctx, personId, request.params.kind, request.body.muted));
        return preferencesOf(kernel, kernel.db, personId);
      },
    );
  };
}
