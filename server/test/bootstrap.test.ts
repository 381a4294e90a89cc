import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, signIn, testDatabase } from './helpers.ts';
import { kernelModules } from '../src/modules/index.ts';
import { defineModule } from '../src/core/module.ts';

describe('bootstrap', () => {
  it('lets two processes start together on one empty database: one administrator, one set of built-in roles', async () => {
    const database = await testDatabase();
    try {
      const [a, b] = await Promise.all([createTestApp({ database, keepDatabase: true }), createTestApp({ database, keepDatabase: true })]);
      const admin = await signIn(a.app);
      const staff = (await admin.get('/api/console/staff')).json().items;
      assert.equal(staff.length, 1);
      const roles = (await admin.get('/api/console/roles')).json() as Array<{ name: string; builtin: boolean }>;
      assert.deepEqual(
        roles.filter((r) => r.builtin).map((r) => r.name),
        ['Administrator', 'Finance', 'Moderator', 'Support'],
      );
      await a.close();
      await b.close();
    } finally {
      await database.close();
    }
  });

  it('refuses a common ADMIN_PASSWORD, naming the variable', async () => {
    await assert.rejects(createTestApp({ env: { ADMIN_PASSWORD: 'password1' } }), /ADMIN_PASSWORD: is one of the most common/);
  });

  it('gives built-in roles the permissions a newly enabled module declares, once; the Administrator always holds all', async () => {
    const database = await testDatabase();
    const extra = defineModule({
      name: 'extra',
      permissions: [{ key: 'extra.do', description: 'test' }],
      roleGrants: { moderator: ['extra.do'] },
    });
    const role = async (t: Awaited<ReturnType<typeof createTestApp>>, name: string) => {
      const roles = (await (await signIn(t.app)).get('/api/console/roles')).json() as Array<{ id: string; name: string; permissions: string[] }>;
      return roles.find((r) => r.name === name)!;
    };
    try {
      const before = await createTestApp({ database, keepDatabase: true, modules: kernelModules });
      assert.ok(!(await role(before, 'Administrator')).permissions.includes('extra.do'));
      await before.close();

      const enabled = await createTestApp({ database, keepDatabase: true, modules: [...kernelModules, extra] });
      const administrator = await role(enabled, 'Administrator');
      assert.ok(administrator.permissions.includes('extra.do'), 'the new permission reached Administrator');
      const moderator = await role(enabled, 'Moderator');
      assert.ok(moderator.permissions.includes('extra.do'), 'and the built-in role that declares it');
      const admin = await signIn(enabled.app);
      const events = (await admin.get('/api/console/events?type=staff.role_updated')).json().items;
      assert.deepEqual(events[0].payload.added, ['extra.do']);
      const trimmed = (r: { permissions: string[] }) => ({ permissions: r.permissions.filter((p) => p !== 'extra.do') });
      assert.equal(
        (await admin.patch(`/api/console/roles/${administrator.id}`, trimmed(administrator))).statusCode,
        409,
        'the Administrator keeps every permission',
      );
      assert.equal((await admin.patch(`/api/console/roles/${moderator.id}`, trimmed(moderator))).statusCode, 200);
      await enabled.close();

      const again = await createTestApp({ database, keepDatabase: true, modules: [...kernelModules, extra] });
      assert.ok(!(await role(again, 'Moderator')).permissions.includes('extra.do'), "the administrator's removal sticks");
      assert.ok((await role(again, 'Administrator')).permissions.includes('extra.do'));
      await again.close();
    } finally {
      await database.close();
    }
  });
});
