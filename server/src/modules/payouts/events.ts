import { Type, type TProperties } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable, Reference } from '../../core/schemas.ts';

const read = 'payouts.read';
/** Every step of an application carries its state after the step. */
const step = <P extends TProperties>(extra: P) =>
  Type.Object({ applicationId: Id, amount: Type.Integer(), fee: Type.Integer(), currency: Type.String(), state: Type.String(), ...extra });

export const payoutEvents = defineEvents({
  'payouts.requested': {
    title: { en: 'Payout requested', ru: 'Запрошена выплата' },
    summary: { en: '{actor} requested a payout of {payload.amount:money} to {subject}', ru: '{actor} запрашивает выплату {payload.amount:money}: {subject}' },
    description: 'A payout was requested (by staff, by the owner, or by the automatic rule); its amount is held.',
    permission: read,
    toSubject: true,
    payload: step({ origin: Type.String() }),
  },
  'payouts.approved': {
    title: { en: 'Payout approved', ru: 'Выплата одобрена' },
    summary: { en: '{actor} approved a payout of {payload.amount:money} to {subject}', ru: '{actor} одобряет выплату {payload.amount:money}: {subject}' },
    description: 'A payout application was approved by a second staff user.',
    permission: read,
    toSubject: true,
    payload: step({}),
  },
  'payouts.paid': {
    title: { en: 'Payout paid', ru: 'Выплата оплачена' },
    summary: {
      en: '{actor} paid {payload.net:money} to {subject} (payment {payload.paymentReference})',
      ru: '{actor} выплачивает {payload.net:money}: {subject} (платёж {payload.paymentReference})',
    },
    description: 'A payout was paid: the net amount went to settlement with the payment reference, the fee to revenue.',
    permission: read,
    toSubject: true,
    payload: step({ paymentReference: Type.String(), net: Type.Integer() }),
  },
  'payouts.rejected': {
    title: { en: 'Payout rejected', ru: 'Выплата отклонена' },
    summary: {
      en: '{actor} rejected a payout of {payload.amount:money} to {subject}: {payload.reason}',
      ru: '{actor} отклоняет выплату {payload.amount:money}: {subject} — {payload.reason}',
    },
    description: 'A payout application was rejected, with a reason; its hold was voided.',
    permission: read,
    toSubject: true,
    payload: step({ reason: Type.String() }),
  },
  'payouts.cancelled': {
    title: { en: 'Payout withdrawn', ru: 'Выплата отозвана' },
    summary: { en: '{actor} withdrew a payout of {payload.amount:money} to {subject}', ru: '{actor} отзывает выплату {payload.amount:money}: {subject}' },
    description: 'A payout application was withdrawn before approval; its hold was voided.',
    permission: read,
    toSubject: true,
    payload: step({}),
  },
  'payouts.fee_rule_saved': {
    title: { en: 'Payout fee set', ru: 'Комиссия за выплату задана' },
    summary: {
      en: '{actor} set the payout fee in {payload.currency}: {payload.percentBp:bp} + {payload.fixed:money}',
      ru: '{actor} задаёт комиссию за выплату в {payload.currency}: {payload.percentBp:bp} + {payload.fixed:money}',
    },
    description: 'A payout fee rule (percentage and fixed part) was set.',
    permission: read,
    payload: Type.Object({ currency: Type.String(), percentBp: Type.Integer(), fixed: Type.Integer(), owner: Type.Optional(Nullable(Reference)) }),
  },
  'payouts.fee_rule_deleted': {
    title: { en: 'Payout fee removed', ru: 'Комиссия за выплату удалена' },
    summary: { en: '{actor} removed a payout fee rule in {payload.currency}', ru: '{actor} удаляет правило комиссии за выплату в {payload.currency}' },
    description: 'A payout fee rule was removed.',
    permission: read,
    payload: Type.Object({ currency: Type.String() }),
  },
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
