import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const money = (name: string) => bigint(name, { mode: 'number' });

/**
 * A request to pay out earnings (the original product's "application for payment"). Requesting places a
 * ledger hold on the earnings account; paying posts it to the settlement account (less the fee, which
 * goes to platform revenue); rejecting or cancelling voids it. Each step keeps who and when.
 */
export const payoutApplications = pgTable(
  'payout_applications',
  {
    id: uuid('id').primaryKey(),
    ownerType: text('owner_type', { enum: ['person', 'organization'] }).notNull(),
    ownerId: uuid('owner_id').notNull(),
    accountId: uuid('account_id').notNull(),
    currency: text('currency').notNull(),
    amount: money('amount').notNull(),
    fee: money('fee').notNull(),
    /** The rule the fee came from, as it was when the application was made. */
    feeRule: jsonb('fee_rule')
      .$type<{ percentBp: number; fixed: number; source: 'owner' | 'organization' | 'default' | 'none'; organizationId?: string }>()
      .notNull(),
    state: text('state', { enum: ['requested', 'approved', 'paid', 'rejected', 'cancelled'] }).notNull(),
    origin: text('origin', { enum: ['manual', 'automatic', 'member'] }).notNull(),
    note: text('note'),
    holdId: uuid('hold_id').notNull(),
    requestedByType: text('requested_by_type').notNull(),
    requestedById: text('requested_by_id'),
    createdAt: timestamptz('created_at').notNull(),
    approvedBy: text('approved_by'),
    approvedAt: timestamptz('approved_at'),
    paidBy: text('paid_by'),
    paidAt: timestamptz('paid_at'),
    paymentReference: text('payment_reference'),
    payoutTransferId: uuid('payout_transfer_id'),
    feeTransferId: uuid('fee_transfer_id'),
    rejectedBy: text('rejected_by'),
    rejectedAt: timestamptz('rejected_at'),
    rejectionReason: text('rejection_reason'),
    cancelledByType: text('cancelled_by_type'),
    cancelledById: text('cancelled_by_id'),
    cancelledAt: timestamptz('cancelled_at'),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    check('payout_applications_amount_positive', sql`${t.amount} > 0`),
    check('payout_applications_fee_below_amount', sql`${t.fee} >= 0 AND ${t.fee} < ${t.amount}`),
    index('payout_applications_list_idx').on(t.createdAt, t.id),
    index('payout_applications_state_idx').on(t.state, t.createdAt, t.id),
    index('payout_applications_owner_idx').on(t.ownerType, t.ownerId, t.createdAt),
  ],
);

/** The fee on a payout: a percentage (basis points) plus a fixed amount, per owner, per organization, or by default. */
export const payoutFeeRules = pgTable(
  'payout_fee_rules',
  {
    id: uuid('id').primaryKey(),
    /** Null for the default rule of a currency. */
    ownerType: text('owner_type', { enum: ['person', 'organization'] }),
    ownerId: uuid('owner_id'),
    currency: text('currency').notNull(),
    percentBp: integer('percent_bp').notNull(),
    fixed: money('fixed').notNull(),
    updatedBy: text('updated_by'),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    unique('payout_fee_rules_owner_currency').on(t.ownerType, t.ownerId, t.currency).nullsNotDistinct(),
    check('payout_fee_rules_percent', sql`${t.percentBp} BETWEEN 0 AND 10000`),
    check('payout_fee_rules_fixed', sql`${t.fixed} >= 0`),
  ],
);
