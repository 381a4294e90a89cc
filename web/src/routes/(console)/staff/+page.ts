import { requirePermission } from '$lib/session';

export const load = requirePermission('staff.manage_users');
