import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LocalBus } from '../../core/events/bus.ts';
import { createTestApp, signIn, testDatabase, useTestApp } from '../../../test/helpers.ts';
import { Catalogue, defineModule } from '../../core/module.ts';
import { Type } from '@sinclair/typebox';
import { compareVersions } from './version-gate.ts';

describe('settings', () => {
  const ctx = useTestApp();

  it('lists declared settings with their types and defaults, and changes one with an event', async () => {
    const list = (await ctx.admin.get('/api/console/settings')).json() as Array<{ key: string; value: unknown; isDefault: boolean; schema: object }>;
    const versions = list.find((s) => s.key === 'settings.min_app_versions')!;
    assert.deepEqual(versions.value, { ios: null, android: null });
    assert.equal(versions.isDefault, true);
    assert.ok('properties' in versions.schema);

    const put = await ctx.admin.request({
      method: 'PUT',
      url: '/api/console/settings/settings.min_app_versions',
      payload: { value: { ios: '2.3', android: null } },
    });
    assert.equal(put.statusCode, 200);
    assert.deepEqual(put.json().value, { ios: '2.3', android: null });
    assert.equal(put.json().isDefault, false);

    const events = (await ctx.admin.get('/api/console/events?type=settings.changed')).json().items;
    assert.deepEqual(events[0].payload, { key: 'settings.min_app_versions', previous: { ios: null, android: null }, value: { ios: '2.3', android: null } });

    const config = await ctx.t.app.inject({ method: 'GET', url: '/api/client/config' });
    assert.equal(config.statusCode, 200);
    assert.deepEqual(config.json()['settings.min_app_versions'], { ios: '2.3', android: null });

    const reset = await ctx.admin.delete('/api/console/settings/settings.min_app_versions');
    assert.equal(reset.json().isDefault, true);
    assert.deepEqual(reset.json().value, { ios: null, android: null });
  });

  it('refuses a value of the wrong type, naming the field, and unknown settings', async () => {
    const bad = await ctx.admin.request({
      method: 'PUT',
      url: '/api/console/settings/settings.min_app_versions',
      payload: { value: { ios: 'latest', android: null } },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, 'body.value.ios');
    assert.equal(bad.json().errors[0].message, 'must be a version such as 2.3 or 2.3.1, or null');

    const extra = await ctx.admin.request({
      method: 'PUT',
      url: '/api/console/settings/settings.store_links',
      payload: { value: { ios: null, android: null, web: 'x' } },
    });
    assert.equal(extra.statusCode, 400);

    const missing = await ctx.admin.request({ method: 'PUT', url: '/api/console/settings/settings.store_links', payload: {} });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().detail, /value/);

    const unknown = await ctx.admin.request({ method: 'PUT', url: '/api/console/settings/nope.nothing', payload: { value: 1 } });
    assert.equal(unknown.statusCode, 404);
  });

  it('sends each setting with its label and description in every language, and the schema annotations its form is built from', async () => {
    type Listed = { key: string; label: Record<string, string>; description: Record<string, string>; schema: Record<string, any> };
    const list = (await ctx.admin.get('/api/console/settings')).json() as Listed[];
    for (const setting of list) {
      for (const locale of ['en', 'ru']) {
        assert.ok(setting.label[locale]?.trim(), `${setting.key} has a ${locale} label`);
        assert.ok(setting.description[locale]?.trim(), `${setting.key} has a ${locale} description`);
      }
    }
    const byKey = new Map(list.map((s) => [s.key, s]));
    assert.equal(byKey.get('settings.min_app_versions')!.label.ru, 'Минимальные версии приложений');
    assert.deepEqual(byKey.get('settings.min_app_versions')!.schema.properties.ios['x-label'], { en: 'iOS', ru: 'iOS' });
    assert.equal(byKey.get('creators.streamer_rules')!.schema['x-multiline'], true);
    const automatic = byKey.get('payouts.automatic')!.schema;
    assert.equal(automatic.properties.enabled.type, 'boolean');
    assert.equal(automatic.properties.minimum['x-key-label'].ru, 'Валюта');
    assert.equal(Object.values(automatic.properties.minimum.patternProperties as Record<string, { minimum: number }>)[0]!.minimum, 1);
  });

  it('names the nested field a value breaks, with the path the console puts the message under', async () => {
    const bad = await ctx.admin.request({
      method: 'PUT',
      url: '/api/console/settings/payouts.automatic',
      payload: { value: { enabled: true, minimum: { COIN: 0 } } },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, 'body.value.minimum.COIN');
    assert.equal(bad.json().errors[0].message, 'must be a whole number of minor units, 1 or more');
  });

  it('refuses at start a setting without a label or a description in every language', () => {
    const setting = {
      key: 'x.thing',
      label: { en: 'Thing', ru: 'Штука' },
      description: { en: 'A thing.', ru: 'Штука.' },
      schema: Type.Boolean(),
      default: false,
    };
    assert.doesNotThrow(() => new Catalogue([defineModule({ name: 'x', settings: [setting] })]));
    assert.throws(
      () => new Catalogue([defineModule({ name: 'x', settings: [{ ...setting, label: { en: 'Thing', ru: ' ' } }] })]),
      /x\.thing needs a label and a description in ru/,
    );
    assert.throws(() => new Catalogue([defineModule({ name: 'x', settings: [{ ...setting, description: { en: '', ru: 'Штука.' } }] })]), /in en/);
  });

  it('turns away app versions older than the minimum with 426 and the store link', async () => {
    await ctx.admin.request({ method: 'PUT', url: '/api/console/settings/settings.min_app_versions', payload: { value: { ios: '2.3', android: '5' } } });
    await ctx.admin.request({
      method: 'PUT',
      url: '/api/console/settings/settings.store_links',
      payload: { value: { ios: 'https://apps.apple.com/app/id1', android: 'https://play.google.com/store/apps/details?id=x' } },
    });
    const call = (platform: string, version: string) =>
      ctx.t.app.inject({ method: 'GET', url: '/api/client/config', headers: { 'x-app-platform': platform, 'x-app-version': version } });

    const old = await call('ios', '2.2.9');
    assert.equal(old.statusCode, 426);
    assert.equal(old.json().storeUrl, 'https://apps.apple.com/app/id1');
    assert.equal(old.json().minimumVersion, '2.3');
    assert.equal((await call('ios', '2.3')).statusCode, 200);
    assert.equal((await call('ios', '2.10')).statusCode, 200);
    assert.equal((await call('android', '4.99')).statusCode, 426);
    assert.equal((await call('android', '5.0.1')).statusCode, 200);
    assert.equal((await ctx.t.app.inject({ method: 'GET', url: '/api/client/config' })).statusCode, 200, 'clients that do not say are not gated');
    assert.equal((await ctx.admin.get('/api/console/settings')).statusCode, 200, 'the console is not gated');
  });

  it('compares versions numerically', () => {
    assert.equal(compareVersions('1.10', '1.9'), 1);
    assert.equal(compareVersions('2', '2.0.0'), 0);
    assert.equal(compareVersions('2.0.1', '2.1'), -1);
  });

  it('reaches every server process without a restart', async () => {
    const database = await testDatabase();
    const bus = new LocalBus();
    const a = await createTestApp({ database, keepDatabase: true, bus });
    const b = await createTestApp({ database, keepDatabase: true, bus });
    try {
      const admin = await signIn(a.app);
      await admin.request({ method: 'PUT', url: '/api/console/settings/settings.feature_flags', payload: { value: { new_feed: true } } });
      let seen: unknown;
      for (let i = 0; i < 50; i++) {
        seen = (await b.app.inject({ method: 'GET', url: '/api/client/config' })).json()['settings.feature_flags'];
        if (JSON.stringify(seen) === '{"new_feed":true}') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(seen, { new_feed: true });
    } finally {
      await a.close();
      await b.close();
      await database.close();
    }
  });
});
