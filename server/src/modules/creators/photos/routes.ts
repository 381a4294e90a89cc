import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../../core/actor.ts';
import { memberOf, principalOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import { Body, Nullable } from '../../../core/http/schemas.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { FileView } from '../../files/index.ts';
import { getPerson } from '../../people/service.ts';
import * as photos from './service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const SlotParams = Type.Object({ id: Type.String({ format: 'uuid' }), slot: Type.Union([Type.Literal('cover'), Type.Literal('profile')]) });
const MySlotParams = Type.Object({ slot: Type.Union([Type.Literal('cover'), Type.Literal('profile')]) });
const Choice = Body({ fileId: Nullable(Type.String({ format: 'uuid', description: 'One of their approved photos; null clears the choice' })) });
const Gallery = Type.Object({
  ...Page(FileView).properties,
  coverFileId: Nullable(Type.String({ description: 'The cover photo, when chosen and still approved' })),
  profileFileId: Nullable(Type.String({ description: 'The profile photo, when chosen and still approved' })),
});
const PhotoUrls = {
  coverUrl: Nullable(Type.String({ description: 'Signed link to the cover photo (medium), valid for an hour' })),
  profilePhotoUrl: Nullable(Type.String({ description: 'Signed link to the profile photo (medium), valid for an hour' })),
};
const FeedItem = Type.Object({ id: Type.String(), displayName: Type.String(), publicProfile: Type.Record(Type.String(), Type.Unknown()), rating: Type.Integer(), online: Type.Boolean(), ...PhotoUrls });
const MemberProfile = Type.Object({ id: Type.String(), displayName: Type.String(), publicProfile: Type.Record(Type.String(), Type.Unknown()), streamer: Type.Boolean(), online: Type.Boolean(), ...PhotoUrls });

/**
 * Members' photo galleries (uploads go through the files module; this chooses cover and profile photos
 * among the approved ones), the app's streamer feed and member profiles.
 */
export function photoRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const staff = (request: FastifyRequest): Actor => ({ type: 'staff', id: principalOf(request).staffId });
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
        return photos.gallery(kernel, request.params.id, { forOthers: false, ...request.query });
      },
    );

    app.put(
      '/console/creators/people/:id/photos/:slot',
      {
        config: { permission: 'creators.manage' },
        schema: { tags: ['creators'], summary: "Set or clear a person's cover or profile photo", params: SlotParams, body: Choice, response: { 204: Type.Null(), ...problems(400, 404, 409) } },
      },
      async (request, reply) => {
        await getPerson(kernel.db, request.params.id);
        await kernel.write(staff(request), (ctx) => photos.choosePhoto(ctx, request.params.id, request.params.slot, request.body.fileId));
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
      async (request) => photos.gallery(kernel, me(request), { forOthers: false, ...request.query }),
    );

    app.put(
      '/client/creators/gallery/:slot',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'Choose my cover or profile photo among my approved photos (null clears it)', params: MySlotParams, body: Choice, response: { 204: Type.Null(), ...problems(400, 401, 409) } },
      },
      async (request, reply) => {
        await kernel.write({ type: 'member', id: me(request) }, (ctx) => photos.choosePhoto(ctx, me(request), request.params.slot, request.body.fileId));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/client/creators/members/:id',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'A member as the app shows them (404 when either of us blocked the other)', params: IdParams, response: { 200: MemberProfile, ...problems(400, 401, 404) } },
      },
      async (request) => photos.memberProfile(kernel, me(request), request.params.id),
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
        await photos.memberProfile(kernel, me(request), request.params.id);
        return photos.gallery(kernel, request.params.id, { forOthers: request.params.id !== me(request), ...request.query });
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
      async (request) => photos.streamerFeed(kernel, me(request), request.query),
    );
  };
}
