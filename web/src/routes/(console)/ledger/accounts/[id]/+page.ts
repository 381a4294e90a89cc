import { requirePermission } from '$lib/session';

export const load = requirePermission('ledger.read');
