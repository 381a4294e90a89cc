import { systemActor } from '../../core/actor.ts';
import type { Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { ledgerEventTypes } from './events.ts';
import { ledgerRoutes } from './routes.ts';
import { expiredHoldIds, voidHold } from './service.ts';
import { seedLedgerDemo } from './demo.ts';

/**
 * Voids holds whose time ran out, a batch at a time, each in its own transaction so one failure stops
 * nothing else; a batch in which nothing could be voided ends the run (the next minute tries again).
 */
export async function expireHolds(kernel: Kernel): Promise<void> {
  for (;;) {
    const ids = await expiredHoldIds(kernel.db, kernel.now(), 100);
    let voided = 0;
    for (const id of ids) {
      await kernel
        .write(systemActor('ledger.expire_holds'), (ctx) => voidHold(ctx, id, 'expired'))
        .then(() => voided++)
        // Resolved by someone else in the meantime: nothing to do.
        .catch((error: unknown) => kernel.log.debug({ err: error, holdId: id }, 'hold not expired'));
    }
    if (ids.length < 100 || voided === 0) return;
  }
}

/** Double-entry accounts, transfers, holds and balances: where every coin and cent is accounted for. */
export const ledgerModule = defineModule({
  name: 'ledger',
  requires: ['people'],
  permissions: [
    { key: 'ledger.read', description: 'See accounts, balances, statements and holds; export statements.' },
    { key: 'ledger.adjust', description: "Adjust a person's or organization's balance by hand, with a reason." },
    { key: 'ledger.transfer', description: 'Move money between any accounts and place, post or void holds through the API (integrations).' },
  ],
  roleGrants: { finance: ['ledger.read', 'ledger.adjust', 'people.read'] },
  events: ledgerEventTypes,
  routes: (app, kernel) => ledgerRoutes(kernel)(app),
  jobs: [{ name: 'ledger.expire_holds', cron: '* * * * *', handle: (_data, kernel) => expireHolds(kernel) }],
  nav: [{ path: '/ledger', label: 'nav.ledger', permission: 'ledger.read' }],
  seedDemo: seedLedgerDemo,
});
