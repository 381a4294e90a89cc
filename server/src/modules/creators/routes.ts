import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../core/actor.ts';
import { memberOf, principalOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { Nullable } from '../../core/http/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import { createOrganization } from '../people/service.ts';
import * as creators from './service.ts';

const Id = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Id });
const Timestamp = Type.String({ format: 'date-time' });
const Search = Type.Optional(Type.String({ maxLength: 200, description: 'Part of the name or a contact, an exact id, or an identity (Telegram id, email, app uid).' }));
const Reason = Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' });

const AgencyView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    status: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
    streamers: Type.Integer(),
    earnings: Type.Integer({ description: 'Available COIN earnings.' }),
    earningsAccountId: Nullable(Type.String()),
    createdAt: Timestamp,
  },
  { $id: 'CreatorAgency' },
);
const StreamerView = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    personStatus: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
    suspendedReason: Nullable(Type.String()),
    agencyId: Nullable(Type.String()),
    agencyName: Nullable(Type.String()),
    rating: Type.Integer(),
    online: Type.Boolean(),
    lastSeenAt: Nullable(Timestamp),
    earnings: Type.Integer({ description: 'Available COIN earnings.' }),
    createdAt: Timestamp,
  },
  { $id: 'CreatorStreamer' },
);
const StreamerRow = Type.Object({
  personId: Type.String(),
  agencyId: Nullable(Type.String()),
  status: Type.String(),
  suspendedReason: Nullable(Type.String()),
  rating: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const UserView = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    status: Type.String(),
    contacts: Type.Array(Type.Object({ kind: Type.String(), value: Type.String() })),
    tags: Type.Array(Type.String()),
    platform: Nullable(Type.String()),
    signedUpAt: Timestamp,
    coins: Type.Integer({ description: 'Available COIN in the wallet.' }),
    online: Type.Boolean(),
    lastSeenAt: Nullable(Timestamp),
  },
  { $id: 'CreatorUser' },
);

const streamerRow = (s: creators.Streamer) => ({ ...s, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() });

export function creatorRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const staff = (request: FastifyRequest): Actor => ({ type: 'staff', id: principalOf(request).staffId });

    app.get(
      '/console/creators/agencies',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'Agencies, by name, with their streamers and earnings',
          querystring: Type.Object({ q: Search, status: Type.Optional(Type.Union(['active', 'suspended', 'closed'].map((s) => Type.Literal(s)))), ...PageQuery }),
          response: { 200: Page(AgencyView), ...problems(400) },
        },
      },
      async (request) => creators.listAgencies(kernel, { ...request.query, status: request.query.status as 'active' | 'suspended' | 'closed' | undefined }),
    );

    app.post(
      '/console/creators/agencies',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Create an agency (an organization of kind agency)',
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
              details: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 50, description: 'Legal name, country, contacts, banking details.' })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ id: Type.String(), name: Type.String() }), ...problems(400) },
        },
      },
      async (request, reply) => {
        const agency = await kernel.write(staff(request), (ctx) => createOrganization(ctx, { name: request.body.name, kind: 'agency', details: request.body.details }));
        return reply.code(201).send({ id: agency.id, name: agency.name });
      },
    );

    app.get(
      '/console/creators/streamers',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'Streamers, by name, with agency, presence and earnings',
          querystring: Type.Object({ q: Search, agencyId: Type.Optional(Id), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])), ...PageQuery }),
          response: { 200: Page(StreamerView), ...problems(400) },
        },
      },
      async (request) => creators.listStreamers(kernel, { ...request.query, status: request.query.status as 'active' | 'suspended' | undefined }),
    );

    app.post(
      '/console/creators/streamers',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Make a person a streamer, in an agency or none',
          body: Type.Object({ personId: Id, agencyId: Type.Optional(Nullable(Id)) }, { additionalProperties: false }),
          response: { 201: StreamerRow, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const streamer = await kernel.write(staff(request), (ctx) => creators.registerStreamer(ctx, request.body.personId, request.body.agencyId ?? null));
        return reply.code(201).send(streamerRow(streamer));
      },
    );

    app.put(
      '/console/creators/streamers/:id/agency',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: "Move a streamer to another agency, or out of any (agencyId null); the history is kept",
          params: IdParams,
          body: Type.Object({ agencyId: Nullable(Id) }, { additionalProperties: false }),
          response: { 200: StreamerRow, ...problems(400, 404, 409) },
        },
      },
      async (request) => streamerRow(await kernel.write(staff(request), (ctx) => creators.setStreamerAgency(ctx, request.params.id, request.body.agencyId))),
    );

    app.get(
      '/console/creators/streamers/:id/agencies',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: "A streamer's agencies over time, newest first",
          params: IdParams,
          response: { 200: Type.Array(Type.Object({ agencyId: Type.String(), agencyName: Nullable(Type.String()), joinedAt: Timestamp, leftAt: Nullable(Timestamp) })) },
        },
      },
      async (request) => creators.streamerHistory(kernel.db, request.params.id),
    );

    app.post(
      '/console/creators/streamers/:id/suspend',
      {
        config: { permission: 'creators.manage' },
        schema: { tags: ['creators'], summary: 'Suspend a streamer, with a reason', params: IdParams, body: Type.Object({ reason: Reason }, { additionalProperties: false }), response: { 200: StreamerRow, ...problems(400, 404, 409) } },
      },
      async (request) => streamerRow(await kernel.write(staff(request), (ctx) => creators.suspendStreamer(ctx, request.params.id, request.body.reason.trim()))),
    );

    app.post(
      '/console/creators/streamers/:id/reinstate',
      { config: { permission: 'creators.manage' }, schema: { tags: ['creators'], summary: 'Let a suspended streamer stream again', params: IdParams, response: { 200: StreamerRow, ...problems(404, 409) } } },
      async (request) => streamerRow(await kernel.write(staff(request), (ctx) => creators.reinstateStreamer(ctx, request.params.id))),
    );

    app.get(
      '/console/creators/users',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'App users, by name, with coins and presence',
          querystring: Type.Object({ q: Search, status: Type.Optional(Type.Union(['active', 'blocked', 'deleted'].map((s) => Type.Literal(s)))), ...PageQuery }),
          response: { 200: Page(UserView), ...problems(400) },
        },
      },
      async (request) => creators.listUsers(kernel, { ...request.query, status: request.query.status as 'active' | 'blocked' | 'deleted' | undefined }),
    );

    app.post(
      '/client/creators/sign-up',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Sign me up as an app user (once; repeating it answers 200 with the first sign-up)',
          body: Type.Object({ platform: Type.Optional(Type.Union([Type.Literal('ios'), Type.Literal('android'), Type.Literal('web')])) }, { additionalProperties: false }),
          response: { 200: Type.Object({ signedUpAt: Timestamp }), 201: Type.Object({ signedUpAt: Timestamp }), ...problems(400, 401) },
        },
      },
      async (request, reply) => {
        const personId = memberOf(request).personId;
        const result = await kernel.write({ type: 'member', id: personId }, (ctx) => creators.signUpUser(ctx, personId, request.body.platform ?? null));
        return reply.code(result.created ? 201 : 200).send({ signedUpAt: result.signedUpAt.toISOString() });
      },
    );
  };
}
