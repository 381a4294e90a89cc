import { requirePermission } from '$lib/session';

export const load = requirePermission('calls.read');
