import { defineModule } from '../../core/module.ts';
import { ledgerEventTypes } from './events.ts';
import { ledgerRoutes } from './routes.ts';
import { expireHolds } from './holds.ts';
import { seedLedgerDemo } from './demo.ts';
import { AccountKinds, HoldStates, LedgerTransferKinds, ledgerRefs } from './views.ts';

/** Double-entry accounts, transfers, holds and balances: where every coin and cent is accounted for. */
export const ledgerModule = defineModule({
  name: 'ledger',
  label: { en: 'Ledger', ru: 'Книга учёта' },
  requires: ['people'],
  permissions: [
    { key: 'ledger.read', description: 'See accounts, balances, statements and holds; export statements.' },
    { key: 'ledger.adjust', description: "Adjust a person's or organization's balance by hand, with a reason." },
    { key: 'ledger.transfer', description: 'Move money between any accounts and place, post or void holds through the API (integrations).' },
  ],
  roleGrants: { finance: ['ledger.read', 'ledger.adjust', 'people.read'] },
  events: ledgerEventTypes,
  codes: [AccountKinds, HoldStates, LedgerTransferKinds],
  refs: ledgerRefs,
  routes: (app, kernel) => ledgerRoutes(kernel)(app),
  jobs: [{ name: 'ledger.expire_holds', cron: '* * * * *', handle: (_data, kernel) => expireHolds(kernel) }],
  nav: [{ group: 'money', path: '/ledger', label: 'nav.ledger', permission: 'ledger.read' }],
  seedDemo: seedLedgerDemo,
});
