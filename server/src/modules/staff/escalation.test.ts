import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { and, eq, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { systemActor, type Actor } from '../../core/actor.ts';
import { DomainError } from '../../core/errors.ts';
import { StaffError } from './errors.ts';
import { staffWith, useTestApp } from '../../../test/helpers.ts';
import { preparePassword, type NewPassword } from './passwords.ts';
import { recordGrants, rolePermissions, roles } from './schema.ts';
import { createGrant, revokeGrant } from './grants.ts';
import { ADMINISTRATOR, createRole, deleteRole, updateRole } from './roles.ts';
import { createStaffUser, setPassword, updateStaffUser } from './users.ts';
import { staffSessions } from './index.ts';

describe('the escalation rule', () => {
  const ctx = useTestApp();
  const roleId = async (name: string) =>
    ((await ctx.admin.get('/api/console/roles')).json() as Array<{ id: string; name: string }>).find((r) => r.name === name)!.id;

  it('refuses a role manager who would empty the Administrator role and then take over the administrator', async () => {
    const manager = await staffWith(ctx.admin, ['staff.manage_roles', 'staff.manage_users', 'events.read'], 'takeover');
    const administrator = await roleId('Administrator');
    const before = (await ctx.admin.get(`/api/console/roles/${administrator}`)).json().permissions as string[];

    const emptied = await manager.session.patch(`/api/console/roles/${administrator}`, {
      permissions: ['staff.manage_roles', 'staff.manage_users', 'events.read'],
    });
    assert.equal(emptied.statusCode, 403, emptied.body);
    assert.match(emptied.json().detail, /Changing this role involves permissions you do not hold yourself/);
    const renamed = await manager.session.patch(`/api/console/roles/${administrator}`, { name: 'Mine now' });
    assert.equal(renamed.statusCode, 403, 'acting upon the role at all needs everything it holds');
    assert.deepEqual((await ctx.admin.get(`/api/console/roles/${administrator}`)).json().permissions, before);

    const me = (await ctx.admin.get('/api/console/me')).json();
    const reset = await manager.session.post(`/api/console/staff/${me.id}/password`, { password: 'the attacker now knows it' });
    assert.equal(reset.statusCode, 403);
    assert.equal((await ctx.admin.get('/api/console/me')).statusCode, 200, "the administrator's session lives on");
  });

  it('keeps the Administrator role whole: even an administrator cannot remove its permissions, and a start restores them', async () => {
    const administrator = await roleId('Administrator');
    const full = (await ctx.admin.get(`/api/console/roles/${administrator}`)).json().permissions as string[];
    const trimmed = await ctx.admin.patch(`/api/console/roles/${administrator}`, { permissions: full.filter((p) => p !== 'people.read') });
    assert.equal(trimmed.statusCode, 409);
    assert.equal(trimmed.json().errors?.[0]?.field ?? 'body.permissions', 'body.permissions');
    assert.equal((await ctx.admin.patch(`/api/console/roles/${administrator}`, { description: 'Everything.' })).statusCode, 200);

    // Rows lost by any other way (an old version's edit, a hand-made SQL) come back at the next start.
    await ctx.t.app.kernel.db.delete(rolePermissions).where(and(eq(rolePermissions.roleId, administrator), eq(rolePermissions.permission, 'people.read')));
    const bootstrap = ctx.t.app.kernel.catalogue.modules.find((m) => m.name === 'staff')!.bootstrap!;
    await bootstrap(ctx.t.app.kernel);
    assert.deepEqual(((await ctx.admin.get(`/api/console/roles/${administrator}`)).json().permissions as string[]).sort(), [...full].sort());
  });

  it('refuses to delete a role that holds permissions the actor lacks, assigned or not', async () => {
    const manager = await staffWith(ctx.admin, ['staff.manage_roles', 'staff.manage_users'], 'deleter');
    const finance = await ctx.admin.post('/api/console/roles', { name: 'Treasury', permissions: ['ledger.read', 'ledger.adjust'] });
    const holder = await staffWith(ctx.admin, ['events.read'], 'treasurer');
    await ctx.admin.patch(`/api/console/staff/${holder.user.id}`, { roleIds: [finance.json().id, holder.role.id] });

    const deleted = await manager.session.delete(`/api/console/roles/${finance.json().id}`);
    assert.equal(deleted.statusCode, 403, deleted.body);
    assert.match(deleted.json().detail, /ledger\.adjust, ledger\.read/);
    const own = await manager.session.post('/api/console/roles', { name: 'Within reach', permissions: ['staff.manage_users'] });
    assert.equal((await manager.session.delete(`/api/console/roles/${own.json().id}`)).statusCode, 204, 'a role within their own permissions');
  });

  it("counts a user's grants as their power: a user manager lacking the granted permission cannot act upon them", async () => {
    const manager = await staffWith(ctx.admin, ['staff.manage_users', 'events.read'], 'resetter');
    const viewer = await staffWith(ctx.admin, ['events.read'], 'photo-viewer');
    const person = (await ctx.admin.post('/api/console/people', { displayName: 'Granted Person' })).json().id as string;
    const expiresAt = new Date(ctx.t.clock.now().getTime() + 3600_000).toISOString();
    const grant = await ctx.admin.post(`/api/console/staff/${viewer.user.id}/grants`, { permission: 'creators.read', recordId: person, expiresAt });
    assert.equal(grant.statusCode, 201, grant.body);

    const target = `/api/console/staff/${viewer.user.id}`;
    for (const [what, response] of [
      ['reset', await manager.session.post(`${target}/password`, { password: 'a password the manager knows' })],
      ['edit', await manager.session.patch(target, { name: 'Renamed' })],
      ['disable', await manager.session.patch(target, { status: 'disabled' })],
      ['grant within the manager’s own permissions', await manager.session.post(`${target}/grants`, { permission: 'events.read', recordId: person })],
      ['revoke', await manager.session.delete(`/api/console/grants/${grant.json().id}`)],
    ] as const) {
      assert.equal(response.statusCode, 403, `${what}: ${response.body}`);
      assert.match(response.json().detail, /creators\.read/, what);
    }
    const bystander = await staffWith(ctx.admin, ['events.read'], 'bystander');
    const granting = await manager.session.post(`/api/console/staff/${bystander.user.id}/grants`, { permission: 'creators.read', recordId: person });
    assert.equal(granting.statusCode, 403, 'nor grant what they lack');
    assert.equal(
      (await manager.session.post(`/api/console/staff/${bystander.user.id}/grants`, { permission: 'events.read', recordId: person })).statusCode,
      201,
      'what they hold, to a user within their reach, they may grant',
    );

    // Once the grant has expired, nothing protects the user beyond their role.
    ctx.t.clock.advance(2 * 3600_000);
    try {
      assert.equal((await manager.session.patch(target, { name: 'Renamed' })).statusCode, 200);
    } finally {
      ctx.t.clock.advance(-2 * 3600_000);
    }
  });

  it('refuses to reset your own password through the reset route (My account asks for the current one)', async () => {
    const manager = await staffWith(ctx.admin, ['staff.manage_users'], 'self-reset');
    const response = await manager.session.post(`/api/console/staff/${manager.user.id}/password`, { password: 'no current password asked' });
    assert.equal(response.statusCode, 403);
  });

  describe('property: random operations by random actors never escalate', () => {
    /** Operations drawn as numbers; they are resolved against the state when they run, so shrinking keeps them meaningful. */
    type Op =
      | { kind: 'createRole' | 'createUser'; actor: number; pick: number[]; foreign: number }
      | { kind: 'editRole'; actor: number; role: number; pick: number[]; foreign: number; permissions: boolean }
      | { kind: 'deleteRole'; actor: number; role: number }
      | { kind: 'assignRoles'; actor: number; target: number; roles: number[] }
      | { kind: 'grant'; actor: number; target: number; pick: number; foreign: number }
      | { kind: 'revoke' | 'resetPassword' | 'disable' | 'enable' | 'edit'; actor: number; target: number };

    const n = fc.nat({ max: 1000 });
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constantFrom('createRole' as const, 'createUser' as const),
        actor: n,
        pick: fc.array(n, { maxLength: 4 }),
        foreign: fc.nat({ max: 2 }),
      }),
      fc.record({
        kind: fc.constant('editRole' as const),
        actor: n,
        role: n,
        pick: fc.array(n, { maxLength: 5 }),
        foreign: fc.nat({ max: 2 }),
        permissions: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('deleteRole' as const), actor: n, role: n }),
      fc.record({ kind: fc.constant('assignRoles' as const), actor: n, target: n, roles: fc.array(n, { maxLength: 3 }) }),
      fc.record({ kind: fc.constant('grant' as const), actor: n, target: n, pick: n, foreign: fc.nat({ max: 1 }) }),
      fc.record({
        kind: fc.constantFrom('revoke' as const, 'resetPassword' as const, 'disable' as const, 'enable' as const, 'edit' as const),
        actor: n,
        target: n,
      }),
    );

    // The rule lives in the services, whatever the database: PostgreSQL's second pass runs a shorter walk.
    const total = Number(process.env.ESCALATION_OPERATIONS ?? (process.env.TEST_DB === 'postgres' ? 2_500 : 5_000));
    const perRun = 250;
    let password: NewPassword;
    let runNo = 0;
    const accepted = new Map<string, number>();
    const refused = new Map<string, number>();

    before(async () => {
      password = await preparePassword('property test password', 'password');
    });

    interface Universe {
      users: string[];
      roles: string[];
      record: string;
    }

    async function universe(): Promise<Universe> {
      const kernel = ctx.t.app.kernel;
      const run = ++runNo;
      const catalogue = [...kernel.catalogue.permissions.keys()];
      return kernel.write(systemActor('property-test'), async (sctx) => {
        const builtinRows = (await sctx.tx.select({ id: roles.id, key: roles.builtinKey }).from(roles)).filter((r) => r.key !== null);
        const builtin = builtinRows.map((r) => r.id);
        const administrator = builtinRows.find((r) => r.key === ADMINISTRATOR)!.id;
        const custom: string[] = [];
        for (let i = 0; i < 4; i++) {
          const permissions = catalogue.filter((_, j) => (j * 7 + i * 3 + run) % (i + 2) === 0);
          custom.push((await createRole(sctx, new Set(catalogue), { name: `p${run}-role${i}`, permissions })).id);
        }
        const all = [...builtin, ...custom];
        const users: string[] = [];
        for (let i = 0; i < 6; i++) {
          // One administrator among them, so that acts of every kind get accepted, not only refused.
          const roleIds = i === 0 ? [administrator] : [all[(i * 3 + run) % all.length]!, ...(i % 2 ? [all[(i + run) % all.length]!] : [])];
          users.push((await createStaffUser(sctx, { email: `p${run}-u${i}@property.local`, name: `P${run} U${i}`, password, roleIds })).id);
        }
        return { users, roles: all, record: uuidv7() };
      });
    }

    interface Snapshot {
      rolePerms: Map<string, Set<string>>;
      userRolePerms: Map<string, Set<string>>;
      power: Map<string, Set<string>>;
      status: Map<string, string>;
      text: string;
    }

    /** The whole state that matters, in one statement: every role's permissions, the universe's users, roles and unexpired grants. */
    async function snapshot(u: Universe): Promise<Snapshot> {
      const now = ctx.t.clock.now().toISOString();
      const users = sql.join(
        u.users.map((id) => sql`${id}::uuid`),
        sql`, `,
      );
      const ownRoles = sql.join(
        u.roles.map((id) => sql`${id}::uuid`),
        sql`, `,
      );
      const result = (await ctx.t.app.kernel.db.execute(sql`
        SELECT
          (SELECT coalesce(json_agg(json_build_array(r.id, (SELECT coalesce(json_agg(p.permission ORDER BY p.permission), '[]') FROM role_permissions p WHERE p.role_id = r.id)) ORDER BY r.id), '[]') FROM roles r WHERE r.id IN (${ownRoles})) AS roles,
          (SELECT json_agg(json_build_array(s.id, s.name, s.status, s.password_hash) ORDER BY s.id) FROM staff_users s WHERE s.id IN (${users})) AS users,
          (SELECT coalesce(json_agg(json_build_array(a.staff_id, a.role_id) ORDER BY a.staff_id, a.role_id), '[]') FROM staff_user_roles a WHERE a.staff_id IN (${users}) AND a.role_id IN (${ownRoles})) AS assigned,
          (SELECT coalesce(json_agg(json_build_array(g.staff_id, g.permission, g.record_id) ORDER BY g.staff_id, g.permission, g.record_id), '[]') FROM record_grants g
            WHERE g.staff_id IN (${users}) AND (g.expires_at IS NULL OR g.expires_at > ${now}::timestamptz)) AS grants`)) as unknown as {
        rows: Array<Record<'roles' | 'users' | 'assigned' | 'grants', unknown>>;
      };
      const row = Object.fromEntries(Object.entries(result.rows[0]!).map(([k, v]) => [k, typeof v === 'string' ? JSON.parse(v) : v])) as {
        roles: Array<[string, string[]]>;
        users: Array<[string, string, string, string]>;
        assigned: Array<[string, string]>;
        grants: Array<[string, string, string]>;
      };
      const rolePerms = new Map(row.roles.map(([id, perms]) => [id, new Set(perms)]));
      const userRolePerms = new Map(u.users.map((id) => [id, new Set<string>()]));
      for (const [staffId, roleId] of row.assigned) for (const p of rolePerms.get(roleId) ?? []) userRolePerms.get(staffId)!.add(p);
      const power = new Map([...userRolePerms].map(([id, perms]) => [id, new Set(perms)]));
      for (const [staffId, permission] of row.grants) power.get(staffId)!.add(permission);
      const status = new Map(row.users.map(([id, , state]) => [id, state]));
      return { rolePerms, userRolePerms, power, status, text: JSON.stringify(row) };
    }

    const subset = (a: Iterable<string>, b: Set<string>) => [...a].filter((p) => !b.has(p));
    const pickFrom = <T>(list: T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);

    /** Runs one operation; returns what it touched, or throws the service's refusal. */
    async function perform(op: Op, u: Universe, s: Snapshot, actorId: string, grantsOf: (id: string) => Promise<string[]>) {
      const kernel = ctx.t.app.kernel;
      const known = new Set(kernel.catalogue.permissions.keys());
      const catalogue = [...known];
      const own = [...s.userRolePerms.get(actorId)!];
      const choose = (pick: number[], foreign: number) => [
        ...pick.map((i) => pickFrom(own, i)).filter((p): p is string => p !== undefined),
        ...Array.from({ length: foreign }, (_, i) => catalogue[((pick[0] ?? 0) * 13 + i * 5 + op.actor) % catalogue.length]!),
      ];
      const actor: Actor = { type: 'staff', id: actorId };
      const sessions = staffSessions(kernel);
      const existingRoles = u.roles.filter((id) => s.rolePerms.has(id));
      const target = 'target' in op ? u.users[op.target % u.users.length]! : undefined;
      const [grantId] = op.kind === 'revoke' ? await grantsOf(target!) : [];
      return kernel.write(actor, async (sctx): Promise<{ roles?: string[]; user?: string; assigns?: string[]; hands?: string[] }> => {
        switch (op.kind) {
          case 'createRole': {
            const permissions = choose(op.pick, op.foreign);
            const role = await createRole(sctx, known, { name: `r-${uuidv7()}`, permissions });
            u.roles.push(role.id);
            return { hands: permissions };
          }
          case 'createUser': {
            const roleIds = op.pick
              .map((i) => pickFrom(existingRoles, i)!)
              .filter(Boolean)
              .slice(0, op.foreign + 1);
            const user = await createStaffUser(sctx, { email: `${uuidv7()}@property.local`, name: 'Created', password, roleIds });
            u.users.push(user.id);
            return { assigns: roleIds };
          }
          case 'editRole': {
            const role = pickFrom(existingRoles, op.role)!;
            const permissions = op.permissions ? choose(op.pick, op.foreign) : undefined;
            await updateRole(sctx, known, role, permissions ? { permissions } : { name: `renamed-${uuidv7()}` });
            return { roles: [role], hands: permissions };
          }
          case 'deleteRole': {
            const role = pickFrom(existingRoles, op.role)!;
            await deleteRole(sctx, role);
            return { roles: [role] };
          }
          case 'assignRoles': {
            const roleIds = op.roles.map((i) => pickFrom(existingRoles, i)!).filter(Boolean);
            await updateStaffUser(sctx, sessions, target!, { roleIds });
            return { user: target, assigns: roleIds };
          }
          case 'grant': {
            const permission = op.foreign ? catalogue[op.pick % catalogue.length]! : (pickFrom(own, op.pick) ?? catalogue[0]!);
            await createGrant(sctx, known, target!, { permission, recordId: u.record });
            return { user: target, hands: [permission] };
          }
          case 'revoke': {
            if (!grantId) throw StaffError.notFound('no grant to revoke');
            await revokeGrant(sctx, grantId);
            return { user: target };
          }
          case 'resetPassword':
            await setPassword(sctx, sessions, target!, password, { reason: 'reset' });
            return { user: target };
          case 'disable':
          case 'enable':
            await updateStaffUser(sctx, sessions, target!, { status: op.kind === 'disable' ? 'disabled' : 'active' });
            return { user: target };
          case 'edit':
            await updateStaffUser(sctx, sessions, target!, { name: `Edited ${op.actor}` });
            return { user: target };
        }
      });
    }

    it(`holds over ${total.toLocaleString('en')} operations`, async () => {
      const kernel = ctx.t.app.kernel;
      const catalogue = [...kernel.catalogue.permissions.keys()];
      const grantsOf = async (id: string) =>
        (await kernel.db.select({ id: recordGrants.id }).from(recordGrants).where(eq(recordGrants.staffId, id))).map((g) => g.id);
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: perRun, maxLength: perRun }), async (ops) => {
          const u = await universe();
          let s = await snapshot(u);
          for (const [index, op] of ops.entries()) {
            const actors = u.users.filter((id) => s.status.get(id) === 'active');
            const actorId = pickFrom(actors, op.actor);
            if (!actorId) return;
            const own = s.userRolePerms.get(actorId)!;
            const where = `operation ${index} ${JSON.stringify(op)} by ${actorId}`;
            let touched: Awaited<ReturnType<typeof perform>>;
            try {
              touched = await perform(op, u, s, actorId, grantsOf);
            } catch (error) {
              assert.ok(error instanceof DomainError && error.kind !== 'unavailable', `${where}: ${String(error)}`);
              refused.set(op.kind, (refused.get(op.kind) ?? 0) + 1);
              const after = await snapshot(u);
              assert.equal(after.text, s.text, `${where}: a refused operation changed nothing`);
              s = after;
              continue;
            }
            accepted.set(op.kind, (accepted.get(op.kind) ?? 0) + 1);
            const after = await snapshot(u);
            for (const role of touched.roles ?? []) assert.deepEqual(subset(s.rolePerms.get(role) ?? [], own), [], `${where}: touched a role beyond the actor`);
            if (touched.user && touched.user !== actorId)
              assert.deepEqual(subset(s.power.get(touched.user)!, own), [], `${where}: touched a user beyond the actor`);
            for (const role of touched.assigns ?? [])
              assert.deepEqual(subset(s.rolePerms.get(role) ?? [], own), [], `${where}: assigned a role beyond the actor`);
            assert.deepEqual(subset(touched.hands ?? [], own), [], `${where}: handed out a permission beyond the actor`);
            for (const [id, power] of after.power) {
              const gained = [...power].filter((p) => !(s.power.get(id) ?? new Set()).has(p));
              assert.deepEqual(subset(gained, own), [], `${where}: ${id} gained permissions the actor lacks`);
              if (id === actorId) assert.deepEqual(gained, [], `${where}: the actor gained permissions`);
            }
            s = after;
          }
          const [admin] = await kernel.db.select({ id: roles.id }).from(roles).where(eq(roles.builtinKey, ADMINISTRATOR));
          const held = (await kernel.db.select().from(rolePermissions).where(eq(rolePermissions.roleId, admin!.id))).map((r) => r.permission);
          assert.deepEqual(subset(catalogue, new Set(held)), [], 'the Administrator role holds every permission');
        }),
        { numRuns: Math.max(1, Math.ceil(total / perRun)) },
      );
      for (const kind of [
        'createRole',
        'createUser',
        'editRole',
        'deleteRole',
        'assignRoles',
        'grant',
        'revoke',
        'resetPassword',
        'disable',
        'enable',
        'edit',
      ]) {
        assert.ok((accepted.get(kind) ?? 0) > 0, `some ${kind} operations were accepted: ${JSON.stringify([...accepted])}`);
        if (total >= 2000) assert.ok((refused.get(kind) ?? 0) > 0, `some ${kind} operations were refused: ${JSON.stringify([...refused])}`);
      }
    });
  });
});
