import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../core/errors.ts';
import { domainProblem } from '../../core/http/errors.ts';
import { principalOf, staffActorOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Body } from '../../core/http/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import { Id, IdParams } from '../../core/schemas.ts';
import { claimNext, decide, LEASE_MS, releaseClaims } from './service.ts';
import { ItemView, itemView, KindView, kindsView } from './views.ts';

const Decision = Type.Union([Type.Literal('approved'), Type.Literal('rejected')]);
const Reason = Type.Optional(Type.String({ maxLength: 500 }));
const KindParams = Type.Object({ kind: Type.String({ pattern: '^[a-z_]{1,40}$' }) });

export async function moderationRoutes(base: FastifyInstance, kernel: Kernel): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/console/moderation/kinds',
    {
      config: { permission: 'moderation.review' },
      schema: {
        tags: ['moderation'],
        summary: 'The kinds of things reviewed here, with how many wait',
        response: { 200: Type.Array(KindView) },
      },
    },
    async () => kindsView(kernel),
  );

  app.post(
    '/console/moderation/:kind/claim',
    {
      config: { permission: 'moderation.review' },
      schema: {
        tags: ['moderation'],
        summary: 'Take the next items of a kind to review (oldest first), held for you for two minutes',
        description: `Items already yours, unclaimed, or whose claim lapsed; claimed for ${LEASE_MS / 1000} s. Two moderators never get the same item. Asking again renews your claims.`,
        params: KindParams,
        body: Body({ limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }) }),
        response: { 200: Type.Array(ItemView), ...problems(400, 404) },
      },
    },
    async (request) => {
      const items = await claimNext(kernel, principalOf(request).staffId, request.params.kind, request.body.limit);
      return Promise.all(items.map((item) => itemView(kernel, item)));
    },
  );

  app.post(
    '/console/moderation/release',
    {
      config: { permission: 'moderation.review' },
      schema: {
        tags: ['moderation'],
        summary: 'Give back items you claimed but will not decide (leaving the queue)',
        body: Body({ ids: Type.Array(Id, { maxItems: 100 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      if (request.body.ids.length > 0) await releaseClaims(kernel.db, principalOf(request).staffId, request.body.ids);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/console/moderation/items/:id/decision',
    {
      config: { permission: 'moderation.review' },
      schema: {
        tags: ['moderation'],
        summary: 'Approve or reject one item (a reason is required to reject)',
        params: IdParams,
        body: Body({ decision: Decision, reason: Reason }),
        response: { 200: ItemView, ...problems(400, 404, 409) },
      },
    },
    async (request) => {
      const actor = staffActorOf(request);
      const item = await kernel.write(actor, (ctx) => decide(ctx, actor.id, request.params.id, request.body.decision, request.body.reason ?? null));
      return itemView(kernel, item);
    },
  );

  app.post(
    '/console/moderation/decisions',
    {
      config: { permission: 'moderation.review' },
      schema: {
        tags: ['moderation'],
        summary: 'Decide many items the same way; each succeeds or fails on its own',
        body: Body({ ids: Type.Array(Id, { minItems: 1, maxItems: 100 }), decision: Decision, reason: Reason }),
        response: { 200: Type.Array(Type.Object({ id: Type.String(), ok: Type.Boolean(), detail: Type.Optional(Type.String()) })), ...problems(400) },
      },
    },
    async (request) => {
      const actor = staffActorOf(request);
      const results = [];
      for (const id of request.body.ids) {
        try {
          await kernel.write(actor, (ctx) => decide(ctx, actor.id, id, request.body.decision, request.body.reason ?? null));
          results.push({ id, ok: true });
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          results.push({ id, ok: false, detail: domainProblem(error).detail });
        }
      }
      return results;
    },
  );
}
