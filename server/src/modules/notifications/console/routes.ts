import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { can } from '../../../core/access.ts';
import { principalOf, staffActorOf } from '../../../core/http/guard.ts';
import { IdempotencyHeaders, idempotent } from '../../../core/http/idempotency/idempotency.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Id, IdParams } from '../../../core/schemas.ts';
import { getPerson } from '../../people/people.ts';
import { NotificationsError } from '../errors.ts';
import { audienceSize, createBatch, getBatch, listBatches } from '../batches.ts';
import { attemptsOf, getNotification, inbox, markRead, unreadCount, type NotificationRow } from '../service.ts';
import { BatchView, batchViews, InboxPage, notificationView, StaffNotificationView, staffNotificationView } from '../views.ts';

const LocalText = (max: number) =>
  Type.Object({ en: Type.String({ minLength: 1, maxLength: max }), ru: Type.String({ minLength: 1, maxLength: max }) }, { additionalProperties: false });
const Tag = Type.String({ minLength: 1, maxLength: 50, pattern: '^[^\\s,]+$' });
const SendBody = Type.Object(
  {
    audience: Type.Union([
      Type.Object({ type: Type.Literal('person'), personId: Id }, { additionalProperties: false }),
      Type.Object({ type: Type.Literal('tag'), tag: Tag }, { additionalProperties: false }),
    ]),
    title: LocalText(100),
    body: LocalText(1000),
  },
  { additionalProperties: false },
);
const ReadBody = Type.Union([
  Type.Object({ ids: Type.Array(Id, { minItems: 1, maxItems: 200 }) }, { additionalProperties: false }),
  Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
]);

/** Staff: a person's notifications with their delivery, sending to a person or a tag, and their own bell. */
export function notificationConsoleRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const withAttempts = async (request: FastifyRequest, rows: NotificationRow[]) => {
      const principal = principalOf(request);
      const attempts = await attemptsOf(
        kernel.db,
        rows.map((row) => row.id),
      );
      // The kind's permission, through a role or a grant on the record it is about (a conversation).
      const readable = (row: NotificationRow) => {
        const permission = kernel.catalogue.notificationKinds.get(row.kind)?.permission;
        return permission === undefined || can(principal, permission, row.subjectId ?? undefined, kernel.now());
      };
      return rows.map((row) => staffNotificationView(row, attempts.get(row.id) ?? [], readable(row)));
    };

    app.get(
      '/console/people/:id/notifications',
      {
        config: { permission: 'notifications.read' },
        schema: {
          tags: ['notifications'],
          summary: "A person's notifications, newest first, each with its delivery history",
          params: IdParams,
          querystring: Type.Object(PageQuery),
          response: { 200: Page(StaffNotificationView), ...problems(400, 403, 404) },
        },
      },
      async (request) => {
        await getPerson(kernel.db, request.params.id);
        const page = await inbox(kernel.db, { type: 'member', id: request.params.id }, { ...request.query, withdrawn: true });
        return { items: await withAttempts(request, page.items), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/console/notifications/:id',
      {
        config: { permission: 'notifications.read' },
        schema: {
          tags: ['notifications'],
          summary: 'One notification to a member, with its delivery history',
          params: IdParams,
          response: { 200: StaffNotificationView, ...problems(403, 404) },
        },
      },
      async (request) => {
        const row = await getNotification(kernel.db, request.params.id);
        if (row.recipientType !== 'member') throw NotificationsError.notFound('No such notification.');
        return (await withAttempts(request, [row]))[0]!;
      },
    );

    app.get(
      '/console/notifications/audience',
      {
        config: { permission: 'notifications.send' },
        schema: {
          tags: ['notifications'],
          summary: 'How many people a tag reaches now',
          querystring: Type.Object({ tag: Tag }),
          response: { 200: Type.Object({ tag: Type.String(), people: Type.Integer() }), ...problems(400, 403) },
        },
      },
      async (request) => ({ tag: request.query.tag, people: await audienceSize(kernel.db, request.query.tag) }),
    );

    app.post(
      '/console/notifications/batches',
      {
        config: { permission: 'notifications.send' },
        schema: {
          tags: ['notifications'],
          summary: 'Send a notification (a title and a body in every language) to one person or to everyone with a tag',
          description: 'A job makes the notifications in chunks: follow `sent` of `total` on the batch. Each recipient gets it in their language.',
          headers: IdempotencyHeaders,
          body: SendBody,
          response: { 202: BatchView, ...problems(400, 403, 409) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, staffActorOf(request), async (ctx) => {
          const batch = await createBatch(ctx, principalOf(request).staffId, request.body);
          return { status: 202, body: (await batchViews(ctx.tx, [batch]))[0]! };
        }),
    );

    app.get(
      '/console/notifications/batches',
      {
        config: { permission: 'notifications.read' },
        schema: {
          tags: ['notifications'],
          summary: 'Notifications staff sent, newest first, with their progress',
          querystring: Type.Object(PageQuery),
          response: { 200: Page(BatchView), ...problems(400, 403) },
        },
      },
      async (request) => {
        const page = await listBatches(kernel.db, request.query);
        return { items: await batchViews(kernel.db, page.items), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/console/notifications/batches/:id',
      {
        config: { permission: 'notifications.read' },
        schema: {
          tags: ['notifications'],
          summary: 'One notification staff sent, with its progress',
          params: IdParams,
          response: { 200: BatchView, ...problems(403, 404) },
        },
      },
      async (request) => (await batchViews(kernel.db, [await getBatch(kernel.db, request.params.id)]))[0]!,
    );

    app.get(
      '/console/me/notifications',
      {
        config: { signedIn: true },
        schema: {
          tags: ['notifications'],
          summary: 'My notifications as a staff user (the bell), newest first, with my unread count',
          description: 'New ones arrive live on the event stream as `event: notification`.',
          querystring: Type.Object({ unread: Type.Optional(Type.Boolean()), ...PageQuery }),
          response: { 200: InboxPage, ...problems(400, 401) },
        },
      },
      async (request) => {
        const me = { type: 'staff' as const, id: principalOf(request).staffId };
        const page = await inbox(kernel.db, me, request.query);
        return { items: page.items.map(notificationView), nextCursor: page.nextCursor, unread: await unreadCount(kernel.db, me) };
      },
    );

    app.post(
      '/console/me/notifications/read',
      {
        config: { signedIn: true },
        schema: {
          tags: ['notifications'],
          summary: 'Mark my notifications read (these, or all)',
          body: ReadBody,
          response: { 200: Type.Object({ unread: Type.Integer() }), ...problems(400, 401) },
        },
      },
      async (request) => ({ unread: await markRead(kernel, { type: 'staff', id: principalOf(request).staffId }, request.body) }),
    );
  };
}
