import type { PersonTab } from '../people/tabs';
import { m } from '../paraglide/messages.js';
import PersonBalance from './PersonBalance.svelte';

export const personTabs: PersonTab[] = [{ id: 'balance', label: m.tab_balance, order: 60, permission: 'ledger.read', component: PersonBalance }];
