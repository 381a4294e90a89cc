import { Type } from '@sinclair/typebox';
import type { Executor } from '../../core/db/client.ts';
import { defineCodes } from '../../core/labels.ts';
import { Nullable, Timestamp } from '../../core/schemas.ts';
import { available, getAccount } from '../ledger/accounts.ts';
import { subjectNames } from '../people/people.ts';
import { staffNames } from '../staff/users.ts';
import { getApplication, type FeeRule, type PayoutApplication } from './service.ts';

export const Currency = Type.String({ pattern: '^[A-Z]{3,8}$' });
export const OwnerType = Type.Union([Type.Literal('person'), Type.Literal('organization')]);
export const PayoutStates = defineCodes('payout_state', {
  requested: { en: 'Requested', ru: 'Запрошены', tone: 'blue' },
  approved: { en: 'Approved', ru: 'Одобрены', tone: 'teal' },
  paid: { en: 'Paid', ru: 'Оплачены', tone: 'green' },
  rejected: { en: 'Rejected', ru: 'Отклонены', tone: 'red' },
  cancelled: { en: 'Withdrawn', ru: 'Отозваны', tone: 'gray' },
});
export const State = Type.Union(PayoutStates.values.map((s) => Type.Literal(s)));
export const PayoutOrigins = defineCodes('payout_origin', {
  manual: { en: 'Staff', ru: 'Сотрудник' },
  automatic: { en: 'Automatic', ru: 'Автоматически', tone: 'purple' },
  member: { en: 'Owner', ru: 'Владелец' },
});
export const Origin = Type.Union(PayoutOrigins.values.map((s) => Type.Literal(s)));
/** The transfers a payout posts. */
export const PayoutTransferKinds = defineCodes('transfer_kind', {
  payout: { en: 'Payout', ru: 'Выплата' },
  payout_fee: { en: 'Payout fee', ru: 'Комиссия за выплату' },
});
const FeeRuleSnapshot = Type.Object({
  percentBp: Type.Integer({ description: 'Basis points: 250 is 2.5 %.' }),
  fixed: Type.Integer(),
  source: Type.Union(['owner', 'organization', 'default', 'none'].map((s) => Type.Literal(s))),
  organizationId: Type.Optional(Type.String()),
});

export const ApplicationView = Type.Object(
  {
    id: Type.String(),
    ownerType: OwnerType,
    ownerId: Type.String(),
    ownerName: Nullable(Type.String()),
    accountId: Type.String(),
    currency: Type.String(),
    amount: Type.Integer(),
    fee: Type.Integer(),
    net: Type.Integer({ description: 'amount − fee: what is paid out.' }),
    feeRule: FeeRuleSnapshot,
    state: State,
    origin: Origin,
    note: Nullable(Type.String()),
    holdId: Type.String(),
    requestedByType: Type.String(),
    requestedById: Nullable(Type.String()),
    createdAt: Timestamp,
    approvedBy: Nullable(Type.String()),
    approvedAt: Nullable(Timestamp),
    paidBy: Nullable(Type.String()),
    paidAt: Nullable(Timestamp),
    paymentReference: Nullable(Type.String()),
    payoutTransferId: Nullable(Type.String()),
    feeTransferId: Nullable(Type.String()),
    rejectedBy: Nullable(Type.String()),
    rejectedAt: Nullable(Timestamp),
    rejectionReason: Nullable(Type.String()),
    cancelledAt: Nullable(Timestamp),
    updatedAt: Timestamp,
    names: Type.Record(Type.String(), Type.String(), {
      description: 'Display names of the staff users and members in `requestedById`, `approvedBy`, `paidBy`, `rejectedBy` and the cancelling actor, by id.',
    }),
  },
  { $id: 'PayoutApplication' },
);
export const QuoteView = Type.Object(
  {
    accountId: Nullable(Type.String()),
    currency: Type.String(),
    available: Type.Integer(),
    amount: Type.Integer(),
    fee: Type.Integer(),
    net: Type.Integer(),
    rule: FeeRuleSnapshot,
  },
  { $id: 'PayoutQuote' },
);
export const FeeRuleView = Type.Object(
  {
    id: Type.String(),
    ownerType: Nullable(OwnerType),
    ownerId: Nullable(Type.String()),
    ownerName: Nullable(Type.String()),
    currency: Type.String(),
    percentBp: Type.Integer(),
    fixed: Type.Integer(),
    updatedAt: Timestamp,
  },
  { $id: 'PayoutFeeRule' },
);
export const ApplicationAccountView = Type.Object({ accountId: Type.String(), posted: Type.Integer(), held: Type.Integer(), available: Type.Integer() });

const iso = (d: Date | null) => d?.toISOString() ?? null;
/** `staff:<id>` (how steps record their actor) to the id. */
const actorId = (recorded: string | null) => recorded?.split(':')[1] ?? null;

export const applicationView = (a: PayoutApplication, names: Map<string, string>) => {
  const ids = [a.requestedById, actorId(a.approvedBy), actorId(a.paidBy), actorId(a.rejectedBy), a.cancelledById].filter((id): id is string => !!id);
  return {
    ...a,
    ownerName: names.get(a.ownerId) ?? null,
    net: a.amount - a.fee,
    createdAt: a.createdAt.toISOString(),
    approvedAt: iso(a.approvedAt),
    paidAt: iso(a.paidAt),
    rejectedAt: iso(a.rejectedAt),
    cancelledAt: iso(a.cancelledAt),
    updatedAt: a.updatedAt.toISOString(),
    names: Object.fromEntries(ids.filter((id) => names.has(id)).map((id) => [id, names.get(id)!])),
  };
};

/** Owners' names, and the names of whoever took each step (staff users, or members acting for themselves). */
export async function namesFor(db: Executor, applications: PayoutApplication[]): Promise<Map<string, string>> {
  const steps = applications.flatMap((a) => [a.requestedById, actorId(a.approvedBy), actorId(a.paidBy), actorId(a.rejectedBy), a.cancelledById]);
  const [owners, staff] = await Promise.all([
    subjectNames(db, [
      ...applications.map((a) => ({ type: a.ownerType, id: a.ownerId })),
      ...applications.filter((a) => a.requestedByType === 'member').map((a) => ({ type: 'person' as const, id: a.requestedById! })),
    ]),
    staffNames(
      db,
      steps.filter((id): id is string => !!id),
    ),
  ]);
  return new Map([...owners, ...staff]);
}

export async function applicationViews(db: Executor, applications: PayoutApplication[]) {
  const names = await namesFor(db, applications);
  return applications.map((a) => applicationView(a, names));
}

export const oneApplicationView = async (db: Executor, application: PayoutApplication) => (await applicationViews(db, [application]))[0]!;

export async function feeRuleViews(db: Executor, rules: FeeRule[]) {
  const names = await subjectNames(
    db,
    rules.filter((r) => r.ownerType).map((r) => ({ type: r.ownerType!, id: r.ownerId! })),
  );
  return rules.map((r) => ({ ...r, ownerName: r.ownerId ? (names.get(r.ownerId) ?? null) : null, updatedAt: r.updatedAt.toISOString() }));
}

/** The earnings account's balances now, to judge an application. */
export async function applicationAccountView(db: Executor, applicationId: string) {
  const account = await getAccount(db, (await getApplication(db, applicationId)).accountId);
  return { accountId: account.id, posted: account.posted, held: account.held, available: available(account) };
}
