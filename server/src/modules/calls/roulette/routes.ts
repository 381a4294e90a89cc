import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { memberOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import type { Kernel, ServiceContext } from '../../../core/kernel.ts';
import { Id, Nullable, Timestamp } from '../../../core/schemas.ts';
import { fileService } from '../../files/index.ts';
import { CallView, callViews } from '../views.ts';
import { enterRoulette, leaveRoulette, nextInRoulette, poolEntry, poolSummary, type RouletteOutcome } from './service.ts';

const RouletteView = Type.Object({
  state: Type.Union([Type.Literal('waiting'), Type.Literal('matched')], {
    description: '`waiting` in the pool (a match arrives as `call.state` on the socket), or `matched` into `call`',
  }),
  call: Nullable(CallView),
  video: Nullable(
    Type.Object(
      {
        fileId: Id,
        urls: Type.Record(Type.String(), Type.String(), { description: 'Signed links: `original` (the video), `poster`, `thumbnail`' }),
      },
      { description: 'A prerecorded call: the video to play (there is no channel to join).' },
    ),
  ),
});

/** `/api/client/calls/roulette`: the roulette pool (enter, leave, next). */
export function rouletteRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: FastifyRequest) => memberOf(request).personId;
    const respond = async (outcome: RouletteOutcome) => {
      const call = outcome.call ? (await callViews(kernel.db, [outcome.call], kernel.now()))[0]! : null;
      const [file] = outcome.call?.videoFileId ? await fileService(kernel).findMany([outcome.call.videoFileId]) : [];
      return { state: outcome.state, call, video: file ? { fileId: file.id, urls: fileService(kernel).view(file).urls } : null };
    };
    const write = (request: FastifyRequest, work: (ctx: ServiceContext, personId: string) => Promise<RouletteOutcome>) =>
      kernel.write({ type: 'member', id: me(request) }, (ctx) => work(ctx, me(request)));

    app.get(
      '/client/calls/roulette',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Am I in the roulette pool, and since when',
          response: {
            200: Type.Object({
              inPool: Type.Boolean(),
              role: Nullable(Type.String({ description: '`user` or `streamer`' })),
              waitingSince: Nullable(Timestamp),
            }),
            ...problems(401),
          },
        },
      },
      async (request) => {
        const entry = await poolEntry(kernel.db, me(request));
        return { inPool: entry !== undefined, role: entry?.role ?? null, waitingSince: entry?.waitingSince.toISOString() ?? null };
      },
    );

    app.post(
      '/client/calls/roulette/enter',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary:
            'Enter the roulette pool: matched at once when someone fits (a roulette call, answered already; or a prerecorded video when no streamer is free), else waiting',
          response: { 200: RouletteView, ...problems(401, 403, 409) },
        },
      },
      async (request) => respond(await write(request, enterRoulette)),
    );

    app.post(
      '/client/calls/roulette/next',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Skip: hang up my roulette call (or video) and be matched with someone else',
          response: { 200: RouletteView, ...problems(401, 403, 409) },
        },
      },
      async (request) => respond(await write(request, nextInRoulette)),
    );

    app.post(
      '/client/calls/roulette/leave',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Leave the roulette pool (a matched call goes on until hung up)',
          response: { 204: Type.Null(), ...problems(401) },
        },
      },
      async (request, reply) => {
        await kernel.write({ type: 'member', id: me(request) }, (ctx) => leaveRoulette(ctx, me(request)));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/console/calls/roulette',
      {
        config: { permission: 'calls.read' },
        schema: {
          tags: ['calls'],
          summary: 'The roulette pool now: users waiting for a match, streamers in it, and those of them free',
          response: {
            200: Type.Object({ waitingUsers: Type.Integer(), streamers: Type.Integer(), freeStreamers: Type.Integer() }),
            ...problems(403),
          },
        },
      },
      async () => poolSummary(kernel.db),
    );
  };
}
