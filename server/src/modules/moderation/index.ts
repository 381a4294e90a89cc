import { ModerationError } from './errors.ts';
import { DomainError } from '../../core/errors.ts';
import { domainProblem } from '../../core/http/errors.ts';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Body } from '../../core/http/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { moderationEventTypes } from './events.ts';
import { claimNext, decide, LEASE_MS, pendingCounts, releaseClaims, type Item } from './service.ts';

const Decision = Type.Union([Type.Literal('approved'), Type.Literal('rejected')]);
const Reason = Type.Optional(Type.String({ maxLength: 500 }));
const ItemView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  recordType: Type.String(),
  recordId: Type.String(),
  subjectType: Type.Union([Type.String(), Type.Null()]),
  subjectId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  preview: Type.Record(Type.String(), Type.Unknown(), { description: 'What the owning module shows to judge it (e.g. signed image links, the person)' }),
  state: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  claimExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

async function routes(base: FastifyInstance, kernel: Kernel): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const KindParams = Type.Object({ kind: Type.String({ pattern: '^[a-z_]{1,40}$' }) });

  const view = async (item: Item) => ({
    id: item.id,
    kind: item.kind,
    recordType: item.recordType,
    recordId: item.recordId,
    subjectType: item.subjectType,
    subjectId: item.subjectId,
    details: item.details,
    preview: (await kernel.catalogue.moderationKinds.get(item.kind)?.present?.(kernel, item).catch(() => ({}))) ?? {},
    state: item.state,
    reason: item.reason,
    claimExpiresAt: item.claimExpiresAt?.toISOString() ?? null,
    createdAt: item.createdAt.toISOString(),
  });

  app.get(
    '/console/moderation/kinds',
    {
      config: { permission: 'moderation.review' },
      schema: {
        tags: ['moderation'],
        summary: 'The kinds of things reviewed here, with how many wait',
        response: { 200: Type.Array(Type.Object({ kind: Type.String(), module: Type.String(), description: Type.String(), pending: Type.Integer() })) },
      },
    },
    async () => {
      const counts = await pendingCounts(kernel.db);
      return [...kernel.catalogue.moderationKinds.values()].map((k) => ({ kind: k.kind, module: k.module, description: k.description, pending: counts[k.kind] ?? 0 }));
    },
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
      if (!kernel.catalogue.moderationKinds.has(request.params.kind)) throw ModerationError.notFound(`No moderation kind ${request.params.kind}.`);
      const items = await claimNext(kernel, principalOf(request).staffId, request.params.kind, request.body.limit);
      return Promise.all(items.map(view));
    },
  );

  app.post(
    '/console/moderation/release',
    {
      config: { permission: 'moderation.review' },
      schema: {
        tags: ['moderation'],
        summary: 'Give back items you claimed but will not decide (leaving the queue)',
        body: Body({ ids: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100 }) }),
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
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Body({ decision: Decision, reason: Reason }),
        response: { 200: ItemView, ...problems(400, 404, 409) },
      },
    },
    async (request) => {
      const staffId = principalOf(request).staffId;
      const item = await kernel.write({ type: 'staff', id: staffId }, (ctx) => decide(ctx, staffId, request.params.id, request.body.decision, request.body.reason ?? null));
      return view(item);
    },
  );

  app.post(
    '/console/moderation/decisions',
    {
      config: { permission: 'moderation.review' },
      schema: {
        tags: ['moderation'],
        summary: 'Decide many items the same way; each succeeds or fails on its own',
        body: Body({ ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 100 }), decision: Decision, reason: Reason }),
        response: { 200: Type.Array(Type.Object({ id: Type.String(), ok: Type.Boolean(), detail: Type.Optional(Type.String()) })), ...problems(400) },
      },
    },
    async (request) => {
      const staffId = principalOf(request).staffId;
      const results = [];
      for (const id of request.body.ids) {
        try {
          await kernel.write({ type: 'staff', id: staffId }, (ctx) => decide(ctx, staffId, id, request.body.decision, request.body.reason ?? null));
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

/** Review queues: modules declare kinds and open items; moderators claim, approve or reject. */
export const moderationModule = defineModule({
  name: 'moderation',
  permissions: [{ key: 'moderation.review', description: 'Review moderation queues: approve or reject photos, videos, reports.' }],
  roleGrants: { moderator: ['moderation.review'] },
  events: moderationEventTypes,
  routes,
  nav: [{ path: '/moderation', label: 'nav.moderation', permission: 'moderation.review' }],
});
