import { Type } from '@sinclair/typebox';
import { perKernel } from '../../core/kernel.ts';
import { ClientPlatforms, type Text } from '../../core/labels.ts';
import { defineModule } from '../../core/module.ts';
import { settingEventTypes } from './events.ts';
import { settingRoutes } from './routes.ts';
import { SettingsStore } from './store.ts';
import { clientVersionGate } from './version-gate.ts';

/** The settings store of one running kernel (the app's `kernel.settings`). */
export const settingsStore = perKernel((kernel) => new SettingsStore(kernel));

/** The platforms' names (the kernel's code set) label the per-platform fields of the console's form. */
const PLATFORMS = ClientPlatforms.codes;

const Version = (label: Text) =>
  Type.Union([Type.String({ pattern: '^[0-9]+(\\.[0-9]+){0,2}$' }), Type.Null()], { description: 'a version such as 2.3 or 2.3.1, or null', 'x-label': label });
const Url = (label: Text) =>
  Type.Union([Type.String({ pattern: '^https://', maxLength: 500 }), Type.Null()], { description: 'an https:// link, or null', 'x-label': label });

/** Global settings: declared by modules with a type and a default, changed from the console. */
export const settingsModule = defineModule({
  name: 'settings',
  label: { en: 'Settings', ru: 'Настройки' },
  provides: { settings: settingsStore },
  onRequest: clientVersionGate,
  permissions: [{ key: 'settings.manage', description: 'See and change global settings (app versions, store links, feature flags).' }],
  events: settingEventTypes,
  settings: [
    {
      key: 'settings.min_app_versions',
      label: { en: 'Minimum app versions', ru: 'Минимальные версии приложений' },
      description: {
        en: 'Oldest app version allowed to use the client API, per platform; older ones are asked to update from the store link. Empty: no minimum.',
        ru: 'Самая старая версия приложения, которой разрешён клиентский API, по платформам; более старым предлагается обновиться по ссылке на магазин. Пусто — без ограничения.',
      },
      schema: Type.Object({ ios: Version(PLATFORMS.ios), android: Version(PLATFORMS.android) }, { additionalProperties: false }),
      default: { ios: null, android: null },
      public: true,
    },
    {
      key: 'settings.store_links',
      label: { en: 'Store links', ru: 'Ссылки на магазины' },
      description: {
        en: 'Where an app too old to be served is sent to update, per platform.',
        ru: 'Куда отправлять обновляться приложение, слишком старое для работы, по платформам.',
      },
      schema: Type.Object({ ios: Url(PLATFORMS.ios), android: Url(PLATFORMS.android) }, { additionalProperties: false }),
      default: { ios: null, android: null },
      public: true,
    },
    {
      key: 'settings.feature_flags',
      label: { en: 'Feature flags', ru: 'Флаги функций' },
      description: {
        en: 'Features switched on or off at run time, by name (read by the modules that declare them).',
        ru: 'Функции, включаемые и выключаемые на ходу, по имени (их читают модули, которые их объявляют).',
      },
      schema: Type.Record(Type.String({ pattern: '^[a-z0-9_.]+$' }), Type.Boolean({ 'x-label': { en: 'On', ru: 'Включена' } }), {
        'x-key-label': { en: 'Flag', ru: 'Флаг' },
      }),
      default: {},
      public: true,
    },
  ],
  routes: (app, kernel) => settingRoutes(app, kernel, settingsStore(kernel)),
  nav: [{ group: 'administration', path: '/settings', label: 'nav.settings', permission: 'settings.manage' }],
});
