import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf } from '../../core/http/guard.ts';
import { ProblemSchema } from '../../core/http/openapi.ts';
import { Body } from '../../core/http/schemas.ts';
import { perKernel, type Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { settingEventTypes } from './events.ts';
import { SettingsStore } from './store.ts';

/** The settings store of one running kernel (the app's `kernel.settings`). */
export const settingsStore = perKernel((kernel) => new SettingsStore(kernel));

const Version = Type.Union([Type.String({ pattern: '^[0-9]+(\\.[0-9]+){0,2}$' }), Type.Null()], {
  description: 'a version such as 2.3 or 2.3.1, or null',
});
const Url = Type.Union([Type.String({ pattern: '^https://', maxLength: 500 }), Type.Null()], { description: 'an https:// link, or null' });

const Setting = Type.Object({
  key: Type.String(),
  module: Type.String(),
  description: Type.String(),
  public: Type.Boolean(),
  schema: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the value' }),
  default: Type.Unknown(),
  value: Type.Unknown(),
  isDefault: Type.Boolean(),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});

async function routes(base: FastifyInstance, kernel: Kernel): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const store = settingsStore(kernel);
  const KeyParams = Type.Object({ key: Type.String({ pattern: '^[a-z_]+\\.[a-z0-9_.]+$', maxLength: 100 }) });

  app.get(
    '/console/settings',
    {
      config: { permission: 'settings.manage' },
      schema: { tags: ['settings'], summary: 'Every setting the enabled modules declare, with its type, default and current value', response: { 200: Type.Array(Setting) } },
    },
    async () => store.list(),
  );

  app.put(
    '/console/settings/:key',
    {
      config: { permission: 'settings.manage' },
      schema: {
        tags: ['settings'],
        summary: 'Change a setting; takes effect at once, in every server process',
        params: KeyParams,
        body: Body({ value: Type.Unknown({ description: 'The new value, of the type the setting declares' }) }),
        response: { 200: Setting, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      await kernel.write({ type: 'staff', id: principalOf(request).staffId }, (ctx) => store.set(ctx, request.params.key, request.body.value));
      return (await store.list()).find((s) => s.key === request.params.key)!;
    },
  );

  app.delete(
    '/console/settings/:key',
    {
      config: { permission: 'settings.manage' },
      schema: { tags: ['settings'], summary: 'Return a setting to its default', params: KeyParams, response: { 200: Setting, 404: ProblemSchema } },
    },
    async (request) => {
      await kernel.write({ type: 'staff', id: principalOf(request).staffId }, (ctx) => store.set(ctx, request.params.key, undefined));
      return (await store.list()).find((s) => s.key === request.params.key)!;
    },
  );

  app.get(
    '/client/config',
    {
      config: { public: true },
      schema: {
        tags: ['client'],
        summary: 'Public settings for client apps (minimum versions, store links), readable before sign-in',
        response: { 200: Type.Record(Type.String(), Type.Unknown()) },
      },
    },
    async () => store.publicValues(),
  );
}

/** Global settings: declared by modules with a type and a default, changed from the console. */
export const settingsModule = defineModule({
  name: 'settings',
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
  routes,
  nav: [{ path: '/settings', label: 'nav.settings', permission: 'settings.manage' }],
});
