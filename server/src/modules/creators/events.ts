import { Type, type TSchema } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable } from '../../core/schemas.ts';

const Store = Type.Union([Type.Literal('apple'), Type.Literal('google')]);
const Platform = Nullable(Type.Union([Type.Literal('ios'), Type.Literal('android'), Type.Literal('web')]));
/** A saved catalog entry's event carries its id and the fields given (all of them on creation, the edited ones after). */
const Saved = (idField: string, fields: Record<string, TSchema>) =>
  Type.Object({ [idField]: Id, ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])) });

export const CreatorEvents = {
  /** The ads module subscribes to it: the name is a contract. */
  userSignedUp: 'user.signed_up',
  streamerRegistered: 'creators.streamer_registered',
  streamerAgencyChanged: 'creators.streamer_agency_changed',
  streamerSuspended: 'creators.streamer_suspended',
  streamerReinstated: 'creators.streamer_reinstated',
  favoriteAdded: 'creators.favorite_added',
  favoriteRemoved: 'creators.favorite_removed',
  memberBlocked: 'creators.member_blocked',
  memberUnblocked: 'creators.member_unblocked',
  penaltyApplied: 'creators.penalty_applied',
  penaltyRuleSaved: 'creators.penalty_rule_saved',
  giftSaved: 'creators.gift_saved',
  giftSent: 'creators.gift_sent',
  giftBurst: 'creators.gift_burst',
  photoChosen: 'creators.photo_chosen',
  productSaved: 'creators.product_saved',
  purchaseCredited: 'creators.purchase_credited',
  purchaseRefunded: 'creators.purchase_refunded',
  purchaseRefundReversed: 'creators.purchase_refund_reversed',
  storeNotificationRecorded: 'creators.store_notification_recorded',
} as const;

export const creatorEvents = defineEvents({
  [CreatorEvents.userSignedUp]: {
    description: 'A person signed up in the app as a user (platform).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ platform: Platform }),
  },
  [CreatorEvents.streamerRegistered]: {
    description: 'A person became a streamer, with or without an agency.',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ agencyId: Nullable(Id) }),
  },
  [CreatorEvents.streamerAgencyChanged]: {
    description: 'A streamer joined, left or changed agency (from, to).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ from: Nullable(Id), to: Nullable(Id) }),
  },
  [CreatorEvents.streamerSuspended]: {
    description: 'A streamer was suspended, with a reason (by staff or by a penalty rule).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ reason: Type.String() }),
  },
  [CreatorEvents.streamerReinstated]: {
    description: 'A suspended streamer may stream again.',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({}),
  },
  [CreatorEvents.favoriteAdded]: {
    description: 'Someone added the subject to their favorites (payload: who).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ personId: Id }),
  },
  [CreatorEvents.favoriteRemoved]: {
    description: 'Someone removed the subject from their favorites.',
    permission: 'creators.read',
    payload: Type.Object({ personId: Id }),
  },
  // Never sent to the blocked person: they are not told.
  [CreatorEvents.memberBlocked]: {
    description: 'A member blocked the subject, with a reason.',
    permission: 'creators.read',
    payload: Type.Object({ blockerId: Id, reason: Type.String(), note: Nullable(Type.String()) }),
  },
  [CreatorEvents.memberUnblocked]: {
    description: 'A member took the subject off their blocklist.',
    permission: 'creators.read',
    payload: Type.Object({ blockerId: Id }),
  },
  [CreatorEvents.penaltyApplied]: {
    description: 'A penalty rule fired for the subject (suspension or block), and a moderation item was raised.',
    permission: 'creators.read',
    payload: Type.Object({ ruleId: Id, firingId: Id, reason: Type.String(), action: Type.String(), blockers: Type.Integer(), windowDays: Type.Integer() }),
  },
  [CreatorEvents.penaltyRuleSaved]: {
    description: 'A penalty rule was created or changed.',
    permission: 'creators.read',
    payload: Saved('ruleId', {
      reason: Type.String(),
      targetRole: Type.String(),
      blockerRole: Type.String(),
      threshold: Type.Integer(),
      windowDays: Type.Integer(),
      action: Type.String(),
      blockReason: Nullable(Type.String()),
      active: Type.Boolean(),
    }),
  },
  [CreatorEvents.giftSaved]: {
    description: 'A gift of the catalog was added or changed.',
    permission: 'creators.read',
    payload: Saved('giftId', {
      name: Type.String(),
      price: Type.Integer(),
      imageFileId: Nullable(Id),
      streamerShareBp: Type.Integer(),
      agencyShareBp: Type.Integer(),
      active: Type.Boolean(),
      sort: Type.Integer(),
    }),
  },
  [CreatorEvents.photoChosen]: {
    description: 'The subject’s cover or profile photo was chosen or cleared (slot, file id).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ slot: Type.Union([Type.Literal('cover'), Type.Literal('profile')]), fileId: Nullable(Id) }),
  },
  [CreatorEvents.giftBurst]: {
    description:
      'A member started sending the subject (a streamer) gifts: the top-level event their `creators.gift_sent` events within a minute of each other belong to.',
    permission: 'creators.read',
    payload: Type.Object({ senderId: Id }),
  },
  [CreatorEvents.giftSent]: {
    description: 'A member sent the subject (a streamer) a gift: price and how it was split. Streams live to the console and to the streamer.',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({
      sendId: Id,
      giftId: Id,
      giftName: Type.String(),
      price: Type.Integer(),
      senderId: Id,
      streamerAmount: Type.Integer(),
      agencyAmount: Type.Integer(),
    }),
  },
  [CreatorEvents.productSaved]: {
    description: 'A coin pack of the store catalog was added or changed (coins, prices per store, on offer).',
    permission: 'creators.read',
    payload: Saved('productId', {
      name: Type.String(),
      coins: Type.Integer(),
      active: Type.Boolean(),
      sort: Type.Integer(),
      prices: Type.Array(Type.Object({ store: Store, storeProductId: Type.String() })),
    }),
  },
  [CreatorEvents.purchaseCredited]: {
    description:
      'A verified App Store or Google Play purchase credited the subject’s wallet with its coins (store, product, coins). Also sent to the subject’s app.',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({
      purchaseId: Id,
      store: Store,
      productId: Id,
      productName: Type.String(),
      storeProductId: Type.String(),
      quantity: Type.Integer(),
      coins: Type.Integer(),
      environment: Type.String(),
    }),
  },
  [CreatorEvents.purchaseRefunded]: {
    description:
      'The store refunded or revoked a purchase and its coins were taken back from the subject’s wallet (how far below zero that took it, if the coins were spent).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ purchaseId: Id, store: Store, coins: Type.Integer(), reason: Type.String(), overdrawnBy: Type.Integer() }),
  },
  [CreatorEvents.purchaseRefundReversed]: {
    description: 'The store reversed its refund of a purchase (App Store REFUND_REVERSED): the coins were credited to the subject’s wallet again.',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ purchaseId: Id, store: Store, coins: Type.Integer(), reason: Type.String(), transferId: Id, refundTransferId: Nullable(Id) }),
  },
  [CreatorEvents.storeNotificationRecorded]: {
    description:
      'A store server notification was recorded without moving coins (outcome: ignored, already_refunded, unknown_transaction — a refund remembered for a transaction not yet delivered —, refund_reversed clearing such a refund, not_refunded). Subject: the purchase’s buyer, when known.',
    permission: 'creators.read',
    payload: Type.Object({
      store: Store,
      notificationId: Type.String(),
      type: Type.String(),
      subtype: Nullable(Type.String()),
      transactionId: Nullable(Type.String()),
      outcome: Type.String(),
      purchaseId: Nullable(Id),
    }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof creatorEvents> {}
}

export const creatorEventTypes = eventTypeList(creatorEvents);
