import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import { and, desc, eq, lt } from 'drizzle-orm';
import { memberOf, principalOf } from '../../core/http/guard.ts';
import { ProblemSchema } from '../../core/http/openapi.ts';
import { decodeCursor, Page, PageQuery, toPage } from '../../core/http/pagination.ts';
import { conflict } from '../../core/http/problem.ts';
import { Body } from '../../core/http/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { getPerson, personDetail, updatePerson } from '../people/service.ts';
import { memberSignIns } from './schema.ts';
import { MemberTokens } from './tokens.ts';

const tokensByKernel = new WeakMap<Kernel, MemberTokens>();

export function memberTokens(kernel: Kernel): MemberTokens {
  let tokens = tokensByKernel.get(kernel);
  if (!tokens) {
    tokens = new MemberTokens(kernel);
    tokensByKernel.set(kernel, tokens);
  }
  return tokens;
}

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ProblemSchema]));
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
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

async function routes(base: FastifyInstance, kernel: Kernel): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tokens = memberTokens(kernel);

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
    { config: { member: true }, schema: { tags: ['client'], summary: 'The signed-in member, both profile parts', response: { 200: OwnProfile, ...errors(401, 403) } } },
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
        response: { 200: OwnProfile, ...errors(400, 401, 403) },
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
      schema: { tags: ['client'], summary: "Another member's public profile", params: IdParams, response: { 200: PublicProfile, ...errors(401, 403, 404) } },
    },
    async (request) => {
      const person = await getPerson(kernel.db, request.params.id);
      if (person.status === 'deleted') throw conflict('This member has left.');
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
        response: { 201: Type.Object({ token: Type.String(), expiresAt: Timestamp }), ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      const person = await getPerson(kernel.db, request.params.id);
      if (person.status !== 'active') throw conflict(`This person is ${person.status}; no token is issued.`);
      const { token, expiresAt } = await tokens.issue(person.id);
      await kernel.write({ type: 'staff', id: principalOf(request).staffId }, (ctx) =>
        ctx.emit({ type: 'members.token_issued', subject: { type: 'person', id: person.id }, payload: { expiresAt: expiresAt.toISOString() } }),
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
          ...errors(400, 404),
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
  permissions: [{ key: 'members.issue_tokens', description: 'Issue member tokens for a person (to use a client app as them).' }],
  events: [{ type: 'members.token_issued', description: 'A staff user issued a member token for a person.', permission: 'people.read' }],
  routes,
  async bootstrap(kernel) {
    const tokens = memberTokens(kernel);
    await tokens.start();
    kernel.memberAuthenticator = tokens;
  },
});
