import { and, asc, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { uuidIn } from '../../core/db/sql.ts';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import type { Actor } from '../../core/actor.ts';
import type { NewEvent } from '../../core/events/types.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { LedgerEvents } from './events.ts';
import { ledgerAccounts, ledgerHolds, ledgerTransfers } from './schema.ts';
import { LedgerError } from './errors.ts';

export type Account = typeof ledgerAccounts.$inferSelect;
export type Transfer = typeof ledgerTransfers.$inferSelect;
export type Hold = typeof ledgerHolds.$inferSelect;
export type AccountKind = Account['kind'];
export type OwnerType = Account['ownerType'];

/** Kinds the platform itself owns; only these may go below zero (they are where money enters and leaves). */
export const PLATFORM_KINDS: readonly AccountKind[] = ['revenue', 'liability', 'settlement'];
export const OWNER_KINDS: readonly AccountKind[] = ['wallet', 'earnings'];
/** Largest amount one transfer may move, in minor units: far below 2^53, so sums stay exact. */
export const MAX_AMOUNT = 1_000_000_000_000_000;

export interface AccountRef {
  ownerType: OwnerType;
  /** Null for the platform. */
  ownerId: string | null;
  kind: AccountKind;
  currency: string;
}

export interface TransferInput {
  debitAccountId: string;
  creditAccountId: string;
  amount: number;
  kind: string;
  reference?: { type: string; id: string } | null;
  memo?: string | null;
}

/** Names a field of the request that carried a transfer, so a refusal points at it. */
export type FieldNamer = (index: number, field: string) => string;
const defaultNamer: FieldNamer = (index, field) => `transfers.${index}.${field}`;

export const available = (account: Pick<Account, 'posted' | 'held'>) => account.posted - account.held;

export function insufficientFunds(account: Account, required: number): LedgerError {
  return new LedgerError('insufficient_funds', `Insufficient funds: account ${account.id} has ${available(account)} ${account.currency} available, ${required} needed.`, {
    extra: { accountId: account.id, available: available(account), required },
  });
}

function checkOwner(ref: AccountRef): void {
  const platform = ref.ownerType === 'platform';
  if (platform !== (ref.ownerId === null)) throw LedgerError.invalid('ownerId', platform ? 'must be empty for the platform' : 'is required');
  if (platform !== PLATFORM_KINDS.includes(ref.kind)) {
    throw LedgerError.invalid('kind', platform ? `must be one of ${PLATFORM_KINDS.join(', ')} for the platform` : `must be one of ${OWNER_KINDS.join(', ')} for a ${ref.ownerType}`);
  }
  if (!/^[A-Z]{3,8}$/.test(ref.currency)) throw LedgerError.invalid('currency', 'must be 3–8 capital letters (COIN, USD)');
}

/** The account of an owner, kind and currency, opened on first use (`ledger.account_opened`). */
export async function ensureAccount(ctx: ServiceContext, ref: AccountRef): Promise<Account> {
  checkOwner(ref);
  const where = and(
    eq(ledgerAccounts.ownerType, ref.ownerType),
    ref.ownerId === null ? isNull(ledgerAccounts.ownerId) : eq(ledgerAccounts.ownerId, ref.ownerId),
    eq(ledgerAccounts.kind, ref.kind),
    eq(ledgerAccounts.currency, ref.currency),
  );
  const [existing] = await ctx.tx.select().from(ledgerAccounts).where(where);
  if (existing) return existing;
  const [opened] = await ctx.tx
    .insert(ledgerAccounts)
    .values({ id: uuidv7(), ...ref, mayGoNegative: PLATFORM_KINDS.includes(ref.kind), createdAt: ctx.now })
    .onConflictDoNothing()
    .returning();
  if (opened) {
    await ctx.emit({ type: LedgerEvents.accountOpened, subject: subjectOf(opened), payload: { accountId: opened.id, kind: opened.kind, currency: opened.currency } });
    return opened;
  }
  // Opened by a concurrent transaction a moment ago.
  const [account] = await ctx.tx.select().from(ledgerAccounts).where(where);
  return account!;
}

export const platformAccount = (ctx: ServiceContext, kind: AccountKind, currency: string) =>
  ensureAccount(ctx, { ownerType: 'platform', ownerId: null, kind, currency });

export async function getAccount(db: Executor, id: string): Promise<Account> {
  const [account] = await db.select().from(ledgerAccounts).where(eq(ledgerAccounts.id, id));
  if (!account) throw LedgerError.notFound('No such account.');
  return account;
}

export async function accountsOf(db: Executor, ownerType: OwnerType, ownerId: string): Promise<Account[]> {
  return db
    .select()
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.ownerType, ownerType), eq(ledgerAccounts.ownerId, ownerId)))
    .orderBy(asc(ledgerAccounts.currency), asc(ledgerAccounts.kind));
}

/** One kind of account of many owners at once (a list's balance column), by owner id. */
export async function accountsByOwner(db: Executor, ownerType: OwnerType, ownerIds: string[], kind: AccountKind, currency: string): Promise<Map<string, Account>> {
  const ids = [...new Set(ownerIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select()
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.ownerType, ownerType), uuidIn(ledgerAccounts.ownerId, ids), eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.currency, currency)));
  return new Map(rows.map((row) => [row.ownerId!, row]));
}

/** Accounts of one kind and currency whose available balance is at least `minimum` (in id order), for rules that act on them. */
export async function accountsAvailableAtLeast(db: Executor, kind: AccountKind, currency: string, minimum: number): Promise<Account[]> {
  return db
    .select()
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.currency, currency), sql`${ledgerAccounts.posted} - ${ledgerAccounts.held} >= ${minimum}`))
    .orderBy(asc(ledgerAccounts.id));
}

/** Locks the accounts in one fixed order (by id), so two transactions never wait on each other in a cycle. */
export async function lockAccounts(tx: Executor, ids: Iterable<string>): Promise<Map<string, Account>> {
  const sorted = [...new Set(ids)].sort();
  if (sorted.length === 0) return new Map();
  const rows = await tx.select().from(ledgerAccounts).where(inArray(ledgerAccounts.id, sorted)).orderBy(asc(ledgerAccounts.id)).for('update');
  return new Map(rows.map((row) => [row.id, { ...row }]));
}

const subjectOf = (account: Account) => (account.ownerType === 'platform' ? undefined : { type: account.ownerType, id: account.ownerId! });

export function snapshot(accounts: Map<string, Account>): Map<string, Pick<Account, 'posted' | 'held'>> {
  return new Map([...accounts].map(([id, a]) => [id, { posted: a.posted, held: a.held }]));
}

export function changedAccounts(accounts: Map<string, Account>, before: Map<string, Pick<Account, 'posted' | 'held'>>): Account[] {
  return [...accounts.values()].filter((a) => {
    const old = before.get(a.id)!;
    return old.posted !== a.posted || old.held !== a.held;
  });
}

/**
 * `ledger.balance_changed` for each changed account that has an owner: their app shows the new balance.
 * With `rows`, each account's event names only the transfers that touched it, and is by whoever made the
 * last of them.
 */
export function balanceEvents(changed: Account[], cause: Record<string, unknown> | { rows: TransferRow[]; actorOf?: (row: TransferRow) => Actor }): NewEvent[] {
  return changed.flatMap((account) => {
    const subject = subjectOf(account);
    if (!subject) return [];
    let why: Record<string, unknown> = cause;
    let actor: Actor | undefined;
    if ('rows' in cause && Array.isArray(cause.rows)) {
      const mine = (cause.rows as TransferRow[]).filter((r) => r.debitAccountId === account.id || r.creditAccountId === account.id);
      why = { transferIds: mine.map((r) => r.id) };
      const last = mine.at(-1);
      actor = last && cause.actorOf ? (cause.actorOf as (row: TransferRow) => Actor)(last) : undefined;
    }
    return [{
      type: LedgerEvents.balanceChanged,
      subject,
      actor,
      payload: { accountId: account.id, kind: account.kind, currency: account.currency, posted: account.posted, held: account.held, available: available(account), ...why },
    }];
  });
}

/** What is left of an account's overdraft: money that came in since pays it back, so never more than it is below zero. */
const remainingOverdraft = (a: Account) => Math.min(a.overdraft, Math.max(0, -available(a)));

/** A CTE writing the accounts' new balances and overdrafts (the rows are locked: absolute values are safe). */
export function balancesCte(changed: Account[]): SQL | undefined {
  if (changed.length === 0) return undefined;
  const values = sql.join(
    changed.map((a) => sql`(${a.id}::uuid, ${a.posted}::bigint, ${a.held}::bigint, ${remainingOverdraft(a)}::bigint, ${a.overdrawnAt?.toISOString() ?? null}::timestamptz)`),
    sql`, `,
  );
  return sql`ledger_balances_written AS (UPDATE ledger_accounts AS a SET posted = v.posted, held = v.held, overdraft = v.overdraft, overdrawn_at = v.overdrawn_at FROM (VALUES ${values}) AS v(id, posted, held, overdraft, overdrawn_at) WHERE a.id = v.id)`;
}

/** A CTE inserting transfer rows. */
export function transfersCte(rows: TransferRow[]): SQL | undefined {
  if (rows.length === 0) return undefined;
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${r.id}::uuid, ${r.debitAccountId}::uuid, ${r.creditAccountId}::uuid, ${r.amount}::bigint, ${r.currency}, ${r.kind}, ${r.referenceType}, ${r.referenceId}, ${r.memo}, ${r.batchId}::uuid, ${r.holdId}::uuid, ${r.debitBalanceAfter}::bigint, ${r.creditBalanceAfter}::bigint, ${r.actorType}, ${r.actorId}, ${r.createdAt.toISOString()}::timestamptz)`,
    ),
    sql`, `,
  );
  return sql`ledger_transfers_written AS (INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, kind, reference_type, reference_id, memo, batch_id, hold_id, debit_balance_after, credit_balance_after, actor_type, actor_id, created_at) VALUES ${values})`;
}

/** `WITH a, b, …` of the CTEs given (undefined ones skipped), to run before an event insert in one statement. */
export function withCtes(parts: Array<SQL | undefined>): SQL | undefined {
  const present = parts.filter((part): part is SQL => part !== undefined);
  return present.length > 0 ? sql`WITH ${sql.join(present, sql`, `)}` : undefined;
}

function validateTransfer(input: TransferInput, index: number, name: FieldNamer): void {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0 || input.amount > MAX_AMOUNT) {
    throw LedgerError.invalid(name(index, 'amount'), `must be a whole number of minor units between 1 and ${MAX_AMOUNT}`);
  }
  if (input.debitAccountId === input.creditAccountId) throw LedgerError.invalid(name(index, 'creditAccountId'), 'must differ from the debit account');
}

function accountFor(accounts: Map<string, Account>, id: string, field: string): Account {
  const account = accounts.get(id);
  if (!account) throw LedgerError.invalid(field, 'is not an account');
  return account;
}

/** Balances stay exact integers: a movement that would take one beyond 2^53 − 1 is refused, not rounded. */
function withinRange(balance: number, account: Account): void {
  if (!Number.isSafeInteger(balance)) {
    throw new LedgerError('balance_out_of_range', `Account ${account.id} would exceed the largest balance this ledger keeps (±${Number.MAX_SAFE_INTEGER} minor units).`, {
      extra: { accountId: account.id },
    });
  }
}

/** The columns a transfer and a hold share: the two accounts, the amount, what it is and why. */
const movementColumns = (debit: Account, credit: Account, input: TransferInput) => ({
  debitAccountId: debit.id,
  creditAccountId: credit.id,
  amount: input.amount,
  currency: debit.currency,
  kind: input.kind,
  referenceType: input.reference?.type ?? null,
  referenceId: input.reference?.id ?? null,
  memo: input.memo ?? null,
});

/**
 * The two accounts of a movement, locked: both exist, share a currency, and the debit can afford it —
 * unless the movement is a refund (`overdraw`), which takes back what came in whether or not it is still there.
 * An overdrawn account has less than nothing available, so every other debit is refused.
 */
function fundedPair(accounts: Map<string, Account>, input: TransferInput, index: number, name: FieldNamer, overdraw = false): { debit: Account; credit: Account } {
  const debit = accountFor(accounts, input.debitAccountId, name(index, 'debitAccountId'));
  const credit = accountFor(accounts, input.creditAccountId, name(index, 'creditAccountId'));
  if (debit.currency !== credit.currency) throw LedgerError.invalid(name(index, 'creditAccountId'), `is in ${credit.currency}, the debit account in ${debit.currency}`);
  if (!overdraw && !debit.mayGoNegative && available(debit) < input.amount) throw insufficientFunds(debit, input.amount);
  return { debit, credit };
}

/** A transfer as written (its `seq` is drawn by the database and not read back). */
export type PostedTransfer = Omit<Transfer, 'seq'>;
export type TransferRow = PostedTransfer;

/**
 * Applies one transfer to locked accounts in memory, or refuses it (a 4xx problem) leaving them as they
 * were: checks the accounts, the currency and the debit's available balance, moves the amount and
 * returns the row to insert with both balances after it.
 */
export function applyTransfer(
  accounts: Map<string, Account>,
  input: TransferInput,
  meta: { index: number; name: FieldNamer; actor: Actor; now: Date; batchId: string | null; holdId: string | null; overdraw?: boolean },
): TransferRow {
  validateTransfer(input, meta.index, meta.name);
  const { debit, credit } = fundedPair(accounts, input, meta.index, meta.name, meta.overdraw);
  withinRange(debit.posted - input.amount, debit);
  withinRange(credit.posted + input.amount, credit);
  debit.posted -= input.amount;
  credit.posted += input.amount;
  if (!debit.mayGoNegative && available(debit) < 0) {
    // Only a refund gets here (fundedPair refused anything else): the overdraft grows by what it lacked.
    debit.overdraft = Math.max(remainingOverdraft(debit), -available(debit));
    debit.overdrawnAt = meta.now;
  }
  return {
    id: uuidv7(),
    ...movementColumns(debit, credit, input),
    batchId: meta.batchId,
    holdId: meta.holdId,
    debitBalanceAfter: debit.posted,
    creditBalanceAfter: credit.posted,
    actorType: meta.actor.type,
    actorId: meta.actor.id,
    createdAt: meta.now,
  };
}

export function transferEvents(rows: TransferRow[], accounts: Map<string, Account>, actorOf?: (row: TransferRow) => Actor): NewEvent[] {
  return rows.map((row) => ({
    type: LedgerEvents.transferPosted,
    subject: subjectOf(accounts.get(row.debitAccountId)!) ?? subjectOf(accounts.get(row.creditAccountId)!),
    actor: actorOf?.(row),
    payload: transferPayload(row),
  }));
}

/**
 * Posts transfers atomically, all or none, in the caller's transaction: every account involved is locked
 * once, in id order; each transfer is applied in turn and may not take an account that may not go
 * negative below its available balance; balances after each line are recorded; one
 * `ledger.transfer_posted` per transfer and one `ledger.balance_changed` per owner account follow.
 */
export async function postTransfers(
  ctx: ServiceContext,
  inputs: TransferInput[],
  options: { name?: FieldNamer; holdId?: string; heldRelease?: { accountId: string; amount: number } } = {},
): Promise<PostedTransfer[]> {
  return (await post(ctx, inputs, options)).rows;
}

async function post(
  ctx: ServiceContext,
  inputs: TransferInput[],
  options: { name?: FieldNamer; holdId?: string; heldRelease?: { accountId: string; amount: number }; overdraw?: boolean },
): Promise<{ rows: PostedTransfer[]; accounts: Map<string, Account> }> {
  const name = options.name ?? defaultNamer;
  inputs.forEach((input, index) => validateTransfer(input, index, name));
  const accounts = await lockAccounts(ctx.tx, inputs.flatMap((t) => [t.debitAccountId, t.creditAccountId]));
  const before = snapshot(accounts);
  if (options.heldRelease) accounts.get(options.heldRelease.accountId)!.held -= options.heldRelease.amount;
  const batchId = inputs.length > 1 ? uuidv7() : null;
  const meta = { name, actor: ctx.actor, now: ctx.now, batchId, holdId: options.holdId ?? null, overdraw: options.overdraw };
  const rows = inputs.map((input, index) => applyTransfer(accounts, input, { index, ...meta }));
  const changed = changedAccounts(accounts, before);
  const cause = options.holdId ? { holdId: options.holdId, transferIds: rows.map((t) => t.id) } : { rows };
  // The transfers, the balances and the events: one statement.
  await ctx.emitMany([...transferEvents(rows, accounts), ...balanceEvents(changed, cause)], withCtes([transfersCte(rows), balancesCte(changed)]));
  return { rows, accounts };
}

/**
 * Takes back money that came in, as a store does when it refunds a purchase: `amount` from the debit
 * account (kind `refund`) even when it no longer holds that much, because the coins were spent before the
 * refund came. This is the only posting that may take an account that may not go negative below zero,
 * and only by what it lacks: `overdraft` grows by that much, `overdrawnAt` flags the account and
 * `ledger.account_overdrawn` is appended. Nothing else can take it lower (every debit needs a positive
 * available balance), and money coming in pays the overdraft back first.
 */
export async function postRefund(ctx: ServiceContext, input: Omit<TransferInput, 'kind'>): Promise<{ transfer: PostedTransfer; overdrawnBy: number }> {
  const { rows, accounts } = await post(ctx, [{ ...input, kind: 'refund' }], { name: (_i, field) => field, overdraw: true });
  const transfer = rows[0]!;
  const debit = accounts.get(transfer.debitAccountId)!;
  const overdrawnBy = debit.mayGoNegative ? 0 : Math.min(input.amount, Math.max(0, -available(debit)));
  if (overdrawnBy > 0) {
    await ctx.emit({
      type: LedgerEvents.accountOverdrawn,
      subject: subjectOf(debit),
      payload: { accountId: debit.id, transferId: transfer.id, amount: input.amount, overdrawnBy, overdraft: debit.overdraft, available: available(debit), reference: referenceOf(transfer) },
    });
  }
  return { transfer, overdrawnBy };
}

const referenceOf = (r: { referenceType: string | null; referenceId: string | null }) =>
  r.referenceType !== null && r.referenceId !== null ? { type: r.referenceType, id: r.referenceId } : null;

const transferPayload = (t: PostedTransfer) => ({
  transferId: t.id,
  debitAccountId: t.debitAccountId,
  creditAccountId: t.creditAccountId,
  amount: t.amount,
  currency: t.currency,
  kind: t.kind,
  reference: referenceOf(t),
  debitBalanceAfter: t.debitBalanceAfter,
  creditBalanceAfter: t.creditBalanceAfter,
  batchId: t.batchId,
});

export async function postTransfer(ctx: ServiceContext, input: TransferInput, name: FieldNamer = (_i, field) => field): Promise<PostedTransfer> {
  const [transfer] = await postTransfers(ctx, [input], { name });
  return transfer!;
}

export interface HoldInput extends TransferInput {
  expiresAt?: Date | null;
  /** The module that will post or void it through its own process; the generic hold routes refuse to touch it. */
  managedBy?: string | null;
}

/** Reserves `amount` on the debit account: it stops being available but stays posted until the hold is resolved. */
export async function placeHold(ctx: ServiceContext, input: HoldInput, name: FieldNamer = (_i, field) => field): Promise<Hold> {
  validateTransfer(input, 0, name);
  if (input.expiresAt && input.expiresAt <= ctx.now) throw LedgerError.invalid(name(0, 'expiresAt'), 'must be in the future');
  const accounts = await lockAccounts(ctx.tx, [input.debitAccountId, input.creditAccountId]);
  const before = snapshot(accounts);
  const { debit, credit } = fundedPair(accounts, input, 0, name);
  withinRange(debit.held + input.amount, debit);
  debit.held += input.amount;
  const [hold] = await ctx.tx
    .insert(ledgerHolds)
    .values({
      id: uuidv7(),
      ...movementColumns(debit, credit, input),
      expiresAt: input.expiresAt ?? null,
      managedBy: input.managedBy ?? null,
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      createdAt: ctx.now,
    })
    .returning();
  const changed = changedAccounts(accounts, before);
  await ctx.emitMany([{ type: LedgerEvents.holdPlaced, subject: subjectOf(debit), payload: holdPayload(hold!) }, ...balanceEvents(changed, { holdId: hold!.id })], withCtes([balancesCte(changed)]));
  return hold!;
}

const holdPayload = (h: Hold) => ({
  holdId: h.id,
  debitAccountId: h.debitAccountId,
  creditAccountId: h.creditAccountId,
  amount: h.amount,
  currency: h.currency,
  kind: h.kind,
  state: h.state,
  postedAmount: h.postedAmount,
  reference: referenceOf(h),
  expiresAt: h.expiresAt?.toISOString() ?? null,
});

/** The hold, locked; a resolved one cannot change again, and one past its expiry can only be released. */
async function pendingHold(ctx: ServiceContext, id: string, purpose: 'post' | 'release'): Promise<Hold> {
  const [hold] = await ctx.tx.select().from(ledgerHolds).where(eq(ledgerHolds.id, id)).for('update');
  if (!hold) throw LedgerError.notFound('No such hold.');
  if (hold.state !== 'pending') throw new LedgerError('hold_resolved', `The hold is already ${hold.state}.`, { extra: { state: hold.state } });
  if (purpose === 'post' && hold.expiresAt && hold.expiresAt <= ctx.now) {
    throw new LedgerError('hold_expired', `The hold expired at ${hold.expiresAt.toISOString()}; it can no longer be posted.`);
  }
  return hold;
}

/**
 * Posts a pending hold: `amount` (all of it by default) moves to the credit account; the rest is released.
 * `alongside` are transfers made in the same posting (a payout's fee), so that every account involved is
 * locked once, in id order, with the hold's.
 */
export async function postHold(
  ctx: ServiceContext,
  id: string,
  amount?: number,
  field = 'amount',
  alongside: TransferInput[] = [],
): Promise<{ hold: Hold; transfer: PostedTransfer; alongside: PostedTransfer[] }> {
  const hold = await pendingHold(ctx, id, 'post');
  const posted = amount ?? hold.amount;
  if (!Number.isSafeInteger(posted) || posted <= 0 || posted > hold.amount) throw LedgerError.invalid(field, `must be between 1 and the held ${hold.amount}`);
  const [transfer, ...others] = await postTransfers(
    ctx,
    [
      { debitAccountId: hold.debitAccountId, creditAccountId: hold.creditAccountId, amount: posted, kind: hold.kind, reference: hold.referenceType ? { type: hold.referenceType, id: hold.referenceId! } : null, memo: hold.memo },
      ...alongside,
    ],
    { holdId: hold.id, heldRelease: { accountId: hold.debitAccountId, amount: hold.amount } },
  );
  const [updated] = await ctx.tx
    .update(ledgerHolds)
    .set({ state: 'posted', postedAmount: posted, transferId: transfer!.id, resolvedAt: ctx.now })
    .where(eq(ledgerHolds.id, id))
    .returning();
  await ctx.emit({ type: LedgerEvents.holdPosted, subject: await ownerSubject(ctx.tx, hold.debitAccountId), payload: holdPayload(updated!) });
  return { hold: updated!, transfer: transfer!, alongside: others };
}

/** Releases a pending hold without moving money (`expired` when its time ran out). */
export async function voidHold(ctx: ServiceContext, id: string, state: 'voided' | 'expired' = 'voided'): Promise<Hold> {
  const hold = await pendingHold(ctx, id, 'release');
  const accounts = await lockAccounts(ctx.tx, [hold.debitAccountId]);
  const before = snapshot(accounts);
  accounts.get(hold.debitAccountId)!.held -= hold.amount;
  const [updated] = await ctx.tx.update(ledgerHolds).set({ state, resolvedAt: ctx.now }).where(eq(ledgerHolds.id, id)).returning();
  const changed = changedAccounts(accounts, before);
  await ctx.emitMany(
    [{ type: LedgerEvents.holdVoided, subject: subjectOf(accounts.get(hold.debitAccountId)!), payload: holdPayload(updated!) }, ...balanceEvents(changed, { holdId: id })],
    withCtes([balancesCte(changed)]),
  );
  return updated!;
}

async function ownerSubject(db: Executor, accountId: string) {
  return subjectOf(await getAccount(db, accountId));
}

export async function getHold(db: Executor, id: string): Promise<Hold> {
  const [hold] = await db.select().from(ledgerHolds).where(eq(ledgerHolds.id, id));
  if (!hold) throw LedgerError.notFound('No such hold.');
  return hold;
}

export async function listHolds(db: Executor, accountId: string, state: Hold['state'] | undefined, beforeId: string | undefined, limit: number): Promise<Hold[]> {
  const conditions = [eq(ledgerHolds.debitAccountId, accountId)];
  if (state) conditions.push(eq(ledgerHolds.state, state));
  if (beforeId) conditions.push(lt(ledgerHolds.id, beforeId));
  return db.select().from(ledgerHolds).where(and(...conditions)).orderBy(desc(ledgerHolds.id)).limit(limit);
}

/** Pending holds past their expiry, oldest first, for the expiry job (one resolved meanwhile is refused when voided, harmlessly). */
export async function expiredHoldIds(db: Executor, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: ledgerHolds.id })
    .from(ledgerHolds)
    .where(and(eq(ledgerHolds.state, 'pending'), lt(ledgerHolds.expiresAt, now)))
    .orderBy(asc(ledgerHolds.expiresAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

export interface ProjectionMismatch {
  accountId: string;
  posted: number;
  expectedPosted: number;
  held: number;
  expectedHeld: number;
}

export interface LedgerCheck {
  accounts: number;
  transfers: number;
  mismatches: ProjectionMismatch[];
  /** Per currency, the sum of all posted balances: zero in a sound ledger (every debit has its credit). */
  unbalanced: Array<{ currency: string; sum: number }>;
  /** Accounts that may not go negative but are below zero by more than refunds overdrew them. */
  negative: string[];
  /**
   * Accounts whose stored overdraft refunds do not explain: an overdraft is only ever what a refund left
   * the account below zero, so it is 0 or exactly `held − posted` (money coming in shrinks both alike),
   * never on an account that may go negative, and never more than the account's refund debits in all.
   */
  overdrafts: string[];
}

/** Every account with what its transfers and pending holds say, compared in SQL (exact, whatever the size). */
const EXPECTED = sql`
  WITH moved AS (
    SELECT account_id, sum(delta) AS posted FROM (
      SELECT credit_account_id AS account_id, amount AS delta FROM ledger_transfers
      UNION ALL
      SELECT debit_account_id, -amount FROM ledger_transfers
    ) lines GROUP BY account_id
  ), reserved AS (
    SELECT debit_account_id AS account_id, sum(amount) AS held FROM ledger_holds WHERE state = 'pending' GROUP BY debit_account_id
  )
  SELECT a.id AS "accountId", a.posted::text AS posted, a.held::text AS held,
         coalesce(m.posted, 0)::text AS "expectedPosted", coalesce(r.held, 0)::text AS "expectedHeld",
         (a.posted <> coalesce(m.posted, 0) OR a.held <> coalesce(r.held, 0)) AS mismatch
  FROM ledger_accounts a LEFT JOIN moved m ON m.account_id = a.id LEFT JOIN reserved r ON r.account_id = a.id`;

/** Replays the transfers and pending holds and compares them with the stored balances. */
export async function checkLedger(db: Executor): Promise<LedgerCheck> {
  const rows = ((await db.execute(EXPECTED)) as unknown as { rows: Record<string, unknown>[] }).rows;
  const mismatches = rows
    .filter((r) => r.mismatch === true || r.mismatch === 't')
    .map((r) => ({
      accountId: String(r.accountId),
      posted: Number(r.posted),
      held: Number(r.held),
      expectedPosted: Number(r.expectedPosted),
      expectedHeld: Number(r.expectedHeld),
    }));
  const sums = ((await db.execute(sql`SELECT currency, sum(posted)::text AS sum FROM ledger_accounts GROUP BY currency HAVING sum(posted) <> 0`)) as unknown as {
    rows: Array<{ currency: string; sum: string }>;
  }).rows;
  const negative = await db
    .select({ id: ledgerAccounts.id })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.mayGoNegative, false), sql`${ledgerAccounts.posted} - ${ledgerAccounts.held} < -${ledgerAccounts.overdraft}`));
  const overdrafts = ((await db.execute(sql`
    SELECT a.id FROM ledger_accounts a
    LEFT JOIN (SELECT debit_account_id AS account_id, sum(amount) AS refunded FROM ledger_transfers WHERE kind = 'refund' GROUP BY debit_account_id) r ON r.account_id = a.id
    WHERE a.overdraft > 0 AND (a.may_go_negative OR a.overdraft <> a.held - a.posted OR a.overdraft > coalesce(r.refunded, 0))
    ORDER BY a.id`)) as unknown as { rows: Array<{ id: string }> }).rows;
  const [counted] = ((await db.execute(sql`SELECT count(*)::int AS n FROM ledger_transfers`)) as unknown as { rows: Array<{ n: number }> }).rows;
  return {
    accounts: rows.length,
    transfers: Number(counted?.n ?? 0),
    mismatches,
    unbalanced: sums.map((s) => ({ currency: s.currency, sum: Number(s.sum) })),
    negative: negative.map((n) => n.id),
    overdrafts: overdrafts.map((o) => String(o.id)),
  };
}

/**
 * Sets every stored balance to what the transfers and holds say (after a restore or a bug); returns what it
 * fixed. Each overdraft is recomputed with its balances: what the account is below zero, as far as its
 * refund debits explain (0 on accounts that may go negative); `overdrawnAt` is set if it was not. An
 * account below zero beyond its refunds still breaks `ledger_accounts_available_within_overdraft`, and the
 * rebuild fails rather than invent an overdraft.
 */
export async function rebuildProjection(ctx: ServiceContext): Promise<ProjectionMismatch[]> {
  await ctx.tx.execute(sql`LOCK TABLE ledger_accounts, ledger_transfers, ledger_holds IN SHARE ROW EXCLUSIVE MODE`);
  const { mismatches, overdrafts } = await checkLedger(ctx.tx);
  const ids = [...new Set([...mismatches.map((m) => m.accountId), ...overdrafts])];
  // Recomputed in SQL, so the written values are exact whatever their size.
  for (const id of ids) {
    await ctx.tx.execute(sql`
      WITH expected AS (
        SELECT
          (SELECT coalesce(sum(CASE WHEN credit_account_id = ${id}::uuid THEN amount ELSE -amount END), 0) FROM ledger_transfers WHERE debit_account_id = ${id}::uuid OR credit_account_id = ${id}::uuid) AS posted,
          (SELECT coalesce(sum(amount), 0) FROM ledger_holds WHERE state = 'pending' AND debit_account_id = ${id}::uuid) AS held,
          (SELECT coalesce(sum(amount), 0) FROM ledger_transfers WHERE kind = 'refund' AND debit_account_id = ${id}::uuid) AS refunded
      )
      UPDATE ledger_accounts a SET
        posted = e.posted,
        held = e.held,
        overdraft = CASE WHEN a.may_go_negative THEN 0 ELSE LEAST(GREATEST(0, e.held - e.posted), e.refunded) END,
        overdrawn_at = CASE WHEN NOT a.may_go_negative AND e.held - e.posted > 0 AND e.refunded > 0 THEN coalesce(a.overdrawn_at, ${ctx.now.toISOString()}::timestamptz) ELSE a.overdrawn_at END
      FROM expected e
      WHERE a.id = ${id}::uuid`);
  }
  return mismatches;
}
