import { Type } from '@sinclair/typebox';
import { perKernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { settingEventTypes } from './events.ts';
import { settingRoutes } from './routes.ts';
import { SettingsStore } from './store.ts';
import { clientVersionGate } from './version-gate.ts';

/** The settings store of one running kernel (the app's `kernel.settings`). */
export const settingsStore = perKernel((kernel) => new SettingsStore(kernel));

const Version = Type.Union([Type.String({ pattern: '^[0-9]+(\\.[0-9]+){0,2}$' }), Type.Null()], {
  description: 'a version such as 2.3 or 2.3.1, or null',
});
const Url = Type.Union([Type.String({ pattern: '^https://', maxLength: 500 }), Type.Null()], { description: 'an https:// link, or null' });

/** Global settings: declared by modules with a type and a default, changed from the console. */
export const settingsModule = defineModule({
  name: 'settings',
  provides: { settings: settingsStore },
  onRequest: clientVersionGate,
  permissions: [{ key: 'settings.manage', description: 'See and change global settings (app versions, store links, feature flags).' }],
  events: settingEventTypes,
  settings: [
    {
      key: 'settings.min_app_versions',
      description: 'Oldest app version allowed to use the client API, per platform; older ones get 426 with the store link. Null: no minimum.',
      schema: Type.Object({ ios: Version, android: Version }, { additionalProperties: false }),
      default: { ios: null, android: null },
      public: true,
    },
    {
      key: 'settings.store_links',
      description: 'Where an app too old to be served is sent to update, per platform.',
      schema: Type.Object({ ios: Url, android: Url }, { additionalProperties: false }),
      default: { ios: null, android: null },
      public: true,
    },
    {
      key: 'settings.feature_flags',
      description: 'Features switched on or off at run time, by name (read by the modules that declare them).',
      schema: Type.Record(Type.String({ pattern: '^[a-z0-9_.]+$' }), Type.Boolean()),
      default: {},
      public: true,
    },
  ],
  routes: (app, kernel) => settingRoutes(app, kernel, settingsStore(kernel)),
  nav: [{ group: 'administration', path: '/settings', label: 'nav.settings', permission: 'settings.manage' }],
});
