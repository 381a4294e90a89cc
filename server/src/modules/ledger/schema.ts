import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** Integer minor units (cents, coins). JavaScript numbers are exact up to 2^53, far beyond any balance here. */
const money = (name: string) => bigint(name, { mode: 'number' });

/**
 * One balance of one owner in one currency. `posted` is the projection of the transfers (credits minus
 * debits), `held` the sum of the pending holds on it; both change only in the transaction of the transfer
 * or hold that moves them. The database itself refuses a negative available balance on accounts that may
 * not go negative, beyond the overdraft a refund left.
 */
export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: uuid('id').primaryKey(),
    ownerType: text('owner_type', { enum: ['person', 'organization', 'platform'] }).notNull(),
    /** Null for the platform's own accounts. */
    ownerId: uuid('owner_id'),
    currency: text('currency').notNull(),
    kind: text('kind', { enum: ['wallet', 'earnings', 'revenue', 'liability', 'settlement'] }).notNull(),
    mayGoNegative: boolean('may_go_negative').notNull(),
    posted: money('posted').notNull().default(0),
    held: money('held').notNull().default(0),
    /**
     * How far below zero refunds have left the available balance (0 normally). Only a refund raises it
     * (`postRefund`: coins the store took back after they were spent), and only by what that refund
     * lacked; money coming in pays it back and lowers it. Nothing may take the balance below `-overdraft`.
     */
    overdraft: money('overdraft').notNull().default(0),
    /** When a refund last overdrew the account: the flag staff see, kept after the overdraft is paid back. */
    overdrawnAt: timestamptz('overdrawn_at'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    unique('ledger_accounts_owner_kind_currency').on(t.ownerType, t.ownerId, t.kind, t.currency).nullsNotDistinct(),
    check('ledger_accounts_held_non_negative', sql`${t.held} >= 0`),
    check('ledger_accounts_overdraft_non_negative', sql`${t.overdraft} >= 0`),
    check('ledger_accounts_available_within_overdraft', sql`${t.mayGoNegative} OR ${t.posted} - ${t.held} >= -${t.overdraft}`),
    check('ledger_accounts_currency_code', sql`${t.currency} ~ '^[A-Z]{3,8}$'`),
  ],
);

/** What a transfer and a hold both are: an amount of one currency from one account to another, of a kind, for a reason. */
const movementColumns = () => ({
  debitAccountId: uuid('debit_account_id')
    .notNull()
    .references(() => ledgerAccounts.id),
  creditAccountId: uuid('credit_account_id')
    .notNull()
    .references(() => ledgerAccounts.id),
  amount: money('amount').notNull(),
  currency: text('currency').notNull(),
  kind: text('kind').notNull(),
  /** What caused it: a purchase, a gift, a call, a payout application (`payout_application`, its id). */
  referenceType: text('reference_type'),
  referenceId: text('reference_id'),
  memo: text('memo'),
});

/**
 * An immutable movement of `amount` from the debit account to the credit account (same currency).
 * `seq` orders each account's lines in the order their balances changed (it is drawn after the accounts
 * are locked), and the balances after the transfer are kept on the line for statements.
 */
export const ledgerTransfers = pgTable(
  'ledger_transfers',
  {
    id: uuid('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    ...movementColumns(),
    /** Transfers made in one atomic batch share it. */
    batchId: uuid('batch_id'),
    holdId: uuid('hold_id'),
    debitBalanceAfter: money('debit_balance_after').notNull(),
    creditBalanceAfter: money('credit_balance_after').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    check('ledger_transfers_amount_positive', sql`${t.amount} > 0`),
    check('ledger_transfers_two_accounts', sql`${t.debitAccountId} <> ${t.creditAccountId}`),
    index('ledger_transfers_debit_idx').on(t.debitAccountId, t.seq),
    index('ledger_transfers_credit_idx').on(t.creditAccountId, t.seq),
    index('ledger_transfers_reference_idx').on(t.referenceType, t.referenceId),
  ],
);

/**
 * A two-phase transfer: `amount` reserved on the debit account now (it counts in `held`), later posted
 * in full or in part to the credit account, voided, or expired by a job after `expiresAt`.
 */
export const ledgerHolds = pgTable(
  'ledger_holds',
  {
    id: uuid('id').primaryKey(),
    ...movementColumns(),
    state: text('state', { enum: ['pending', 'posted', 'voided', 'expired'] })
      .notNull()
      .default('pending'),
    /** The module whose process resolves this hold (a payout application's); the generic hold routes leave it alone. */
    managedBy: text('managed_by'),
    postedAmount: money('posted_amount'),
    transferId: uuid('transfer_id'),
    expiresAt: timestamptz('expires_at'),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    createdAt: timestamptz('created_at').notNull(),
    resolvedAt: timestamptz('resolved_at'),
  },
  (t) => [
    check('ledger_holds_amount_positive', sql`${t.amount} > 0`),
    check('ledger_holds_two_accounts', sql`${t.debitAccountId} <> ${t.creditAccountId}`),
    index('ledger_holds_account_idx').on(t.debitAccountId, t.id),
    index('ledger_holds_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.state} = 'pending' AND ${t.expiresAt} IS NOT NULL`),
  ],
);
