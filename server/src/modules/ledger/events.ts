import type { EventTypeDef } from '../../core/events/types.ts';

export const LedgerEvents = {
  accountOpened: 'ledger.account_opened',
  transferPosted: 'ledger.transfer_posted',
  holdPlaced: 'ledger.hold_placed',
  holdPosted: 'ledger.hold_posted',
  holdVoided: 'ledger.hold_voided',
  balanceChanged: 'ledger.balance_changed',
  accountOverdrawn: 'ledger.account_overdrawn',
} as const;

export const ledgerEventTypes: EventTypeDef[] = [
  { type: LedgerEvents.accountOpened, description: 'An account was opened for an owner, kind and currency (on its first use).', permission: 'ledger.read' },
  {
    type: LedgerEvents.transferPosted,
    description: 'Money moved between two accounts (amount, kind, reference, both balances after). Subject: the owner of the debited account, or of the credited one when the platform paid.',
    permission: 'ledger.read',
  },
  { type: LedgerEvents.holdPlaced, description: 'An amount was reserved on an account (a payout application, a running call).', permission: 'ledger.read' },
  { type: LedgerEvents.holdPosted, description: 'A hold was posted, in full or in part, as a transfer.', permission: 'ledger.read' },
  { type: LedgerEvents.holdVoided, description: 'A hold was released without moving money (voided, or expired).', permission: 'ledger.read' },
  {
    type: LedgerEvents.balanceChanged,
    description: "An owner's balance changed: posted, held and available after the change. Also sent to the owner's client WebSocket, so apps show the actual balance.",
    permission: 'ledger.read',
    toSubject: true,
  },
  {
    type: LedgerEvents.accountOverdrawn,
    description: 'A refund took an account that may not go negative below zero (the coins were spent before the store took them back): by how much, and its overdraft now. The account is flagged.',
    permission: 'ledger.read',
  },
];
