import { Type } from '@sinclair/typebox';
import type { Executor } from '../../core/db/client.ts';
import type { RefResolverDef } from '../../core/events/refs.ts';
import { can } from '../../core/access.ts';
import { defineCodes, type Locale, type Text } from '../../core/labels.ts';
import { toPage } from '../../core/paging.ts';
import { Nullable, Timestamp } from '../../core/schemas.ts';
import { subjectNames } from '../people/people.ts';
import { accountsByIds, available, type Account } from './accounts.ts';
import { ledgerIsSound, type LedgerCheck } from './check.ts';
import type { Hold } from './holds.ts';
import { CSV_HEADER, csvRow, statement, type StatementFilter, type StatementLine } from './statement.ts';
import type { PostedTransfer } from './transfers.ts';

export const OwnerType = Type.Union([Type.Literal('person'), Type.Literal('organization'), Type.Literal('platform')]);
export const AccountKinds = defineCodes('account_kind', {
  wallet: { en: 'Wallet', ru: 'Кошелёк' },
  earnings: { en: 'Earnings', ru: 'Заработок' },
  revenue: { en: 'Revenue', ru: 'Выручка' },
  liability: { en: 'Liability', ru: 'Обязательства' },
  settlement: { en: 'Settlement', ru: 'Расчёты' },
});
export const AccountKind = Type.Union(
  AccountKinds.values.map((k) => Type.Literal(k)),
  {
    description: 'wallet and earnings belong to people and organizations; revenue, liability and settlement (money entering and leaving) to the platform',
  },
);
export const HoldStates = defineCodes('hold_state', {
  pending: { en: 'Pending', ru: 'Ожидает', tone: 'blue' },
  posted: { en: 'Posted', ru: 'Проведено', tone: 'green' },
  voided: { en: 'Voided', ru: 'Отменено', tone: 'gray' },
  expired: { en: 'Expired', ru: 'Истекло', tone: 'gray' },
});
export const HoldState = HoldStates.schema;
/** The ledger's own transfer kinds; the modules that move money declare theirs (`transfer_kind`). */
export const LedgerTransferKinds = defineCodes('transfer_kind', {
  adjustment: { en: 'Adjustment', ru: 'Корректировка' },
  refund: { en: 'Refund', ru: 'Возврат' },
});

const PLATFORM: Record<Locale, string> = { en: 'Platform', ru: 'Платформа' };
/** What an owner is called to a viewer who may not read people: as the event log labels a person or an organization it may not name. */
const OWNER_LABEL: Record<'person' | 'organization', Text> = {
  person: { en: 'Person', ru: 'Человек' },
  organization: { en: 'Organization', ru: 'Организация' },
};

/**
 * Accounts as the event log names them: the owner, the kind and the currency ("Anna Kim · Wallet · COIN").
 * The owner's name is personal data: told only to a viewer who may read that person or organization
 * (`people.read`, or a grant on it), as the people module's own refs are; others see "Person · Wallet · COIN".
 */
export const ledgerRefs: RefResolverDef[] = [
  {
    type: 'ledger_account',
    label: { en: 'Account', ru: 'Счёт' },
    permission: 'ledger.read',
    resolve: async (db, ids, viewer, now) => {
      const locale: Locale = viewer.locale === 'ru' ? 'ru' : 'en';
      const accounts = await accountsByIds(db, ids);
      const named = await subjectNames(
        db,
        accounts.flatMap((a) =>
          a.ownerType !== 'platform' && a.ownerId && can(viewer, 'people.read', a.ownerId, now) ? [{ type: a.ownerType, id: a.ownerId }] : [],
        ),
      );
      return accounts.map((a) => {
        const owner = a.ownerType === 'platform' || !a.ownerId ? PLATFORM[locale] : (named.get(a.ownerId) ?? OWNER_LABEL[a.ownerType][locale]);
        return { id: a.id, name: `${owner} · ${AccountKinds.codes[a.kind][locale]} · ${a.currency}`, href: `/ledger/accounts/${a.id}` };
      });
    },
  },
];

export const AccountView = Type.Object(
  {
    id: Type.String(),
    ownerType: OwnerType,
    ownerId: Nullable(Type.String()),
    ownerName: Nullable(Type.String()),
    currency: Type.String(),
    kind: AccountKind,
    mayGoNegative: Type.Boolean(),
    posted: Type.Integer({ description: 'Credits minus debits of posted transfers.' }),
    held: Type.Integer({ description: 'Reserved by pending holds.' }),
    available: Type.Integer({ description: 'posted − held: what may be spent or paid out.' }),
    // Defaulted: answers stored (Idempotency-Key replays) before overdrafts existed lack them, and are sent with 0 and null.
    overdraft: Type.Integer({
      default: 0,
      description: 'How far below zero refunds have left the available balance (0 normally); money coming in pays it back first.',
    }),
    overdrawnAt: Type.Union([Timestamp, Type.Null()], {
      default: null,
      description: 'When a refund last overdrew the account (the flag staff see), kept after it is paid back.',
    }),
    createdAt: Timestamp,
  },
  { $id: 'LedgerAccount' },
);
export const TransferView = Type.Object(
  {
    id: Type.String(),
    debitAccountId: Type.String(),
    creditAccountId: Type.String(),
    amount: Type.Integer(),
    currency: Type.String(),
    kind: Type.String(),
    reference: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) })),
    memo: Nullable(Type.String()),
    batchId: Nullable(Type.String()),
    holdId: Nullable(Type.String()),
    debitBalanceAfter: Type.Integer(),
    creditBalanceAfter: Type.Integer(),
    actorType: Type.String(),
    actorId: Nullable(Type.String()),
    createdAt: Timestamp,
  },
  { $id: 'LedgerTransfer' },
);
export const HoldView = Type.Object(
  {
    id: Type.String(),
    debitAccountId: Type.String(),
    creditAccountId: Type.String(),
    amount: Type.Integer(),
    currency: Type.String(),
    kind: Type.String(),
    state: HoldState,
    postedAmount: Nullable(Type.Integer()),
    transferId: Nullable(Type.String()),
    reference: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) })),
    memo: Nullable(Type.String()),
    expiresAt: Nullable(Timestamp),
    managedBy: Nullable(
      Type.String({ description: 'The module that resolves this hold through its own process (payouts); the generic hold routes refuse it.' }),
    ),
    createdAt: Timestamp,
    resolvedAt: Nullable(Timestamp),
  },
  { $id: 'LedgerHold' },
);
export const StatementLineView = Type.Object(
  {
    transferId: Type.String(),
    kind: Type.String(),
    amount: Type.Integer({ description: 'Positive when money came in, negative when it went out.' }),
    balanceAfter: Type.Integer({ description: "The account's posted balance right after this line." }),
    counterAccountId: Type.String(),
    counterOwnerType: Type.String(),
    counterOwnerId: Nullable(Type.String()),
    counterKind: Type.String(),
    counterparty: Type.String({ description: 'Who was on the other side: a name, or the platform account kind.' }),
    reference: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) })),
    memo: Nullable(Type.String()),
    holdId: Nullable(Type.String()),
    batchId: Nullable(Type.String()),
    actorType: Type.String(),
    actorId: Nullable(Type.String()),
    createdAt: Timestamp,
  },
  { $id: 'LedgerStatementLine' },
);
export const AdjustmentView = Type.Object({ account: AccountView, transfer: TransferView });
export const BatchView = Type.Object({ batchId: Nullable(Type.String()), transfers: Type.Array(TransferView) });
export const PostedHoldView = Type.Object({ hold: HoldView, transfer: TransferView });
export const LedgerCheckView = Type.Object({
  ok: Type.Boolean(),
  accounts: Type.Integer(),
  transfers: Type.Integer(),
  mismatches: Type.Array(
    Type.Object({ accountId: Type.String(), posted: Type.Integer(), expectedPosted: Type.Integer(), held: Type.Integer(), expectedHeld: Type.Integer() }),
  ),
  unbalanced: Type.Array(Type.Object({ currency: Type.String(), sum: Type.Integer() })),
  negative: Type.Array(Type.String()),
  overdrafts: Type.Array(Type.String(), {
    description: 'Accounts whose overdraft refunds do not explain (not 0 nor held − posted, or more than their refund debits).',
  }),
});

const reference = (type: string | null, id: string | null) => (type ? { type, id } : null);

function accountView(account: Account, ownerName: string | null) {
  return {
    ...account,
    ownerName: account.ownerType === 'platform' ? null : ownerName,
    available: available(account),
    overdrawnAt: account.overdrawnAt?.toISOString() ?? null,
    createdAt: account.createdAt.toISOString(),
  };
}
export const transferView = (t: PostedTransfer) => ({ ...t, reference: reference(t.referenceType, t.referenceId), createdAt: t.createdAt.toISOString() });
export const holdView = (h: Hold) => ({
  ...h,
  reference: reference(h.referenceType, h.referenceId),
  expiresAt: h.expiresAt?.toISOString() ?? null,
  createdAt: h.createdAt.toISOString(),
  resolvedAt: h.resolvedAt?.toISOString() ?? null,
});
export const checkView = (check: LedgerCheck) => ({ ok: ledgerIsSound(check), ...check });

/** The accounts with their owners' names. */
export async function accountViews(db: Executor, accounts: Account[]) {
  const names = await subjectNames(
    db,
    accounts.filter((a) => a.ownerType !== 'platform').map((a) => ({ type: a.ownerType as 'person' | 'organization', id: a.ownerId! })),
  );
  return accounts.map((a) => accountView(a, a.ownerId ? (names.get(a.ownerId) ?? null) : null));
}

async function counterpartyNames(db: Executor, lines: StatementLine[]): Promise<(line: StatementLine) => string> {
  const names = await subjectNames(
    db,
    lines.filter((l) => l.counterOwnerType !== 'platform').map((l) => ({ type: l.counterOwnerType as 'person' | 'organization', id: l.counterOwnerId! })),
  );
  return (line) => (line.counterOwnerId ? (names.get(line.counterOwnerId) ?? line.counterOwnerId) : `platform ${line.counterKind}`);
}

/** One page of an account's statement (`limit` lines), each with who was on the other side. */
export async function statementPage(db: Executor, account: Account, filter: Omit<StatementFilter, 'limit'>, limit: number) {
  const lines = await statement(db, account, { ...filter, limit: limit + 1 });
  const names = await counterpartyNames(db, lines);
  return toPage(
    lines,
    limit,
    (l) => [l.seq],
    (l) => ({ ...l, counterparty: names(l), createdAt: l.createdAt.toISOString() }),
  );
}

/** Every line of an account's statement as CSV, read a thousand lines at a time. */
export async function statementCsv(db: Executor, account: Account, filter: Omit<StatementFilter, 'limit' | 'beforeSeq'>): Promise<string> {
  const rows = [CSV_HEADER.join(',')];
  let beforeSeq: number | undefined;
  for (;;) {
    const lines = await statement(db, account, { ...filter, beforeSeq, limit: 1000 });
    const names = await counterpartyNames(db, lines);
    for (const line of lines) rows.push(csvRow(line, account.currency, names(line)));
    if (lines.length < 1000) break;
    beforeSeq = lines.at(-1)!.seq;
  }
  return rows.join('\r\n') + '\r\n';
}
