import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { and, desc, eq, lt } from 'drizzle-orm';
import { memberOf, principalOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';

import { Body, Nullable } from '../../core/http/schemas.ts';
import { perKernel, type Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { getPerson, personDetail, updatePerson } from '../people/service.ts';
import { MemberEvents, memberEventTypes } from './events.ts';
import { Presence } from './presence.ts';
import { devicesOf as listDevices, forgetDevice, registerDevice } from './devices.ts';
import { memberDevices, memberSignIns } from './schema.ts';
import { MemberTokens } from './tokens.ts';
import { MembersError } from './errors.ts';

export const memberPresence = perKernel((kernel) => new Presence(kernel));
export const memberTokens = perKernel((kernel) => new MemberTokens(kernel));

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Profile = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 });
const Timestamp = Type.String({ format: 'date-time' });

/** What a member sees of themselves: both profile parts, and which providers they sign in with. */
const OwnProfile = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  status: Type.String(),
  locale: Nullable(Type.String()),
  timeZone: Nullable(Type.String()),
  publicProfile: Profile,
  privateProfile: Profile,
  identities: Type.Array(Type.Object({ provider: Type.String() })),
});
/** What a member sees of someone else: never the private part. */
const PublicProfile = Type.Object({ id: Type.String(), displayName: Type.String(), publicProfile: Profile });

const Device = Type.Object({
  id: Type.String(),
  platform: Type.Union([Type.Literal('ios'), Type.Literal('android'), Type.Literal('web')]),
  pushToken: Nullable(Type.String()),
  appVersion: Nullable(Type.String()),
  name: Nullable(Type.String()),
  lastSeenAt: Timestamp,
  createdAt: Timestamp,
});
const deviceView = (d: typeof memberDevices.$inferSelect) => ({
  id: d.id,
  platform: d.platform,
  pushToken: d.pushToken,
  appVersion: d.appVersion,
  name: d.name,
  lastSeenAt: d.lastSeenAt.toISOString(),
  createdAt: d.createdAt.toISOString(),
});

async function routes(base: FastifyInstance, kernel: Kernel): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tokens = memberTokens(kernel);
  const presence = memberPresence(kernel);
  const devicesOf = async (personId: string) => (await listDevices(kernel.db, personId)).map(deviceView);

  app.get(
    '/client/ws',
    {
      websocket: true,
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: 'Presence and live events: a WebSocket',
        description:
          'Send `{"type":"ping"}` at least every `heartbeatSeconds` (from the welcome message); a connection silent for 2.5 intervals is closed (4008) and the member goes offline when their last connection ends. `{"type":"subscribe","stream":"me"}` is the only stream a member may join; events about the member arrive as `{"type":"event","event":…}`. Closed with 4003 when the person is blocked. Browsers must come from an origin in CLIENT_ORIGINS.',
      },
      // Browsers send an Origin; a page on another site must not ride a member's token into this socket.
      preValidation: async (request) => {
        const origin = request.headers.origin;
        if (origin !== undefined && !kernel.config.clientOrigins.includes(origin.replace(/\/$/, ''))) {
          throw MembersError.forbidden('This origin may not open the client WebSocket.');
        }
      },
    },
    (socket, request) => {
      presence.attach(socket, memberOf(request), request).catch((error: unknown) => {
        request.log.error({ err: error }, 'opening a member connection failed');
        socket.close(1011, 'server error');
      });
    },
  );

  app.put(
    '/client/devices/:deviceId',
    {
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: 'Register this device (the app makes up a UUID once) and its push token',
        params: Type.Object({ deviceId: Type.String({ format: 'uuid' }) }),
        body: Body({
          platform: Type.Union([Type.Literal('ios'), Type.Literal('android'), Type.Literal('web')]),
          pushToken: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 4096 }))),
          appVersion: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+){0,3}$', maxLength: 30 })),
          name: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: Device, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { personId } = memberOf(request);
      return deviceView(await kernel.write({ type: 'member', id: personId }, (ctx) => registerDevice(ctx, personId, request.params.deviceId, request.body)));
    },
  );

  app.get(
    '/client/devices',
    { config: { member: true }, schema: { tags: ['client'], summary: 'My devices', response: { 200: Type.Array(Device), ...problems(401, 403) } } },
    async (request) => devicesOf(memberOf(request).personId),
  );

  app.delete(
    '/client/devices/:deviceId',
    {
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: 'Forget a device (on sign-out): no more pushes to it',
        params: Type.Object({ deviceId: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { personId } = memberOf(request);
      await kernel.write({ type: 'member', id: personId }, (ctx) => forgetDevice(ctx, personId, request.params.deviceId));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/console/people/:id/presence',
    {
      config: { permission: 'people.read', recordParam: 'id' },
      schema: {
        tags: ['people'],
        summary: 'Whether a member is online, when last seen, and their devices',
        params: IdParams,
        response: {
          200: Type.Object({ online: Type.Boolean(), lastSeenAt: Nullable(Timestamp), connections: Type.Integer(), devices: Type.Array(Device) }),
          ...problems(404),
        },
      },
    },
    async (request) => {
      await getPerson(kernel.db, request.params.id);
      return { ...(await presence.status(request.params.id)), devices: await devicesOf(request.params.id) };
    },
  );

  const ownView = async (personId: string) => {
    const person = await personDetail(kernel.db, personId);
    return {
      id: person.id,
      displayName: person.displayName,
      status: person.status,
      locale: person.locale,
      timeZone: person.timeZone,
      publicProfile: person.publicProfile,
      privateProfile: person.privateProfile,
      identities: [...new Set(person.identities.map((i) => i.provider))].map((provider) => ({ provider })),
    };
  };

  app.get(
    '/client/jwks.json',
    {
      config: { public: true },
      schema: { tags: ['client'], summary: "The public keys of this server's own member tokens (JWKS)", response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) } },
    },
    async () => tokens.jwks(),
  );

  app.get(
    '/client/me',
    { config: { member: true }, schema: { tags: ['client'], summary: 'The signed-in member, both profile parts', response: { 200: OwnProfile, ...problems(401, 403) } } },
    async (request) => ownView(memberOf(request).personId),
  );

  app.patch(
    '/client/me',
    {
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: 'Change my name, language, time zone or profile',
        body: Body(
          {
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })),
            locale: Type.Optional(Nullable(Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 }))),
            timeZone: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$', maxLength: 64 }))),
            publicProfile: Type.Optional(Profile),
            privateProfile: Type.Optional(Profile),
          },
          { minProperties: 1 },
        ),
        response: { 200: OwnProfile, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { personId } = memberOf(request);
      await kernel.write({ type: 'member', id: personId }, (ctx) => updatePerson(ctx, personId, request.body));
      return ownView(personId);
    },
  );

  app.get(
    '/client/people/:id',
    {
      config: { member: true },
      schema: { tags: ['client'], summary: "Another member's public profile", params: IdParams, response: { 200: PublicProfile, ...problems(401, 403, 404) } },
    },
    async (request) => {
      const person = await getPerson(kernel.db, request.params.id);
      if (person.status === 'deleted') throw MembersError.conflict('This member has left.');
      return { id: person.id, displayName: person.displayName, publicProfile: person.publicProfile };
    },
  );

  app.post(
    '/console/people/:id/member-token',
    {
      config: { permission: 'members.issue_tokens' },
      schema: {
        tags: ['people'],
        summary: 'Issue one of our own member tokens for a person (to try a client app as them, or for tests)',
        params: IdParams,
        response: { 201: Type.Object({ token: Type.String(), expiresAt: Timestamp }), ...problems(404, 409) },
      },
    },
    async (request, reply) => {
      const person = await getPerson(kernel.db, request.params.id);
      if (person.status !== 'active') throw MembersError.conflict(`This person is ${person.status}; no token is issued.`);
      const { token, expiresAt } = await tokens.issue(person.id);
      await kernel.write({ type: 'staff', id: principalOf(request).staffId }, (ctx) =>
        ctx.emit({ type: MemberEvents.tokenIssued, subject: { type: 'person', id: person.id }, payload: { expiresAt: expiresAt.toISOString() } }),
      );
      return reply.code(201).send({ token, expiresAt: expiresAt.toISOString() });
    },
  );

  app.get(
    '/console/people/:id/sign-ins',
    {
      config: { permission: 'people.read', recordParam: 'id' },
      schema: {
        tags: ['people'],
        summary: "A member's sign-ins to client apps, newest first",
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: {
          200: Page(
            Type.Object({
              id: Type.Integer(),
              provider: Nullable(Type.String()),
              outcome: Type.String(),
              reason: Nullable(Type.String()),
              ip: Type.String(),
              userAgent: Nullable(Type.String()),
              createdAt: Timestamp,
            }),
          ),
          ...problems(400, 404),
        },
      },
    },
    async (request) => {
      await getPerson(kernel.db, request.params.id);
      const before = decodeCursor<[number]>(request.query.cursor, ['id']);
      const rows = await kernel.db
        .select()
        .from(memberSignIns)
        .where(and(eq(memberSignIns.personId, request.params.id), before ? lt(memberSignIns.id, before[0]) : undefined))
        .orderBy(desc(memberSignIns.id))
        .limit(request.query.limit + 1);
      return toPage(rows, request.query.limit, (r) => [r.id], (r) => ({
        id: r.id,
        provider: r.provider,
        outcome: r.outcome,
        reason: r.reason,
        ip: r.ip,
        userAgent: r.userAgent,
        createdAt: r.createdAt.toISOString(),
      }));
    },
  );
}

/** Member sign-in for client apps: bearer tokens (ours, Firebase, OIDC), the member's own profile. */
export const membersModule = defineModule({
  name: 'members',
  requires: ['people'],
  permissions: [{ key: 'members.issue_tokens', description: 'Issue member tokens for a person (to use a client app as them).' }],
  events: memberEventTypes,
  routes,
  async bootstrap(kernel) {
    const tokens = memberTokens(kernel);
    await tokens.start();
    kernel.memberAuthenticator = tokens;
    const presence = memberPresence(kernel);
    presence.start();
    // Open sockets would keep the server from closing: they end with the streams.
    kernel.openStreams.add({ close: () => void presence.stop() });
  },
});
