import { systemActor } from '../../core/actor.ts';
import type { Kernel } from '../../core/kernel.ts';
import { listOrganizations } from '../people/organizations.ts';
import { listPeople } from '../people/people.ts';
import { ensureAccount, platformAccount } from './accounts.ts';
import { postTransfers } from './transfers.ts';

/**
 * Coins bought by app users, some of them spent on streamers (shared with their agency and the
 * platform): enough to read statements. The payouts demo then holds and pays out part of the earnings.
 */
export async function seedLedgerDemo(kernel: Kernel): Promise<void> {
  const people = (await listPeople(kernel.db, { limit: 40 })).items;
  const agencies = (await listOrganizations(kernel.db, { kind: 'agency', limit: 10 })).items;
  if (people.length < 10 || agencies.length === 0) return;
  const streamers = people.slice(0, 6);
  const users = people.slice(6);
  await kernel.write(systemActor('demo'), async (ctx) => {
    const liability = await platformAccount(ctx, 'liability', 'COIN');
    const revenue = await platformAccount(ctx, 'revenue', 'COIN');
    const earnings = await Promise.all(streamers.map((s) => ensureAccount(ctx, { ownerType: 'person', ownerId: s.id, kind: 'earnings', currency: 'COIN' })));
    const agencyEarnings = await Promise.all(
      agencies.map((a) => ensureAccount(ctx, { ownerType: 'organization', ownerId: a.id, kind: 'earnings', currency: 'COIN' })),
    );
    for (const [i, user] of users.entries()) {
      const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: user.id, kind: 'wallet', currency: 'COIN' });
      const bought = [500, 1200, 2500, 6500][i % 4]!;
      await postTransfers(ctx, [
        { debitAccountId: liability.id, creditAccountId: wallet.id, amount: bought, kind: 'purchase', reference: { type: 'demo_purchase', id: `demo-${i}` } },
      ]);
      for (let gift = 0; gift < i % 5; gift++) {
        const price = [50, 100, 300][gift % 3]!;
        const streamer = earnings[(i + gift) % earnings.length]!;
        const agency = agencyEarnings[(i + gift) % agencyEarnings.length]!;
        await postTransfers(ctx, [
          {
            debitAccountId: wallet.id,
            creditAccountId: streamer.id,
            amount: price * 0.5,
            kind: 'gift',
            reference: { type: 'demo_gift', id: `demo-${i}-${gift}` },
          },
          {
            debitAccountId: wallet.id,
            creditAccountId: agency.id,
            amount: price * 0.2,
            kind: 'gift',
            reference: { type: 'demo_gift', id: `demo-${i}-${gift}` },
          },
          {
            debitAccountId: wallet.id,
            creditAccountId: revenue.id,
            amount: price * 0.3,
            kind: 'gift',
            reference: { type: 'demo_gift', id: `demo-${i}-${gift}` },
          },
        ]);
      }
    }
  });
}
