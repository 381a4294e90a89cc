import { defineModule } from '../module.ts';
import { purgeIdempotencyKeys } from '../http/idempotency/idempotency.ts';
import { eventRoutes } from './routes.ts';

/** The event log's console API; part of the kernel, always enabled. */
export const eventsModule = defineModule({
  name: 'events',
  label: { en: 'Event log', ru: 'Журнал событий' },
  permissions: [
    {
      key: 'events.read',
      description: 'Open the event log. Each entry shows only with the permission its module declares for it (a transfer needs ledger.read).',
    },
  ],
  routes: eventRoutes,
  nav: [{ group: 'administration', path: '/events', label: 'nav.events', permission: 'events.read' }],
  // Housekeeping of the kernel's own tables.
  jobs: [{ name: 'kernel.purge_idempotency_keys', cron: '17 * * * *', handle: async (_data, kernel) => void (await purgeIdempotencyKeys(kernel)) }],
});
