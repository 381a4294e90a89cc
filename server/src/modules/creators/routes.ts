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
import * as social from './social.ts';
import * as gifts from './gifts.ts';
import { IdempotencyHeaders, idempotent } from '../../core/idempotency/idempotency.ts';
import { BLOCK_REASONS } from './schema.ts';

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
      '/console/creators/people/:id',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'What a person is here: streamer (agency, status), app user (platform), with favorites counts',
          params: IdParams,
          response: {
            200: Type.Object({
              streamer: Nullable(
                Type.Object({ agencyId: Nullable(Type.String()), agencyName: Nullable(Type.String()), status: Type.String(), suspendedReason: Nullable(Type.String()), rating: Type.Integer(), since: Timestamp }),
              ),
              user: Nullable(Type.Object({ platform: Nullable(Type.String()), signedUpAt: Timestamp })),
              favorites: Type.Integer(),
              followers: Type.Integer(),
            }),
            ...problems(404),
          },
        },
      },
      async (request) => ({ ...(await creators.creatorProfile(kernel, request.params.id)), ...(await social.favoriteCounts(kernel.db, request.params.id)) }),
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
      async (request) =>
        streamerRow(
          await kernel.write(staff(request), async (ctx) => {
            const streamer = await creators.reinstateStreamer(ctx, request.params.id);
            await social.liftSuspensionPenalties(ctx, request.params.id);
            return streamer;
          }),
        ),
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

    // ------------------------------------------------------------------ favorites and blocklist

    const BlockReason = Type.Union(BLOCK_REASONS.map((r) => Type.Literal(r)));
    const Relation = Type.Object({ personId: Type.String(), displayName: Nullable(Type.String()), since: Timestamp });
    const BlockEntry = Type.Object({ personId: Type.String(), displayName: Nullable(Type.String()), reason: BlockReason, note: Nullable(Type.String()), since: Timestamp });
    const me = (request: FastifyRequest) => memberOf(request).personId;
    const asMember = (request: FastifyRequest): Actor => ({ type: 'member', id: me(request) });

    app.put(
      '/client/creators/favorites/:id',
      { config: { member: true }, schema: { tags: ['client'], summary: 'Add someone to my favorites', params: IdParams, response: { 204: Type.Null(), ...problems(400, 401, 404) } } },
      async (request, reply) => {
        await kernel.write(asMember(request), (ctx) => social.addFavorite(ctx, me(request), request.params.id));
        return reply.code(204).send(null);
      },
    );
    app.delete(
      '/client/creators/favorites/:id',
      { config: { member: true }, schema: { tags: ['client'], summary: 'Remove someone from my favorites', params: IdParams, response: { 204: Type.Null(), ...problems(401, 404) } } },
      async (request, reply) => {
        await kernel.write(asMember(request), (ctx) => social.removeFavorite(ctx, me(request), request.params.id));
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
      async (request) => social.listFavorites(kernel.db, me(request), request.query.direction ?? 'favorites', request.query.cursor, request.query.limit),
    );
    app.get(
      '/client/creators/favorites/counts',
      { config: { member: true }, schema: { tags: ['client'], summary: 'How many I favor and how many follow me', response: { 200: Type.Object({ favorites: Type.Integer(), followers: Type.Integer() }), ...problems(401) } } },
      async (request) => social.favoriteCounts(kernel.db, me(request)),
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
        await kernel.write(asMember(request), (ctx) => social.blockMember(ctx, me(request), request.params.id, request.body.reason, request.body.note?.trim() || null));
        return reply.code(204).send(null);
      },
    );
    app.delete(
      '/client/creators/blocks/:id',
      { config: { member: true }, schema: { tags: ['client'], summary: 'Take someone off my blocklist', params: IdParams, response: { 204: Type.Null(), ...problems(401, 404) } } },
      async (request, reply) => {
        await kernel.write(asMember(request), (ctx) => social.unblockMember(ctx, me(request), request.params.id));
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/client/creators/blocks',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'Whom I blocked, newest first', querystring: Type.Object({ ...PageQuery }), response: { 200: Page(BlockEntry), ...problems(400, 401) } },
      },
      async (request) => social.listBlocks(kernel.db, me(request), 'blocked', request.query.cursor, request.query.limit),
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
      async (request) => social.listFavorites(kernel.db, request.params.id, request.query.direction ?? 'favorites', request.query.cursor, request.query.limit),
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
      async (request) => social.listBlocks(kernel.db, request.params.id, request.query.direction ?? 'blocked', request.query.cursor, request.query.limit),
    );

    const PenaltyRuleBody = {
      reason: BlockReason,
      targetRole: Type.Union([Type.Literal('streamer'), Type.Literal('user')]),
      blockerRole: Type.Union([Type.Literal('streamer'), Type.Literal('user'), Type.Literal('anyone')]),
      threshold: Type.Integer({ minimum: 1, maximum: 10000 }),
      windowDays: Type.Integer({ minimum: 1, maximum: 365 }),
      action: Type.Union([Type.Literal('suspend_streamer'), Type.Literal('block_person')]),
      blockReason: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 40 }))),
      active: Type.Optional(Type.Boolean()),
    };
    const PenaltyRuleView = Type.Object({ id: Type.String(), ...PenaltyRuleBody, blockReason: Nullable(Type.String()), active: Type.Boolean(), createdAt: Timestamp }, { $id: 'CreatorPenaltyRule' });
    const ruleView = (r: social.PenaltyRule) => ({ ...r, createdAt: r.createdAt.toISOString() });

    app.get(
      '/console/creators/penalty-rules',
      { config: { permission: 'creators.read' }, schema: { tags: ['creators'], summary: 'Penalty rules applied when members block someone', response: { 200: Type.Array(PenaltyRuleView) } } },
      async () => (await social.listPenaltyRules(kernel.db)).map(ruleView),
    );
    app.post(
      '/console/creators/penalty-rules',
      {
        config: { permission: 'creators.manage' },
        schema: { tags: ['creators'], summary: 'Add a penalty rule', body: Type.Object(PenaltyRuleBody, { additionalProperties: false }), response: { 201: PenaltyRuleView, ...problems(400) } },
      },
      async (request, reply) => reply.code(201).send(ruleView(await kernel.write(staff(request), (ctx) => social.createPenaltyRule(ctx, request.body)))),
    );
    app.patch(
      '/console/creators/penalty-rules/:id',
      {
        config: { permission: 'creators.manage' },
        schema: { tags: ['creators'], summary: 'Change or switch off a penalty rule', params: IdParams, body: Type.Partial(Type.Object(PenaltyRuleBody), { additionalProperties: false }), response: { 200: PenaltyRuleView, ...problems(400, 404) } },
      },
      async (request) => ruleView(await kernel.write(staff(request), (ctx) => social.updatePenaltyRule(ctx, request.params.id, request.body))),
    );

    // ------------------------------------------------------------------ gifts

    const GiftBody = {
      name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
      price: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'Coins.' }),
      streamerShareBp: Type.Integer({ minimum: 0, maximum: 10000, description: "The streamer's share of the price in basis points (5000 is 50 %)." }),
      agencyShareBp: Type.Integer({ minimum: 0, maximum: 10000, description: "Their agency's share; the rest is the platform's." }),
      active: Type.Optional(Type.Boolean()),
      sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
      imageFileId: Type.Optional(Nullable(Type.String({ format: 'uuid', description: 'A catalog image uploaded with POST /api/console/platform/files?kind=catalog; null removes the picture.' }))),
    };
    const GiftView = Type.Object(
      {
        id: Type.String(),
        name: Type.String(),
        price: Type.Integer(),
        streamerShareBp: Type.Integer(),
        agencyShareBp: Type.Integer(),
        active: Type.Boolean(),
        sort: Type.Integer(),
        imageFileId: Nullable(Type.String()),
        imageUrl: Nullable(Type.String({ description: 'Signed link to the picture (medium), valid for an hour' })),
        createdAt: Timestamp,
        updatedAt: Timestamp,
      },
      { $id: 'CreatorGift' },
    );
    const GiftSendView = Type.Object(
      {
        id: Type.String(),
        giftId: Type.String(),
        giftName: Type.String(),
        senderId: Type.String(),
        receiverId: Type.String(),
        agencyId: Nullable(Type.String()),
        price: Type.Integer(),
        streamerAmount: Type.Integer(),
        agencyAmount: Type.Integer(),
        platformAmount: Type.Integer(),
        createdAt: Timestamp,
      },
      { $id: 'CreatorGiftSend' },
    );
    const GiftHistoryItem = Type.Object({ ...GiftSendView.properties, senderName: Nullable(Type.String()), receiverName: Nullable(Type.String()) });

    app.get(
      '/console/creators/gifts',
      { config: { permission: 'creators.read' }, schema: { tags: ['creators'], summary: 'The gift catalog, active or not', response: { 200: Type.Array(GiftView) } } },
      async () => gifts.giftViews(kernel, await gifts.listGifts(kernel.db, false)),
    );
    app.post(
      '/console/creators/gifts',
      { config: { permission: 'creators.manage' }, schema: { tags: ['creators'], summary: 'Add a gift to the catalog', body: Type.Object(GiftBody, { additionalProperties: false }), response: { 201: GiftView, ...problems(400) } } },
      async (request, reply) => {
        const gift = await kernel.write(staff(request), (ctx) => gifts.createGift(ctx, request.body));
        return reply.code(201).send((await gifts.giftViews(kernel, [gift]))[0]!);
      },
    );
    app.patch(
      '/console/creators/gifts/:id',
      {
        config: { permission: 'creators.manage' },
        schema: { tags: ['creators'], summary: 'Change a gift (price, shares, name) or take it off offer', params: IdParams, body: Type.Partial(Type.Object(GiftBody), { additionalProperties: false }), response: { 200: GiftView, ...problems(400, 404) } },
      },
      async (request) => (await gifts.giftViews(kernel, [await kernel.write(staff(request), (ctx) => gifts.updateGift(ctx, request.params.id, request.body))]))[0]!,
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
      async (request) => gifts.giftHistory(kernel.db, request.query),
    );

    app.get(
      '/client/creators/gifts',
      { config: { member: true }, schema: { tags: ['client'], summary: 'Gifts on offer', response: { 200: Type.Array(GiftView), ...problems(401) } } },
      async () => gifts.giftViews(kernel, await gifts.listGifts(kernel.db, true)),
    );
    app.post(
      '/client/creators/gifts/send',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Send a streamer a gift from my coins (Idempotency-Key required: a retry never pays twice)',
          headers: IdempotencyHeaders,
          body: Type.Object({ giftId: Id, receiverId: Id }, { additionalProperties: false }),
          response: { 201: GiftSendView, ...problems(400, 401, 404, 409, 422) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, asMember(request), async (ctx) => ({
          status: 201,
          body: gifts.giftSendView(await gifts.sendGift(ctx, me(request), request.body.giftId, request.body.receiverId)),
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
        gifts.giftHistory(kernel.db, {
          ...(request.query.direction === 'sent' ? { senderId: me(request) } : { receiverId: me(request) }),
          cursor: request.query.cursor,
          limit: request.query.limit,
        }),
    );
  };
}
