import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { memberOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Body } from '../../../core/http/schemas.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Id, IdParams, Timestamp } from '../../../core/schemas.ts';
import { fileService } from '../../files/index.ts';
import { getPerson } from '../../people/people.ts';
import { addVideo, removeVideo, videosOf } from './service.ts';

const RouletteVideo = Type.Object({
  fileId: Id,
  review: Type.String({ description: 'The files module’s review state: only `approved` videos play.' }),
  urls: Type.Record(Type.String(), Type.String(), { description: 'Signed links to the video (original) and its poster and thumbnail, valid for an hour' }),
  addedAt: Timestamp,
});

/** The videos streamers offer roulette for when no live streamer is free (uploaded through the files module as kind `video`). */
export function videoRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: FastifyRequest) => memberOf(request).personId;
    const list = async (personId: string) =>
      (await videosOf(kernel, personId)).map(({ file, addedAt }) => ({
        fileId: file.id,
        review: file.review,
        urls: fileService(kernel).view(file).urls,
        addedAt: addedAt.toISOString(),
      }));

    app.get(
      '/client/creators/videos',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My roulette videos, newest first, in every review state',
          response: { 200: Type.Array(RouletteVideo), ...problems(401) },
        },
      },
      async (request) => list(me(request)),
    );

    app.post(
      '/client/creators/videos',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Offer one of my uploaded videos (files kind `video`) to roulette: it plays once a moderator approves it',
          body: Body({ fileId: Id }),
          response: { 204: Type.Null(), ...problems(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        await kernel.write({ type: 'member', id: me(request) }, (ctx) => addVideo(ctx, me(request), request.body.fileId));
        return reply.code(204).send(null);
      },
    );

    app.delete(
      '/client/creators/videos/:id',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'Take one of my videos out of roulette', params: IdParams, response: { 204: Type.Null(), ...problems(401, 404) } },
      },
      async (request, reply) => {
        await kernel.write({ type: 'member', id: me(request) }, (ctx) => removeVideo(ctx, me(request), request.params.id));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/console/creators/people/:id/videos',
      {
        config: { permission: 'creators.read', recordParam: 'id' },
        schema: {
          tags: ['creators'],
          summary: "A streamer's roulette videos, newest first, in every review state",
          params: IdParams,
          response: { 200: Type.Array(RouletteVideo), ...problems(403, 404) },
        },
      },
      async (request) => {
        await getPerson(kernel.db, request.params.id);
        return list(request.params.id);
      },
    );
  };
}
