import { Type } from '@sinclair/typebox';
import { defineModule, defineSubscriber } from '../../core/module.ts';
import { agencyRoutes } from './agencies/routes.ts';
import { seedCreatorsDemo } from './demo.ts';
import { startPresenceSimulator } from './presence-simulator.ts';
import { CoinTransferKinds } from './coins.ts';
import { CreatorEvents, creatorEventTypes } from './events.ts';
import { AUTOSTART_SETTING, autostartConversations, type AutostartRule } from './social/greetings.ts';
import { giftRefs } from './gifts/views.ts';
import { PhotoSlots } from './photos/views.ts';
import { giftRoutes } from './gifts/routes.ts';
import { photoRoutes } from './photos/routes.ts';
import { portalRoutes } from './portal/routes.ts';
import { STREAMER_RULES_SETTING } from './portal/service.ts';
import { decidePenalty } from './social/penalties.ts';
import { hiddenFrom } from './social/blocks.ts';
import { DIRECT_CHAT } from './social/chat.ts';
import { socialRoutes } from './social/routes.ts';
import { BlockReasons, PenaltyActions, penaltyPreview } from './social/views.ts';
import { storeRoutes } from './store/routes.ts';
import { tariffRoutes } from './tariffs/routes.ts';
import { interactionRoutes } from './interactions/routes.ts';
import { videoRoutes } from './videos/routes.ts';
import { recordInteraction } from './interactions/service.ts';
import { CallKinds } from './tariffs/views.ts';
import { PurchaseStatuses, Stores } from './store/views.ts';
import { StreamerStatuses } from './streamers/views.ts';
import { storeJobs } from './store/voided.ts';
import { streamerRoutes } from './streamers/routes.ts';
import { userRoutes } from './users/routes.ts';

/**
 * The back-office of a live-video dating app: agencies (organizations of kind `agency`), their
 * streamers, and the app's users, built on people, members, ledger and payouts.
 */
export const creatorsModule = defineModule({
  name: 'creators',
  label: { en: 'Creators', ru: 'Креаторы' },
  requires: ['people', 'members', 'files', 'chat', 'ledger', 'payouts'],
  permissions: [
    { key: 'creators.read', description: 'See agencies, streamers and app users with their balances and presence.' },
    { key: 'creators.manage', description: 'Create agencies, make people streamers, move them between agencies, suspend and reinstate them.' },
    { key: 'creators.store', description: 'Manage the coin packs sold in the App Store and Google Play and their prices.' },
    { key: 'creators.tariffs', description: 'Change the call tariffs: what callers pay and streamers earn by the second.' },
  ],
  roleGrants: { moderator: ['creators.read', 'creators.manage'], support: ['creators.read'] },
  events: creatorEventTypes,
  codes: [CallKinds, CoinTransferKinds, BlockReasons, PenaltyActions, Stores, PurchaseStatuses, StreamerStatuses, PhotoSlots],
  refs: [giftRefs],
  seedDemo: seedCreatorsDemo,
  onListen: startPresenceSimulator,
  jobs: storeJobs,
  conversationKinds: [
    {
      kind: DIRECT_CHAT,
      label: { en: 'Direct chat', ru: 'Личная переписка' },
      maxTextLength: 2000,
      memberToMember: true,
      hiddenFrom,
    },
  ],
  moderationKinds: [
    {
      kind: 'penalty',
      label: { en: 'Penalties', ru: 'Санкции' },
      description: 'Penalties applied by the blocklist rules: approve to keep the suspension or block, reject to lift it.',
      onDecision: (ctx, item, decision) => decidePenalty(ctx, item.recordId, decision),
      present: (kernel, item) => penaltyPreview(kernel.db, item.recordId),
    },
  ],
  // In this order, which is the order of the OpenAPI document's paths (and of the console's generated client).
  routes: async (app, kernel) => {
    await agencyRoutes(kernel)(app);
    await streamerRoutes(kernel)(app);
    await userRoutes(kernel)(app);
    await socialRoutes(kernel)(app);
    await giftRoutes(kernel)(app);
    await portalRoutes(kernel)(app);
    await photoRoutes(kernel)(app);
    await storeRoutes(kernel)(app);
    await tariffRoutes(kernel)(app);
    await interactionRoutes(kernel)(app);
    await videoRoutes(kernel)(app);
  },
  subscribers: [
    // calls.ended is the calls module's (when it is enabled): the type is only a name here.
    defineSubscriber({ name: 'creators.interactions', types: ['chat.message_sent', 'creators.gift_sent', 'calls.ended'], handle: recordInteraction }),
    defineSubscriber({
      name: 'creators.chat-autostart',
      types: [CreatorEvents.userSignedUp],
      handle: async (event, ctx) => {
        await autostartConversations(ctx, event.subjectId!, ctx.kernel.settings.get<AutostartRule>(AUTOSTART_SETTING));
      },
    }),
  ],
  settings: [
    {
      key: AUTOSTART_SETTING,
      label: { en: 'Conversations on sign-up', ru: 'Переписки при регистрации' },
      description: {
        en: 'How many online streamers greet each new user: each opens a conversation with one of their greetings (best rated first; none who are blocked either way).',
        ru: 'Сколько стримеров в сети приветствуют нового пользователя: каждый начинает переписку одним из своих приветствий (сначала с лучшим рейтингом; без заблокированных в любую сторону).',
      },
      schema: Type.Object(
        { streamers: Type.Integer({ minimum: 0, maximum: 10, 'x-label': { en: 'Streamers who greet', ru: 'Сколько стримеров приветствуют' } }) },
        { additionalProperties: false },
      ),
      default: { streamers: 3 } satisfies AutostartRule,
    },
    {
      key: STREAMER_RULES_SETTING,
      label: { en: 'Streamer rules', ru: 'Правила для стримеров' },
      description: {
        en: 'The rules for streamers, shown in the streamer portal (plain text or Markdown).',
        ru: 'Правила для стримеров, которые показывает портал стримера (простой текст или Markdown).',
      },
      schema: Type.String({ maxLength: 20000, 'x-multiline': true }),
      default: '',
    },
  ],
  navGroups: [{ key: 'creators', label: 'nav.group.creators', order: 40 }],
  nav: [
    { group: 'creators', path: '/creators/agencies', label: 'nav.agencies', permission: 'creators.read' },
    { group: 'creators', path: '/creators/streamers', label: 'nav.streamers', permission: 'creators.read' },
    { group: 'creators', path: '/creators/users', label: 'nav.app_users', permission: 'creators.read' },
    { group: 'creators', path: '/creators/gifts', label: 'nav.gifts', permission: 'creators.read' },
    { group: 'creators', path: '/creators/products', label: 'nav.coin_packs', permission: 'creators.read' },
    { group: 'creators', path: '/creators/tariffs', label: 'nav.tariffs', permission: 'creators.read' },
  ],
});
