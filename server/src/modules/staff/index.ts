import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { systemActor } from '../../core/actor.ts';
import { ConfigError } from '../../core/config.ts';
import { perKernel, type Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { staffEventTypes } from './events.ts';
import { preparePassword } from './passwords.ts';
import { staffRoutes } from './routes.ts';
import { roles } from './schema.ts';
import { ADMINISTRATOR, createStaffUser, staffCount, syncBuiltinRoles } from './service.ts';
import { StaffSessions } from './sessions.ts';
import { seedStaffDemo } from './demo.ts';

/** The session service of one running kernel (the app's authenticator). */
export const staffSessions = perKernel((kernel) => new StaffSessions(kernel));

/**
 * Built-in roles, then the first administrator when there is no staff user at all. One transaction under
 * an advisory lock, so two processes starting together on an empty database do not both try.
 */
async function bootstrap(kernel: Kernel): Promise<void> {
  const builtins = [...kernel.catalogue.roles.values()].map((role) => ({
    ...role,
    permissions: kernel.catalogue.defaultPermissions(role),
    everything: role.permissions === 'all',
  }));
  const { adminEmail, adminPassword } = kernel.config;
  // Hashing is slow: do it before the transaction, and only when an administrator may be needed.
  const firstAdminPassword =
    (await staffCount(kernel.db)) === 0
      ? await preparePassword(adminPassword ?? randomBytes(12).toString('base64url'), 'ADMIN_PASSWORD', adminEmail).catch(
          (error: unknown) => {
            throw new ConfigError(`Invalid configuration:\n  ADMIN_PASSWORD: ${error instanceof Error ? error.message.replace(/^ADMIN_PASSWORD /, '') : error}`);
          },
        )
      : undefined;
  const created = await kernel.write(systemActor('bootstrap'), async (ctx) => {
    await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('staff-bootstrap'))`);
    await syncBuiltinRoles(ctx, builtins);
    if (!firstAdminPassword || (await staffCount(ctx.tx)) > 0) return false;
    const [admin] = await ctx.tx.select({ id: roles.id }).from(roles).where(eq(roles.builtinKey, ADMINISTRATOR));
    await createStaffUser(ctx, { email: adminEmail, name: 'Administrator', password: firstAdminPassword, roleIds: admin ? [admin.id] : [] });
    return true;
  });
  if (!created) return;
  kernel.notices.push(
    adminPassword
      ? `Created the first administrator: ${adminEmail} (password from ADMIN_PASSWORD).`
      : `Created the first administrator: ${adminEmail} / ${firstAdminPassword!.plain}\n  This password is shown only once: sign in and change it.`,
  );
}

export const staffModule = defineModule({
  name: 'staff',
  permissions: [
    { key: 'staff.manage_users', description: 'Create, edit, disable staff users, reset their passwords, grant per-record access.' },
    { key: 'staff.manage_roles', description: 'Create and edit roles and their permissions.' },
  ],
  events: staffEventTypes,
  routes: (app, kernel) => staffRoutes(kernel, staffSessions(kernel))(app),
  nav: [
    { path: '/staff', label: 'nav.staff', permission: 'staff.manage_users' },
    { path: '/roles', label: 'nav.roles', permission: 'staff.manage_roles' },
  ],
  bootstrap,
  seedDemo: seedStaffDemo,
});
