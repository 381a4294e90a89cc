import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf, sessionToken } from '../http/guard.ts';
import { PageQuery } from '../http/pagination.ts';
import { decodeCursor, parseDate, toPage } from '../paging.ts';
import { ProblemSchema } from '../http/openapi.ts';
import type { Kernel } from '../kernel.ts';
import { listEvents } from './log.ts';
import { listSubscriptions } from './subscribers.ts';
import { openEventStream } from '../realtime/event-stream.ts';
import { resolveRefs } from './refs.ts';
import { EventPage, EventSchema, eventView, LabelsSchema, visibilityFor } from './views.ts';

export async function eventRoutes(base: FastifyInstance, kernel: Kernel): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/console/events',
    {
      config: { permission: 'events.read' },
      schema: {
        tags: ['events'],
        summary: 'The event log, newest first',
        querystring: Type.Object({
          type: Type.Optional(Type.String({ maxLength: 100 })),
          subjectType: Type.Optional(Type.String({ maxLength: 100 })),
          subjectId: Type.Optional(Type.String({ maxLength: 200 })),
          actorId: Type.Optional(Type.String({ maxLength: 200 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          ...PageQuery,
        }),
        response: { 200: EventPage(EventSchema), 400: ProblemSchema },
      },
    },
    async (request) => {
      const { cursor, limit, from, to, ...filter } = request.query;
      const before = decodeCursor<[number]>(cursor, ['id']);
      const principal = principalOf(request);
      const rows = await listEvents(kernel.db, {
        ...filter,
        visibility: visibilityFor(kernel, principal),
        from: from ? parseDate('from', from, 'query') : undefined,
        to: to ? parseDate('to', to, 'query') : undefined,
        beforeId: before?.[0],
        limit: limit + 1,
      });
      const page = toPage(rows, limit, (e) => [e.id], eventView);
      const refs = await resolveRefs(kernel.db, kernel.catalogue, principal, page.items, kernel.now());
      return { ...page, refs };
    },
  );

  // The same for every user and every request until the next start: answered from memory, revalidated by ETag.
  const labels = kernel.catalogue.labels();
  const etag = `"${createHash('sha256').update(JSON.stringify(labels)).digest('base64url').slice(0, 27)}"`;
  app.get(
    '/console/labels',
    {
      config: { signedIn: true },
      schema: {
        tags: ['events'],
        summary: 'How the console shows codes (statuses, kinds, reasons) and event types, in every language',
        description:
          'Declared by the enabled modules beside their schemas and events; the same until the server restarts (ETag). An event summary is a template: see `EventTypeDef.summary`.',
        response: { 200: LabelsSchema, 304: Type.Null({ description: 'Not modified: the labels of the ETag sent' }) },
      },
    },
    async (request, reply) => {
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return labels;
    },
  );

  app.get(
    '/console/events/types',
    {
      config: { permission: 'events.read' },
      schema: {
        tags: ['events'],
        summary: 'Event types the enabled modules emit that the signed-in user may see',
        response: {
          200: Type.Array(Type.Object({ type: Type.String(), module: Type.String(), description: Type.String() })),
        },
      },
    },
    async (request) => {
      const visibility = visibilityFor(kernel, principalOf(request));
      return [...kernel.catalogue.eventTypes.values()]
        .filter(({ type }) => visibility.allows({ type, subjectType: null, subjectId: null }))
        .map(({ type, module, description }) => ({ type, module, description }));
    },
  );

  app.get(
    '/console/subscribers',
    {
      config: { permission: 'events.read' },
      schema: {
        tags: ['events'],
        summary: 'Durable subscribers: how far each has read, and its last failure',
        description: 'A subscriber retries a failing event with backoff and does not move past it; `lastError` says why.',
        response: {
          200: Type.Array(
            Type.Object({
              name: Type.String(),
              position: Type.Object({ txId: Type.Integer(), eventId: Type.Integer() }),
              attempts: Type.Integer(),
              nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
              lastError: Type.Union([Type.String(), Type.Null()]),
              updatedAt: Type.String({ format: 'date-time' }),
            }),
          ),
        },
      },
    },
    async () => {
      const rows = await listSubscriptions(kernel.db);
      return rows.map((row) => ({
        name: row.name,
        position: { txId: row.positionTx, eventId: row.positionId },
        attempts: row.attempts,
        nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
        lastError: row.lastError,
        updatedAt: row.updatedAt.toISOString(),
      }));
    },
  );

  app.get(
    '/console/stream',
    {
      config: { signedIn: true },
      schema: {
        tags: ['events'],
        summary: 'Server-Sent Events: new events the signed-in user may see',
        description:
          'Each message is `event: <type>`, `id: <event id>`, `data: <Event JSON>`. Reconnect with `Last-Event-ID` to receive what was missed (up to 500 events). ' +
          "The user's own notifications (the bell) arrive as `event: notification` with the notification as data and no id: after a reconnect, ask GET /api/console/me/notifications.",
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const token = sessionToken(request);
      const lastEventId = request.headers['last-event-id'];
      await openEventStream(kernel, request, reply, {
        principal,
        token,
        lastEventId: lastEventId ? Number(lastEventId) : undefined,
      });
    },
  );
}
