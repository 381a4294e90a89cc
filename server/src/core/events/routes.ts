import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Principal } from '../access.ts';
import { principalOf, sessionToken } from '../http/guard.ts';
import { Page, PageQuery } from '../http/pagination.ts';
import { decodeCursor, parseDate, toPage } from '../paging.ts';
import { ProblemSchema } from '../http/openapi.ts';
import type { Kernel } from '../kernel.ts';
import { defineModule } from '../module.ts';
import { purgeIdempotencyKeys } from '../idempotency/idempotency.ts';
import { asc } from 'drizzle-orm';
import { listEvents } from './log.ts';
import { eventSubscriptions } from './schema.ts';
import type { StoredEvent } from './types.ts';
import { openEventStream } from './stream.ts';
import { eventVisibility, type EventVisibility } from './visibility.ts';

/** What a signed-in staff user may see of the event log (see `eventVisibility`). */
export const visibilityFor = (kernel: Kernel, principal: Principal): EventVisibility =>
  eventVisibility(kernel.catalogue, { type: 'staff', principal }, kernel.now);

export const EventSchema = Type.Object(
  {
    id: Type.Integer(),
    type: Type.String(),
    subjectType: Type.Union([Type.String(), Type.Null()]),
    subjectId: Type.Union([Type.String(), Type.Null()]),
    actorType: Type.String(),
    actorId: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Record(Type.String(), Type.Unknown()),
    parentId: Type.Union([Type.Integer(), Type.Null()], { description: 'The top-level event this one is part of' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Event' },
);

export const eventView = (e: StoredEvent) => ({
  id: e.id,
  type: e.type,
  subjectType: e.subjectType,
  subjectId: e.subjectId,
  actorType: e.actorType,
  actorId: e.actorId,
  payload: e.payload,
  parentId: e.parentId,
  createdAt: e.createdAt.toISOString(),
});

async function routes(base: FastifyInstance, kernel: Kernel): Promise<void> {
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
        response: { 200: Page(EventSchema), 400: ProblemSchema },
      },
    },
    async (request) => {
      const { cursor, limit, from, to, ...filter } = request.query;
      const before = decodeCursor<[number]>(cursor, ['id']);
      const rows = await listEvents(kernel.db, {
        ...filter,
        visibility: visibilityFor(kernel, principalOf(request)),
        from: from ? parseDate('from', from, 'query') : undefined,
        to: to ? parseDate('to', to, 'query') : undefined,
        beforeId: before?.[0],
        limit: limit + 1,
      });
      return toPage(rows, limit, (e) => [e.id], eventView);
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
      const rows = await kernel.db.select().from(eventSubscriptions).orderBy(asc(eventSubscriptions.name));
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
          'Each message is `event: <type>`, `id: <event id>`, `data: <Event JSON>`. Reconnect with `Last-Event-ID` to receive what was missed (up to 500 events).',
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

/** The event log's console API; part of the kernel, always enabled. */
export const eventsModule = defineModule({
  name: 'events',
  permissions: [
    {
      key: 'events.read',
      description: "Open the event log. Each entry shows only with the permission its module declares for it (a transfer needs ledger.read).",
    },
  ],
  routes,
  nav: [{ path: '/events', label: 'nav.events', permission: 'events.read' }],
  // Housekeeping of the kernel's own tables.
  jobs: [{ name: 'kernel.purge_idempotency_keys', cron: '17 * * * *', handle: async (_data, kernel) => void (await purgeIdempotencyKeys(kernel)) }],
});
