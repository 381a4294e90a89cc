import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import type { Actor } from '../../core/actor.ts';
import { memberOf } from '../../core/http/guard.ts';
import { IdempotencyHeaders, idempotent } from '../../core/idempotency/idempotency.ts';
import { problems } from '../../core/http/openapi.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';

import { Nullable } from '../../core/http/schemas.ts';
import type { Executor } from '../../core/db/client.ts';
import type { Kernel } from '../../core/kernel.ts';
import { accountsByOwner, available } from '../ledger/service.ts';
import { cancelPayout, listApplications, requestPayout, type PayoutApplication } from '../payouts/service.ts';
import { subjectNames } from '../people/service.ts';
import { creatorStreamers } from './schema.ts';
import { COIN } from './service.ts';
import { CreatorsError } from './errors.ts';

export const STREAMER_RULES_SETTING = 'creators.streamer_rules';

const Timestamp = Type.String({ format: 'date-time' });
const MyPayout = Type.Object(
  {
    id: Type.String(),
    currency: Type.String(),
    amount: Type.Integer(),
    fee: Type.Integer(),
    net: Type.Integer(),
    state: Type.String(),
    note: Nullable(Type.String()),
    createdAt: Timestamp,
    approvedAt: Nullable(Timestamp),
    paidAt: Nullable(Timestamp),
    rejectionReason: Nullable(Type.String()),
  },
  { $id: 'MyPayoutApplication' },
);
const iso = (d: Date | null) => d?.toISOString() ?? null;
const myPayout = (a: PayoutApplication) => ({
  id: a.id,
  currency: a.currency,
  amount: a.amount,
  fee: a.fee,
  net: a.amount - a.fee,
  state: a.state,
  note: a.note,
  createdAt: a.createdAt.toISOString(),
  approvedAt: iso(a.approvedAt),
  paidAt: iso(a.paidAt),
  rejectionReason: a.rejectionReason,
});

/** The member's streamer row, or a 403: the portal is for streamers. */
async function streamerOf(db: Executor, personId: string) {
  const [streamer] = await db.select().from(creatorStreamers).where(eq(creatorStreamers.personId, personId));
  if (!streamer) throw CreatorsError.forbidden('The streamer portal is for streamers.');
  return streamer;
}

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
          response: {
            200: Type.Object({
              status: Type.String(),
              suspendedReason: Nullable(Type.String()),
              rating: Type.Integer(),
              agency: Nullable(Type.Object({ id: Type.String(), name: Nullable(Type.String()) })),
              earnings: Type.Object({ accountId: Nullable(Type.String()), currency: Type.String(), posted: Type.Integer(), held: Type.Integer(), available: Type.Integer() }),
              rules: Type.String(),
            }),
            ...problems(401, 403),
          },
        },
      },
      async (request) => {
        const streamer = await streamerOf(kernel.db, me(request));
        const account = (await accountsByOwner(kernel.db, 'person', [streamer.personId], 'earnings', COIN)).get(streamer.personId);
        const agencyName = streamer.agencyId ? ((await subjectNames(kernel.db, [{ type: 'organization', id: streamer.agencyId }])).get(streamer.agencyId) ?? null) : null;
        return {
          status: streamer.status,
          suspendedReason: streamer.suspendedReason,
          rating: streamer.rating,
          agency: streamer.agencyId ? { id: streamer.agencyId, name: agencyName } : null,
          earnings: { accountId: account?.id ?? null, currency: COIN, posted: account?.posted ?? 0, held: account?.held ?? 0, available: account ? available(account) : 0 },
          rules: kernel.settings.get<string>(STREAMER_RULES_SETTING),
        };
      },
    );

    app.get(
      '/client/creators/payouts',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'My payout applications, newest first', querystring: Type.Object({ ...PageQuery }), response: { 200: Page(MyPayout), ...problems(400, 401, 403) } },
      },
      async (request) => {
        await streamerOf(kernel.db, me(request));
        const before = decodeCursor<[string, string]>(request.query.cursor, ['date', 'uuid']);
        const rows = await listApplications(kernel.db, { ownerType: 'person', ownerId: me(request), before, limit: request.query.limit + 1 });
        return toPage(rows, request.query.limit, (a) => [a.createdAt.toISOString(), a.id], myPayout);
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
          body: Type.Object({ amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000_000 })), note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false }),
          response: { 201: MyPayout, ...problems(400, 401, 403, 409, 422) },
        },
      },
      async (request, reply) => {
        const streamer = await streamerOf(kernel.db, me(request));
        if (streamer.status !== 'active') throw CreatorsError.forbidden('A suspended streamer cannot ask for a payout; contact support.');
        return idempotent(kernel, request, reply, actor(request), async (ctx) => ({
          status: 201,
          body: myPayout(await requestPayout(ctx, { owner: { type: 'person', id: streamer.personId }, currency: COIN, amount: request.body.amount, note: request.body.note, origin: 'member' })),
        }));
      },
    );

    app.post(
      '/client/creators/payouts/:id/cancel',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: 'Withdraw one of my payout applications before it is approved', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: MyPayout, ...problems(401, 403, 404, 409) } },
      },
      async (request) => {
        await streamerOf(kernel.db, me(request));
        return myPayout(await kernel.write(actor(request), (ctx) => cancelPayout(ctx, request.params.id, { type: 'person', id: me(request) })));
      },
    );
  };
}
