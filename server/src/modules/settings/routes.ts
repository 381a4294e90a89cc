import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { staffActorOf } from '../../core/http/guard.ts';
import { ProblemSchema } from '../../core/http/openapi.ts';
import { Body } from '../../core/http/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import type { SettingsStore } from './store.ts';
import { SettingView } from './views.ts';

const KeyParams = Type.Object({ key: Type.String({ pattern: '^[a-z_]+\\.[a-z0-9_.]+$', maxLength: 100 }) });

export async function settingRoutes(base: FastifyInstance, kernel: Kernel, store: SettingsStore): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/console/settings',
    {
      config: { permission: 'settings.manage' },
      schema: {
        tags: ['settings'],
        summary: 'Every setting the enabled modules declare, with its type, default and current value',
        response: { 200: Type.Array(SettingView) },
      },
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
        response: { 200: SettingView, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      await kernel.write(staffActorOf(request), (ctx) => store.set(ctx, request.params.key, request.body.value));
      return (await store.list()).find((s) => s.key === request.params.key)!;
    },
  );

  app.delete(
    '/console/settings/:key',
    {
      config: { permission: 'settings.manage' },
      schema: { tags: ['settings'], summary: 'Return a setting to its default', params: KeyParams, response: { 200: SettingView, 404: ProblemSchema } },
    },
    async (request) => {
      await kernel.write(staffActorOf(request), (ctx) => store.set(ctx, request.params.key, undefined));
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
