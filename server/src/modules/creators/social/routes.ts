import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../../core/actor.ts';
import { memberOf, staffActorOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { IdParams } from '../../../core/schemas.ts';
import { blockMember, listBlocks, unblockMember } from './blocks.ts';
import { addFavorite, favoriteCounts, listFavorites, removeFavorite } from './favorites.ts';
import { createPenaltyRule, listPenaltyRules, updatePenaltyRule } from './penalties.ts';
import { BlockEntry, BlockReason, blockPage, FavoriteCounts, PenaltyRuleFields, PenaltyRuleView, Relation, relationPage, ruleView } from './views.ts';

/** Favorites and followers, the members' blocklist, and the penalty rules blocks trigger. */
export function socialRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: FastifyRequest) => memberOf(request).personId;
    const asMember = (request: FastifyRequest): Actor => ({ type: 'member', id: me(request) });

    app.put(
      '/client/creators/favorites/:id',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'Add someone to my favorites', params: IdParams, response: { 204: Type.Null(), ...problems(400, 401, 404) } },
      },
      async (request, reply) => {
        await kernel.write(asMember(request), (ctx) => addFavorite(ctx, me(request), request.params.id));
        return reply.code(204).send(null);
      },
    );
    app.delete(
      '/client/creators/favorites/:id',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'Remove someone from my favorites', params: IdParams, response: { 204: Type.Null(), ...problems(401, 404) } },
      },
      async (request, reply) => {
        await kernel.write(asMember(request), (ctx) => removeFavorite(ctx, me(request), request.params.id));
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/client/creators/favorites',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My favorites, or my followers, newest first',
          querystring: Type.Object({ direction: Type.Optional(Type.Union([Type.Literal('favorites'), Type.Literal('followers')])), ...PageQuery }),
          response: { 200: Page(Relation), ...problems(400, 401) },
        },
      },
      async (request) =>
        relationPage(kernel.db, await listFavorites(kernel.db, me(request), request.query.direction ?? 'favorites', request.query.cursor, request.query.limit)),
    );
    app.get(
      '/client/creators/favorites/counts',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'How many I favor and how many follow me', response: { 200: FavoriteCounts, ...problems(401) } },
      },
      async (request) => favoriteCounts(kernel.db, me(request)),
    );
    app.put(
      '/client/creators/blocks/:id',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Block someone, with a reason: they disappear from my feed, chats and calls at once',
          params: IdParams,
          body: Type.Object({ reason: BlockReason, note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
          response: { 204: Type.Null(), ...problems(400, 401, 404) },
        },
      },
      async (request, reply) => {
        await kernel.write(asMember(request), (ctx) =>
          blockMember(ctx, me(request), request.params.id, request.body.reason, request.body.note?.trim() || null),
        );
        return reply.code(204).send(null);
      },
    );
    app.delete(
      '/client/creators/blocks/:id',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'Take someone off my blocklist', params: IdParams, response: { 204: Type.Null(), ...problems(401, 404) } },
      },
      async (request, reply) => {
        await kernel.write(asMember(request), (ctx) => unblockMember(ctx, me(request), request.params.id));
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/client/creators/blocks',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Whom I blocked, newest first',
          querystring: Type.Object({ ...PageQuery }),
          response: { 200: Page(BlockEntry), ...problems(400, 401) },
        },
      },
      async (request) => blockPage(kernel.db, await listBlocks(kernel.db, me(request), 'blocked', request.query.cursor, request.query.limit)),
    );

    app.get(
      '/console/creators/people/:id/favorites',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: "A person's favorites or followers",
          params: IdParams,
          querystring: Type.Object({ direction: Type.Optional(Type.Union([Type.Literal('favorites'), Type.Literal('followers')])), ...PageQuery }),
          response: { 200: Page(Relation), ...problems(400) },
        },
      },
      async (request) =>
        relationPage(
          kernel.db,
          await listFavorites(kernel.db, request.params.id, request.query.direction ?? 'favorites', request.query.cursor, request.query.limit),
        ),
    );
    app.get(
      '/console/creators/people/:id/blocks',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: "A person's blocklist, both ways: whom they blocked, and who blocked them (with reasons)",
          params: IdParams,
          querystring: Type.Object({ direction: Type.Optional(Type.Union([Type.Literal('blocked'), Type.Literal('blocked_by')])), ...PageQuery }),
          response: { 200: Page(BlockEntry), ...problems(400) },
        },
      },
      async (request) =>
        blockPage(kernel.db, await listBlocks(kernel.db, request.params.id, request.query.direction ?? 'blocked', request.query.cursor, request.query.limit)),
    );

    app.get(
      '/console/creators/penalty-rules',
      {
        config: { permission: 'creators.read' },
        schema: { tags: ['creators'], summary: 'Penalty rules applied when members block someone', response: { 200: Type.Array(PenaltyRuleView) } },
      },
      async () => (await listPenaltyRules(kernel.db)).map(ruleView),
    );
    app.post(
      '/console/creators/penalty-rules',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Add a penalty rule',
          body: Type.Object(PenaltyRuleFields, { additionalProperties: false }),
          response: { 201: PenaltyRuleView, ...problems(400) },
        },
      },
      async (request, reply) => reply.code(201).send(ruleView(await kernel.write(staffActorOf(request), (ctx) => createPenaltyRule(ctx, request.body)))),
    );
    app.patch(
      '/console/creators/penalty-rules/:id',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Change or switch off a penalty rule',
          params: IdParams,
          body: Type.Partial(Type.Object(PenaltyRuleFields), { additionalProperties: false }),
          response: { 200: PenaltyRuleView, ...problems(400, 404) },
        },
      },
      async (request) => ruleView(await kernel.write(staffActorOf(request), (ctx) => updatePenaltyRule(ctx, request.params.id, request.body))),
    );
  };
}
