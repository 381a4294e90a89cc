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
    description: 'An account was opened for an owner, kind and currency (on its first use).',
    permission: 'ledger.read',
    payload: Type.Object({ accountId: Id, kind: AccountKind, currency: Type.String() }),
  },
  'ledger.transfer_posted': {
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
    description: 'An amount was reserved on an account (a payout application, a running call).',
    permission: 'ledger.read',
    payload: Hold,
  },
  'ledger.hold_posted': { description: 'A hold was posted, in full or in part, as a transfer.', permission: 'ledger.read', payload: Hold },
  'ledger.hold_voided': { description: 'A hold was released without moving money (voided, or expired).', permission: 'ledger.read', payload: Hold },
  'ledger.balance_changed': {
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
