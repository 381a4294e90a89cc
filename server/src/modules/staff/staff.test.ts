import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, staffWith, useTestApp } from '../../../test/helpers.ts';

describe('staff users, roles and grants', () => {
  const ctx = useTestApp();

  it('creates, edits and lists staff with keyset pages and search', async () => {
    const names = ['Zoe Adams', 'yann Brel', 'Xavier Cole', 'Wanda Dune', 'Victor Eze'];
    for (const name of names) {
      const email = `${name.split(' ')[0]!.toLowerCase()}@list.local`;
      const created = await ctx.admin.post('/api/console/staff', { email, name, password: 'list user password', roleIds: [] });
      assert.equal(created.statusCode, 201, created.body);
    }
    const duplicate = await ctx.admin.post('/api/console/staff', { email: 'ZOE@list.local', name: 'Zoe', password: 'list user password' });
    assert.equal(duplicate.statusCode, 409);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await ctx.admin.get(`/api/console/staff?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.statusCode, 200, page.body);
      seen.push(...page.json().items.map((u: { name: string }) => u.name));
      cursor = page.json().nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
      'alphabetical, case-insensitive',
    );
    assert.equal(new Set(seen).size, seen.length, 'no row twice across pages');
    assert.ok(names.every((n) => seen.includes(n)));

    const byEmail = await ctx.admin.get('/api/console/staff?q=xavier@list');
    assert.deepEqual(
      byEmail.json().items.map((u: { name: string }) => u.name),
      ['Xavier Cole'],
    );
    const byName = await ctx.admin.get('/api/console/staff?q=BREL');
    assert.deepEqual(
      byName.json().items.map((u: { name: string }) => u.name),
      ['yann Brel'],
    );
    const literal = await ctx.admin.get('/api/console/staff?q=%25');
    assert.equal(literal.json().items.length, 0, 'a % in the search is a literal character');

    const forged = Buffer.from(JSON.stringify(['a', 'not-a-uuid'])).toString('base64url');
    for (const cursor of ['garbage', forged]) {
      const bad = await ctx.admin.get(`/api/console/staff?cursor=${cursor}`);
      assert.equal(bad.statusCode, 400, cursor);
      assert.equal(bad.json().errors[0].field, 'query.cursor');
    }
  });

  it('assigns several roles; effective permissions are their union; filters by role and status', async () => {
    const a = await ctx.admin.post('/api/console/roles', { name: 'Reader', permissions: ['events.read'] });
    const b = await ctx.admin.post('/api/console/roles', { name: 'Role keeper', permissions: ['staff.manage_roles'] });
    const user = await ctx.admin.post('/api/console/staff', {
      email: 'multi@test.local',
      name: 'Multi Role',
      password: 'multi role password',
      roleIds: [a.json().id, b.json().id],
    });
    assert.equal(user.statusCode, 201);
    const session = await signIn(ctx.t.app, 'multi@test.local', 'multi role password');
    assert.deepEqual((await session.get('/api/console/me')).json().permissions, ['events.read', 'staff.manage_roles']);

    const filtered = await ctx.admin.get(`/api/console/staff?roleId=${a.json().id}`);
    assert.deepEqual(
      filtered.json().items.map((u: { email: string }) => u.email),
      ['multi@test.local'],
    );
    const role = await ctx.admin.get(`/api/console/roles/${b.json().id}`);
    assert.deepEqual(
      role.json().holderList.map((h: { email: string }) => h.email),
      ['multi@test.local'],
    );

    await ctx.admin.patch(`/api/console/staff/${user.json().id}`, { status: 'disabled' });
    const disabled = await ctx.admin.get('/api/console/staff?status=disabled');
    assert.deepEqual(
      disabled.json().items.map((u: { email: string }) => u.email),
      ['multi@test.local'],
    );
  });

  it("role edits take effect on the holder's next request", async () => {
    const { session, role } = await staffWith(ctx.admin, ['events.read'], 'role-edit');
    assert.equal((await session.get('/api/console/events')).statusCode, 200);
    assert.equal((await session.get('/api/console/roles')).statusCode, 403);
    const edit = await ctx.admin.patch(`/api/console/roles/${role.id}`, { permissions: ['staff.manage_roles'] });
    assert.equal(edit.statusCode, 200, edit.body);
    assert.equal((await session.get('/api/console/events')).statusCode, 403);
    assert.equal((await session.get('/api/console/roles')).statusCode, 200);
  });

  it('refuses unknown permissions and roles, naming the field', async () => {
    const role = await ctx.admin.post('/api/console/roles', { name: 'Bad', permissions: ['nope.nothing'] });
    assert.equal(role.statusCode, 400);
    assert.equal(role.json().errors[0].field, 'body.permissions');
    const user = await ctx.admin.post('/api/console/staff', {
      email: 'norole@test.local',
      name: 'No Role',
      password: 'no role password',
      roleIds: ['00000000-0000-7000-8000-000000000000'],
    });
    assert.equal(user.statusCode, 400);
    assert.equal(user.json().errors[0].field, 'body.roleIds');
  });

  it('never leaves the system without a role holding staff.manage_roles', async () => {
    const roles = (await ctx.admin.get('/api/console/roles')).json() as Array<{ id: string; name: string; permissions: string[] }>;
    for (const role of roles.filter((r) => r.permissions.includes('staff.manage_roles') && r.name !== 'Administrator')) {
      const deleted = await ctx.admin.delete(`/api/console/roles/${role.id}`);
      assert.equal(deleted.statusCode, 204, `${role.name}: ${deleted.body}`);
    }
    const administrator = roles.find((r) => r.name === 'Administrator')!;
    const drop = await ctx.admin.patch(`/api/console/roles/${administrator.id}`, { permissions: ['events.read', 'staff.manage_users'] });
    assert.equal(drop.statusCode, 409);
    assert.equal((await ctx.admin.delete(`/api/console/roles/${administrator.id}`)).statusCode, 409);

    const me = (await ctx.admin.get('/api/console/me')).json();
    const alone = await ctx.admin.patch(`/api/console/staff/${me.id}`, { roleIds: [] });
    assert.equal(alone.statusCode, 409, 'the only holder cannot give up the role');
    assert.match(alone.json().detail, /no active staff user holding staff.manage_roles/);
    const second = await ctx.admin.post('/api/console/staff', {
      email: 'second-admin@test.local',
      name: 'Second Administrator',
      password: 'second administrator password',
      roleIds: [administrator.id],
    });
    assert.equal(second.statusCode, 201);
    assert.equal((await ctx.admin.patch(`/api/console/staff/${second.json().id}`, { status: 'disabled' })).statusCode, 200);
    assert.equal((await ctx.admin.patch(`/api/console/staff/${me.id}`, { roleIds: [] })).statusCode, 409, 'a disabled holder does not count');
    assert.equal((await ctx.admin.patch(`/api/console/staff/${second.json().id}`, { roleIds: [] })).statusCode, 200);
  });

  it('per-record grants allow one record, until their expiry, through the same access check', async () => {
    const { session, user } = await staffWith(ctx.admin, [], 'granted');
    const target = await staffWith(ctx.admin, [], 'grant-target');
    const url = `/api/console/staff/${target.user.id}`;
    assert.equal((await session.get(url)).statusCode, 403);
    const grant = await ctx.admin.post(`/api/console/staff/${user.id}/grants`, {
      permission: 'staff.manage_users',
      recordId: target.user.id,
      expiresAt: new Date(ctx.t.clock.now().getTime() + 3600_000).toISOString(),
    });
    assert.equal(grant.statusCode, 201, grant.body);
    assert.equal((await session.get(url)).statusCode, 200, 'the grant opens this one record');
    assert.equal((await session.get(`/api/console/staff/${user.id}`)).statusCode, 403, 'and no other');
    assert.equal((await session.get('/api/console/staff')).statusCode, 403, 'nor the list');
    const me = (await session.get('/api/console/me')).json();
    assert.deepEqual(
      me.grants.map((g: { recordId: string }) => g.recordId),
      [target.user.id],
    );

    const listed = await ctx.admin.get(`/api/console/staff/${user.id}/grants`);
    assert.equal(listed.json().length, 1);
    ctx.t.clock.advance(3600_000 + 1000);
    assert.equal((await session.get(url)).statusCode, 403, 'an expired grant opens nothing');
    assert.equal((await ctx.admin.get(`/api/console/staff/${user.id}/grants`)).json().length, 0, 'expired grants are not listed');

    const past = await ctx.admin.post(`/api/console/staff/${user.id}/grants`, {
      permission: 'events.read',
      recordId: 'x',
      expiresAt: new Date(ctx.t.clock.now().getTime() - 1000).toISOString(),
    });
    assert.equal(past.statusCode, 400);
    assert.equal(past.json().errors[0].field, 'body.expiresAt');
    assert.equal((await ctx.admin.delete(`/api/console/grants/${grant.json().id}`)).statusCode, 204);
    assert.equal((await ctx.admin.delete(`/api/console/grants/${grant.json().id}`)).statusCode, 404);
  });

  it('refuses to leave no active user able to manage roles', async () => {
    const me = (await ctx.admin.get('/api/console/me')).json();
    const stripSelf = await ctx.admin.patch(`/api/console/staff/${me.id}`, { roleIds: [] });
    assert.equal(stripSelf.statusCode, 409, 'the only active holder cannot drop their last role with staff.manage_roles');
    assert.match(stripSelf.json().detail, /no active staff user/);
    assert.equal((await ctx.admin.get('/api/console/me')).statusCode, 200);
  });

  it('refuses unknown body fields, naming them', async () => {
    const response = await ctx.admin.post('/api/console/roles', { name: 'Extra', permissions: [], colour: 'red' });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json().errors, [{ field: 'body.colour', message: 'is not allowed' }]);
    const taken = await ctx.admin.post('/api/console/roles', { name: 'Administrator', permissions: [] });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().errors[0].field, 'body.name');
  });

  it('lets nobody hand out or act upon more than they hold themselves', async () => {
    const manager = await staffWith(ctx.admin, ['staff.manage_users', 'events.read'], 'user-manager');
    const roles = (await ctx.admin.get('/api/console/roles')).json() as Array<{ id: string; name: string }>;
    const administrator = roles.find((r) => r.name === 'Administrator')!;
    const me = (await ctx.admin.get('/api/console/me')).json();

    const selfPromote = await manager.session.patch(`/api/console/staff/${manager.user.id}`, {
      roleIds: [manager.role.id, administrator.id],
    });
    assert.equal(selfPromote.statusCode, 403);
    assert.match(selfPromote.json().detail, /staff\.manage_roles/);
    const resetAdmin = await manager.session.post(`/api/console/staff/${me.id}/password`, { password: 'taken over password' });
    assert.equal(resetAdmin.statusCode, 403);
    const disableAdmin = await manager.session.patch(`/api/console/staff/${me.id}`, { status: 'disabled' });
    assert.equal(disableAdmin.statusCode, 403);
    const grantSelf = await manager.session.post(`/api/console/staff/${manager.user.id}/grants`, {
      permission: 'events.read',
      recordId: 'anything',
    });
    assert.equal(grantSelf.statusCode, 403);
    const other = await staffWith(ctx.admin, [], 'plain-user');
    const grantBeyond = await manager.session.post(`/api/console/staff/${other.user.id}/grants`, {
      permission: 'staff.manage_roles',
      recordId: 'anything',
    });
    assert.equal(grantBeyond.statusCode, 403);

    const within = await manager.session.post('/api/console/staff', {
      email: 'within@test.local',
      name: 'Within Reach',
      password: 'within reach password',
      roleIds: [manager.role.id],
    });
    assert.equal(within.statusCode, 201, 'roles within their own permissions are fine');
    const grantWithin = await manager.session.post(`/api/console/staff/${other.user.id}/grants`, {
      permission: 'events.read',
      recordId: 'record-1',
    });
    assert.equal(grantWithin.statusCode, 201);

    const keeper = await staffWith(ctx.admin, ['staff.manage_roles'], 'role-keeper-only');
    const widen = await keeper.session.patch(`/api/console/roles/${keeper.role.id}`, {
      permissions: ['staff.manage_roles', 'staff.manage_users'],
    });
    assert.equal(widen.statusCode, 403, 'a role manager cannot add permissions they lack');
  });

  it('offers role choices to user managers who cannot manage roles', async () => {
    const { session } = await staffWith(ctx.admin, ['staff.manage_users']);
    const options = await session.get('/api/console/role-options');
    assert.equal(options.statusCode, 200);
    const administrator = options.json().find((r: { name: string }) => r.name === 'Administrator');
    assert.ok(administrator.permissions.includes('staff.manage_roles'));
    assert.deepEqual(Object.keys(administrator).sort(), ['id', 'name', 'permissions']);
    assert.equal((await session.get('/api/console/roles')).statusCode, 403);
  });

  it('an administrator cannot disable themselves', async () => {
    const me = (await ctx.admin.get('/api/console/me')).json();
    const response = await ctx.admin.patch(`/api/console/staff/${me.id}`, { status: 'disabled' });
    assert.equal(response.statusCode, 409);
  });

  it('remembers my language', async () => {
    const response = await ctx.admin.patch('/api/console/me', { locale: 'ru' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().locale, 'ru');
    assert.equal((await ctx.admin.get('/api/console/me')).json().locale, 'ru');
    assert.equal((await ctx.admin.patch('/api/console/me', { locale: 'de' })).statusCode, 400);
  });

  it('appends an event for every staff write, in the same transaction', async () => {
    const before = (await ctx.admin.get('/api/console/events?limit=1')).json().items[0].id as number;
    const role = await ctx.admin.post('/api/console/roles', { name: 'Evented', permissions: [] });
    const failed = await ctx.admin.post('/api/console/roles', { name: 'evented', permissions: [] });
    assert.equal(failed.statusCode, 409, 'names are unique case-insensitively');
    const events = (await ctx.admin.get('/api/console/events?limit=10')).json().items.filter((e: { id: number }) => e.id > before);
    assert.deepEqual(
      events.map((e: { type: string }) => e.type),
      ['staff.role_created'],
      'the refused write left no event behind',
    );
    assert.equal(events[0].subjectId, role.json().id);
    assert.equal(events[0].actorId, (await ctx.admin.get('/api/console/me')).json().id);
  });
});
