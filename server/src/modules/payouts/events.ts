import { Type, type TProperties } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable, Reference } from '../../core/schemas.ts';

const read = 'payouts.read';
/** Every step of an application carries its state after the step. */
const step = <P extends TProperties>(extra: P) =>
  Type.Object({ applicationId: Id, amount: Type.Integer(), fee: Type.Integer(), currency: Type.String(), state: Type.String(), ...extra });

export const payoutEvents = defineEvents({
  'payouts.requested': {
    description: 'A payout was requested (by staff, by the owner, or by the automatic rule); its amount is held.',
    permission: read,
    toSubject: true,
    payload: step({ origin: Type.String() }),
  },
  'payouts.approved': { description: 'A payout application was approved by a second staff user.', permission: read, toSubject: true, payload: step({}) },
  'payouts.paid': {
    description: 'A payout was paid: the net amount went to settlement with the payment reference, the fee to revenue.',
    permission: read,
    toSubject: true,
    payload: step({ paymentReference: Type.String(), net: Type.Integer() }),
  },
  'payouts.rejected': {
    description: 'A payout application was rejected, with a reason; its hold was voided.',
    permission: read,
    toSubject: true,
    payload: step({ reason: Type.String() }),
  },
  'payouts.cancelled': {
    description: 'A payout application was withdrawn before approval; its hold was voided.',
    permission: read,
    toSubject: true,
    payload: step({}),
  },
  'payouts.fee_rule_saved': {
    description: 'A payout fee rule (percentage and fixed part) was set.',
    permission: read,
    payload: Type.Object({ currency: Type.String(), percentBp: Type.Integer(), fixed: Type.Integer(), owner: Type.Optional(Nullable(Reference)) }),
  },
  'payouts.fee_rule_deleted': { description: 'A payout fee rule was removed.', permission: read, payload: Type.Object({ currency: Type.String() }) },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof payoutEvents> {}
}

export const PayoutEvents = {
  requested: 'payouts.requested',
  approved: 'payouts.approved',
  paid: 'payouts.paid',
  rejected: 'payouts.rejected',
  cancelled: 'payouts.cancelled',
  feeRuleSaved: 'payouts.fee_rule_saved',
  feeRuleDeleted: 'payouts.fee_rule_deleted',
} as const satisfies Record<string, keyof typeof payoutEvents>;

export type PayoutStepEvent = 'payouts.requested' | 'payouts.approved' | 'payouts.paid' | 'payouts.rejected' | 'payouts.cancelled';

export const payoutEventTypes = eventTypeList(payoutEvents);
