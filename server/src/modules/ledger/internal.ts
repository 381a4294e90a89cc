import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../core/actor.ts';
import type { NewEvent } from '../../core/events/types.ts';
import { available, insufficientFunds, subjectOf, type Account } from './accounts.ts';
import { LedgerEvents } from './events.ts';
import { LedgerError } from './errors.ts';
import type { FieldNamer, TransferInput, TransferRow } from './transfers.ts';

/** Largest amount one transfer may move, in minor units: far below 2^53, so sums stay exact. */
export const MAX_AMOUNT = 1_000_000_000_000_000;

export const referenceOf = (r: { referenceType: string | null; referenceId: string | null }) =>
  r.referenceType !== null && r.referenceId !== null ? { type: r.referenceType, id: r.referenceId } : null;

export function validateTransfer(input: TransferInput, index: number, name: FieldNamer): void {
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
export function withinRange(balance: number, account: Account): void {
  if (!Number.isSafeInteger(balance)) {
    throw new LedgerError(
      'balance_out_of_range',
      `Account ${account.id} would exceed the largest balance this ledger keeps (±${Number.MAX_SAFE_INTEGER} minor units).`,
      {
        extra: { accountId: account.id },
      },
    );
  }
}

/** The columns a transfer and a hold share: the two accounts, the amount, what it is and why. */
export const movementColumns = (debit: Account, credit: Account, input: TransferInput) => ({
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
export function fundedPair(
  accounts: Map<string, Account>,
  input: TransferInput,
  index: number,
  name: FieldNamer,
  overdraw = false,
): { debit: Account; credit: Account } {
  const debit = accountFor(accounts, input.debitAccountId, name(index, 'debitAccountId'));
  const credit = accountFor(accounts, input.creditAccountId, name(index, 'creditAccountId'));
  if (debit.currency !== credit.currency)
    throw LedgerError.invalid(name(index, 'creditAccountId'), `is in ${credit.currency}, the debit account in ${debit.currency}`);
  if (!overdraw && !debit.mayGoNegative && available(debit) < input.amount) throw insufficientFunds(debit, input.amount);
  return { debit, credit };
}

/** What is left of an account's overdraft: money that came in since pays it back, so never more than it is below zero. */
export const remainingOverdraft = (a: Account) => Math.min(a.overdraft, Math.max(0, -available(a)));

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
    return [
      {
        type: LedgerEvents.balanceChanged,
        subject,
        actor,
        payload: {
          accountId: account.id,
          kind: account.kind,
          currency: account.currency,
          posted: account.posted,
          held: account.held,
          available: available(account),
          ...why,
        },
      },
    ];
  });
}

/** A CTE writing the accounts' new balances and overdrafts (the rows are locked: absolute values are safe). */
export function balancesCte(changed: Account[]): SQL | undefined {
  if (changed.length === 0) return undefined;
  const values = sql.join(
    changed.map(
      (a) =>
        sql`(${a.id}::uuid, ${a.posted}::bigint, ${a.held}::bigint, ${remainingOverdraft(a)}::bigint, ${a.overdrawnAt?.toISOString() ?? null}::timestamptz)`,
    ),
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
