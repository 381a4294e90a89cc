import sharp from 'sharp';
import type { Kernel } from '../../../core/kernel.ts';
import { fileService } from '../../files/index.ts';
import { decide, pendingItemFor } from '../../moderation/service.ts';
import { listStaffUsers } from '../../staff/users.ts';
import { choosePhoto } from './service.ts';

/**
 * A portrait-shaped picture drawn locally (no stock photos, no network): a gradient in the person's own
 * hues with a silhouette. Shapes only — text would depend on the fonts the machine happens to have.
 */
function portrait(seed: number, variant: number): Promise<Buffer> {
  const hue = (seed * 47 + variant * 97) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="640">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},65%,62%)"/><stop offset="1" stop-color="hsl(${(hue + 60) % 360},55%,32%)"/>
    </linearGradient></defs>
    <rect width="480" height="640" fill="url(#g)"/>
    <circle cx="${240 + (variant % 2 ? 30 : -20)}" cy="250" r="105" fill="hsl(${(hue + 180) % 360},30%,88%)" opacity="0.9"/>
    <ellipse cx="240" cy="620" rx="210" ry="190" fill="hsl(${(hue + 200) % 360},35%,20%)" opacity="0.85"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

export interface DemoGalleryOwner {
  id: string;
  photos: number;
  /** Leave the last photo waiting in the moderation queue. */
  pendingLast?: boolean;
}

/**
 * Uploads the demo members' photos through the files service (re-encoded like any upload), approves them
 * as the first staff user would in the queue, and makes the first one each member's cover and profile
 * photo; some stay pending so the photo queue has work in it.
 */
export async function seedDemoPhotos(kernel: Kernel, owners: DemoGalleryOwner[]): Promise<void> {
  const [moderator] = (await listStaffUsers(kernel.db, { status: 'active', limit: 1 })).items;
  if (!moderator) return;
  const files = fileService(kernel);
  // A few members at a time: image encoding runs on libuv's threads while the database writes queue up.
  const PARALLEL = 4;
  for (let start = 0; start < owners.length; start += PARALLEL) {
    await Promise.all(owners.slice(start, start + PARALLEL).map((owner, offset) => seedGallery(kernel, files, moderator.id, owner, start + offset)));
  }
}

/** One member's photos: uploaded, approved as the moderator would in the queue, the first made the cover. */
async function seedGallery(kernel: Kernel, files: ReturnType<typeof fileService>, moderatorId: string, owner: DemoGalleryOwner, index: number): Promise<void> {
  const uploaded: string[] = [];
  for (let n = 0; n < owner.photos; n += 1) {
    const file = await files.upload(
      { type: 'member', id: owner.id },
      { type: 'person', id: owner.id },
      'photo',
      await portrait(index, n),
      `photo-${n + 1}.jpg`,
    );
    uploaded.push(file.id);
  }
  const approved = owner.pendingLast ? uploaded.slice(0, -1) : uploaded;
  await kernel.write({ type: 'staff', id: moderatorId }, async (ctx) => {
    for (const fileId of approved) {
      const item = await pendingItemFor(ctx.tx, 'photo', 'file', fileId);
      if (item) await decide(ctx, moderatorId, item.id, 'approved', null);
    }
    if (approved[0]) {
      await choosePhoto(ctx, owner.id, 'cover', approved[0]);
      await choosePhoto(ctx, owner.id, 'profile', approved[approved.length - 1]!);
    }
  });
}
