import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { Actor } from '../../core/actor.ts';
import { IdempotencyHeaders, idempotent, keyedRequest, sendOutcome } from '../../core/idempotency/idempotency.ts';
import { transferQueue } from './transfer-queue.ts';
import { memberOf, principalOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { decodeCursor, parseDate, toPage } from '../../core/paging.ts';
import type { Executor } from '../../core/db/client.ts';
import { Nullable } from '../../core/http/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import { subjectNames } from '../people/service.ts';
import { ledgerAccounts } from './schema.ts';
import * as ledger from './service.ts';
import { CSV_HEADER, csvRow, statement, type StatementLine } from './statement.ts';
import { LedgerError } from './errors.ts';

const Id = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Id });
const Timestamp = Type.String({ format: 'date-time' });
const Currency = Type.String({ pattern: '^[A-Z]{3,8}$', description: 'COIN, USD, EUR…' });
const OwnerType = Type.Union([Type.Literal('person'), Type.Literal('organization'), Type.Literal('platform')]);
const AccountKind = Type.Union(['wallet', 'earnings', 'revenue', 'liability', 'settlement'].map((k) => Type.Literal(k)), {
  description: 'wallet and earnings belong to people and organizations; revenue, liability and settlement (money entering and leaving) to the platform',
});
const Amount = Type.Integer({ minimum: 1, maximum: ledger.MAX_AMOUNT, description: 'Minor units (cents, coins).' });
const TransferKind = Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$', description: 'purchase, gift, call_charge, call_reward, payout, adjustment, …' });
const Reference = Type.Object(
  { type: Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' }), id: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false, description: 'What caused the movement (a purchase, a gift, a call…).' },
);
const Memo = Type.String({ minLength: 1, maxLength: 500 });

const AccountView = Type.Object(
  {
    id: Type.String(),
    ownerType: OwnerType,
    ownerId: Nullable(Type.String()),
    ownerName: Nullable(Type.String()),
    currency: Type.String(),
    kind: AccountKind,
    mayGoNegative: Type.Boolean(),
    posted: Type.Integer({ description: 'Credits minus debits of posted transfers.' }),
    held: Type.Integer({ description: 'Reserved by pending holds.' }),
    available: Type.Integer({ description: 'posted − held: what may be spent or paid out.' }),
    // Defaulted: answers stored (Idempotency-Key replays) before overdrafts existed lack them, and are sent with 0 and null.
    overdraft: Type.Integer({ default: 0, description: 'How far below zero refunds have left the available balance (0 normally); money coming in pays it back first.' }),
    overdrawnAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { default: null, description: 'When a refund last overdrew the account (the flag staff see), kept after it is paid back.' }),
    createdAt: Timestamp,
  },
  { $id: 'LedgerAccount' },
);
const TransferView = Type.Object(
  {
    id: Type.String(),
    debitAccountId: Type.String(),
    creditAccountId: Type.String(),
    amount: Type.Integer(),
    currency: Type.String(),
    kind: Type.String(),
    reference: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) })),
    memo: Nullable(Type.String()),
    batchId: Nullable(Type.String()),
    holdId: Nullable(Type.String()),
    debitBalanceAfter: Type.Integer(),
    creditBalanceAfter: Type.Integer(),
    actorType: Type.String(),
    actorId: Nullable(Type.String()),
    createdAt: Timestamp,
  },
  { $id: 'LedgerTransfer' },
);
const HoldView = Type.Object(
  {
    id: Type.String(),
    debitAccountId: Type.String(),
    creditAccountId: Type.String(),
    amount: Type.Integer(),
    currency: Type.String(),
    kind: Type.String(),
    state: Type.Union(['pending', 'posted', 'voided', 'expired'].map((s) => Type.Literal(s))),
    postedAmount: Nullable(Type.Integer()),
    transferId: Nullable(Type.String()),
    reference: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) })),
    memo: Nullable(Type.String()),
    expiresAt: Nullable(Timestamp),
    managedBy: Nullable(Type.String({ description: 'The module that resolves this hold through its own process (payouts); the generic hold routes refuse it.' })),
    createdAt: Timestamp,
    resolvedAt: Nullable(Timestamp),
  },
  { $id: 'LedgerHold' },
);
const StatementLineView = Type.Object(
  {
    transferId: Type.String(),
    kind: Type.String(),
    amount: Type.Integer({ description: 'Positive when money came in, negative when it went out.' }),
    balanceAfter: Type.Integer({ description: "The account's posted balance right after this line." }),
    counterAccountId: Type.String(),
    counterOwnerType: Type.String(),
    counterOwnerId: Nullable(Type.String()),
    counterKind: Type.String(),
    counterparty: Type.String({ description: 'Who was on the other side: a name, or the platform account kind.' }),
    reference: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) })),
    memo: Nullable(Type.String()),
    holdId: Nullable(Type.String()),
    batchId: Nullable(Type.String()),
    actorType: Type.String(),
    actorId: Nullable(Type.String()),
    createdAt: Timestamp,
  },
  { $id: 'LedgerStatementLine' },
);
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
const StatementQuery = Type.Object({
  kind: Type.Optional(TransferKind),
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp),
  ...PageQuery,
});

const reference = (type: string | null, id: string | null) => (type ? { type, id } : null);

export function accountView(account: ledger.Account, ownerName: string | null) {
  return {
    ...account,
    ownerName: account.ownerType === 'platform' ? null : ownerName,
    available: ledger.available(account),
    overdrawnAt: account.overdrawnAt?.toISOString() ?? null,
    createdAt: account.createdAt.toISOString(),
  };
}
export const transferView = (t: ledger.PostedTransfer) => ({ ...t, reference: reference(t.referenceType, t.referenceId), createdAt: t.createdAt.toISOString() });
export const holdView = (h: ledger.Hold) => ({
  ...h,
  reference: reference(h.referenceType, h.referenceId),
  expiresAt: h.expiresAt?.toISOString() ?? null,
  createdAt: h.createdAt.toISOString(),
  resolvedAt: h.resolvedAt?.toISOString() ?? null,
});

async function accountViews(kernel: Kernel, accounts: ledger.Account[]) {
  const names = await subjectNames(
    kernel.db,
    accounts.filter((a) => a.ownerType !== 'platform').map((a) => ({ type: a.ownerType as 'person' | 'organization', id: a.ownerId! })),
  );
  return accounts.map((a) => accountView(a, a.ownerId ? (names.get(a.ownerId) ?? null) : null));
}

async function statementPage(kernel: Kernel, account: ledger.Account, query: Static<typeof StatementQuery>) {
  const [beforeSeq] = decodeCursor<[number]>(query.cursor, ['id']) ?? [];
  const lines = await statement(kernel.db, account, {
    kind: query.kind,
    from: query.from ? parseDate('from', query.from, 'query') : undefined,
    to: query.to ? parseDate('to', query.to, 'query') : undefined,
    beforeSeq,
    limit: query.limit + 1,
  });
  const names = await counterpartyNames(kernel, lines);
  return toPage(lines, query.limit, (l) => [l.seq], (l) => ({ ...l, counterparty: names(l), createdAt: l.createdAt.toISOString() }));
}

async function counterpartyNames(kernel: Kernel, lines: StatementLine[]): Promise<(line: StatementLine) => string> {
  const names = await subjectNames(
    kernel.db,
    lines.filter((l) => l.counterOwnerType !== 'platform').map((l) => ({ type: l.counterOwnerType as 'person' | 'organization', id: l.counterOwnerId! })),
  );
  return (line) => (line.counterOwnerId ? (names.get(line.counterOwnerId) ?? line.counterOwnerId) : `platform ${line.counterKind}`);
}

/** A hold another module resolves through its own process (a payout application's) is not posted or voided here. */
async function notManagedElsewhere(db: Executor, holdId: string): Promise<void> {
  const hold = await ledger.getHold(db, holdId);
  if (hold.managedBy) throw new LedgerError('hold_managed', `This hold is resolved through the ${hold.managedBy} module (e.g. its payout application).`, { extra: { managedBy: hold.managedBy } });
}

export function ledgerRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const staff = (request: FastifyRequest): Actor => ({ type: 'staff', id: principalOf(request).staffId });

    app.get(
      '/console/ledger/accounts',
      {
        config: { permission: 'ledger.read' },
        schema: {
          tags: ['ledger'],
          summary: 'Accounts, optionally of one owner, kind or currency',
          querystring: Type.Object({ ownerType: Type.Optional(OwnerType), ownerId: Type.Optional(Id), kind: Type.Optional(AccountKind), currency: Type.Optional(Currency), ...PageQuery }),
          response: { 200: Page(AccountView), ...problems(400) },
        },
      },
      async (request) => {
        const q = request.query;
        const [afterId] = decodeCursor<[string]>(q.cursor, ['uuid']) ?? [];
        const conditions: SQL[] = [];
        if (q.ownerType) conditions.push(eq(ledgerAccounts.ownerType, q.ownerType));
        if (q.ownerId) conditions.push(eq(ledgerAccounts.ownerId, q.ownerId));
        if (q.kind) conditions.push(eq(ledgerAccounts.kind, q.kind as ledger.AccountKind));
        if (q.currency) conditions.push(eq(ledgerAccounts.currency, q.currency));
        if (afterId) conditions.push(gt(ledgerAccounts.id, afterId));
        const rows = await kernel.db.select().from(ledgerAccounts).where(and(...conditions)).orderBy(asc(ledgerAccounts.id)).limit(q.limit + 1);
        const views = await accountViews(kernel, rows.slice(0, q.limit));
        return toPage(rows, q.limit, (a) => [a.id], (a) => views.find((v) => v.id === a.id)!);
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
        const account = await kernel.write(staff(request), async (ctx) => {
          if (body.ownerType === 'person' || body.ownerType === 'organization') {
            if (!body.ownerId) throw LedgerError.invalid('ownerId', 'is required');
            const names = await subjectNames(ctx.tx, [{ type: body.ownerType, id: body.ownerId }]);
            if (!names.has(body.ownerId)) throw LedgerError.notFound(`No such ${body.ownerType}.`);
          }
          return ledger.ensureAccount(ctx, { ownerType: body.ownerType, ownerId: body.ownerId ?? null, kind: body.kind as ledger.AccountKind, currency: body.currency });
        });
        return (await accountViews(kernel, [account]))[0]!;
      },
    );

    app.get(
      '/console/ledger/accounts/:id',
      { config: { permission: 'ledger.read' }, schema: { tags: ['ledger'], summary: 'One account with its balances', params: IdParams, response: { 200: AccountView, ...problems(404) } } },
      async (request) => (await accountViews(kernel, [await ledger.getAccount(kernel.db, request.params.id)]))[0]!,
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
      async (request) => statementPage(kernel, await ledger.getAccount(kernel.db, request.params.id), request.query),
    );

    app.get(
      '/console/ledger/accounts/:id/statement.csv',
      {
        config: { permission: 'ledger.read' },
        schema: {
          tags: ['ledger'],
          summary: 'The statement as CSV (same filters; every line, newest first; amounts in minor units)',
          params: IdParams,
          querystring: Type.Object({ kind: Type.Optional(TransferKind), from: Type.Optional(Timestamp), to: Type.Optional(Timestamp) }),
          produces: ['text/csv'],
          response: { 200: Type.String({ description: 'text/csv' }), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const account = await ledger.getAccount(kernel.db, request.params.id);
        const filter = {
          kind: request.query.kind,
          from: request.query.from ? parseDate('from', request.query.from, 'query') : undefined,
          to: request.query.to ? parseDate('to', request.query.to, 'query') : undefined,
        };
        const rows = [CSV_HEADER.join(',')];
        let beforeSeq: number | undefined;
        for (;;) {
          const lines = await statement(kernel.db, account, { ...filter, beforeSeq, limit: 1000 });
          const names = await counterpartyNames(kernel, lines);
          for (const line of lines) rows.push(csvRow(line, account.currency, names(line)));
          if (lines.length < 1000) break;
          beforeSeq = lines.at(-1)!.seq;
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="statement-${account.id}.csv"`)
          .send(rows.join('\r\n') + '\r\n');
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
          querystring: Type.Object({ state: Type.Optional(Type.Union(['pending', 'posted', 'voided', 'expired'].map((s) => Type.Literal(s)))), ...PageQuery }),
          response: { 200: Page(HoldView), ...problems(400, 404) },
        },
      },
      async (request) => {
        await ledger.getAccount(kernel.db, request.params.id);
        const [beforeId] = decodeCursor<[string]>(request.query.cursor, ['uuid']) ?? [];
        const rows = await ledger.listHolds(kernel.db, request.params.id, request.query.state as ledger.Hold['state'] | undefined, beforeId, request.query.limit + 1);
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
              amount: Type.Integer({ minimum: -ledger.MAX_AMOUNT, maximum: ledger.MAX_AMOUNT, description: 'Signed, in minor units; not zero.' }),
              reason: Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' }),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ account: AccountView, transfer: TransferView }), ...problems(400, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        if (body.amount === 0) throw LedgerError.invalid('amount', 'must not be zero');
        return idempotent(kernel, request, reply, staff(request), async (ctx) => {
          const names = await subjectNames(ctx.tx, [{ type: body.ownerType, id: body.ownerId }]);
          if (!names.has(body.ownerId)) throw LedgerError.notFound(`No such ${body.ownerType}.`);
          const account = await ledger.ensureAccount(ctx, { ownerType: body.ownerType, ownerId: body.ownerId, kind: body.kind, currency: body.currency });
          const platform = await ledger.platformAccount(ctx, 'liability', body.currency);
          const [debit, credit] = body.amount > 0 ? [platform, account] : [account, platform];
          const transfer = await ledger.postTransfer(ctx, {
            debitAccountId: debit.id,
            creditAccountId: credit.id,
            amount: Math.abs(body.amount),
            kind: 'adjustment',
            memo: body.reason,
          });
          const updated = await ledger.getAccount(ctx.tx, account.id);
          return { status: 201, body: { account: accountView(updated, names.get(body.ownerId) ?? null), transfer: transferView(transfer) } };
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
          description: 'Concurrent transfers are committed in groups (one transaction for those that arrive together); each is still applied or refused on its own, in arrival order, with its own stored answer.',
          headers: IdempotencyHeaders,
          body: TransferBody,
          response: { 201: TransferView, ...problems(400, 409, 422) },
        },
      },
      async (request, reply) => {
        const actor = staff(request);
        const { outcome, replayed } = await transferQueue(kernel).submit({ request: keyedRequest(request, actor), actor, input: request.body, view: transferView });
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
          response: { 201: Type.Object({ batchId: Nullable(Type.String()), transfers: Type.Array(TransferView) }), ...problems(400, 409, 422) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, staff(request), async (ctx) => {
          const transfers = await ledger.postTransfers(ctx, request.body.transfers, { name: (i, field) => `transfers.${i}.${field}` });
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
        idempotent(kernel, request, reply, staff(request), async (ctx) => {
          const body = request.body;
          const hold = await ledger.placeHold(ctx, { ...body, expiresAt: body.expiresAt ? parseDate('expiresAt', body.expiresAt) : null });
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
          response: { 200: Type.Object({ hold: HoldView, transfer: TransferView }), ...problems(400, 404, 409, 422) },
        },
      },
      async (request, reply) =>
        idempotent(kernel, request, reply, staff(request), async (ctx) => {
          await notManagedElsewhere(ctx.tx, request.params.id);
          const { hold, transfer } = await ledger.postHold(ctx, request.params.id, request.body.amount, 'amount');
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
        idempotent(kernel, request, reply, staff(request), async (ctx) => {
          await notManagedElsewhere(ctx.tx, request.params.id);
          return { status: 200, body: holdView(await ledger.voidHold(ctx, request.params.id)) };
        }),
    );

    app.get(
      '/console/ledger/check',
      {
        config: { permission: 'ledger.read' },
        schema: {
          tags: ['ledger'],
          summary: 'Replay every transfer and pending hold and compare with the stored balances',
          response: {
            200: Type.Object({
              ok: Type.Boolean(),
              accounts: Type.Integer(),
              transfers: Type.Integer(),
              mismatches: Type.Array(Type.Object({ accountId: Type.String(), posted: Type.Integer(), expectedPosted: Type.Integer(), held: Type.Integer(), expectedHeld: Type.Integer() })),
              unbalanced: Type.Array(Type.Object({ currency: Type.String(), sum: Type.Integer() })),
              negative: Type.Array(Type.String()),
              overdrafts: Type.Array(Type.String(), { description: 'Accounts whose overdraft refunds do not explain (not 0 nor held − posted, or more than their refund debits).' }),
            }),
          },
        },
      },
      async () => {
        const check = await ledger.checkLedger(kernel.db);
        return { ok: check.mismatches.length === 0 && check.unbalanced.length === 0 && check.negative.length === 0 && check.overdrafts.length === 0, ...check };
      },
    );

    // ------------------------------------------------------------------ client apps: a member's own money

    app.get(
      '/client/ledger/accounts',
      { config: { member: true }, schema: { tags: ['client'], summary: 'My balances', response: { 200: Type.Array(AccountView), ...problems(401) } } },
      async (request) => accountViews(kernel, await ledger.accountsOf(kernel.db, 'person', memberOf(request).personId)),
    );

    app.get(
      '/client/ledger/accounts/:id/statement',
      {
        config: { member: true },
        schema: { tags: ['client'], summary: "One of my accounts' statement, newest first", params: IdParams, querystring: StatementQuery, response: { 200: Page(StatementLineView), ...problems(400, 401, 404) } },
      },
      async (request) => {
        const account = await ledger.getAccount(kernel.db, request.params.id);
        // Someone else's account answers exactly like one that does not exist.
        if (account.ownerType !== 'person' || account.ownerId !== memberOf(request).personId) throw LedgerError.notFound('No such account.');
        return statementPage(kernel, account, request.query);
      },
    );
  };
}
