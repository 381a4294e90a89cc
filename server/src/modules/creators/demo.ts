import { systemActor } from '../../core/actor.ts';
import type { Kernel } from '../../core/kernel.ts';
import { listOrganizations, listPeople } from '../people/service.ts';
import { createGift, sendGift, type Gift } from './gifts.ts';
import { registerStreamer, signUpUser } from './service.ts';
import { addFavorite, blockMember, createPenaltyRule } from './social.ts';

const GIFTS = [
  { name: 'Rose', price: 50, streamerShareBp: 5000, agencyShareBp: 2000, sort: 1 },
  { name: 'Heart', price: 100, streamerShareBp: 5000, agencyShareBp: 2000, sort: 2 },
  { name: 'Champagne', price: 300, streamerShareBp: 5500, agencyShareBp: 1500, sort: 3 },
  { name: 'Diamond', price: 1000, streamerShareBp: 6000, agencyShareBp: 1000, sort: 4 },
];

/**
 * The first six demo people stream for the demo agencies (the ledger demo gave them earnings), the rest
 * are app users; a gift catalog, some gifts, favorites, a block, and the two penalty rules of the
 * original product.
 */
export async function seedCreatorsDemo(kernel: Kernel): Promise<void> {
  const people = (await listPeople(kernel.db, { limit: 40 })).items;
  const agencies = (await listOrganizations(kernel.db, { kind: 'agency', limit: 10 })).items;
  if (people.length < 10) return;
  const streamers = people.slice(0, 6);
  const users = people.slice(6).filter((p) => p.status === 'active');
  await kernel.write(systemActor('demo'), async (ctx) => {
    for (const [i, streamer] of streamers.entries()) {
      if (streamer.status === 'active') await registerStreamer(ctx, streamer.id, agencies.length ? agencies[i % agencies.length]!.id : null);
    }
    for (const [i, user] of users.entries()) await signUpUser(ctx, user.id, (['ios', 'android', 'web'] as const)[i % 3]!);
    const catalog: Gift[] = [];
    for (const gift of GIFTS) catalog.push(await createGift(ctx, gift));
    await createPenaltyRule(ctx, { reason: 'nudity', targetRole: 'streamer', blockerRole: 'user', threshold: 5, windowDays: 7, action: 'suspend_streamer' });
    await createPenaltyRule(ctx, { reason: 'harassment', targetRole: 'user', blockerRole: 'streamer', threshold: 3, windowDays: 30, action: 'block_person', blockReason: 'abuse' });
    const active = streamers.filter((s) => s.status === 'active');
    for (const [i, user] of users.slice(0, 12).entries()) {
      const streamer = active[i % active.length]!;
      await addFavorite(ctx, user.id, streamer.id);
      // The demo wallets hold a few hundred coins or more; a gift they cannot afford is simply skipped.
      await ctx.savepoint((inner) => sendGift(inner, user.id, catalog[i % 2]!.id, streamer.id)).catch(() => undefined);
    }
    if (users[13] && active[0]) await blockMember(ctx, active[0].id, users[13].id, 'harassment', 'Insults during a call');
  });
}
