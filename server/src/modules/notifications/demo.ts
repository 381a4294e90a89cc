import type { Kernel } from '../../core/kernel.ts';
import { staffIdByEmail } from '../staff/users.ts';
import { createBatch } from './batches.ts';

/**
 * A notice the first administrator sent to the demo's VIP people: their Notifications tabs show it with its
 * delivery (no push provider is configured in the demo, so each push says so), and the administrator's bell
 * shows that it was sent.
 */
export async function seedNotificationsDemo(kernel: Kernel): Promise<void> {
  const adminId = await staffIdByEmail(kernel.db, kernel.config.adminEmail);
  if (!adminId) return;
  await kernel.write({ type: 'staff', id: adminId }, (ctx) =>
    createBatch(ctx, adminId, {
      audience: { type: 'tag', tag: 'vip' },
      title: { en: 'Double coins this weekend', ru: 'Двойные монеты в выходные' },
      body: { en: 'Every coin pack gives twice the coins until Sunday night.', ru: 'Каждый пакет монет даёт вдвое больше до вечера воскресенья.' },
    }),
  );
}
