import { systemActor, type Actor } from '../../core/actor.ts';
import type { Kernel } from '../../core/kernel.ts';
import { listOrganizations } from '../people/organizations.ts';
import { listPeople } from '../people/people.ts';
import { listStaffUsers } from '../staff/users.ts';
import { approvePayout, cancelPayout, markPaid, quote, rejectPayout, requestPayout, saveFeeRule, type Owner, type PayoutState } from './service.ts';

/** The order the demo applications are made in: every state at least twice. */
const PLAN: PayoutState[] = ['paid', 'requested', 'approved', 'rejected', 'cancelled', 'paid', 'requested', 'approved', 'rejected', 'cancelled', 'paid'];

/**
 * Payout applications in every state (requested, approved, paid, rejected, cancelled) for the demo
 * agencies and streamers with earnings (the ledger demo's), made by demo staff users through the
 * payouts service, so the holds, postings and events are those of real use; and a 2.5% default fee.
 */
export async function seedPayoutsDemo(kernel: Kernel): Promise<void> {
  const people = (await listPeople(kernel.db, { limit: 40 })).items.slice(0, 6);
  const agencies = (await listOrganizations(kernel.db, { kind: 'agency', limit: 10 })).items;
  const owners: Owner[] = [
    ...agencies.map((a) => ({ type: 'organization' as const, id: a.id })),
    ...people.map((p) => ({ type: 'person' as const, id: p.id })),
  ];
  if (owners.length === 0) return;
  const staff = (await listStaffUsers(kernel.db, { status: 'active', limit: 3 })).items;
  // Four eyes: the approver is never the requester.
  const requester: Actor = staff[0] ? { type: 'staff', id: staff[0].id } : systemActor('demo');
  const approver: Actor = staff[1] ? { type: 'staff', id: staff[1].id } : systemActor('demo-approver');
  await kernel.write(systemActor('demo'), (ctx) => saveFeeRule(ctx, { owner: null, currency: 'COIN', percentBp: 250, fixed: 0 }).then(() => undefined));
  let next = 0;
  for (const state of PLAN) {
    // The next owner with something left to pay out (a quarter of what is available, so each can ask again).
    let owner: Owner | undefined;
    let amount = 0;
    for (let tried = 0; tried < owners.length && !owner; tried += 1) {
      const candidate = owners[next++ % owners.length]!;
      const { available } = await quote(kernel.db, candidate, 'COIN');
      if (available >= 200) [owner, amount] = [candidate, Math.floor(available / 4)];
    }
    if (!owner) return;
    const member = owner.type === 'person' && state === 'cancelled';
    const application = await kernel.write(member ? { type: 'member', id: owner.id } : requester, (ctx) =>
      requestPayout(ctx, { owner: owner, currency: 'COIN', amount, origin: member ? 'member' : 'manual', note: member ? null : 'Monthly payout' }),
    );
    if (state === 'cancelled') {
      await kernel.write(member ? { type: 'member', id: owner.id } : requester, (ctx) => cancelPayout(ctx, application.id, member ? owner : undefined));
    } else if (state === 'rejected') {
      await kernel.write(approver, (ctx) => rejectPayout(ctx, application.id, 'The bank details on file do not match the account holder.'));
    } else if (state === 'approved' || state === 'paid') {
      await kernel.write(approver, (ctx) => approvePayout(ctx, application.id));
      if (state === 'paid') await kernel.write(approver, (ctx) => markPaid(ctx, application.id, `DEMO-WIRE-${String(next).padStart(4, '0')}`));
    }
  }
}
