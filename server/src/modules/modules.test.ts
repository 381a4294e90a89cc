import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalogue, defineModule } from '../core/module.ts';
import { createTestApp, signIn, staffWith } from '../../test/helpers.ts';
import { enabledModules, kernelModules } from './index.ts';

describe('MODULES', () => {
  it('enables every module by default, and the kernel modules always', () => {
    const names = enabledModules(undefined).map((m) => m.name);
    for (const name of ['staff', 'events', 'settings', 'moderation', 'people', 'members', 'files', 'ledger', 'payouts']) assert.ok(names.includes(name), name);
    assert.deepEqual(
      enabledModules(['people']).map((m) => m.name),
      [...kernelModules.map((m) => m.name), 'people'],
    );
  });

  it('refuses a module without the modules it requires, naming them', () => {
    assert.throws(() => enabledModules(['payouts']), /MODULES: payouts needs people, ledger; add them/);
    assert.throws(() => enabledModules(['people', 'payouts']), /MODULES: payouts needs ledger; add it/);
    assert.throws(() => enabledModules(['files']), /MODULES: files needs people; add it/);
    assert.deepEqual(
      enabledModules(['people', 'ledger', 'payouts'])
        .slice(-3)
        .map((m) => m.name),
      ['people', 'ledger', 'payouts'],
    );
  });

  it('takes kernel services from the module that provides them, and refuses two providers of one', async () => {
    const t = await createTestApp();
    try {
      const catalogue = t.app.kernel.catalogue;
      assert.equal(t.app.kernel.authenticator, catalogue.provide('staffAuthenticator', t.app.kernel));
      assert.equal(t.app.kernel.settings, catalogue.provide('settings', t.app.kernel));
      assert.equal(t.app.kernel.memberAuthenticator, catalogue.provide('memberAuthenticator', t.app.kernel));
    } finally {
      await t.close();
    }
    const impostor = defineModule({ name: 'impostor', provides: { staffAuthenticator: () => ({ authenticate: async () => null }) } });
    assert.throws(() => new Catalogue([...kernelModules, impostor]), /staffAuthenticator is provided by both staff and impostor/);
    const headless = kernelModules.filter((m) => m.name !== 'staff');
    assert.throws(() => new Catalogue(headless).require('staffAuthenticator', t.app.kernel), /No enabled module provides staffAuthenticator/);
  });

  it('groups the navigation by module area, in order, with only the groups a user has entries in', async () => {
    const t = await createTestApp();
    try {
      const admin = await signIn(t.app);
      const me = (await admin.get('/api/console/me')).json();
      assert.deepEqual(
        me.navGroups.map((g: { key: string }) => g.key),
        ['people', 'moderation', 'money', 'creators', 'administration'],
      );
      const groupsInOrder = me.nav.map((e: { group: string }) => e.group).filter((g: string, i: number, all: string[]) => all[i - 1] !== g);
      assert.deepEqual(groupsInOrder, ['people', 'moderation', 'money', 'creators', 'administration'], "each group's entries sit together");
      assert.deepEqual(
        me.nav.filter((e: { group: string }) => e.group === 'administration').map((e: { path: string }) => e.path),
        ['/staff', '/roles', '/events', '/settings'],
      );
      const { session } = await staffWith(admin, ['ledger.read', 'payouts.read']);
      const finance = (await session.get('/api/console/me')).json();
      assert.deepEqual(finance.navGroups, [{ key: 'money', label: 'nav.group.money' }]);
      assert.deepEqual(
        finance.nav.map((e: { path: string }) => e.path),
        ['/ledger', '/payouts'],
      );
    } finally {
      await t.close();
    }
    const stray = defineModule({ name: 'stray', nav: [{ group: 'nowhere', path: '/stray', label: 'nav.stray', permission: 'stray.read' }] });
    assert.throws(() => new Catalogue([...kernelModules, stray]), /Navigation entry \/stray of module stray names unknown group nowhere/);
    const twice = defineModule({ name: 'twice', navGroups: [{ key: 'money', label: 'nav.group.money', order: 1 }] });
    assert.throws(() => new Catalogue([...kernelModules, twice]), /Navigation group money is declared twice/);
  });
});
