import { and, asc, eq, gt, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { uuidIn } from '../../core/db/sql.ts';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { subjectNames } from '../people/people.ts';
import { LedgerEvents } from './events.ts';
import { ledgerAccounts } from './schema.ts';
import { LedgerError } from './errors.ts';

export type Account = typeof ledgerAccounts.$inferSelect;
export type AccountKind = Account['kind'];
export type OwnerType = Account['ownerType'];

/** Kinds the platform itself owns; only these may go below zero (they are where money enters and leaves). */
export const PLATFORM_KINDS: readonly AccountKind[] = ['revenue', 'liability', 'settlement'];
export const OWNER_KINDS: readonly AccountKind[] = ['wallet', 'earnings'];

export interface AccountRef {
  ownerType: OwnerType;
  /** Null for the platform. */
  ownerId: string | null;
  kind: AccountKind;
  currency: string;
}

export const available = (account: Pick<Account, 'posted' | 'held'>) => account.posted - account.held;

export function insufficientFunds(account: Account, required: number): LedgerError {
  return new LedgerError(
    'insufficient_funds',
    `Insufficient funds: account ${account.id} has ${available(account)} ${account.currency} available, ${required} needed.`,
    {
      extra: { accountId: account.id, available: available(account), required },
    },
  );
}

/** Who an account's events are about: its owner, nobody for the platform's. */
export const subjectOf = (account: Account) => (account.ownerType === 'platform' ? undefined : { type: account.ownerType, id: account.ownerId! });

function checkOwner(ref: AccountRef): void {
  const platform = ref.ownerType === 'platform';
  if (platform !== (ref.ownerId === null)) throw LedgerError.invalid('ownerId', platform ? 'must be empty for the platform' : 'is required');
  if (platform !== PLATFORM_KINDS.includes(ref.kind)) {
    throw LedgerError.invalid(
      'kind',
      platform ? `must be one of ${PLATFORM_KINDS.join(', ')} for the platform` : `must be one of ${OWNER_KINDS.join(', ')} for a ${ref.ownerType}`,
    );
  }
  if (!/^[A-Z]{3,8}$/.test(ref.currency)) throw LedgerError.invalid('currency', 'must be 3–8 capital letters (COIN, USD)');
}

/** The account of an owner, kind and currency, opened on first use (`ledger.account_opened`). */
export async function ensureAccount(ctx: ServiceContext, ref: AccountRef): Promise<Account> {
  checkOwner(ref);
  const where = and(
    eq(ledgerAccounts.ownerType, ref.ownerType),
    ref.ownerId === null ? isNull(ledgerAccounts.ownerId) : eq(ledgerAccounts.ownerId, ref.ownerId),
    eq(ledgerAccounts.kind, ref.kind),
    eq(ledgerAccounts.currency, ref.currency),
  );
  const [existing] = await ctx.tx.select().from(ledgerAccounts).where(where);
  if (existing) return existing;
  const [opened] = await ctx.tx
    .insert(ledgerAccounts)
    .values({ id: uuidv7(), ...ref, mayGoNegative: PLATFORM_KINDS.includes(ref.kind), createdAt: ctx.now })
    .onConflictDoNothing()
    .returning();
  if (opened) {
    await ctx.emit({
      type: LedgerEvents.accountOpened,
      subject: subjectOf(opened),
      payload: { accountId: opened.id, kind: opened.kind, currency: opened.currency },
    });
    return opened;
  }
  // Opened by a concurrent transaction a moment ago.
  const [account] = await ctx.tx.select().from(ledgerAccounts).where(where);
  return account!;
}

/** `ensureAccount` for an owner named from outside (staff, an integration): a person or organization must exist. */
export async function openAccount(ctx: ServiceContext, ref: Omit<AccountRef, 'ownerId'> & { ownerId?: string | null }): Promise<Account> {
  if (ref.ownerType === 'person' || ref.ownerType === 'organization') {
    if (!ref.ownerId) throw LedgerError.invalid('ownerId', 'is required');
    const names = await subjectNames(ctx.tx, [{ type: ref.ownerType, id: ref.ownerId }]);
    if (!names.has(ref.ownerId)) throw LedgerError.notFound(`No such ${ref.ownerType}.`);
  }
  return ensureAccount(ctx, { ...ref, ownerId: ref.ownerId ?? null });
}

export const platformAccount = (ctx: ServiceContext, kind: AccountKind, currency: string) =>
  ensureAccount(ctx, { ownerType: 'platform', ownerId: null, kind, currency });

/** Accounts by id (those that exist), in one query. */
export async function accountsByIds(db: Executor, ids: string[]): Promise<Account[]> {
  return ids.length ? db.select().from(ledgerAccounts).where(inArray(ledgerAccounts.id, ids)) : [];
}

export async function getAccount(db: Executor, id: string): Promise<Account> {
  const [account] = await db.select().from(ledgerAccounts).where(eq(ledgerAccounts.id, id));
  if (!account) throw LedgerError.notFound('No such account.');
  return account;
}

/** One of a person's own accounts; someone else's answers exactly like one that does not exist. */
export async function accountOfPerson(db: Executor, personId: string, id: string): Promise<Account> {
  const account = await getAccount(db, id);
  if (account.ownerType !== 'person' || account.ownerId !== personId) throw LedgerError.notFound('No such account.');
  return account;
}

export async function accountsOf(db: Executor, ownerType: OwnerType, ownerId: string): Promise<Account[]> {
  return db
    .select()
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.ownerType, ownerType), eq(ledgerAccounts.ownerId, ownerId)))
    .orderBy(asc(ledgerAccounts.currency), asc(ledgerAccounts.kind));
}

export interface AccountFilter {
  ownerType?: OwnerType;
  ownerId?: string;
  kind?: AccountKind;
  currency?: string;
  /** Accounts after this id (the previous page's last). */
  afterId?: string;
  limit: number;
}

/** Accounts in id order, optionally of one owner, kind or currency. */
export async function listAccounts(db: Executor, filter: AccountFilter): Promise<Account[]> {
  const conditions: SQL[] = [];
  if (filter.ownerType) conditions.push(eq(ledgerAccounts.ownerType, filter.ownerType));
  if (filter.ownerId) conditions.push(eq(ledgerAccounts.ownerId, filter.ownerId));
  if (filter.kind) conditions.push(eq(ledgerAccounts.kind, filter.kind));
  if (filter.currency) conditions.push(eq(ledgerAccounts.currency, filter.currency));
  if (filter.afterId) conditions.push(gt(ledgerAccounts.id, filter.afterId));
  return db
    .select()
    .from(ledgerAccounts)
    .where(and(...conditions))
    .orderBy(asc(ledgerAccounts.id))
    .limit(filter.limit);
}

/** One kind of account of many owners at once (a list's balance column), by owner id. */
export async function accountsByOwner(
  db: Executor,
  ownerType: OwnerType,
  ownerIds: string[],
  kind: AccountKind,
  currency: string,
): Promise<Map<string, Account>> {
  const ids = [...new Set(ownerIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select()
    .from(ledgerAccounts)
    .where(
      and(eq(ledgerAccounts.ownerType, ownerType), uuidIn(ledgerAccounts.ownerId, ids), eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.currency, currency)),
    );
  return new Map(rows.map((row) => [row.ownerId!, row]));
}

/** Accounts of one kind and currency whose available balance is at least `minimum` (in id order), for rules that act on them. */
export async function accountsAvailableAtLeast(db: Executor, kind: AccountKind, currency: string, minimum: number): Promise<Account[]> {
  return db
    .select()
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.currency, currency), sql`${ledgerAccounts.posted} - ${ledgerAccounts.held} >= ${minimum}`))
    .orderBy(asc(ledgerAccounts.id));
}

/** Locks the accounts in one fixed order (by id), so two transactions never wait on each other in a cycle. */
export async function lockAccounts(tx: Executor, ids: Iterable<string>): Promise<Map<string, Account>> {
  const sorted = [...new Set(ids)].sort();
  if (sorted.length === 0) return new Map();
  const rows = await tx.select().from(ledgerAccounts).where(inArray(ledgerAccounts.id, sorted)).orderBy(asc(ledgerAccounts.id)).for('update');
  return new Map(rows.map((row) => [row.id, { ...row }]));
}
