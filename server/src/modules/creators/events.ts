import type { EventTypeDef } from '../../core/events/types.ts';

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

export const creatorEventTypes: EventTypeDef[] = [
  { type: CreatorEvents.userSignedUp, description: 'A person signed up in the app as a user (platform).', permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.streamerRegistered, description: 'A person became a streamer, with or without an agency.', permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.streamerAgencyChanged, description: "A streamer joined, left or changed agency (from, to).", permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.streamerSuspended, description: 'A streamer was suspended, with a reason (by staff or by a penalty rule).', permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.streamerReinstated, description: 'A suspended streamer may stream again.', permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.favoriteAdded, description: 'Someone added the subject to their favorites (payload: who).', permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.favoriteRemoved, description: 'Someone removed the subject from their favorites.', permission: 'creators.read' },
  // Never sent to the blocked person: they are not told.
  { type: CreatorEvents.memberBlocked, description: 'A member blocked the subject, with a reason.', permission: 'creators.read' },
  { type: CreatorEvents.memberUnblocked, description: 'A member took the subject off their blocklist.', permission: 'creators.read' },
  { type: CreatorEvents.penaltyApplied, description: 'A penalty rule fired for the subject (suspension or block), and a moderation item was raised.', permission: 'creators.read' },
  { type: CreatorEvents.penaltyRuleSaved, description: 'A penalty rule was created or changed.', permission: 'creators.read' },
  { type: CreatorEvents.giftSaved, description: 'A gift of the catalog was added or changed.', permission: 'creators.read' },
  { type: CreatorEvents.photoChosen, description: 'The subject’s cover or profile photo was chosen or cleared (slot, file id).', permission: 'creators.read', toSubject: true },
  {
    type: CreatorEvents.giftBurst,
    description: 'A member started sending the subject (a streamer) gifts: the top-level event their `creators.gift_sent` events within a minute of each other belong to.',
    permission: 'creators.read',
  },
  { type: CreatorEvents.giftSent, description: 'A member sent the subject (a streamer) a gift: price and how it was split. Streams live to the console and to the streamer.', permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.productSaved, description: 'A coin pack of the store catalog was added or changed (coins, prices per store, on offer).', permission: 'creators.read' },
  {
    type: CreatorEvents.purchaseCredited,
    description: 'A verified App Store or Google Play purchase credited the subject’s wallet with its coins (store, product, coins). Also sent to the subject’s app.',
    permission: 'creators.read',
    toSubject: true,
  },
  {
    type: CreatorEvents.purchaseRefunded,
    description: 'The store refunded or revoked a purchase and its coins were taken back from the subject’s wallet (how far below zero that took it, if the coins were spent).',
    permission: 'creators.read',
    toSubject: true,
  },
  {
    type: CreatorEvents.purchaseRefundReversed,
    description: 'The store reversed its refund of a purchase (App Store REFUND_REVERSED): the coins were credited to the subject’s wallet again.',
    permission: 'creators.read',
    toSubject: true,
  },
  {
    type: CreatorEvents.storeNotificationRecorded,
    description:
      'A store server notification was recorded without moving coins (outcome: ignored, already_refunded, unknown_transaction — a refund remembered for a transaction not yet delivered —, refund_reversed clearing such a refund, not_refunded). Subject: the purchase’s buyer, when known.',
    permission: 'creators.read',
  },
];
