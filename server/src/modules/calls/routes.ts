import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../core/actor.ts';
import { memberOf, staffActorOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import type { Kernel } from '../../core/kernel.ts';
import { parseDate } from '../../core/paging.ts';
import { realtimeHub } from '../../core/realtime/hub.ts';
import { Id, IdParams } from '../../core/schemas.ts';
import { CallKinds } from '../creators/tariffs/views.ts';
import { CallsError } from './errors.ts';
import { providerStates, VIDEO_PROVIDERS } from './providers.ts';
import {
  answer,
  beat,
  callsOf,
  endCall,
  getCall,
  hangUp,
  joinCredentials,
  joined,
  listCalls,
  pointsOf,
  reportProviderFailure,
  requestCall,
  sideOf,
  type Call,
} from './service.ts';
import { CallPointView, callPointView, CallStates, CallView, callViews, JoinCredentialsView, ProviderStateView } from './views.ts';

const ProviderName = Type.Union(VIDEO_PROVIDERS.map((p) => Type.Literal(p)));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/api/client/calls`: a member's calls; `/api/console/calls`: every call, and ending one. */
export function callRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: FastifyRequest) => memberOf(request).personId;
    const asMember = (request: FastifyRequest): Actor => ({ type: 'member', id: me(request) });
    const view = async (call: Call) => (await callViews(kernel.db, [call], kernel.now()))[0]!;

    // `{"type": "call.beat", "callId": "…"}` every few seconds while a call is up: a call whose beats stop ends.
    realtimeHub(kernel).handle('call.beat', async (member, message) => {
      const callId = typeof message.callId === 'string' ? message.callId : '';
      if (!UUID.test(callId)) throw CallsError.invalid('callId', 'call.beat needs the callId of a call you are in');
      await beat(kernel.db, callId, member.personId, kernel.now());
      return undefined;
    });

    app.post(
      '/client/calls',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: "Call a streamer: their phone rings; the caller pays by the second from the connect, by the kind's tariff",
          body: Type.Object({ streamerId: Id, kind: Type.Optional(Type.Literal('direct')) }, { additionalProperties: false }),
          response: { 201: CallView, ...problems(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const call = await kernel.write(asMember(request), (ctx) => requestCall(ctx, me(request), request.body.streamerId, 'direct'));
        return reply.code(201).send(await view(call));
      },
    );

    app.get(
      '/client/calls',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My calls, as caller or streamer: open ones first, then newest first',
          querystring: Type.Object(PageQuery),
          response: { 200: Page(CallView), ...problems(400, 401) },
        },
      },
      async (request) => {
        const page = await callsOf(kernel.db, me(request), request.query);
        return { items: await callViews(kernel.db, page.items, kernel.now()), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/client/calls/:id',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'One of my calls', params: IdParams, response: { 200: CallView, ...problems(401, 404) } },
      },
      async (request) => {
        const call = await getCall(kernel.db, request.params.id);
        sideOf(call, me(request));
        return view(call);
      },
    );

    const steps = {
      accept: { summary: 'The streamer answers: both apps then join the video channel', run: 'accepted' },
      decline: { summary: 'The streamer declines the call', run: 'declined' },
      cancel: { summary: 'The caller gives up before an answer', run: 'cancelled' },
    } as const;
    for (const [path, { summary, run }] of Object.entries(steps)) {
      app.post(
        `/client/calls/:id/${path}`,
        {
          config: { member: true },
          schema: { tags: ['client'], summary, params: IdParams, response: { 200: CallView, ...problems(401, 403, 404, 409) } },
        },
        async (request) => view(await kernel.write(asMember(request), (ctx) => answer(ctx, request.params.id, me(request), run))),
      );
    }

    app.post(
      '/client/calls/:id/joined',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My app joined the video channel; when both have, the call connects and billing starts (by the server’s clock)',
          params: IdParams,
          response: { 200: CallView, ...problems(401, 404, 409) },
        },
      },
      async (request) => view(await kernel.write(asMember(request), (ctx) => joined(ctx, request.params.id, me(request)))),
    );

    app.post(
      '/client/calls/:id/hangup',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Hang up: before an answer the caller cancels (the streamer declines); after it the call ends',
          params: IdParams,
          response: { 200: CallView, ...problems(401, 404, 409) },
        },
      },
      async (request) => view(await kernel.write(asMember(request), (ctx) => hangUp(ctx, request.params.id, me(request)))),
    );

    app.get(
      '/client/calls/:id/credentials',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: "What my app needs to join an answered call's channel on its video provider (Agora or Twilio)",
          params: IdParams,
          response: { 200: JoinCredentialsView, ...problems(401, 404, 409, 503) },
        },
      },
      async (request) => joinCredentials(kernel, request.params.id, me(request)),
    );

    app.post(
      '/client/calls/:id/provider-failure',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'The video provider failed my app in this call: the call moves to the next provider (ask for credentials again)',
          params: IdParams,
          body: Type.Object({ provider: ProviderName }, { additionalProperties: false }),
          response: { 200: CallView, ...problems(400, 401, 404) },
        },
      },
      async (request) =>
        view(await kernel.write(asMember(request), (ctx) => reportProviderFailure(ctx, request.params.id, me(request), request.body.provider))),
    );

    app.get(
      '/console/calls/providers',
      {
        config: { permission: 'calls.read' },
        schema: {
          tags: ['calls'],
          summary: "The video providers' health: configured, recent failures, an open circuit, forced by staff (setting calls.forced_provider)",
          response: { 200: Type.Array(ProviderStateView), ...problems(403) },
        },
      },
      async () => providerStates(kernel),
    );

    app.get(
      '/console/calls',
      {
        config: { permission: 'calls.read' },
        schema: {
          tags: ['calls'],
          summary: 'Calls, open ones first, then newest first',
          querystring: Type.Object({
            kind: Type.Optional(CallKinds.schema),
            state: Type.Optional(CallStates.schema),
            streamerId: Type.Optional(Id),
            callerId: Type.Optional(Id),
            agencyId: Type.Optional(Id),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            ...PageQuery,
          }),
          response: { 200: Page(CallView), ...problems(400, 403) },
        },
      },
      async (request) => {
        const { from, to, ...rest } = request.query;
        const page = await listCalls(kernel.db, {
          ...rest,
          ...(from ? { from: parseDate('from', from, 'query') } : {}),
          ...(to ? { to: parseDate('to', to, 'query') } : {}),
        });
        return { items: await callViews(kernel.db, page.items, kernel.now()), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/console/calls/:id',
      {
        config: { permission: 'calls.read' },
        schema: {
          tags: ['calls'],
          summary: 'One call with its billing points',
          params: IdParams,
          response: { 200: Type.Intersect([CallView, Type.Object({ points: Type.Array(CallPointView) })]), ...problems(403, 404) },
        },
      },
      async (request) => {
        const call = await getCall(kernel.db, request.params.id);
        return { ...(await view(call)), points: (await pointsOf(kernel.db, call.id)).map(callPointView) };
      },
    );

    app.post(
      '/console/calls/:id/end',
      {
        config: { permission: 'calls.end' },
        schema: {
          tags: ['calls'],
          summary: 'End a call now (a ringing one is cancelled)',
          params: IdParams,
          response: { 200: CallView, ...problems(403, 404, 409) },
        },
      },
      async (request) => view(await kernel.write(staffActorOf(request), (ctx) => endCall(ctx, request.params.id, 'moderator'))),
    );
  };
}
