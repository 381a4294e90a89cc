import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { memberOf, staffActorOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import { Body } from '../../../core/http/schemas.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Id, IdParams, Nullable } from '../../../core/schemas.ts';
import { getPerson } from '../../people/people.ts';
import { recordProfileView } from '../interactions/service.ts';
import { choosePhoto, visibleMember } from './service.ts';
import { FeedItem, feedPage, Gallery, galleryView, MemberProfile, memberProfileView, PhotoSlots } from './views.ts';

const Slot = PhotoSlots.schema;
const SlotParams = Type.Object({ id: Id, slot: Slot });
const MySlotParams = Type.Object({ slot: Slot });
const Choice = Body({ fileId: Nullable(Type.String({ format: 'uuid', description: 'One of their approved photos; null clears the choice' })) });

/**
 * Members' photo galleries (uploads go through the files module; this chooses cover and profile photos
 * among the approved ones), the app's streamer feed and member profiles.
 */
export function photoRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: FastifyRequest) => memberOf(request).personId;

    app.get(
      '/console/creators/people/:id/photos',
      {
        config: { permission: 'creators.read', recordParam: 'id' },
        schema: {
          tags: ['creators'],
          summary: "A person's photos in every review state, newest first, with their cover and profile choice",
          params: IdParams,
          querystring: Type.Object(PageQuery),
          response: { 200: Gallery, ...problems(400, 404) },
        },
      },
      async (request) => {
        await getPerson(kernel.db, request.params.id);
        return galleryView(kernel, request.params.id, { forOthers: false, ...request.query });
      },
    );

    app.put(
      '/console/creators/people/:id/photos/:slot',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: "Set or clear a person's cover or profile photo",
          params: SlotParams,
          body: Choice,
          response: { 204: Type.Null(), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        await getPerson(kernel.db, request.params.id);
        await kernel.write(staffActorOf(request), (ctx) => choosePhoto(ctx, request.params.id, request.params.slot, request.body.fileId));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/client/creators/gallery',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My photos in every review state (new ones wait for a moderator), with my cover and profile choice',
          querystring: Type.Object(PageQuery),
          response: { 200: Gallery, ...problems(400, 401) },
        },
      },
      async (request) => galleryView(kernel, me(request), { forOthers: false, ...request.query }),
    );

    app.put(
      '/client/creators/gallery/:slot',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Choose my cover or profile photo among my approved photos (null clears it)',
          params: MySlotParams,
          body: Choice,
          response: { 204: Type.Null(), ...problems(400, 401, 409) },
        },
      },
      async (request, reply) => {
        await kernel.write({ type: 'member', id: me(request) }, (ctx) => choosePhoto(ctx, me(request), request.params.slot, request.body.fileId));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/client/creators/members/:id',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'A member as the app shows them (404 when either of us blocked the other)',
          params: IdParams,
          response: { 200: MemberProfile, ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        const profile = await memberProfileView(kernel, me(request), request.params.id);
        await kernel.write({ type: 'member', id: me(request) }, (ctx) => recordProfileView(ctx, me(request), request.params.id));
        return profile;
      },
    );

    app.get(
      '/client/creators/members/:id/photos',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: "A member's approved photos, newest first (404 when either of us blocked the other)",
          params: IdParams,
          querystring: Type.Object(PageQuery),
          response: { 200: Gallery, ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        await visibleMember(kernel.db, me(request), request.params.id);
        return galleryView(kernel, request.params.id, { forOthers: request.params.id !== me(request), ...request.query });
      },
    );

    app.get(
      '/client/creators/feed',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Streamers to call: active ones, best rated first, without anyone I blocked or who blocked me',
          querystring: Type.Object(PageQuery),
          response: { 200: Page(FeedItem), ...problems(400, 401) },
        },
      },
      async (request) => feedPage(kernel, me(request), request.query),
    );
  };
}
