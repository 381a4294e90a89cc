import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { TariffSide } from './tariffs/schedule.ts';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A person who streams: at most one agency at a time (an organization of kind `agency`), with the
 * history in `creator_streamer_agencies`. Suspension here stops them streaming; blocking the person
 * (people module) shuts them out altogether.
 */
export const creatorStreamers = pgTable(
  'creator_streamers',
  {
    personId: uuid('person_id').primaryKey(),
    agencyId: uuid('agency_id'),
    status: text('status', { enum: ['active', 'suspended'] })
      .notNull()
      .default('active'),
    suspendedReason: text('suspended_reason'),
    rating: integer('rating').notNull().default(0),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [index('creator_streamers_agency_idx').on(t.agencyId, t.personId)],
);

/** Which agency a streamer belonged to, when: one open row (no `left_at`) per streamer with an agency. */
export const creatorStreamerAgencies = pgTable(
  'creator_streamer_agencies',
  {
    id: uuid('id').primaryKey(),
    personId: uuid('person_id').notNull(),
    agencyId: uuid('agency_id').notNull(),
    joinedAt: timestamptz('joined_at').notNull(),
    leftAt: timestamptz('left_at'),
  },
  (t) => [
    index('creator_streamer_agencies_person_idx').on(t.personId, t.joinedAt),
    uniqueIndex('creator_streamer_agencies_open_key')
      .on(t.personId)
      .where(sql`${t.leftAt} IS NULL`),
  ],
);

/** A person who signed up in the app as a user (the ones who buy coins, call and send gifts). */
export const creatorUsers = pgTable('creator_users', {
  personId: uuid('person_id').primaryKey(),
  platform: text('platform', { enum: ['ios', 'android', 'web'] }),
  signedUpAt: timestamptz('signed_up_at').notNull(),
});

/** A member's favorites; followers are the other direction. */
export const creatorFavorites = pgTable(
  'creator_favorites',
  {
    personId: uuid('person_id').notNull(),
    targetId: uuid('target_id').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.targetId] }), index('creator_favorites_target_idx').on(t.targetId, t.createdAt)],
);

export const BLOCK_REASONS = ['nudity', 'harassment', 'spam', 'other'] as const;

/** A member's blocklist: the blocked person disappears from the blocker's feed, chats, calls and gifts. */
export const creatorBlocks = pgTable(
  'creator_blocks',
  {
    blockerId: uuid('blocker_id').notNull(),
    blockedId: uuid('blocked_id').notNull(),
    reason: text('reason', { enum: BLOCK_REASONS }).notNull(),
    note: text('note'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.blockerId, t.blockedId] }), index('creator_blocks_blocked_idx').on(t.blockedId, t.reason, t.createdAt)],
);

/**
 * Penalties as data: when `threshold` distinct members of `blockerRole` block a `targetRole` for
 * `reason` within `windowDays`, the action is taken (a streamer suspended, or the person blocked with
 * `blockReason`) and a moderation item is raised for a human to confirm or lift it.
 */
export const creatorPenaltyRules = pgTable('creator_penalty_rules', {
  id: uuid('id').primaryKey(),
  reason: text('reason', { enum: BLOCK_REASONS }).notNull(),
  targetRole: text('target_role', { enum: ['streamer', 'user'] }).notNull(),
  blockerRole: text('blocker_role', { enum: ['streamer', 'user', 'anyone'] }).notNull(),
  threshold: integer('threshold').notNull(),
  windowDays: integer('window_days').notNull(),
  action: text('action', { enum: ['suspend_streamer', 'block_person'] }).notNull(),
  /** The people module's block reason key, for `block_person`. */
  blockReason: text('block_reason'),
  active: boolean('active').notNull().default(true),
  createdAt: timestamptz('created_at').notNull(),
});

/** Each time a rule fired for a person; one open firing per (rule, person), closed when staff lift the penalty. */
export const creatorPenaltyFirings = pgTable(
  'creator_penalty_firings',
  {
    id: uuid('id').primaryKey(),
    ruleId: uuid('rule_id').notNull(),
    personId: uuid('person_id').notNull(),
    blockers: integer('blockers').notNull(),
    firedAt: timestamptz('fired_at').notNull(),
    liftedAt: timestamptz('lifted_at'),
  },
  (t) => [
    uniqueIndex('creator_penalty_firings_open_key')
      .on(t.ruleId, t.personId)
      .where(sql`${t.liftedAt} IS NULL`),
  ],
);

/** The gift catalog: a price in coins, and the shares (basis points) that go to the streamer and their agency. */
export const creatorGifts = pgTable(
  'creator_gifts',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    price: integer('price').notNull(),
    streamerShareBp: integer('streamer_share_bp').notNull(),
    agencyShareBp: integer('agency_share_bp').notNull(),
    active: boolean('active').notNull().default(true),
    /** A file of kind `photo` owned by the platform (files module), shown in the app's gift picker. */
    imageFileId: uuid('image_file_id'),
    sort: integer('sort').notNull().default(0),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    check('creator_gifts_price_positive', sql`${t.price} > 0`),
    check('creator_gifts_shares', sql`${t.streamerShareBp} >= 0 AND ${t.agencyShareBp} >= 0 AND ${t.streamerShareBp} + ${t.agencyShareBp} <= 10000`),
  ],
);

/** Each gift sent, with how its price was split (the ledger batch holds the money; this, the story). */
export const creatorGiftSends = pgTable(
  'creator_gift_sends',
  {
    id: uuid('id').primaryKey(),
    giftId: uuid('gift_id').notNull(),
    giftName: text('gift_name').notNull(),
    senderId: uuid('sender_id').notNull(),
    receiverId: uuid('receiver_id').notNull(),
    agencyId: uuid('agency_id'),
    price: integer('price').notNull(),
    streamerAmount: integer('streamer_amount').notNull(),
    agencyAmount: integer('agency_amount').notNull(),
    platformAmount: integer('platform_amount').notNull(),
    /** The top-level `creators.gift_burst` event this send belongs to (gifts from one sender to one streamer in quick succession). */
    burstEventId: bigint('burst_event_id', { mode: 'number' }),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    index('creator_gift_sends_receiver_idx').on(t.receiverId, t.createdAt, t.id),
    index('creator_gift_sends_sender_idx').on(t.senderId, t.createdAt, t.id),
  ],
);

/**
 * Which of a member's approved photos (files of kind `photo`) the app shows as their cover and profile
 * picture. Resolved through the files service keeping only approved, existing files, so a photo rejected or deleted
 * later stops showing at once without touching this row.
 */
export const creatorGalleries = pgTable('creator_galleries', {
  personId: uuid('person_id').primaryKey(),
  coverFileId: uuid('cover_file_id'),
  profileFileId: uuid('profile_file_id'),
  updatedAt: timestamptz('updated_at').notNull(),
});

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
    status: text('status', { enum: ['credited', 'refunded'] })
      .notNull()
      .default('credited'),
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

/** A streamer's greeting templates: the first message of a conversation the auto-start rule opens for them. */
export const creatorGreetings = pgTable(
  'creator_greetings',
  {
    id: uuid('id').primaryKey(),
    streamerId: uuid('streamer_id').notNull(),
    text: text('text').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('creator_greetings_streamer_idx').on(t.streamerId, t.createdAt)],
);

/** The kinds of call a tariff prices (a list that may grow). */
export const CALL_KINDS = ['direct', 'roulette', 'prerecorded'] as const;

/**
 * One version of a call kind's tariff: what the caller pays and the streamer earns at connect and at each
 * checkpoint, the agency's share of each payment, and from when it is in force. Editing a tariff adds a
 * version; a call is billed by the version in force when it connected.
 */
export const creatorTariffs = pgTable(
  'creator_tariffs',
  {
    id: uuid('id').primaryKey(),
    callKind: text('call_kind', { enum: CALL_KINDS }).notNull(),
    version: integer('version').notNull(),
    effectiveFrom: timestamptz('effective_from').notNull(),
    caller: jsonb('caller').$type<TariffSide>().notNull(),
    streamer: jsonb('streamer').$type<TariffSide>().notNull(),
    agencyShareBp: integer('agency_share_bp').notNull(),
    note: text('note'),
    createdBy: uuid('created_by'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('creator_tariffs_version_key').on(t.callKind, t.version),
    index('creator_tariffs_in_force_idx').on(t.callKind, t.effectiveFrom.desc()),
    check('creator_tariffs_agency_share', sql`${t.agencyShareBp} >= 0 AND ${t.agencyShareBp} <= 10000`),
  ],
);

/**
 * What two members did with each other, kept up to date from the events (messages, gifts, calls): one row
 * per pair, `person_a` < `person_b`. Roulette (no rematch) and the feed read it; staff see a person's top
 * counterparts.
 */
export const creatorInteractions = pgTable(
  'creator_interactions',
  {
    personA: uuid('person_a').notNull(),
    personB: uuid('person_b').notNull(),
    messages: integer('messages').notNull().default(0),
    gifts: integer('gifts').notNull().default(0),
    giftCoins: bigint('gift_coins', { mode: 'number' }).notNull().default(0),
    calls: integer('calls').notNull().default(0),
    callSeconds: bigint('call_seconds', { mode: 'number' }).notNull().default(0),
    callCoins: bigint('call_coins', { mode: 'number' }).notNull().default(0),
    lastAt: timestamptz('last_at').notNull(),
    /** Profile views each way (A of B's, B of A's), one per viewer per PROFILE_VIEW_GAP, and when each was last counted. */
    viewsByA: integer('views_by_a').notNull().default(0),
    viewsByB: integer('views_by_b').notNull().default(0),
    lastViewByA: timestamptz('last_view_by_a'),
    lastViewByB: timestamptz('last_view_by_b'),
    /** When roulette last paired them: written in the match's own transaction, so no rematch slips through a lag. */
    lastMatchedAt: timestamptz('last_matched_at'),
  },
  (t) => [
    primaryKey({ columns: [t.personA, t.personB] }),
    index('creator_interactions_b_idx').on(t.personB),
    check('creator_interactions_ordered', sql`${t.personA} < ${t.personB}`),
  ],
);

/**
 * The videos a streamer lets roulette show when no live streamer is free: their own files of kind `video`,
 * shown only while the files module has them approved (moderated in the `video` queue like photos).
 */
export const creatorVideos = pgTable(
  'creator_videos',
  {
    fileId: uuid('file_id').primaryKey(),
    personId: uuid('person_id').notNull(),
    addedAt: timestamptz('added_at').notNull(),
  },
  (t) => [index('creator_videos_person_idx').on(t.personId, t.addedAt)],
);
