import { and, desc, eq, ne } from 'drizzle-orm';
import type { Executor } from '../../core/db/client.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { MembersError } from './errors.ts';
import { MemberEvents } from './events.ts';
import { memberDevices } from './schema.ts';

export type Device = typeof memberDevices.$inferSelect;

export interface DeviceInput {
  platform: Device['platform'];
  pushToken?: string | null;
  voipToken?: string | null;
  appVersion?: string;
  name?: string;
}

export async function devicesOf(db: Executor, personId: string): Promise<Device[]> {
  return db.select().from(memberDevices).where(eq(memberDevices.personId, personId)).orderBy(desc(memberDevices.lastSeenAt));
}

/**
 * Registers a member's install of a client app (its id is made up by the app once), or refreshes it.
 * A push token belongs to one install: a reinstall, or another member signing in on the same phone,
 * takes it over. `members.device_registered` is appended when the install is new or its platform,
 * push token, app version or member changed, not on every app start.
 */
export async function registerDevice(ctx: ServiceContext, personId: string, deviceId: string, input: DeviceInput): Promise<Device> {
  const row = {
    personId,
    platform: input.platform,
    pushToken: input.pushToken ?? null,
    voipToken: input.platform === 'ios' ? (input.voipToken ?? null) : null,
    appVersion: input.appVersion ?? null,
    name: input.name ?? null,
    lastSeenAt: ctx.now,
  };
  const [before] = await ctx.tx.select().from(memberDevices).where(eq(memberDevices.id, deviceId)).for('update');
  if (row.pushToken)
    await ctx.tx
      .update(memberDevices)
      .set({ pushToken: null })
      .where(and(eq(memberDevices.pushToken, row.pushToken), ne(memberDevices.id, deviceId)));
  if (row.voipToken)
    await ctx.tx
      .update(memberDevices)
      .set({ voipToken: null })
      .where(and(eq(memberDevices.voipToken, row.voipToken), ne(memberDevices.id, deviceId)));
  const [device] = await ctx.tx
    .insert(memberDevices)
    .values({ id: deviceId, ...row, createdAt: ctx.now })
    .onConflictDoUpdate({ target: memberDevices.id, set: row })
    .returning();
  const changed =
    !before ||
    before.personId !== personId ||
    before.platform !== row.platform ||
    before.pushToken !== row.pushToken ||
    before.voipToken !== row.voipToken ||
    before.appVersion !== row.appVersion;
  if (changed) {
    await ctx.emit({
      type: MemberEvents.deviceRegistered,
      subject: { type: 'person', id: personId },
      payload: {
        deviceId,
        platform: row.platform,
        appVersion: row.appVersion,
        pushToken: row.pushToken !== null,
        first: !before || before.personId !== personId,
      },
    });
  }
  return device!;
}

/** Forgets a member's own install (on sign-out): no more pushes go to it. */
export async function forgetDevice(ctx: ServiceContext, personId: string, deviceId: string): Promise<void> {
  const removed = await ctx.tx
    .delete(memberDevices)
    .where(and(eq(memberDevices.id, deviceId), eq(memberDevices.personId, personId)))
    .returning({ id: memberDevices.id });
  if (removed.length === 0) throw MembersError.notFound('You have no such device.');
  await ctx.emit({ type: MemberEvents.deviceForgotten, subject: { type: 'person', id: personId }, payload: { deviceId } });
}

/**
 * A push provider refused a device's token as unregistered or invalid: the token is cleared (only if it is
 * still the one that was refused: the app may have registered a new one meanwhile). Answers whether it was.
 */
export async function removeDeviceToken(ctx: ServiceContext, deviceId: string, which: 'push' | 'voip', token: string, reason: string): Promise<boolean> {
  const column = which === 'push' ? memberDevices.pushToken : memberDevices.voipToken;
  const [device] = await ctx.tx
    .update(memberDevices)
    .set(which === 'push' ? { pushToken: null } : { voipToken: null })
    .where(and(eq(memberDevices.id, deviceId), eq(column, token)))
    .returning({ personId: memberDevices.personId });
  if (!device) return false;
  await ctx.emit({ type: MemberEvents.deviceTokenRemoved, subject: { type: 'person', id: device.personId }, payload: { deviceId, token: which, reason } });
  return true;
}
