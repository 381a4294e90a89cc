import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { staffActorOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Id, IdParams, Nullable } from '../../../core/schemas.ts';
import { liftSuspensionPenalties } from '../social/penalties.ts';
import { registerStreamer, reinstateStreamer, setStreamerAgency, streamerHistory, suspendStreamer } from './service.ts';
import { agencyHistory, AgencyStretchView, creatorProfile, CreatorProfile, listStreamers, Search, StreamerRow, streamerRow, StreamerView } from './views.ts';

const Reason = Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' });

/** Streamers: who streams, in which agency (with the history), suspended or not; and what a person is here. */
export function streamerRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/console/creators/streamers',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'Streamers, by name, with agency, presence and earnings',
          querystring: Type.Object({
            q: Search,
            agencyId: Type.Optional(Id),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
            ...PageQuery,
          }),
          response: { 200: Page(StreamerView), ...problems(400) },
        },
      },
      async (request) => listStreamers(kernel, { ...request.query, status: request.query.status as 'active' | 'suspended' | undefined }),
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
        const streamer = await kernel.write(staffActorOf(request), (ctx) => registerStreamer(ctx, request.body.personId, request.body.agencyId ?? null));
        return reply.code(201).send(streamerRow(streamer));
      },
    );

    app.put(
      '/console/creators/streamers/:id/agency',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Move a streamer to another agency, or out of any (agencyId null); the history is kept',
          params: IdParams,
          body: Type.Object({ agencyId: Nullable(Id) }, { additionalProperties: false }),
          response: { 200: StreamerRow, ...problems(400, 404, 409) },
        },
      },
      async (request) => streamerRow(await kernel.write(staffActorOf(request), (ctx) => setStreamerAgency(ctx, request.params.id, request.body.agencyId))),
    );

    app.get(
      '/console/creators/people/:id',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'What a person is here: streamer (agency, status), app user (platform), with favorites counts',
          params: IdParams,
          response: { 200: CreatorProfile, ...problems(404) },
        },
      },
      async (request) => creatorProfile(kernel.db, request.params.id),
    );

    app.get(
      '/console/creators/streamers/:id/agencies',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: "A streamer's agencies over time, newest first",
          params: IdParams,
          response: { 200: Type.Array(AgencyStretchView) },
        },
      },
      async (request) => agencyHistory(kernel.db, await streamerHistory(kernel.db, request.params.id)),
    );

    app.post(
      '/console/creators/streamers/:id/suspend',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Suspend a streamer, with a reason',
          params: IdParams,
          body: Type.Object({ reason: Reason }, { additionalProperties: false }),
          response: { 200: StreamerRow, ...problems(400, 404, 409) },
        },
      },
      async (request) => streamerRow(await kernel.write(staffActorOf(request), (ctx) => suspendStreamer(ctx, request.params.id, request.body.reason.trim()))),
    );

    app.post(
      '/console/creators/streamers/:id/reinstate',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Let a suspended streamer stream again',
          params: IdParams,
          response: { 200: StreamerRow, ...problems(404, 409) },
        },
      },
      async (request) =>
        streamerRow(
          await kernel.write(staffActorOf(request), async (ctx) => {
            const streamer = await reinstateStreamer(ctx, request.params.id);
            await liftSuspensionPenalties(ctx, request.params.id);
            return streamer;
          }),
        ),
    );
  };
}
