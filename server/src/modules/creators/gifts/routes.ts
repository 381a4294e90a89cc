import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../../core/actor.ts';
import { memberOf, staffActorOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import { IdempotencyHeaders, idempotent } from '../../../core/http/idempotency/idempotency.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Id, IdParams, Nullable } from '../../../core/schemas.ts';
import { createGift, giftHistory, listGifts, sendGift, updateGift } from './service.ts';
import { GiftHistoryItem, giftHistoryPage, GiftSendView, giftSendView, GiftView, giftViews } from './views.ts';

const GiftBody = {
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  price: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'Coins.' }),
  streamerShareBp: Type.Integer({ minimum: 0, maximum: 10000, description: "The streamer's share of the price in basis points (5000 is 50 %)." }),
  agencyShareBp: Type.Integer({ minimum: 0, maximum: 10000, description: "Their agency's share; the rest is the platform's." }),
  active: Type.Optional(Type.Boolean()),
  sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  imageFileId: Type.Optional(
    Nullable(
      Type.String({ format: 'uuid', description: 'A catalog image uploaded with POST /api/console/platform/files?kind=catalog; null removes the picture.' }),
    ),
  ),
};

/** The gift catalog staff keep, and gifts members send streamers from their coins. */
export function giftRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: FastifyRequest) => memberOf(request).personId;
    const asMember = (request: FastifyRequest): Actor => ({ type: 'member', id: me(request) });

    app.get(
      '/console/creators/gifts',
      {
        config: { permission: 'creators.read' },
        schema: { tags: ['creators'], summary: 'The gift catalog, active or not', response: { 200: Type.Array(GiftView) } },
      },
      async () => giftViews(kernel, await listGifts(kernel.db, false)),
    );
    app.post(
      '/console/creators/gifts',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Add a gift to the catalog',
          body: Type.Object(GiftBody, { additionalProperties: false }),
          response: { 201: GiftView, ...problems(400) },
        },
      },
      async (request, reply) => {
        const gift = await kernel.write(staffActorOf(request), (ctx) => createGift(ctx, request.body));
        return reply.code(201).send((await giftViews(kernel, [gift]))[0]!);
      },
    );
    app.patch(
      '/console/creators/gifts/:id',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Change a gift (price, shares, name) or take it off offer',
          params: IdParams,
          body: Type.Partial(Type.Object(GiftBody), { additionalProperties: false }),
          response: { 200: GiftView, ...problems(400, 404) },
        },
      },
      async (request) => (await giftViews(kernel, [await kernel.write(staffActorOf(request), (ctx) => updateGift(ctx, request.params.id, request.body))]))[0]!,
    );
    app.get(
      '/console/creators/gift-sends',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'Gifts a person sent or received, newest first',
          querystring: Type.Object({ senderId: Type.Optional(Id), receiverId: Type.Optional(Id), ...PageQuery }),
          response: { 200: Page(GiftHistoryItem), ...problems(400) },
        },
      },
      async (request) => giftHistoryPage(kernel.db, await giftHistory(kernel.db, request.query)),
    );

    app.get(
      '/client/creators/gifts',
      { config: { member: true }, schema: { tags: ['client'], summary: 'Gifts on offer', response: { 200: Type.Array(GiftView), ...problems(401) } } },
      async () => giftViews(kernel, await listGifts(kernel.db, true)),
    );
    app.post(
      '/client/creators/gifts/send',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Send a streamer a gift from my coins (Idempotency-Key required: a retry never pays twice)',
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              giftId: Id,
              receiverId: Id,
              conversationId: Type.Optional(Type.String({ format: 'uuid', description: 'Our conversation: the gift also appears in it as a gift record' })),
            },
            { additionalProperties: false },
          ),
          response: { 201: GiftSendView, ...problems(400, 401, 404, 409, 422) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, asMember(request), async (ctx) => ({
          status: 201,
          body: giftSendView(await sendGift(ctx, me(request), request.body.giftId, request.body.receiverId, request.body.conversationId)),
        })),
    );
    app.get(
      '/client/creators/gifts/history',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Gifts I received or sent, newest first',
          querystring: Type.Object({ direction: Type.Optional(Type.Union([Type.Literal('received'), Type.Literal('sent')])), ...PageQuery }),
          response: { 200: Page(GiftHistoryItem), ...problems(400, 401) },
        },
      },
      async (request) =>
        giftHistoryPage(
          kernel.db,
          await giftHistory(kernel.db, {
            ...(request.query.direction === 'sent' ? { senderId: me(request) } : { receiverId: me(request) }),
            cursor: request.query.cursor,
            limit: request.query.limit,
          }),
        ),
    );
  };
}
