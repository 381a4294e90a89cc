import type { EventTypeDef } from '../../core/events/types.ts';

export const PayoutEvents = {
  requested: 'payouts.requested',
  approved: 'payouts.approved',
  paid: 'payouts.paid',
  rejected: 'payouts.rejected',
  cancelled: 'payouts.cancelled',
  feeRuleSaved: 'payouts.fee_rule_saved',
  feeRuleDeleted: 'payouts.fee_rule_deleted',
} as const;

const step = (type: string, description: string): EventTypeDef => ({ type, description, permission: 'payouts.read', toSubject: true });

export const payoutEventTypes: EventTypeDef[] = [
  step(PayoutEvents.requested, 'A payout was requested (by staff, by the owner, or by the automatic rule); its amount is held.'),
  step(PayoutEvents.approved, 'A payout application was approved by a second staff user.'),
  step(PayoutEvents.paid, 'A payout was paid: the net amount went to settlement with the payment reference, the fee to revenue.'),
  step(PayoutEvents.rejected, 'A payout application was rejected, with a reason; its hold was voided.'),
  step(PayoutEvents.cancelled, 'A payout application was withdrawn before approval; its hold was voided.'),
  { type: PayoutEvents.feeRuleSaved, description: 'A payout fee rule (percentage and fixed part) was set.', permission: 'payouts.read' },
  { type: PayoutEvents.feeRuleDeleted, description: 'A payout fee rule was removed.', permission: 'payouts.read' },
];
