import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, signIn, testDatabase } from './helpers.ts';

describe('bootstrap', () => {
  it('lets two processes start together on one empty database: one administrator, one set of built-in roles', async () => {
    const database = await testDatabase();
    try {
      const [a, b] = await Promise.all([
        createTestApp({ database, keepDatabase: true }),
        createTestApp({ database, keepDatabase: true }),
      ]);
      const admin = await signIn(a.app);
      const staff = (await admin.get('/api/console/staff')).json().items;
      assert.equal(staff.length, 1);
      const roles = (await admin.get('/api/console/roles')).json() as Array<{ name: string; builtin: boolean }>;
      assert.deepEqual(roles.filter((r) => r.builtin).map((r) => r.name), ['Administrator']);
      await a.close();
      await b.close();
    } finally {
      await database.close();
    }
  });

  it('refuses a common ADMIN_PASSWORD, naming the variable', async () => {
    await assert.rejects(createTestApp({ env: { ADMIN_PASSWORD: 'password1' } }), /ADMIN_PASSWORD: is one of the most common/);
  });
});
