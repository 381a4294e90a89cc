import { Type, type TSchema } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { ClientPlatforms } from '../../core/labels.ts';
import { Id, Nullable } from '../../core/schemas.ts';

const Store = Type.Union([Type.Literal('apple'), Type.Literal('google')]);
const Platform = Nullable(ClientPlatforms.schema);
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
  streamerRated: 'creators.streamer_rated',
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
  videoAdded: 'creators.video_added',
  videoRemoved: 'creators.video_removed',
  productSaved: 'creators.product_saved',
  purchaseCredited: 'creators.purchase_credited',
  purchaseRefunded: 'creators.purchase_refunded',
  purchaseRefundReversed: 'creators.purchase_refund_reversed',
  storeNotificationRecorded: 'creators.store_notification_recorded',
  greetingSaved: 'creators.greeting_saved',
  greetingRemoved: 'creators.greeting_removed',
  tariffSaved: 'creators.tariff_saved',
} as const;

export const creatorEvents = defineEvents({
  [CreatorEvents.userSignedUp]: {
    title: { en: 'Signed up', ru: 'Регистрация в приложении' },
    summary: { en: '{subject} signed up in the app ({payload.platform:platform})', ru: '{subject} регистрируется в приложении ({payload.platform:platform})' },
    description: 'A person signed up in the app as a user (platform).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ platform: Platform }),
  },
  [CreatorEvents.streamerRegistered]: {
    title: { en: 'Streamer registered', ru: 'Стример зарегистрирован' },
    summary: {
      en: '{actor} registered {subject} as a streamer (agency: {payload.agencyId})',
      ru: '{actor} регистрирует стримера {subject} (агентство: {payload.agencyId})',
    },
    refs: { agencyId: 'organization' },
    description: 'A person became a streamer, with or without an agency.',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ agencyId: Nullable(Id) }),
  },
  [CreatorEvents.streamerAgencyChanged]: {
    title: { en: 'Agency changed', ru: 'Смена агентства' },
    summary: { en: '{actor} moved {subject} from {payload.from} to {payload.to}', ru: '{actor} переводит {subject}: {payload.from} → {payload.to}' },
    refs: { from: 'organization', to: 'organization' },
    description: 'A streamer joined, left or changed agency (from, to).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ from: Nullable(Id), to: Nullable(Id) }),
  },
  [CreatorEvents.streamerSuspended]: {
    title: { en: 'Streamer suspended', ru: 'Стример приостановлен' },
    summary: { en: '{actor} suspended {subject}: {payload.reason}', ru: '{actor} приостанавливает стримера {subject}: {payload.reason}' },
    description: 'A streamer was suspended, with a reason (by staff or by a penalty rule).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ reason: Type.String() }),
  },
  [CreatorEvents.streamerReinstated]: {
    title: { en: 'Streamer reinstated', ru: 'Стример восстановлен' },
    summary: { en: '{actor} reinstated {subject}', ru: '{actor} восстанавливает стримера {subject}' },
    description: 'A suspended streamer may stream again.',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({}),
  },
  [CreatorEvents.streamerRated]: {
    title: { en: 'Rating changed', ru: 'Рейтинг изменён' },
    summary: {
      en: '{actor} changed the rating of {subject} from {payload.from} to {payload.to}',
      ru: '{actor} меняет рейтинг {subject}: {payload.from} → {payload.to}',
    },
    description: "A streamer's rating changed (from, to), which the gallery ranks by.",
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ from: Type.Integer(), to: Type.Integer() }),
  },
  [CreatorEvents.favoriteAdded]: {
    title: { en: 'Added to favorites', ru: 'Добавлен в избранное' },
    summary: { en: '{payload.personId} added {subject} to their favorites', ru: '{payload.personId} добавляет в избранное: {subject}' },
    refs: { personId: 'person' },
    description: 'Someone added the subject to their favorites (payload: who).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ personId: Id }),
  },
  [CreatorEvents.favoriteRemoved]: {
    title: { en: 'Removed from favorites', ru: 'Удалён из избранного' },
    summary: { en: '{payload.personId} removed {subject} from their favorites', ru: '{payload.personId} убирает из избранного: {subject}' },
    refs: { personId: 'person' },
    description: 'Someone removed the subject from their favorites.',
    permission: 'creators.read',
    payload: Type.Object({ personId: Id }),
  },
  // Never sent to the blocked person: they are not told.
  [CreatorEvents.memberBlocked]: {
    title: { en: 'Blocked by a member', ru: 'Заблокирован участником' },
    summary: {
      en: '{payload.blockerId} blocked {subject} for {payload.reason:block_reason}',
      ru: '{payload.blockerId} блокирует {subject}: {payload.reason:block_reason}',
    },
    refs: { blockerId: 'person' },
    description: 'A member blocked the subject, with a reason.',
    permission: 'creators.read',
    payload: Type.Object({ blockerId: Id, reason: Type.String(), note: Nullable(Type.String()) }),
  },
  [CreatorEvents.memberUnblocked]: {
    title: { en: 'Unblocked by a member', ru: 'Разблокирован участником' },
    summary: { en: '{payload.blockerId} unblocked {subject}', ru: '{payload.blockerId} разблокирует {subject}' },
    refs: { blockerId: 'person' },
    description: 'A member took the subject off their blocklist.',
    permission: 'creators.read',
    payload: Type.Object({ blockerId: Id }),
  },
  [CreatorEvents.penaltyApplied]: {
    title: { en: 'Penalty applied', ru: 'Применена санкция' },
    summary: {
      en: '{subject}: {payload.action:penalty_action} after {payload.blockers} blocks for {payload.reason:block_reason} within {payload.windowDays} days',
      ru: '{subject}: {payload.action:penalty_action} — блокировок за «{payload.reason:block_reason}»: {payload.blockers} за {payload.windowDays} дн.',
    },
    description: 'A penalty rule fired for the subject (suspension or block), and a moderation item was raised.',
    permission: 'creators.read',
    payload: Type.Object({ ruleId: Id, firingId: Id, reason: Type.String(), action: Type.String(), blockers: Type.Integer(), windowDays: Type.Integer() }),
  },
  [CreatorEvents.penaltyRuleSaved]: {
    title: { en: 'Penalty rule saved', ru: 'Правило санкций сохранено' },
    summary: { en: '{actor} saved a penalty rule', ru: '{actor} сохраняет правило санкций' },
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
    title: { en: 'Gift saved', ru: 'Подарок сохранён' },
    summary: { en: '{actor} saved the gift {payload.giftId}', ru: '{actor} сохраняет подарок {payload.giftId}' },
    refs: { giftId: 'gift' },
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
    title: { en: 'Photo chosen', ru: 'Выбрано фото' },
    summary: { en: '{actor} changed the {payload.slot:photo_slot} photo of {subject}', ru: '{actor} меняет фото ({payload.slot:photo_slot}): {subject}' },
    description: 'The subject’s cover or profile photo was chosen or cleared (slot, file id).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ slot: Type.Union([Type.Literal('cover'), Type.Literal('profile')]), fileId: Nullable(Id) }),
  },
  [CreatorEvents.videoAdded]: {
    title: { en: 'Roulette video added', ru: 'Видео для рулетки добавлено' },
    summary: { en: '{actor} offered a video of {subject} to roulette', ru: '{actor} предлагает видео для рулетки: {subject}' },
    description: 'The subject (a streamer) offered one of their videos to roulette; it plays once approved (file id).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ fileId: Id }),
  },
  [CreatorEvents.videoRemoved]: {
    title: { en: 'Roulette video removed', ru: 'Видео для рулетки убрано' },
    summary: { en: '{actor} took a video of {subject} out of roulette', ru: '{actor} убирает видео из рулетки: {subject}' },
    description: 'The subject’s video no longer plays in roulette (file id).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ fileId: Id }),
  },
  [CreatorEvents.giftBurst]: {
    title: { en: 'Gifts', ru: 'Подарки' },
    summary: { en: '{payload.senderId} started sending gifts to {subject}', ru: '{payload.senderId} начинает дарить подарки: {subject}' },
    refs: { senderId: 'person' },
    description:
      'A member started sending the subject (a streamer) gifts: the top-level event their `creators.gift_sent` events within a minute of each other belong to.',
    permission: 'creators.read',
    payload: Type.Object({ senderId: Id }),
  },
  [CreatorEvents.giftSent]: {
    title: { en: 'Gift sent', ru: 'Подарок отправлен' },
    summary: {
      en: '{payload.senderId} sent a gift ({payload.giftName}, {payload.price:money}) to {subject}',
      ru: '{payload.senderId} дарит подарок ({payload.giftName}, {payload.price:money}): {subject}',
    },
    refs: { senderId: 'person', giftId: 'gift' },
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
    title: { en: 'Coin pack saved', ru: 'Пакет монет сохранён' },
    summary: { en: '{actor} saved a coin pack of the store', ru: '{actor} сохраняет пакет монет магазина' },
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
    title: { en: 'Purchase credited', ru: 'Покупка зачислена' },
    summary: {
      en: '{subject} bought {payload.productName} ({payload.coins:money}) in {payload.store:store}',
      ru: '{subject} покупает {payload.productName} ({payload.coins:money}) в {payload.store:store}',
    },
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
    title: { en: 'Purchase refunded', ru: 'Покупка возвращена' },
    summary: {
      en: '{payload.store:store} refunded a purchase of {subject}: {payload.coins:money} taken back',
      ru: '{payload.store:store} возвращает покупку, списано {payload.coins:money}: {subject}',
    },
    description:
      'The store refunded or revoked a purchase and its coins were taken back from the subject’s wallet (how far below zero that took it, if the coins were spent).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ purchaseId: Id, store: Store, coins: Type.Integer(), reason: Type.String(), overdrawnBy: Type.Integer() }),
  },
  [CreatorEvents.purchaseRefundReversed]: {
    title: { en: 'Refund reversed', ru: 'Возврат отменён' },
    summary: {
      en: '{payload.store:store} reversed the refund of a purchase of {subject}: {payload.coins:money} credited again',
      ru: '{payload.store:store} отменяет возврат покупки, снова зачислено {payload.coins:money}: {subject}',
    },
    description: 'The store reversed its refund of a purchase (App Store REFUND_REVERSED): the coins were credited to the subject’s wallet again.',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ purchaseId: Id, store: Store, coins: Type.Integer(), reason: Type.String(), transferId: Id, refundTransferId: Nullable(Id) }),
  },
  [CreatorEvents.storeNotificationRecorded]: {
    title: { en: 'Store notification', ru: 'Уведомление магазина' },
    summary: { en: '{payload.store:store} sent {payload.type}: {payload.outcome}', ru: '{payload.store:store} присылает {payload.type}: {payload.outcome}' },
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
  [CreatorEvents.greetingSaved]: {
    title: { en: 'Greeting added', ru: 'Приветствие добавлено' },
    summary: { en: '{subject} added a greeting: {payload.text}', ru: '{subject} добавляет приветствие: {payload.text}' },
    description: 'A streamer added a greeting template (the first message of conversations the auto-start rule opens).',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ greetingId: Id, text: Type.String() }),
  },
  [CreatorEvents.greetingRemoved]: {
    title: { en: 'Greeting removed', ru: 'Приветствие удалено' },
    summary: { en: '{subject} removed a greeting', ru: '{subject} удаляет приветствие' },
    description: 'A streamer removed one of their greeting templates.',
    permission: 'creators.read',
    toSubject: true,
    payload: Type.Object({ greetingId: Id }),
  },
  [CreatorEvents.tariffSaved]: {
    title: { en: 'Tariff changed', ru: 'Тариф изменён' },
    summary: {
      en: '{actor} made version {payload.version} of the {payload.callKind:call_kind} tariff',
      ru: '{actor} создаёт версию {payload.version} тарифа «{payload.callKind:call_kind}»',
    },
    description: 'A new version of a call tariff: calls that connect from its time on are billed by it.',
    permission: 'creators.read',
    payload: Type.Object({ tariffId: Id, callKind: Type.String(), version: Type.Integer(), effectiveFrom: Type.String({ format: 'date-time' }) }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof creatorEvents> {}
}

export const creatorEventTypes = eventTypeList(creatorEvents);
