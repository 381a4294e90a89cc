import { and, asc, desc, eq, lt } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { systemActor } from '../../core/actor.ts';
import type { Executor } from '../../core/db/client.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { getAccount, lockAccounts, subjectOf } from './accounts.ts';
import { LedgerEvents } from './events.ts';
import { LedgerError } from './errors.ts';
import {
  balanceEvents,
  balancesCte,
  changedAccounts,
  fundedPair,
  movementColumns,
  referenceOf,
  snapshot,
  validateTransfer,
  withCtes,
  withinRange,
} from './internal.ts';
import { ledgerHolds } from './schema.ts';
import { postTransfers, type FieldNamer, type PostedTransfer, type TransferInput } from './transfers.ts';

export type Hold = typeof ledgerHolds.$inferSelect;

export interface HoldInput extends TransferInput {
  expiresAt?: Date | null;
  /** The module that will post or void it through its own process; the generic hold operations refuse to touch it. */
  managedBy?: string | null;
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
  await ctx.emitMany(
    [{ type: LedgerEvents.holdPlaced, subject: subjectOf(debit), payload: holdPayload(hold!) }, ...balanceEvents(changed, { holdId: hold!.id })],
    withCtes([balancesCte(changed)]),
  );
  return hold!;
}

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
      {
        debitAccountId: hold.debitAccountId,
        creditAccountId: hold.creditAccountId,
        amount: posted,
        kind: hold.kind,
        reference: hold.referenceType ? { type: hold.referenceType, id: hold.referenceId! } : null,
        memo: hold.memo,
      },
      ...alongside,
    ],
    { holdId: hold.id, heldRelease: { accountId: hold.debitAccountId, amount: hold.amount } },
  );
  const [updated] = await ctx.tx
    .update(ledgerHolds)
    .set({ state: 'posted', postedAmount: posted, transferId: transfer!.id, resolvedAt: ctx.now })
    .where(eq(ledgerHolds.id, id))
    .returning();
  await ctx.emit({ type: LedgerEvents.holdPosted, subject: subjectOf(await getAccount(ctx.tx, hold.debitAccountId)), payload: holdPayload(updated!) });
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
    [
      { type: LedgerEvents.holdVoided, subject: subjectOf(accounts.get(hold.debitAccountId)!), payload: holdPayload(updated!) },
      ...balanceEvents(changed, { holdId: id }),
    ],
    withCtes([balancesCte(changed)]),
  );
  return updated!;
}

/** A hold another module resolves through its own process (a payout application's) is not posted or voided by anyone else. */
async function notManagedElsewhere(db: Executor, holdId: string): Promise<void> {
  const hold = await getHold(db, holdId);
  if (hold.managedBy)
    throw new LedgerError('hold_managed', `This hold is resolved through the ${hold.managedBy} module (e.g. its payout application).`, {
      extra: { managedBy: hold.managedBy },
    });
}

/** `postHold` for callers outside the module that manages the hold (the API, integrations): a managed hold is refused. */
export async function postUnmanagedHold(ctx: ServiceContext, id: string, amount?: number): Promise<{ hold: Hold; transfer: PostedTransfer }> {
  await notManagedElsewhere(ctx.tx, id);
  const { hold, transfer } = await postHold(ctx, id, amount, 'amount');
  return { hold, transfer };
}

/** `voidHold` for callers outside the module that manages the hold (the API, integrations): a managed hold is refused. */
export async function voidUnmanagedHold(ctx: ServiceContext, id: string): Promise<Hold> {
  await notManagedElsewhere(ctx.tx, id);
  return voidHold(ctx, id);
}

export async function getHold(db: Executor, id: string): Promise<Hold> {
  const [hold] = await db.select().from(ledgerHolds).where(eq(ledgerHolds.id, id));
  if (!hold) throw LedgerError.notFound('No such hold.');
  return hold;
}

export async function listHolds(
  db: Executor,
  accountId: string,
  state: Hold['state'] | undefined,
  beforeId: string | undefined,
  limit: number,
): Promise<Hold[]> {
  const conditions = [eq(ledgerHolds.debitAccountId, accountId)];
  if (state) conditions.push(eq(ledgerHolds.state, state));
  if (beforeId) conditions.push(lt(ledgerHolds.id, beforeId));
  return db
    .select()
    .from(ledgerHolds)
    .where(and(...conditions))
    .orderBy(desc(ledgerHolds.id))
    .limit(limit);
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

/**
 * Voids holds whose time ran out, a batch at a time, each in its own transaction so one failure stops
 * nothing else; a batch in which nothing could be voided ends the run (the next minute tries again).
 */
export async function expireHolds(kernel: Kernel): Promise<void> {
  for (;;) {
    const ids = await expiredHoldIds(kernel.db, kernel.now(), 100);
    let voided = 0;
    for (const id of ids) {
      await kernel
        .write(systemActor('ledger.expire_holds'), (ctx) => voidHold(ctx, id, 'expired'))
        .then(() => voided++)
        // Resolved by someone else in the meantime: nothing to do.
        .catch((error: unknown) => kernel.log.debug({ err: error, holdId: id }, 'hold not expired'));
    }
    if (ids.length < 100 || voided === 0) return;
  }
}
