import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
});
