import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalogue, defineModule } from '../core/module.ts';
import { createTestApp } from '../../test/helpers.ts';
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
});
