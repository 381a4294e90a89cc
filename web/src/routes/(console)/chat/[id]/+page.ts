import { requirePermission } from '$lib/session';

export const load = requirePermission('chat.read');
