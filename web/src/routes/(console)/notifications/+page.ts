import { requirePermission } from '$lib/session';

// The list of what was sent needs notifications.read; the form to send shows only with notifications.send.
export const load = requirePermission('notifications.read');
