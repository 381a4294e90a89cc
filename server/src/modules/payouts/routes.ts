import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../core/errors.ts';
import { domainProblem } from '../../core/http/errors.ts';
import { staffActorOf } from '../../core/http/guard.ts';
import { IdempotencyHeaders, idempotent } from '../../core/http/idempotency/idempotency.ts';
import { problems } from '../../core/http/openapi.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';
import { Id, IdParams } from '../../core/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import { MAX_AMOUNT } from '../ledger/transfers.ts';
import * as payouts from './service.ts';
import { PayoutsError } from './errors.ts';
import {
  ApplicationAccountView,
  applicationAccountView,
  ApplicationView,
  applicationView,
  applicationViews,
  Currency,
  FeeRuleView,
  feeRuleViews,
  namesFor,
  oneApplicationView,
  Origin,
  OwnerType,
  QuoteView,
  State,
} from './views.ts';

export function payoutRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/console/payouts',
      {
        config: { permission: 'payouts.read' },
        schema: {
          tags: ['payouts'],
          summary: 'Payout applications, newest first',
          querystring: Type.Object({
            state: Type.Optional(State),
            ownerType: Type.Optional(OwnerType),
            ownerId: Type.Optional(Id),
            currency: Type.Optional(Currency),
            origin: Type.Optional(Origin),
            ...PageQuery,
          }),
          response: { 200: Page(ApplicationView), ...problems(400) },
        },
      },
      async (request) => {
        const q = request.query;
        const before = decodeCursor<[string, string]>(q.cursor, ['date', 'uuid']);
        const rows = await payouts.listApplications(kernel.db, {
          state: q.state as payouts.PayoutState | undefined,
          ownerType: q.ownerType,
          ownerId: q.ownerId,
          currency: q.currency,
          origin: q.origin as payouts.PayoutApplication['origin'] | undefined,
          before,
          limit: q.limit + 1,
        });
        const shown = await applicationViews(kernel.db, rows.slice(0, q.limit));
        return toPage(
          rows,
          q.limit,
          (a) => [a.createdAt.toISOString(), a.id],
          (a) => shown.find((v) => v.id === a.id)!,
        );
      },
    );

    app.get(
      '/console/payouts/counts',
      {
        config: { permission: 'payouts.read' },
        schema: { tags: ['payouts'], summary: 'How many applications are in each state', response: { 200: Type.Record(Type.String(), Type.Integer()) } },
      },
      async () => payouts.countByState(kernel.db),
    );

    app.get(
      '/console/payouts/quote',
      {
        config: { permission: 'payouts.read' },
        schema: {
          tags: ['payouts'],
          summary: 'The fee and net amount a payout would have, before requesting it',
          querystring: Type.Object({
            ownerType: OwnerType,
            ownerId: Id,
            currency: Currency,
            amount: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AMOUNT })),
          }),
          response: { 200: QuoteView, ...problems(400, 404) },
        },
      },
      async (request) => {
        const q = request.query;
        await payouts.assertOwner(kernel.db, { type: q.ownerType, id: q.ownerId });
        return payouts.quote(kernel.db, { type: q.ownerType, id: q.ownerId }, q.currency, q.amount);
      },
    );

    app.get(
      '/console/payouts/:id',
      {
        config: { permission: 'payouts.read' },
        schema: { tags: ['payouts'], summary: 'One payout application', params: IdParams, response: { 200: ApplicationView, ...problems(404) } },
      },
      async (request) => oneApplicationView(kernel.db, await payouts.getApplication(kernel.db, request.params.id)),
    );

    app.post(
      '/console/payouts',
      {
        config: { permission: 'payouts.request' },
        schema: {
          tags: ['payouts'],
          summary: "Request a payout of an owner's earnings (all that is available by default); the amount is held at once",
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              ownerType: OwnerType,
              ownerId: Id,
              currency: Currency,
              amount: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AMOUNT })),
              note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: ApplicationView, ...problems(400, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        await payouts.assertOwner(kernel.db, { type: body.ownerType, id: body.ownerId });
        return idempotent(kernel, request, reply, staffActorOf(request), async (ctx) => {
          const application = await payouts.requestPayout(ctx, {
            owner: { type: body.ownerType, id: body.ownerId },
            currency: body.currency,
            amount: body.amount,
            note: body.note,
            origin: 'manual',
          });
          return { status: 201, body: applicationView(application, await namesFor(ctx.tx, [application])) };
        });
      },
    );

    app.post(
      '/console/payouts/:id/approve',
      {
        config: { permission: 'payouts.approve' },
        schema: {
          tags: ['payouts'],
          summary: 'Approve a requested payout (not one you requested yourself)',
          params: IdParams,
          response: { 200: ApplicationView, ...problems(403, 404, 409) },
        },
      },
      async (request) => oneApplicationView(kernel.db, await kernel.write(staffActorOf(request), (ctx) => payouts.approvePayout(ctx, request.params.id))),
    );

    app.post(
      '/console/payouts/approve',
      {
        config: { permission: 'payouts.approve' },
        schema: {
          tags: ['payouts'],
          summary: 'Approve several requested payouts; each succeeds or fails on its own',
          body: Type.Object({ ids: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }) }, { additionalProperties: false }),
          response: {
            200: Type.Object({
              results: Type.Array(Type.Object({ id: Type.String(), ok: Type.Boolean(), status: Type.Integer(), detail: Type.Optional(Type.String()) })),
            }),
            ...problems(400),
          },
        },
      },
      async (request) => {
        const results = [];
        for (const id of request.body.ids) {
          try {
            await kernel.write(staffActorOf(request), (ctx) => payouts.approvePayout(ctx, id));
            results.push({ id, ok: true, status: 200 });
          } catch (error) {
            if (!(error instanceof DomainError) || error.kind === 'unavailable') throw error;
            const problem = domainProblem(error);
            results.push({ id, ok: false, status: problem.status, detail: problem.detail });
          }
        }
        return { results };
      },
    );

    app.post(
      '/console/payouts/:id/pay',
      {
        config: { permission: 'payouts.mark_paid' },
        schema: {
          tags: ['payouts'],
          summary: 'Mark an approved payout paid: the net amount goes to settlement, the fee to revenue',
          headers: IdempotencyHeaders,
          params: IdParams,
          body: Type.Object(
            { paymentReference: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'The bank or processor reference of the payment.' }) },
            { additionalProperties: false },
          ),
          response: { 200: ApplicationView, ...problems(400, 404, 409, 422) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, staffActorOf(request), async (ctx) => {
          const paid = await payouts.markPaid(ctx, request.params.id, request.body.paymentReference.trim());
          return { status: 200, body: applicationView(paid, await namesFor(ctx.tx, [paid])) };
        }),
    );

    app.post(
      '/console/payouts/:id/reject',
      {
        config: { permission: 'payouts.approve' },
        schema: {
          tags: ['payouts'],
          summary: 'Reject a requested or approved payout, with a reason; the hold is voided',
          params: IdParams,
          body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' }) }, { additionalProperties: false }),
          response: { 200: ApplicationView, ...problems(400, 404, 409) },
        },
      },
      async (request) =>
        oneApplicationView(
          kernel.db,
          await kernel.write(staffActorOf(request), (ctx) => payouts.rejectPayout(ctx, request.params.id, request.body.reason.trim())),
        ),
    );

    app.post(
      '/console/payouts/:id/cancel',
      {
        config: { permission: 'payouts.request' },
        schema: {
          tags: ['payouts'],
          summary: 'Withdraw a payout before approval; the hold is voided',
          params: IdParams,
          response: { 200: ApplicationView, ...problems(404, 409) },
        },
      },
      async (request) => oneApplicationView(kernel.db, await kernel.write(staffActorOf(request), (ctx) => payouts.cancelPayout(ctx, request.params.id))),
    );

    app.get(
      '/console/payouts/fee-rules',
      {
        config: { permission: 'payouts.read' },
        schema: { tags: ['payouts'], summary: 'Fee rules: defaults per currency and per owner', response: { 200: Type.Array(FeeRuleView) } },
      },
      async () => feeRuleViews(kernel.db, await payouts.listFeeRules(kernel.db)),
    );

    app.put(
      '/console/payouts/fee-rules',
      {
        config: { permission: 'payouts.manage_rules' },
        schema: {
          tags: ['payouts'],
          summary: "Set the fee rule of an owner (an agency's applies to its members too) or, without owner, a currency's default",
          body: Type.Object(
            {
              ownerType: Type.Optional(OwnerType),
              ownerId: Type.Optional(Id),
              currency: Currency,
              percentBp: Type.Integer({ minimum: 0, maximum: 10000, description: 'Basis points: 250 is 2.5 %.' }),
              fixed: Type.Integer({ minimum: 0, maximum: MAX_AMOUNT, description: 'Minor units added to every payout.' }),
            },
            { additionalProperties: false },
          ),
          response: { 200: FeeRuleView, ...problems(400, 404) },
        },
      },
      async (request) => {
        const body = request.body;
        if (Boolean(body.ownerType) !== Boolean(body.ownerId)) throw PayoutsError.invalid('ownerId', 'and ownerType go together');
        const owner = body.ownerType && body.ownerId ? { type: body.ownerType, id: body.ownerId } : null;
        if (owner) await payouts.assertOwner(kernel.db, owner);
        const rule = await kernel.write(staffActorOf(request), (ctx) =>
          payouts.saveFeeRule(ctx, { owner, currency: body.currency, percentBp: body.percentBp, fixed: body.fixed }),
        );
        return (await feeRuleViews(kernel.db, [rule]))[0]!;
      },
    );

    app.delete(
      '/console/payouts/fee-rules/:id',
      {
        config: { permission: 'payouts.manage_rules' },
        schema: { tags: ['payouts'], summary: 'Remove a fee rule', params: IdParams, response: { 204: Type.Null(), ...problems(404) } },
      },
      async (request, reply) => {
        await kernel.write(staffActorOf(request), (ctx) => payouts.deleteFeeRule(ctx, request.params.id));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/console/payouts/:id/account',
      {
        config: { permission: 'payouts.read' },
        schema: {
          tags: ['payouts'],
          summary: "The earnings account's balances now, to judge an application",
          params: IdParams,
          response: { 200: ApplicationAccountView, ...problems(404) },
        },
      },
      async (request) => applicationAccountView(kernel.db, request.params.id),
    );
  };
}
