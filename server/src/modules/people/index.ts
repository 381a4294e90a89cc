import { sql } from 'drizzle-orm';
import { systemActor } from '../../core/actor.ts';
import type { Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { seedPeopleDemo } from './demo.ts';
import { peopleEventTypes } from './events.ts';
import { peopleRoutes } from './routes.ts';
import { blockReasons } from './schema.ts';
import { DEFAULT_BLOCK_REASONS } from './service.ts';

/** The default block reasons, once: staff manage the list from then on. */
async function bootstrap(kernel: Kernel): Promise<void> {
  await kernel.write(systemActor('bootstrap'), async (ctx) => {
    await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('people-bootstrap'))`);
    const [existing] = await ctx.tx.select({ key: blockReasons.key }).from(blockReasons).limit(1);
    if (existing) return;
    await ctx.tx.insert(blockReasons).values(DEFAULT_BLOCK_REASONS.map((r) => ({ ...r, createdAt: ctx.now })));
  });
}

export const peopleModule = defineModule({
  name: 'people',
  permissions: [
    { key: 'people.read', description: 'See people and organizations: profiles (private parts too), identities, notes, timelines.' },
    { key: 'people.manage', description: 'Create and edit people and organizations, their identities and members; write notes.' },
    { key: 'people.block', description: 'Block and unblock people; manage the list of block reasons.' },
    { key: 'people.erase', description: "Erase a person's personal data on their request (cannot be undone)." },
  ],
  // Moderators judge people's photos and reports: they need to see who they are looking at.
  roleGrants: { support: ['people.read', 'people.manage', 'people.block'], moderator: ['people.read'] },
  events: peopleEventTypes,
  routes: (app, kernel) => peopleRoutes(kernel)(app),
  nav: [
    { path: '/people', label: 'nav.people', permission: 'people.read' },
    { path: '/organizations', label: 'nav.organizations', permission: 'people.read' },
  ],
  bootstrap,
  seedDemo: seedPeopleDemo,
});
