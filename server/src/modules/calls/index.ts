import { Type } from '@sinclair/typebox';
import { defineModule, defineSubscriber } from '../../core/module.ts';
import { seedCallsDemo } from './demo.ts';
import { callEventTypes } from './events.ts';
import { FAILOVER_SETTING, FORCED_PROVIDER_SETTING, type FailoverRule } from './providers.ts';
import { callRoutes } from './routes.ts';
import { leaveRoulette, PRERECORDED_SETTING, REMATCH_SETTING } from './roulette/service.ts';
import { realtimeHub } from '../../core/realtime/hub.ts';
import { rouletteRoutes } from './roulette/routes.ts';
import { startCallScheduler } from './scheduler.ts';
import { endCallsOf, HEARTBEAT_TIMEOUT_SETTING, INCOMING_CALL, LOW_BALANCE_SETTING, RING_TIMEOUT_SETTING } from './service.ts';
import { CallEndReasons, callRefs, CallStates } from './views.ts';

const seconds = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });

/**
 * Video calls between members and streamers, billed by the second by the creators module's tariffs: the
 * lifecycle, the server-clock billing scheduler, and the member and console API.
 */
export const callsModule = defineModule({
  name: 'calls',
  label: { en: 'Calls', ru: 'Звонки' },
  requires: ['creators', 'notifications'],
  permissions: [
    { key: 'calls.read', description: 'See calls with their billing.' },
    { key: 'calls.end', description: 'End any call.' },
  ],
  roleGrants: { moderator: ['calls.read', 'calls.end'], support: ['calls.read'], finance: ['calls.read'] },
  nav: [{ group: 'creators', path: '/calls', label: 'nav.calls', permission: 'calls.read' }],
  events: callEventTypes,
  codes: [CallStates, CallEndReasons],
  refs: [callRefs],
  notificationKinds: [
    {
      kind: INCOMING_CALL,
      label: { en: 'Incoming calls', ru: 'Входящие звонки' },
      audience: 'member',
      policy: 'voip',
      templates: { en: { title: 'Incoming call', body: '{caller} is calling you' }, ru: { title: 'Входящий звонок', body: '{caller} звонит вам' } },
    },
  ],
  subscribers: [
    // A block ends the pair's call (a staff block, all of that person's calls) at once.
    defineSubscriber({
      name: 'calls.end-on-block',
      types: ['creators.member_blocked', 'people.person_blocked'],
      handle: async (event, ctx) => {
        if (!event.subjectId) return;
        const other = event.type === 'creators.member_blocked' ? (event.payload as { blockerId: string }).blockerId : null;
        await endCallsOf(ctx, event.subjectId, other, 'blocked');
      },
    }),
  ],
  settings: [
    {
      key: RING_TIMEOUT_SETTING,
      label: { en: 'Ring timeout', ru: 'Время вызова' },
      description: { en: 'Seconds a call rings before it counts as missed.', ru: 'Сколько секунд идёт вызов, прежде чем звонок считается пропущенным.' },
      schema: seconds(5, 300),
      default: 30,
    },
    {
      key: HEARTBEAT_TIMEOUT_SETTING,
      label: { en: 'Call heartbeat timeout', ru: 'Тайм-аут сигнала звонка' },
      description: {
        en: 'Seconds without a heartbeat from either app after which a call in progress ends (the apps beat every few seconds).',
        ru: 'Через сколько секунд без сигнала от любого из приложений идущий звонок завершается (приложения шлют сигнал каждые несколько секунд).',
      },
      schema: seconds(5, 300),
      default: 20,
    },
    {
      key: LOW_BALANCE_SETTING,
      label: { en: 'Low balance warning', ru: 'Предупреждение о балансе' },
      description: {
        en: 'Seconds before a billing point the wallet cannot cover at which the caller is warned (the call then ends at that point).',
        ru: 'За сколько секунд до списания, которое кошелёк не покроет, звонящий получает предупреждение (звонок завершится на этом списании).',
      },
      schema: seconds(0, 600),
      default: 30,
    },
    {
      key: FAILOVER_SETTING,
      label: { en: 'Video provider failover', ru: 'Переключение видеосервиса' },
      description: {
        en: 'When the apps report this many failures of a provider within the window, new calls start on the next provider until the cool-down after the last failure has passed.',
        ru: 'Когда приложения сообщают о стольких сбоях видеосервиса за окно, новые звонки идут через следующий сервис, пока не пройдёт пауза после последнего сбоя.',
      },
      schema: Type.Object(
        {
          failures: Type.Integer({ minimum: 1, maximum: 1000, 'x-label': { en: 'Failures', ru: 'Сбоев' } }),
          windowMinutes: Type.Integer({ minimum: 1, maximum: 1440, 'x-label': { en: 'Within minutes', ru: 'За минут' } }),
          coolDownMinutes: Type.Integer({ minimum: 1, maximum: 1440, 'x-label': { en: 'Cool-down, minutes', ru: 'Пауза, минут' } }),
        },
        { additionalProperties: false },
      ),
      default: { failures: 5, windowMinutes: 5, coolDownMinutes: 10 } satisfies FailoverRule,
    },
    {
      key: FORCED_PROVIDER_SETTING,
      label: { en: 'Forced video provider', ru: 'Принудительный видеосервис' },
      description: {
        en: 'Start every new call on this provider whatever its health (empty: choose by health, Agora first).',
        ru: 'Начинать все новые звонки через этот сервис независимо от его состояния (пусто: выбирать по состоянию, сначала Agora).',
      },
      schema: Type.Union([
        Type.Literal('agora', { 'x-label': { en: 'Agora', ru: 'Agora' } }),
        Type.Literal('twilio', { 'x-label': { en: 'Twilio', ru: 'Twilio' } }),
        Type.Null(),
      ]),
      default: null,
    },
    {
      key: REMATCH_SETTING,
      label: { en: 'Roulette rematch pause', ru: 'Пауза перед повторной парой в рулетке' },
      description: {
        en: 'Hours before roulette may match the same user and streamer again (videos included).',
        ru: 'Через сколько часов рулетка может снова свести того же пользователя и стримера (и видео тоже).',
      },
      schema: Type.Integer({ minimum: 0, maximum: 720 }),
      default: 24,
    },
    {
      key: PRERECORDED_SETTING,
      label: { en: 'Roulette videos', ru: 'Видео в рулетке' },
      description: {
        en: 'When no live streamer is free, roulette shows a user an approved prerecorded video of a streamer (billed by the prerecorded tariff).',
        ru: 'Когда свободного стримера нет, рулетка показывает пользователю одобренное записанное видео стримера (по тарифу записанного видео).',
      },
      schema: Type.Boolean(),
      default: true,
    },
  ],
  // An app that goes offline is not on its roulette screen: it leaves the pool (and is matched with nobody).
  bootstrap: async (kernel) => realtimeHub(kernel).onPresenceChange(async (ctx, personId, online) => (online ? undefined : leaveRoulette(ctx, personId))),
  routes: async (app, kernel) => {
    // The pool's static paths first: they sit beside /client/calls/:id.
    await rouletteRoutes(kernel)(app);
    await callRoutes(kernel)(app);
  },
  worker: startCallScheduler,
  seedDemo: seedCallsDemo,
});
