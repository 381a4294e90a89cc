import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { IdempotencyHeaders, idempotent, keyedRequest, sendOutcome } from '../../core/http/idempotency/idempotency.ts';
import { memberOf, staffActorOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { decodeCursor, parseDate, toPage } from '../../core/paging.ts';
import { Id, IdParams, Timestamp } from '../../core/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import { accountOfPerson, accountsOf, getAccount, listAccounts, openAccount, type AccountKind as Kind } from './accounts.ts';
import { checkLedger } from './check.ts';
import { listHolds, placeHold, postUnmanagedHold, voidUnmanagedHold, type Hold } from './holds.ts';
import { transferQueue } from './transfer-queue.http.ts';
import { adjustBalance, MAX_AMOUNT, postTransfers, validateAdjustment } from './transfers.ts';
import {
  AccountKind,
  AccountView,
  accountViews,
  AdjustmentView,
  BatchView,
  checkView,
  HoldState,
  HoldView,
  holdView,
  LedgerCheckView,
  OwnerType,
  PostedHoldView,
  statementCsv,
  StatementLineView,
  statementPage,
  TransferView,
  transferView,
} from './views.ts';

const Currency = Type.String({ pattern: '^[A-Z]{3,8}$', description: 'COIN, USD, EUR…' });
const Amount = Type.Integer({ minimum: 1, maximum: MAX_AMOUNT, description: 'Minor units (cents, coins).' });
const TransferKind = Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$', description: 'purchase, gift, call_charge, call_reward, payout, adjustment, …' });
const Reference = Type.Object(
  { type: Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' }), id: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false, description: 'What caused the movement (a purchase, a gift, a call…).' },
);
const Memo = Type.String({ minLength: 1, maxLength: 500 });

const TransferBody = Type.Object(
  {
    debitAccountId: Id,
    creditAccountId: Id,
    amount: Amount,
    kind: TransferKind,
    reference: Type.Optional(Reference),
    memo: Type.Optional(Memo),
  },
  { additionalProperties: false },
);
const StatementFilterQuery = { kind: Type.Optional(TransferKind), from: Type.Optional(Timestamp), to: Type.Optional(Timestamp) };
const StatementQuery = Type.Object({ ...StatementFilterQuery, ...PageQuery });

const statementFilter = (query: { kind?: string; from?: string; to?: string }) => ({
  kind: query.kind,
  from: query.from ? parseDate('from', query.from, 'query') : undefined,
  to: query.to ? parseDate('to', query.to, 'query') : undefined,
});

function statementPageFilter(query: Static<typeof StatementQuery>) {
  const [beforeSeq] = decodeCursor<[number]>(query.cursor, ['id']) ?? [];
  return { ...statementFilter(query), beforeSeq };
}

export function ledgerRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/console/ledger/accounts',
      {
        config: { permission: 'ledger.read' },
        schema: {
          tags: ['ledger'],
          summary: 'Accounts, optionally of one owner, kind or currency',
          querystring: Type.Object({
            ownerType: Type.Optional(OwnerType),
            ownerId: Type.Optional(Id),
            kind: Type.Optional(AccountKind),
            currency: Type.Optional(Currency),
            ...PageQuery,
          }),
          response: { 200: Page(AccountView), ...problems(400) },
        },
      },
      async (request) => {
        const q = request.query;
        const [afterId] = decodeCursor<[string]>(q.cursor, ['uuid']) ?? [];
        const rows = await listAccounts(kernel.db, {
          ownerType: q.ownerType,
          ownerId: q.ownerId,
          kind: q.kind as Kind | undefined,
          currency: q.currency,
          afterId,
          limit: q.limit + 1,
        });
        const views = await accountViews(kernel.db, rows.slice(0, q.limit));
        return toPage(
          rows,
          q.limit,
          (a) => [a.id],
          (a) => views.find((v) => v.id === a.id)!,
        );
      },
    );

    app.post(
      '/console/ledger/accounts',
      {
        config: { permission: 'ledger.transfer' },
        schema: {
          tags: ['ledger'],
          summary: 'Open an account (or get the one that exists) for an owner, kind and currency',
          body: Type.Object({ ownerType: OwnerType, ownerId: Type.Optional(Id), kind: AccountKind, currency: Currency }, { additionalProperties: false }),
          response: { 200: AccountView, ...problems(400, 404) },
        },
      },
      async (request) => {
        const body = request.body;
        const account = await kernel.write(staffActorOf(request), (ctx) => openAccount(ctx, { ...body, kind: body.kind as Kind }));
        return (await accountViews(kernel.db, [account]))[0]!;
      },
    );

    app.get(
      '/console/ledger/accounts/:id',
      {
        config: { permission: 'ledger.read' },
        schema: { tags: ['ledger'], summary: 'One account with its balances', params: IdParams, response: { 200: AccountView, ...problems(404) } },
      },
      async (request) => (await accountViews(kernel.db, [await getAccount(kernel.db, request.params.id)]))[0]!,
    );

    app.get(
      '/console/ledger/accounts/:id/statement',
      {
        config: { permission: 'ledger.read' },
        schema: {
          tags: ['ledger'],
          summary: "An account's statement, newest first, with the running balance on each line",
          params: IdParams,
          querystring: StatementQuery,
          response: { 200: Page(StatementLineView), ...problems(400, 404) },
        },
      },
      async (request) => {
        const account = await getAccount(kernel.db, request.params.id);
        return statementPage(kernel.db, account, statementPageFilter(request.query), request.query.limit);
      },
    );

    app.get(
      '/console/ledger/accounts/:id/statement.csv',
      {
        config: { permission: 'ledger.read' },
        schema: {
          tags: ['ledger'],
          summary: 'The statement as CSV (same filters; every line, newest first; amounts in minor units)',
          params: IdParams,
          querystring: Type.Object(StatementFilterQuery),
          produces: ['text/csv'],
          response: { 200: Type.String({ description: 'text/csv' }), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const account = await getAccount(kernel.db, request.params.id);
        const csv = await statementCsv(kernel.db, account, statementFilter(request.query));
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="statement-${account.id}.csv"`).send(csv);
      },
    );

    app.get(
      '/console/ledger/accounts/:id/holds',
      {
        config: { permission: 'ledger.read' },
        schema: {
          tags: ['ledger'],
          summary: "An account's holds, newest first",
          params: IdParams,
          querystring: Type.Object({ state: Type.Optional(HoldState), ...PageQuery }),
          response: { 200: Page(HoldView), ...problems(400, 404) },
        },
      },
      async (request) => {
        await getAccount(kernel.db, request.params.id);
        const [beforeId] = decodeCursor<[string]>(request.query.cursor, ['uuid']) ?? [];
        const rows = await listHolds(kernel.db, request.params.id, request.query.state as Hold['state'] | undefined, beforeId, request.query.limit + 1);
        return toPage(rows, request.query.limit, (h) => [h.id], holdView);
      },
    );

    app.post(
      '/console/ledger/adjustments',
      {
        config: { permission: 'ledger.adjust' },
        schema: {
          tags: ['ledger'],
          summary: "Adjust an owner's balance by hand, with a reason",
          description:
            'A positive amount credits the account from the platform liability account of the currency; a negative one debits it back (refused below the available balance). The account is opened if needed.',
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              ownerType: Type.Union([Type.Literal('person'), Type.Literal('organization')]),
              ownerId: Id,
              kind: Type.Union([Type.Literal('wallet'), Type.Literal('earnings')]),
              currency: Currency,
              amount: Type.Integer({ minimum: -MAX_AMOUNT, maximum: MAX_AMOUNT, description: 'Signed, in minor units; not zero.' }),
              reason: Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' }),
            },
            { additionalProperties: false },
          ),
          response: { 201: AdjustmentView, ...problems(400, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        // Refused before the key is taken: a zero is a malformed request, not an answer to remember.
        validateAdjustment(request.body);
        return idempotent(kernel, request, reply, staffActorOf(request), async (ctx) => {
          const { account, transfer } = await adjustBalance(ctx, request.body);
          return { status: 201, body: { account: (await accountViews(ctx.tx, [account]))[0]!, transfer: transferView(transfer) } };
        });
      },
    );

    app.post(
      '/console/ledger/transfers',
      {
        config: { permission: 'ledger.transfer' },
        schema: {
          tags: ['ledger'],
          summary: 'Move money between two accounts of one currency',
          description:
            'Concurrent transfers are committed in groups (one transaction for those that arrive together); each is still applied or refused on its own, in arrival order, with its own stored answer.',
          headers: IdempotencyHeaders,
          body: TransferBody,
          response: { 201: TransferView, ...problems(400, 409, 422) },
        },
      },
      async (request, reply) => {
        const actor = staffActorOf(request);
        const { outcome, replayed } = await transferQueue(kernel).submit({
          request: keyedRequest(request, actor),
          actor,
          input: request.body,
          view: transferView,
        });
        return sendOutcome(reply, outcome, replayed);
      },
    );

    app.post(
      '/console/ledger/batches',
      {
        config: { permission: 'ledger.transfer' },
        schema: {
          tags: ['ledger'],
          summary: 'Post several transfers atomically: all of them, or none',
          headers: IdempotencyHeaders,
          body: Type.Object({ transfers: Type.Array(TransferBody, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
          response: { 201: BatchView, ...problems(400, 409, 422) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, staffActorOf(request), async (ctx) => {
          const transfers = await postTransfers(ctx, request.body.transfers, { name: (i, field) => `transfers.${i}.${field}` });
          return { status: 201, body: { batchId: transfers[0]!.batchId, transfers: transfers.map(transferView) } };
        }),
    );

    app.post(
      '/console/ledger/holds',
      {
        config: { permission: 'ledger.transfer' },
        schema: {
          tags: ['ledger'],
          summary: 'Reserve an amount on an account, to post or void later',
          headers: IdempotencyHeaders,
          body: Type.Object({ ...TransferBody.properties, expiresAt: Type.Optional(Timestamp) }, { additionalProperties: false }),
          response: { 201: HoldView, ...problems(400, 409, 422) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, staffActorOf(request), async (ctx) => {
          const body = request.body;
          const hold = await placeHold(ctx, { ...body, expiresAt: body.expiresAt ? parseDate('expiresAt', body.expiresAt) : null });
          return { status: 201, body: holdView(hold) };
        }),
    );

    app.post(
      '/console/ledger/holds/:id/post',
      {
        config: { permission: 'ledger.transfer' },
        schema: {
          tags: ['ledger'],
          summary: 'Post a pending hold, in full or in part (the rest is released)',
          headers: IdempotencyHeaders,
          params: IdParams,
          body: Type.Object({ amount: Type.Optional(Amount) }, { additionalProperties: false }),
          response: { 200: PostedHoldView, ...problems(400, 404, 409, 422) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, staffActorOf(request), async (ctx) => {
          const { hold, transfer } = await postUnmanagedHold(ctx, request.params.id, request.body.amount);
          return { status: 200, body: { hold: holdView(hold), transfer: transferView(transfer) } };
        }),
    );

    app.post(
      '/console/ledger/holds/:id/void',
      {
        config: { permission: 'ledger.transfer' },
        schema: {
          tags: ['ledger'],
          summary: 'Release a pending hold without moving money',
          headers: IdempotencyHeaders,
          params: IdParams,
          response: { 200: HoldView, ...problems(400, 404, 409, 422) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, staffActorOf(request), async (ctx) => {
          return { status: 200, body: holdView(await voidUnmanagedHold(ctx, request.params.id)) };
        }),
    );

    app.get(
      '/console/ledger/check',
      {
        config: { permission: 'ledger.read' },
        schema: {
          tags: ['ledger'],
          summary: 'Replay every transfer and pending hold and compare with the stored balances',
          response: { 200: LedgerCheckView },
        },
      },
      async () => checkView(await checkLedger(kernel.db)),
    );

    // ------------------------------------------------------------------ client apps: a member's own money

    app.get(
      '/client/ledger/accounts',
      { config: { member: true }, schema: { tags: ['client'], summary: 'My balances', response: { 200: Type.Array(AccountView), ...problems(401) } } },
      async (request) => accountViews(kernel.db, await accountsOf(kernel.db, 'person', memberOf(request).personId)),
    );

    app.get(
      '/client/ledger/accounts/:id/statement',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: "One of my accounts' statement, newest first",
          params: IdParams,
          querystring: StatementQuery,
          response: { 200: Page(StatementLineView), ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        const account = await accountOfPerson(kernel.db, memberOf(request).personId, request.params.id);
        return statementPage(kernel.db, account, statementPageFilter(request.query), request.query.limit);
      },
    );
  };
}
