import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, sql, sum, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../../core/db/client.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { decodeCursor, toPage } from '../../../core/paging.ts';
import { accountsByOwner, available, ensureAccount, platformAccount } from '../../ledger/accounts.ts';
import { postRefund, postTransfer } from '../../ledger/transfers.ts';
import { COIN } from '../coins.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { creatorStoreAccounts, creatorStoreNotifications, creatorStorePrices, creatorStoreProducts, creatorStorePurchases, type Store } from '../schema.ts';

export type Purchase = typeof creatorStorePurchases.$inferSelect;

// ------------------------------------------------------------------ account tokens

/**
 * The member's app-account token, made on first asking. Issuing it moves nothing and means nothing until
 * a purchase carries it, so it is written without an event.
 */
export async function accountTokenOf(db: Executor, personId: string, now: Date): Promise<string> {
  await db.insert(creatorStoreAccounts).values({ personId, accountToken: randomUUID(), createdAt: now }).onConflictDoNothing();
  const [row] = await db.select({ token: creatorStoreAccounts.accountToken }).from(creatorStoreAccounts).where(eq(creatorStoreAccounts.personId, personId));
  return row!.token;
}

/**
 * Refuses a purchase whose store-signed account token is not this member's: it was bought from another
 * account, and crediting it here would let anyone who sees a transaction claim its coins.
 */
export async function assertOwnAccountToken(db: Executor, personId: string, token: string | undefined, field: string, storeField: string): Promise<void> {
  if (!token) {
    throw CreatorsError.invalid(
      field,
      `carries no app account token (${storeField}); the app must pass GET /api/client/creators/store/account-token to the store with the purchase`,
    );
  }
  const [row] = await db.select({ token: creatorStoreAccounts.accountToken }).from(creatorStoreAccounts).where(eq(creatorStoreAccounts.personId, personId));
  if (!row || row.token.toLowerCase() !== token.toLowerCase()) {
    throw new CreatorsError('purchase_of_another_account', 'This purchase was made from another account.', {
      fields: [{ field, message: 'was bought with another account’s app account token' }],
    });
  }
}

// ------------------------------------------------------------------ crediting and refunding

/** What a store vouched for, once its signature or its API has been checked. */
export interface VerifiedPurchase {
  store: Store;
  /** Apple's transactionId; Google's purchase token. */
  transactionId: string;
  /** Google's order id (`GPA.…`); null for Apple, which signs no order id into a transaction. */
  orderId: string | null;
  /** Apple's originalTransactionId. */
  originalTransactionId?: string | null;
  storeProductId: string;
  /** Packs bought at once, as the store says; creditPurchase refuses anything outside 1..MAX_QUANTITY. */
  quantity: number;
  environment: 'production' | 'sandbox';
  /** When the store says it was bought; an unreadable date falls back to the time it is credited. */
  purchasedAt: Date;
  /** Set when the store had already refunded or revoked it when it vouched for it. */
  revokedAt?: Date | null;
  /** Why, when it is revoked (kept as the refund's reason). */
  revocationReason?: string | null;
}

/** Most packs one store transaction may buy (StoreKit and Play Billing allow up to 10 and 100 today). */
export const MAX_QUANTITY = 100;
/** `coins` is a PostgreSQL integer. */
const MAX_COINS = 2_147_483_647;
/** The class id of this module's advisory locks (two-key form): "STOR". */
const STORE_LOCK_CLASS = 0x53544f52;

/**
 * One store transaction at a time, in the credit path and the refund path alike: a refund arriving while
 * its purchase is being credited then finds the credit (or the credit finds the refund), never neither.
 */
const lockTransaction = (ctx: ServiceContext, store: Store, transactionId: string) =>
  ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(${STORE_LOCK_CLASS}::int, hashtext(${`${store}:${transactionId}`}))`);

const findPurchase = async (db: Executor, store: Store, transactionId: string) =>
  (
    await db
      .select()
      .from(creatorStorePurchases)
      .where(and(eq(creatorStorePurchases.store, store), eq(creatorStorePurchases.transactionId, transactionId)))
  )[0];

const refundedProblem = (field: string, detail: string) =>
  new CreatorsError('purchase_refunded', detail, { fields: [{ field, message: 'was refunded or revoked by the store' }] });

/**
 * Credits a verified purchase to the member's COIN wallet, once per store transaction: the purchase row,
 * the ledger transfer (platform liability → wallet, kind `purchase`) and `creators.purchase_credited`
 * commit together. A purchase already credited to this member is answered as it is (`credited: false`,
 * nothing moves) — unless the store now says it is revoked, when its coins are taken back first, under the
 * same lock; to anyone else it is a 409. `field` names what carried the purchase, for refusals.
 */
export async function creditPurchase(
  ctx: ServiceContext,
  personId: string,
  verified: VerifiedPurchase,
  field: string,
): Promise<{ purchase: Purchase; credited: boolean }> {
  const { quantity } = verified;
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw CreatorsError.invalid(field, `has a quantity of ${quantity}; a purchase is of 1 to ${MAX_QUANTITY} packs`);
  }
  await lockTransaction(ctx, verified.store, verified.transactionId);
  const existing = await findPurchase(ctx.tx, verified.store, verified.transactionId);
  if (existing) {
    if (existing.personId !== personId) {
      throw new CreatorsError('purchase_claimed', 'This purchase was already credited to another account.', {
        fields: [{ field, message: 'was already credited to another account' }],
      });
    }
    if (verified.revokedAt && existing.status === 'credited') {
      // Delivered again after the store revoked it (the notification was lost or is late): take it back now.
      return { purchase: await refundLocked(ctx, existing, verified.revocationReason ?? 'revoked'), credited: false };
    }
    return { purchase: existing, credited: false };
  }
  if (verified.revokedAt) throw refundedProblem(field, 'The store refunded or revoked this purchase.');
  const [refunded] = await ctx.tx
    .select({ id: creatorStoreNotifications.id })
    .from(creatorStoreNotifications)
    .where(
      and(
        eq(creatorStoreNotifications.store, verified.store),
        eq(creatorStoreNotifications.transactionId, verified.transactionId),
        eq(creatorStoreNotifications.outcome, 'unknown_transaction'),
      ),
    );
  if (refunded) throw refundedProblem(field, 'The store refunded this purchase before it reached us.');
  const [price] = await ctx.tx
    .select({ product: creatorStoreProducts })
    .from(creatorStorePrices)
    .innerJoin(creatorStoreProducts, eq(creatorStoreProducts.id, creatorStorePrices.productId))
    .where(and(eq(creatorStorePrices.store, verified.store), eq(creatorStorePrices.storeProductId, verified.storeProductId)));
  if (!price) throw CreatorsError.invalid(field, `is a purchase of ${verified.storeProductId}, which no coin pack sells in the ${verified.store} store`);
  const { product } = price;
  const coins = product.coins * quantity;
  if (coins > MAX_COINS) {
    throw new CreatorsError('purchase_too_large', `${quantity} × ${product.coins} coins is more than one purchase may credit (${MAX_COINS}).`, {
      fields: [{ field, message: `would credit ${coins} coins, more than one purchase may (${MAX_COINS})` }],
    });
  }
  const purchasedAt = Number.isFinite(verified.purchasedAt.getTime()) ? verified.purchasedAt : ctx.now;
  const id = uuidv7();
  const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: personId, kind: 'wallet', currency: COIN });
  const liability = await platformAccount(ctx, 'liability', COIN);
  const transfer = await postTransfer(ctx, {
    debitAccountId: liability.id,
    creditAccountId: wallet.id,
    amount: coins,
    kind: 'purchase',
    reference: { type: 'store_purchase', id },
    memo: `${product.name}${quantity > 1 ? ` × ${quantity}` : ''} (${verified.store})`,
  });
  const [purchase] = await ctx.tx
    .insert(creatorStorePurchases)
    .values({
      id,
      personId,
      store: verified.store,
      transactionId: verified.transactionId,
      orderId: verified.orderId,
      originalTransactionId: verified.originalTransactionId ?? null,
      productId: product.id,
      storeProductId: verified.storeProductId,
      quantity,
      coins,
      environment: verified.environment,
      purchasedAt,
      creditedAt: ctx.now,
      creditTransferId: transfer.id,
    })
    .returning();
  await ctx.emit({
    type: CreatorEvents.purchaseCredited,
    subject: { type: 'person', id: personId },
    payload: {
      purchaseId: id,
      store: verified.store,
      productId: product.id,
      productName: product.name,
      storeProductId: verified.storeProductId,
      quantity,
      coins,
      environment: verified.environment,
    },
  });
  return { purchase: purchase!, credited: true };
}

/**
 * Takes a refunded or revoked purchase's coins back from the wallet (`postRefund`: if they were spent,
 * the wallet goes below zero by what it lacks and is flagged). Once per purchase; a transaction never
 * credited here is reported as unknown.
 */
export async function refundPurchase(
  ctx: ServiceContext,
  store: Store,
  transactionId: string,
  reason: string,
): Promise<{ outcome: 'refunded' | 'already_refunded' | 'unknown_transaction'; purchase?: Purchase }> {
  await lockTransaction(ctx, store, transactionId);
  const purchase = await findPurchase(ctx.tx, store, transactionId);
  if (!purchase) return { outcome: 'unknown_transaction' };
  if (purchase.status === 'refunded') return { outcome: 'already_refunded', purchase };
  return { outcome: 'refunded', purchase: await refundLocked(ctx, purchase, reason) };
}

/** The refund itself, for a credited purchase whose transaction lock the caller holds. */
async function refundLocked(ctx: ServiceContext, purchase: Purchase, reason: string): Promise<Purchase> {
  const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: purchase.personId, kind: 'wallet', currency: COIN });
  const liability = await platformAccount(ctx, 'liability', COIN);
  const { transfer, overdrawnBy } = await postRefund(ctx, {
    debitAccountId: wallet.id,
    creditAccountId: liability.id,
    amount: purchase.coins,
    reference: { type: 'store_purchase', id: purchase.id },
    memo: `Refunded by ${purchase.store}: ${reason}`,
  });
  const [refunded] = await ctx.tx
    .update(creatorStorePurchases)
    .set({ status: 'refunded', refundedAt: ctx.now, refundReason: reason, refundTransferId: transfer.id, refundOverdraft: overdrawnBy })
    .where(eq(creatorStorePurchases.id, purchase.id))
    .returning();
  await ctx.emit({
    type: CreatorEvents.purchaseRefunded,
    subject: { type: 'person', id: purchase.personId },
    payload: { purchaseId: purchase.id, store: purchase.store, coins: purchase.coins, reason, overdrawnBy },
  });
  return refunded!;
}

/**
 * The store reversed a refund (App Store `REFUND_REVERSED`): the purchase's coins are the member's again —
 * a new ledger transfer (liability → wallet, kind `purchase`, paying back the overdraft first) and
 * `creators.purchase_refund_reversed`; the purchase is `credited` again (its refund stays in the ledger
 * and the events). A refund remembered for a transaction never delivered is cleared, so that transaction
 * is credited when it arrives.
 */
export async function reverseRefund(
  ctx: ServiceContext,
  store: Store,
  transactionId: string,
  reason: string,
): Promise<{ outcome: 'refund_reversed' | 'not_refunded'; purchase?: Purchase }> {
  await lockTransaction(ctx, store, transactionId);
  const purchase = await findPurchase(ctx.tx, store, transactionId);
  if (!purchase) {
    const cleared = await ctx.tx
      .update(creatorStoreNotifications)
      .set({ outcome: 'refund_reversed' })
      .where(
        and(
          eq(creatorStoreNotifications.store, store),
          eq(creatorStoreNotifications.transactionId, transactionId),
          eq(creatorStoreNotifications.outcome, 'unknown_transaction'),
        ),
      )
      .returning({ id: creatorStoreNotifications.id });
    return { outcome: cleared.length > 0 ? 'refund_reversed' : 'not_refunded' };
  }
  if (purchase.status !== 'refunded') return { outcome: 'not_refunded', purchase };
  const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: purchase.personId, kind: 'wallet', currency: COIN });
  const liability = await platformAccount(ctx, 'liability', COIN);
  const transfer = await postTransfer(ctx, {
    debitAccountId: liability.id,
    creditAccountId: wallet.id,
    amount: purchase.coins,
    kind: 'purchase',
    reference: { type: 'store_purchase', id: purchase.id },
    memo: `Refund reversed by ${store}: ${reason}`,
  });
  const [credited] = await ctx.tx
    .update(creatorStorePurchases)
    .set({ status: 'credited', refundedAt: null, refundReason: null, refundTransferId: null, refundOverdraft: null })
    .where(eq(creatorStorePurchases.id, purchase.id))
    .returning();
  await ctx.emit({
    type: CreatorEvents.purchaseRefundReversed,
    subject: { type: 'person', id: purchase.personId },
    payload: { purchaseId: purchase.id, store, coins: purchase.coins, reason, transferId: transfer.id, refundTransferId: purchase.refundTransferId },
  });
  return { outcome: 'refund_reversed', purchase: credited! };
}

export interface StoreNotification {
  store: Store;
  id: string;
  type: string;
  subtype: string | null;
  transactionId: string | null;
  signedAt: Date | null;
  /** What it does to `transactionId`'s purchase: take its coins back, give them back (a refund reversed), or nothing. */
  action: 'refund' | 'reverse_refund' | null;
  /** The reason kept with the refund or its reversal. */
  reason: string | null;
}

export type NotificationOutcome = (typeof creatorStoreNotifications.$inferSelect)['outcome'];

/**
 * Handles a store's server notification once per notification id: a refund or revocation takes the
 * purchase's coins back, a reversed refund gives them back; anything else is recorded and ignored. A
 * redelivery answers what the first delivery did. A notification that moved no coins appends
 * `creators.store_notification_recorded`, so every row written has its event.
 */
export async function handleNotification(ctx: ServiceContext, notification: StoreNotification): Promise<{ outcome: string; duplicate: boolean }> {
  const { store, id, type, subtype, transactionId, signedAt } = notification;
  const [claimed] = await ctx.tx
    .insert(creatorStoreNotifications)
    .values({ store, id, type, subtype, transactionId, signedAt, outcome: 'ignored', receivedAt: ctx.now })
    .onConflictDoNothing()
    .returning();
  if (!claimed) {
    const [first] = await ctx.tx
      .select()
      .from(creatorStoreNotifications)
      .where(and(eq(creatorStoreNotifications.store, store), eq(creatorStoreNotifications.id, id)));
    return { outcome: first!.outcome, duplicate: true };
  }
  let outcome: NotificationOutcome = 'ignored';
  let purchase: Purchase | undefined;
  if (transactionId && notification.action) {
    const reason = notification.reason ?? type;
    ({ outcome, purchase } =
      notification.action === 'refund' ? await refundPurchase(ctx, store, transactionId, reason) : await reverseRefund(ctx, store, transactionId, reason));
    await ctx.tx
      .update(creatorStoreNotifications)
      .set({ outcome, purchaseId: purchase?.id ?? null })
      .where(and(eq(creatorStoreNotifications.store, store), eq(creatorStoreNotifications.id, id)));
  }
  const movedCoins = purchase !== undefined && (outcome === 'refunded' || outcome === 'refund_reversed');
  if (!movedCoins) {
    await ctx.emit({
      type: CreatorEvents.storeNotificationRecorded,
      ...(purchase ? { subject: { type: 'person' as const, id: purchase.personId } } : {}),
      payload: { store, notificationId: id, type, subtype, transactionId, outcome, purchaseId: purchase?.id ?? null },
    });
  }
  return { outcome, duplicate: false };
}

// ------------------------------------------------------------------ reading

/** Purchases with their pack's name, newest first: the one join lists and single purchases share. */
async function purchaseRows(db: Executor, where: SQL | undefined, limit: number) {
  return db
    .select({ purchase: creatorStorePurchases, productName: creatorStoreProducts.name })
    .from(creatorStorePurchases)
    .innerJoin(creatorStoreProducts, eq(creatorStoreProducts.id, creatorStorePurchases.productId))
    .where(where)
    .orderBy(desc(creatorStorePurchases.creditedAt), desc(creatorStorePurchases.id))
    .limit(limit);
}

/** Purchases newest first, of one person or everyone, with the pack's name. */
export async function listPurchases(db: Executor, query: { personId?: string; store?: Store; status?: Purchase['status']; cursor?: string; limit: number }) {
  const conditions: SQL[] = [];
  if (query.personId) conditions.push(eq(creatorStorePurchases.personId, query.personId));
  if (query.store) conditions.push(eq(creatorStorePurchases.store, query.store));
  if (query.status) conditions.push(eq(creatorStorePurchases.status, query.status));
  const after = decodeCursor<[string, string]>(query.cursor, ['date', 'uuid']);
  if (after) conditions.push(sql`(${creatorStorePurchases.creditedAt}, ${creatorStorePurchases.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await purchaseRows(db, and(...conditions), query.limit + 1);
  return toPage(
    rows,
    query.limit,
    (r) => [r.purchase.creditedAt.toISOString(), r.purchase.id],
    (r) => r,
  );
}

/** One purchase with its pack's name, as the lists show it. */
export async function findPurchaseWithProduct(db: Executor, id: string) {
  const [found] = await purchaseRows(db, eq(creatorStorePurchases.id, id), 1);
  return found;
}

/** What the member may spend now (their app shows it after a purchase). */
export async function availableCoins(db: Executor, personId: string): Promise<number> {
  const wallet = (await accountsByOwner(db, 'person', [personId], 'wallet', COIN)).get(personId);
  return wallet ? available(wallet) : 0;
}

/** How many purchases a person made and how many coins they bought, refunded ones included, and how many were refunded. */
export async function purchaseTotals(db: Executor, personId: string) {
  const totals = await db
    .select({ status: creatorStorePurchases.status, n: count(), coins: sum(creatorStorePurchases.coins) })
    .from(creatorStorePurchases)
    .where(eq(creatorStorePurchases.personId, personId))
    .groupBy(creatorStorePurchases.status);
  const of = (status: Purchase['status']) => totals.find((t) => t.status === status);
  return {
    purchases: Number(of('credited')?.n ?? 0) + Number(of('refunded')?.n ?? 0),
    coinsBought: Number(of('credited')?.coins ?? 0) + Number(of('refunded')?.coins ?? 0),
    refunded: Number(of('refunded')?.n ?? 0),
  };
}
