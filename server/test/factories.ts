import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { systemActor, type Actor } from '../src/core/actor.ts';
import { hashPassword, type NewPassword } from '../src/modules/staff/passwords.ts';
import { createRole } from '../src/modules/staff/roles.ts';
import { createStaffUser } from '../src/modules/staff/users.ts';
import { roleView, staffUserView } from '../src/modules/staff/views.ts';

/**
 * Test data written through the staff module's services, the calls its routes make (`kernel.write` with an
 * actor, then `createRole` / `createStaffUser`), so the same checks, events and escalation rule apply.
 * What they skip is the argon2id hash per user (19 MiB, 2 iterations): every factory user has the password
 * TEST_PASSWORD, hashed once per process with the production parameters. Signing in still goes through
 * POST /api/console/session and verifies that hash for real; only creating the user is cheap.
 */

export const TEST_PASSWORD = 'test password 1234';

let testHash: Promise<string> | undefined;

/** TEST_PASSWORD as the routes prepare a password: checked by the policy on creation, hashed once per process. */
export async function testPassword(): Promise<NewPassword> {
  testHash ??= hashPassword(TEST_PASSWORD);
  return { plain: TEST_PASSWORD, hash: await testHash, field: 'password' };
}

/** The actor of factory writes unless one is given: the system, trusted like bootstrap and demo data. */
export const FACTORY_ACTOR = systemActor('test-factory');

export const uniqueName = (prefix = 'user') => `${prefix}-${randomBytes(4).toString('hex')}`;

export type RoleView = ReturnType<typeof roleView>;
export type StaffUserView = ReturnType<typeof staffUserView>;

export interface RoleSpec {
  name?: string;
  description?: string;
  permissions?: string[];
  /** Who creates it: a staff actor is held to the escalation rule as over HTTP. */
  actor?: Actor;
}

/** A role, as POST /api/console/roles creates it; answers what that route answers. */
export async function makeRole(app: FastifyInstance, spec: RoleSpec = {}): Promise<RoleView> {
  const { kernel } = app;
  const known = new Set(kernel.catalogue.permissions.keys());
  const input = { name: spec.name ?? uniqueName('role'), description: spec.description, permissions: spec.permissions ?? [] };
  return roleView(await kernel.write(spec.actor ?? FACTORY_ACTOR, (ctx) => createRole(ctx, known, input)));
}

export interface StaffSpec {
  /** Defaults to a unique `user-…`; the email defaults to `<name>@test.local`. */
  name?: string;
  email?: string;
  locale?: 'en' | 'ru';
  /** Roles to hold. */
  roleIds?: string[];
  /** When given, a role `role for <name>` with exactly these permissions is created and held as well. */
  permissions?: string[];
  /** Who creates the user (and the role): a staff actor is held to the escalation rule as over HTTP. */
  actor?: Actor;
}

export interface MadeStaff {
  /** What POST /api/console/staff answers. */
  user: StaffUserView;
  /** The role created for `permissions`, if they were given. */
  role?: RoleView;
  email: string;
  password: string;
}

/** A staff user with the password TEST_PASSWORD, as POST /api/console/staff creates one, minus the hashing. */
export async function makeStaff(app: FastifyInstance, spec: StaffSpec = {}): Promise<MadeStaff> {
  const name = spec.name ?? uniqueName();
  const email = spec.email ?? `${name}@test.local`;
  const actor = spec.actor ?? FACTORY_ACTOR;
  const role = spec.permissions ? await makeRole(app, { name: `role for ${name}`, permissions: spec.permissions, actor }) : undefined;
  const roleIds = [...(spec.roleIds ?? []), ...(role ? [role.id] : [])];
  const password = await testPassword();
  const user = await app.kernel.write(actor, (ctx) => createStaffUser(ctx, { email, name, password, roleIds, locale: spec.locale }));
  return { user: staffUserView(user), role, email, password: password.plain };
}
