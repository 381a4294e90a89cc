import { uuidv7 } from 'uuidv7';
import type { Actor } from '../../core/actor.ts';
import type { NewEvent } from '../../core/events/types.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { available, getAccount, lockAccounts, openAccount, platformAccount, subjectOf, type Account } from './accounts.ts';
import { LedgerEvents } from './events.ts';
import { LedgerError } from './errors.ts';
import {
  balanceEvents,
  balancesCte,
  changedAccounts,
  fundedPair,
  MAX_AMOUNT,
  movementColumns,
  referenceOf,
  remainingOverdraft,
  snapshot,
  transfersCte,
  validateTransfer,
  withCtes,
  withinRange,
} from './internal.ts';
import type { ledgerTransfers } from './schema.ts';
import { requireAccess } from '../../core/access.ts';

export { MAX_AMOUNT };

export type Transfer = typeof ledgerTransfers.$inferSelect;
/** A transfer as written (its `seq` is drawn by the database and not read back). */
export type PostedTransfer = Omit<Transfer, 'seq'>;
export type TransferRow = PostedTransfer;

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

export function transferEvents(rows: TransferRow[], accounts: Map<string, Account>, actorOf?: (row: TransferRow) => Actor): NewEvent[] {
  return rows.map((row) => ({
    type: LedgerEvents.transferPosted,
    subject: subjectOf(accounts.get(row.debitAccountId)!) ?? subjectOf(accounts.get(row.creditAccountId)!),
    actor: actorOf?.(row),
    payload: transferPayload(row),
  }));
}

export async function postTransfer(ctx: ServiceContext, input: TransferInput, name: FieldNamer = (_i, field) => field): Promise<PostedTransfer> {
  const [transfer] = await postTransfers(ctx, [input], { name });
  return transfer!;
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
  const accounts = await lockAccounts(
    ctx.tx,
    inputs.flatMap((t) => [t.debitAccountId, t.creditAccountId]),
  );
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
      payload: {
        accountId: debit.id,
        transferId: transfer.id,
        amount: input.amount,
        overdrawnBy,
        overdraft: debit.overdraft,
        available: available(debit),
        reference: referenceOf(transfer),
      },
    });
  }
  return { transfer, overdrawnBy };
}

export interface AdjustmentInput {
  ownerType: 'person' | 'organization';
  ownerId: string;
  kind: 'wallet' | 'earnings';
  currency: string;
  /** Signed, in minor units: a credit from the platform liability account of the currency, or a debit back to it. */
  amount: number;
  reason: string;
}

export function validateAdjustment(input: Pick<AdjustmentInput, 'amount'>): void {
  if (input.amount === 0) throw LedgerError.invalid('amount', 'must not be zero');
}

/** Adjusts an owner's balance by hand, with a reason; the account is opened if needed. Returns the account after it. */
export async function adjustBalance(ctx: ServiceContext, input: AdjustmentInput): Promise<{ account: Account; transfer: PostedTransfer }> {
  await requireAccess(ctx, 'ledger.adjust');
  validateAdjustment(input);
  const account = await openAccount(ctx, { ownerType: input.ownerType, ownerId: input.ownerId, kind: input.kind, currency: input.currency });
  const platform = await platformAccount(ctx, 'liability', input.currency);
  const [debit, credit] = input.amount > 0 ? [platform, account] : [account, platform];
  const transfer = await postTransfer(ctx, {
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amount: Math.abs(input.amount),
    kind: 'adjustment',
    memo: input.reason,
  });
  return { account: await getAccount(ctx.tx, account.id), transfer };
}
