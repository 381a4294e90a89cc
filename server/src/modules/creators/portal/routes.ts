import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../../core/actor.ts';
import { memberOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import { IdempotencyHeaders, idempotent } from '../../../core/http/idempotency/idempotency.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { IdParams } from '../../../core/schemas.ts';
import { addGreeting, listGreetings, MAX_GREETINGS, removeGreeting } from '../social/greetings.ts';
import { GreetingView, greetingView } from '../social/views.ts';
import { cancelStreamerPayout, myPayouts, payoutStreamer, portalStreamer, requestStreamerPayout } from './service.ts';
import { MyPayout, myPayout, portalView, PortalView } from './views.ts';

/** The streamer portal: a streamer's own agency, earnings, payout applications and the rules. */
export function portalRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: FastifyRequest) => memberOf(request).personId;
    const actor = (request: FastifyRequest): Actor => ({ type: 'member', id: me(request) });

    app.get(
      '/client/creators/portal',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My streamer portal: status, agency, earnings and the rules for streamers',
          response: { 200: PortalView, ...problems(401, 403) },
        },
      },
      async (request) => portalView(kernel, await portalStreamer(kernel.db, me(request))),
    );

    app.get(
      '/client/creators/portal/greetings',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My greetings: the first messages of conversations opened for me with new users',
          response: { 200: Type.Array(GreetingView), ...problems(401, 403) },
        },
      },
      async (request) => (await listGreetings(kernel.db, (await portalStreamer(kernel.db, me(request))).personId)).map(greetingView),
    );
    app.post(
      '/client/creators/portal/greetings',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: `Add a greeting (at most ${MAX_GREETINGS})`,
          body: Type.Object({ text: Type.String({ maxLength: 2000 }) }, { additionalProperties: false }),
          response: { 201: GreetingView, ...problems(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const streamer = await portalStreamer(kernel.db, me(request));
        const greeting = await kernel.write(actor(request), (ctx) => addGreeting(ctx, streamer.personId, request.body.text));
        return reply.code(201).send(greetingView(greeting));
      },
    );
    app.delete(
      '/client/creators/portal/greetings/:id',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'Remove one of my greetings', params: IdParams, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
      },
      async (request, reply) => {
        const streamer = await portalStreamer(kernel.db, me(request));
        await kernel.write(actor(request), (ctx) => removeGreeting(ctx, streamer.personId, request.params.id));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/client/creators/payouts',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My payout applications, newest first',
          querystring: Type.Object({ ...PageQuery }),
          response: { 200: Page(MyPayout), ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const page = await myPayouts(kernel.db, me(request), request.query.cursor, request.query.limit);
        return { items: page.items.map(myPayout), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/client/creators/payouts',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Ask to be paid out (all that is available by default); the amount is held until staff decide',
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000_000 })),
              note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: MyPayout, ...problems(400, 401, 403, 409, 422) },
        },
      },
      async (request, reply) => {
        // Refused before the idempotent write, so the refusal is not kept as the key's answer.
        const streamer = await payoutStreamer(kernel.db, me(request));
        return idempotent(kernel, request, reply, actor(request), async (ctx) => ({
          status: 201,
          body: myPayout(await requestStreamerPayout(ctx, streamer, request.body)),
        }));
      },
    );

    app.post(
      '/client/creators/payouts/:id/cancel',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Withdraw one of my payout applications before it is approved',
          params: IdParams,
          response: { 200: MyPayout, ...problems(401, 403, 404, 409) },
        },
      },
      async (request) => {
        await portalStreamer(kernel.db, me(request));
        return myPayout(await kernel.write(actor(request), (ctx) => cancelStreamerPayout(ctx, me(request), request.params.id)));
      },
    );
  };
}
