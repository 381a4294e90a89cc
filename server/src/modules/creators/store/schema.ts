import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const STORES = ['apple', 'google'] as const;
export type Store = (typeof STORES)[number];

/** A coin pack sold in the app stores: what one purchase of it credits. */
export const creatorStoreProducts = pgTable(
  'creator_store_products',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    coins: integer('coins').notNull(),
    /** Off offer: the apps stop listing it, but a purchase of it that arrives late is still credited. */
    active: boolean('active').notNull().default(true),
    sort: integer('sort').notNull().default(0),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [check('creator_store_products_coins_positive', sql`${t.coins} > 0`)],
);

/**
 * A pack's product id in one store and the price shown beside it in the console and the app (minor
 * units of `currency`). The store charges its own price per storefront; this one is for display.
 */
export const creatorStorePrices = pgTable(
  'creator_store_prices',
  {
    productId: uuid('product_id')
      .notNull()
      .references(() => creatorStoreProducts.id),
    store: text('store', { enum: STORES }).notNull(),
    storeProductId: text('store_product_id').notNull(),
    price: integer('price').notNull(),
    currency: text('currency').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.store] }),
    // A purchase names the store's product id: it must lead to one pack.
    uniqueIndex('creator_store_prices_store_product_key').on(t.store, t.storeProductId),
    check('creator_store_prices_price_non_negative', sql`${t.price} >= 0`),
    check('creator_store_prices_currency_code', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

/**
 * Each member's app-account token: a random UUID the app hands the store with every purchase (StoreKit's
 * `appAccountToken`, Play's obfuscated account id). The store signs it into the transaction, so a
 * transaction bought from one account cannot be credited to another. Not the person id: the stores never
 * learn our ids.
 */
export const creatorStoreAccounts = pgTable('creator_store_accounts', {
  personId: uuid('person_id').primaryKey(),
  accountToken: uuid('account_token').notNull().unique('creator_store_accounts_token_key'),
  createdAt: timestamptz('created_at').notNull(),
});

/**
 * A verified store purchase, credited once: (store, transaction id) is unique, so however often and from
 * however many devices a purchase is delivered, one row and one ledger credit exist.
 */
export const creatorStorePurchases = pgTable(
  'creator_store_purchases',
  {
    id: uuid('id').primaryKey(),
    personId: uuid('person_id').notNull(),
    store: text('store', { enum: STORES }).notNull(),
    /** Apple's `transactionId`; Google's purchase token (Google's own unique key for a purchase). */
    transactionId: text('transaction_id').notNull(),
    /** Google's order id (`GPA.…`, absent for some test purchases); null for Apple, which signs no order id into a transaction. */
    orderId: text('order_id'),
    /** Apple's `originalTransactionId` (for a consumable, its own transactionId); null for Google. */
    originalTransactionId: text('original_transaction_id'),
    productId: uuid('product_id')
      .notNull()
      .references(() => creatorStoreProducts.id),
    storeProductId: text('store_product_id').notNull(),
    quantity: integer('quantity').notNull(),
    /** The pack's coins times the quantity, at the time of the purchase. */
    coins: integer('coins').notNull(),
    environment: text('environment', { enum: ['production', 'sandbox'] }).notNull(),
    status: text('status', { enum: ['credited', 'refunded'] }).notNull().default('credited'),
    purchasedAt: timestamptz('purchased_at').notNull(),
    creditedAt: timestamptz('credited_at').notNull(),
    creditTransferId: uuid('credit_transfer_id').notNull(),
    refundedAt: timestamptz('refunded_at'),
    /** The store's reason (Apple's `revocationReason`, the notification type). */
    refundReason: text('refund_reason'),
    refundTransferId: uuid('refund_transfer_id'),
    /** Coins the wallet lacked when the refund came (they had been spent): how far it took the wallet below zero. */
    refundOverdraft: integer('refund_overdraft'),
  },
  (t) => [
    uniqueIndex('creator_store_purchases_transaction_key').on(t.store, t.transactionId),
    index('creator_store_purchases_person_idx').on(t.personId, t.creditedAt, t.id),
    index('creator_store_purchases_credited_idx').on(t.creditedAt, t.id),
    check('creator_store_purchases_coins_positive', sql`${t.coins} > 0 AND ${t.quantity} > 0`),
  ],
);

/**
 * Store server notifications received (today App Store Server Notifications V2), one row per
 * notification id: a redelivery finds its row and changes nothing. A refund for a transaction never
 * delivered to us is kept too, so that transaction is refused if it turns up later.
 */
export const creatorStoreNotifications = pgTable(
  'creator_store_notifications',
  {
    store: text('store', { enum: STORES }).notNull(),
    /** Apple's `notificationUUID`. */
    id: text('id').notNull(),
    type: text('type').notNull(),
    subtype: text('subtype'),
    transactionId: text('transaction_id'),
    purchaseId: uuid('purchase_id'),
    /**
     * What it did: `refunded`, `already_refunded`, `unknown_transaction` (a refund of a transaction never
     * delivered: refused if it arrives), `refund_reversed` (coins given back, or such a remembered refund
     * cleared), `not_refunded` (a reversal with nothing to reverse), `ignored`.
     */
    outcome: text('outcome', { enum: ['refunded', 'already_refunded', 'unknown_transaction', 'refund_reversed', 'not_refunded', 'ignored'] }).notNull(),
    signedAt: timestamptz('signed_at'),
    receivedAt: timestamptz('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.store, t.id] }), index('creator_store_notifications_transaction_idx').on(t.store, t.transactionId)],
);
