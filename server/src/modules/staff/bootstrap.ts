import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { systemActor } from '../../core/actor.ts';
import { ConfigError } from '../../core/config.ts';
import type { Kernel } from '../../core/kernel.ts';
import { preparePassword } from './passwords.ts';
import { ADMINISTRATOR, builtinRoleId, syncBuiltinRoles } from './roles.ts';
import { createStaffUser, staffCount } from './users.ts';

/**
 * Built-in roles, then the first administrator when there is no staff user at all. One transaction under
 * an advisory lock, so two processes starting together on an empty database do not both try.
 */
export async function bootstrapStaff(kernel: Kernel): Promise<void> {
  const builtins = [...kernel.catalogue.roles.values()].map((role) => ({
    ...role,
    permissions: kernel.catalogue.defaultPermissions(role),
    everything: role.permissions === 'all',
  }));
  const { adminEmail, adminPassword } = kernel.config;
  // Hashing is slow: do it before the transaction, and only when an administrator may be needed.
  const firstAdminPassword =
    (await staffCount(kernel.db)) === 0
      ? await preparePassword(adminPassword ?? randomBytes(12).toString('base64url'), 'ADMIN_PASSWORD', adminEmail).catch((error: unknown) => {
          throw new ConfigError(`Invalid configuration:\n  ADMIN_PASSWORD: ${error instanceof Error ? error.message.replace(/^ADMIN_PASSWORD /, '') : error}`);
        })
      : undefined;
  const created = await kernel.write(systemActor('bootstrap'), async (ctx) => {
    await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('staff-bootstrap'))`);
    await syncBuiltinRoles(ctx, builtins);
    if (!firstAdminPassword || (await staffCount(ctx.tx)) > 0) return false;
    const admin = await builtinRoleId(ctx.tx, ADMINISTRATOR);
    await createStaffUser(ctx, { email: adminEmail, name: 'Administrator', password: firstAdminPassword, roleIds: admin ? [admin] : [] });
    return true;
  });
  if (!created) return;
  kernel.notices.push(
    adminPassword
      ? `Created the first administrator: ${adminEmail} (password from ADMIN_PASSWORD).`
      : `Created the first administrator: ${adminEmail} / ${firstAdminPassword!.plain}\n  This password is shown only once: sign in and change it.`,
  );
}
