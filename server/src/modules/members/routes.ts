import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { memberOf, staffActorOf } from '../../core/http/guard.ts';
import { clientSocketRoute } from '../../core/realtime/routes.ts';
import { realtimeHub } from '../../core/realtime/hub.ts';
import { problems } from '../../core/http/openapi.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { Body } from '../../core/http/schemas.ts';
import { Id, IdParams, Nullable, Timestamp } from '../../core/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import { updatePerson } from '../people/people.ts';
import { forgetDevice, registerDevice } from './devices.ts';
import { otherMember } from './profiles.ts';
import { signInsOf } from './sign-ins.ts';
import type { MemberTokens } from './tokens.ts';
import {
  DeviceView,
  deviceView,
  devicesView,
  OwnProfile,
  ownProfileView,
  Platform,
  PresenceView,
  presenceView,
  Profile,
  PublicProfile,
  publicProfileView,
  SignInView,
  signInView,
} from './views.ts';

const DeviceParams = Type.Object({ deviceId: Id });
const memberActorOf = (request: FastifyRequest) => ({ type: 'member' as const, id: memberOf(request).personId });

export async function memberRoutes(base: FastifyInstance, kernel: Kernel, tokens: MemberTokens): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  await clientSocketRoute(app, kernel);

  app.put(
    '/client/devices/:deviceId',
    {
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: 'Register this device (the app makes up a UUID once) and its push token',
        params: DeviceParams,
        body: Body({
          platform: Platform,
          pushToken: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 4096 }))),
          voipToken: Type.Optional(
            Nullable(Type.String({ minLength: 1, maxLength: 4096, description: 'iOS: the PushKit token incoming calls ring through (VoIP pushes).' })),
          ),
          appVersion: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+){0,3}$', maxLength: 30 })),
          name: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: DeviceView, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = memberActorOf(request);
      return deviceView(await kernel.write(actor, (ctx) => registerDevice(ctx, actor.id, request.params.deviceId, request.body)));
    },
  );

  app.get(
    '/client/devices',
    { config: { member: true }, schema: { tags: ['client'], summary: 'My devices', response: { 200: Type.Array(DeviceView), ...problems(401, 403) } } },
    async (request) => devicesView(kernel.db, memberOf(request).personId),
  );

  app.delete(
    '/client/devices/:deviceId',
    {
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: 'Forget a device (on sign-out): no more pushes to it',
        params: DeviceParams,
        response: { 204: Type.Null(), ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = memberActorOf(request);
      await kernel.write(actor, (ctx) => forgetDevice(ctx, actor.id, request.params.deviceId));
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
        response: { 200: PresenceView, ...problems(404) },
      },
    },
    async (request) => presenceView(kernel.db, realtimeHub(kernel), request.params.id),
  );

  app.get(
    '/client/jwks.json',
    {
      config: { public: true },
      schema: {
        tags: ['client'],
        summary: "The public keys of this server's own member tokens (JWKS)",
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) },
      },
    },
    async () => tokens.jwks(),
  );

  app.get(
    '/client/me',
    {
      config: { member: true },
      schema: { tags: ['client'], summary: 'The signed-in member, both profile parts', response: { 200: OwnProfile, ...problems(401, 403) } },
    },
    async (request) => ownProfileView(kernel.db, memberOf(request).personId),
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
      const actor = memberActorOf(request);
      await kernel.write(actor, (ctx) => updatePerson(ctx, actor.id, request.body));
      return ownProfileView(kernel.db, actor.id);
    },
  );

  app.get(
    '/client/people/:id',
    {
      config: { member: true },
      schema: { tags: ['client'], summary: "Another member's public profile", params: IdParams, response: { 200: PublicProfile, ...problems(401, 403, 404) } },
    },
    async (request) => publicProfileView(await otherMember(kernel.db, request.params.id)),
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
      const { token, expiresAt } = await tokens.issueOnBehalf(staffActorOf(request), request.params.id);
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
        response: { 200: Page(SignInView), ...problems(400, 404) },
      },
    },
    async (request) => {
      const page = await signInsOf(kernel.db, request.params.id, request.query);
      return { ...page, items: page.items.map(signInView) };
    },
  );
}
