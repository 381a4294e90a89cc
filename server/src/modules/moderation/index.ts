import { defineModule } from '../../core/module.ts';
import { moderationEventTypes } from './events.ts';
import { moderationRoutes } from './routes.ts';

/** Review queues: modules declare kinds and open items; moderators claim, approve or reject. */
export const moderationModule = defineModule({
  name: 'moderation',
  label: { en: 'Moderation', ru: 'Модерация' },
  permissions: [{ key: 'moderation.review', description: 'Review moderation queues: approve or reject photos, videos, reports.' }],
  roleGrants: { moderator: ['moderation.review'] },
  events: moderationEventTypes,
  routes: moderationRoutes,
  nav: [{ group: 'moderation', path: '/moderation', label: 'nav.moderation', permission: 'moderation.review' }],
});
