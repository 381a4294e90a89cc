import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable, Reference, Timestamp } from '../../core/schemas.ts';

const AccountKind = Type.Union(
  ['wallet', 'earnings', 'revenue', 'liability', 'settlement'].map((k) => Type.Literal(k as 'wallet' | 'earnings' | 'revenue' | 'liability' | 'settlement')),
);

const Hold = Type.Object({
  holdId: Id,
  debitAccountId: Id,
  creditAccountId: Id,
  amount: Type.Integer(),
  currency: Type.String(),
  kind: Type.String(),
  state: Type.String(),
  postedAmount: Nullable(Type.Integer()),
  reference: Nullable(Reference),
  expiresAt: Nullable(Timestamp),
});

export const ledgerEvents = defineEvents({
  'ledger.account_opened': {
    title: { en: 'Account opened', ru: 'Счёт открыт' },
    summary: { en: 'The account {payload.accountId} was opened', ru: 'Открыт счёт {payload.accountId}' },
    refs: { accountId: 'ledger_account' },
    description: 'An account was opened for an owner, kind and currency (on its first use).',
    permission: 'ledger.read',
    payload: Type.Object({ accountId: Id, kind: AccountKind, currency: Type.String() }),
  },
  'ledger.transfer_posted': {
    title: { en: 'Transfer posted', ru: 'Перевод проведён' },
    summary: {
      en: '{payload.amount:money} from {payload.debitAccountId} to {payload.creditAccountId} ({payload.kind:transfer_kind})',
      ru: '{payload.amount:money} со счёта {payload.debitAccountId} на счёт {payload.creditAccountId} ({payload.kind:transfer_kind})',
    },
    refs: { debitAccountId: 'ledger_account', creditAccountId: 'ledger_account' },
    description:
      'Money moved between two accounts (amount, kind, reference, both balances after). Subject: the owner of the debited account, or of the credited one when the platform paid.',
    permission: 'ledger.read',
    payload: Type.Object({
      transferId: Id,
      debitAccountId: Id,
      creditAccountId: Id,
      amount: Type.Integer(),
      currency: Type.String(),
      kind: Type.String(),
      reference: Nullable(Reference),
      debitBalanceAfter: Type.Integer(),
      creditBalanceAfter: Type.Integer(),
      batchId: Nullable(Id),
    }),
  },
  'ledger.hold_placed': {
    title: { en: 'Hold placed', ru: 'Резерв создан' },
    summary: {
      en: '{payload.amount:money} reserved on {payload.debitAccountId} ({payload.kind:transfer_kind})',
      ru: '{payload.amount:money} зарезервировано на счёте {payload.debitAccountId} ({payload.kind:transfer_kind})',
    },
    refs: { debitAccountId: 'ledger_account', creditAccountId: 'ledger_account' },
    description: 'An amount was reserved on an account (a payout application, a running call).',
    permission: 'ledger.read',
    payload: Hold,
  },
  'ledger.hold_posted': {
    title: { en: 'Hold posted', ru: 'Резерв проведён' },
    summary: {
      en: '{payload.postedAmount:money} of a hold on {payload.debitAccountId} went to {payload.creditAccountId}',
      ru: 'Из резерва на счёте {payload.debitAccountId} проведено {payload.postedAmount:money} на счёт {payload.creditAccountId}',
    },
    refs: { debitAccountId: 'ledger_account', creditAccountId: 'ledger_account' },
    description: 'A hold was posted, in full or in part, as a transfer.',
    permission: 'ledger.read',
    payload: Hold,
  },
  'ledger.hold_voided': {
    title: { en: 'Hold released', ru: 'Резерв снят' },
    summary: {
      en: 'A hold of {payload.amount:money} on {payload.debitAccountId} was released ({payload.state:hold_state})',
      ru: 'Снят резерв {payload.amount:money} на счёте {payload.debitAccountId} ({payload.state:hold_state})',
    },
    refs: { debitAccountId: 'ledger_account', creditAccountId: 'ledger_account' },
    description: 'A hold was released without moving money (voided, or expired).',
    permission: 'ledger.read',
    payload: Hold,
  },
  'ledger.balance_changed': {
    title: { en: 'Balance changed', ru: 'Баланс изменён' },
    summary: {
      en: '{payload.accountId}: {payload.available:money} available, {payload.held:money} held',
      ru: '{payload.accountId}: доступно {payload.available:money}, в резерве {payload.held:money}',
    },
    refs: { accountId: 'ledger_account' },
    description:
      "An owner's balance changed: posted, held and available after the change. Also sent to the owner's client WebSocket, so apps show the actual balance.",
    permission: 'ledger.read',
    toSubject: true,
    payload: Type.Object({
      accountId: Id,
      kind: AccountKind,
      currency: Type.String(),
      posted: Type.Integer(),
      held: Type.Integer(),
      available: Type.Integer(),
      /** What changed it: the transfers, or the hold. */
      transferIds: Type.Optional(Type.Array(Id)),
      holdId: Type.Optional(Id),
    }),
  },
  'ledger.account_overdrawn': {
    title: { en: 'Account overdrawn', ru: 'Счёт ушёл в минус' },
    summary: {
      en: 'A refund took {payload.accountId} {payload.overdrawnBy:money} below zero',
      ru: 'Возврат увёл счёт {payload.accountId} в минус на {payload.overdrawnBy:money}',
    },
    refs: { accountId: 'ledger_account' },
    description:
      'A refund took an account that may not go negative below zero (the coins were spent before the store took them back): by how much, and its overdraft now. The account is flagged.',
    permission: 'ledger.read',
    payload: Type.Object({
      accountId: Id,
      transferId: Id,
      amount: Type.Integer(),
      overdrawnBy: Type.Integer(),
      overdraft: Type.Integer(),
      available: Type.Integer(),
      reference: Nullable(Reference),
    }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof ledgerEvents> {}
}

/** The ledger's event types by name, for code that emits or filters them. */
export const LedgerEvents = {
  accountOpened: 'ledger.account_opened',
  transferPosted: 'ledger.transfer_posted',
  holdPlaced: 'ledger.hold_placed',
  holdPosted: 'ledger.hold_posted',
  holdVoided: 'ledger.hold_voided',
  balanceChanged: 'ledger.balance_changed',
  accountOverdrawn: 'ledger.account_overdrawn',
} as const satisfies Record<string, keyof typeof ledgerEvents>;

export const ledgerEventTypes = eventTypeList(ledgerEvents);
