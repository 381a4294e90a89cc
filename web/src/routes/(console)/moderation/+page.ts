import { requirePermission } from '$lib/session';

export const load = requirePermission('moderation.review');
